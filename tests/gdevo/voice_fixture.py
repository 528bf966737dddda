"""Two tiny narrated "chapters" for the narration tests (seconds to render at 160×90).

Each has a background colour of its own, so a frame of the joined video says which chapter it
belongs to, and short lines (one caption cue each) so cues and beats can be counted.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from manim import BLUE, GREEN, ORANGE, RED, Circle, FadeIn, Square, Transform

from gdevo.rendering.encoding import install
from scenes.kit.base import ChapterScene

install()   # as gdevo's renders encode (holds converted once): the sync tests check that encoder

LINES_A = ("A circle appears.", "Now it is a square, and the loss is 0.012.")
LINES_B = ("The second chapter starts here.", "About one in a hundred children improve.")
ROOT = Path(__file__).resolve().parents[2]


class TinyA(ChapterScene):
    def construct(self) -> None:
        self.camera.background_color = RED
        shape = Circle(radius=1.2, color=BLUE)
        self.play(FadeIn(shape), run_time=0.4)
        self.beat(LINES_A[0])
        self.play(Transform(shape, Square(side_length=2.0, color=ORANGE)), run_time=2.0)   # longer than its line
        self.beat(LINES_A[1])


class TinyB(ChapterScene):
    def construct(self) -> None:
        self.camera.background_color = GREEN
        shape = Square(side_length=1.0, color=BLUE)
        self.play(FadeIn(shape), run_time=0.4)
        self.beat(LINES_B[0])
        self.play(shape.animate.scale(1.5), run_time=0.4)
        self.beat(LINES_B[1])


def render_tiny(cls: str, media: Path, voice: str, env: dict | None = None, fps: int = 15) -> Path:
    """Render one fixture scene with manim (as gdevo does) and return manim's movie path."""
    cmd = [sys.executable, "-m", "manim", "render", "-r", "160,90", "--fps", str(fps), "tests/gdevo/voice_fixture.py",
           cls, "-o", cls, "--media_dir", str(media), "--progress_bar", "none", "--disable_caching"]
    run_env = dict(os.environ, PYTHONPATH=str(ROOT), GDEVO_VOICE=voice, **(env or {}))
    proc = subprocess.run(cmd, cwd=ROOT, env=run_env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return next(Path(media).rglob(f"{cls}.mp4"))

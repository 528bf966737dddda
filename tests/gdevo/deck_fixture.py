"""A tiny three-beat scene for the GIF/still/slides tests (seconds to render at 160×90)."""

from __future__ import annotations

from manim import BLUE, ORANGE, UP, Circle, FadeIn, Square, Text, Transform

from scenes.kit.base import ChapterScene

BEAT_NOTES = ("A circle of radius 1.50 appears.", "It becomes a square of side 2.00.", "Loss 0.0123 after 3 steps.")


class TinyDeck(ChapterScene):
    def construct(self) -> None:
        title = Text("tiny deck", font_size=48).to_edge(UP)
        circle = Circle(radius=1.5, color=BLUE)
        self.play(FadeIn(title), FadeIn(circle), run_time=0.4)
        self.beat(BEAT_NOTES[0])
        self.play(Transform(circle, Square(side_length=2.0, color=ORANGE)), run_time=0.4)
        self.beat(BEAT_NOTES[1])
        self.play(circle.animate.shift(UP * 0.5), run_time=0.4)
        self.wait(0.2)
        self.beat(BEAT_NOTES[2])


def render_tiny_mp4(out_dir, width: int = 320, height: int = 180, fps: int = 15):
    """Render TinyDeck with manim (a real scene MP4, ~1.4 s long) and return its path."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    cmd = [sys.executable, "-m", "manim", "render", "-r", f"{width},{height}", "--fps", str(fps),
           "tests/gdevo/deck_fixture.py", "TinyDeck", "-o", "tiny", "--media_dir", str(out_dir),
           "--progress_bar", "none", "--disable_caching"]
    env = dict(os.environ, PYTHONPATH=str(root))
    subprocess.run(cmd, cwd=root, env=env, check=True, capture_output=True, timeout=300)
    return next(Path(out_dir).rglob("tiny.mp4"))


class TinyDeckTwo(ChapterScene):
    """Two beats in a row (one slide, both notes) and an animation after the last beat (a slide without notes)."""

    def construct(self) -> None:
        dot = Circle(radius=0.5, color=ORANGE)
        self.play(FadeIn(dot), run_time=0.4)
        self.beat("first note")
        self.beat("second note")
        self.play(dot.animate.shift(UP), run_time=0.4)

"""`gdevo render landscape` writes a real MP4 whose stream matches the quality and the scene."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.framecheck import render_last_frame

ROOT = Path(__file__).resolve().parents[2]


def ffprobe(path: Path) -> dict:
    out = subprocess.run(["ffprobe", "-v", "error", "-print_format", "json", "-show_streams", "-show_format",
                          str(path)], capture_output=True, text=True, check=True).stdout
    return json.loads(out)


@pytest.mark.slow
def test_render_landscape_low_quality_is_h264_480p_with_the_scene_duration(tmp_path):
    env = {**os.environ, "GDEVO_CACHE": str(tmp_path / "cache"), "GDEVO_RENDERS": str(tmp_path / "renders")}
    proc = subprocess.run([sys.executable, "-m", "gdevo", "render", "landscape", "--quality", "low"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = tmp_path / "renders" / "landscape.mp4"
    info = ffprobe(out)
    video = next(s for s in info["streams"] if s["codec_type"] == "video")
    assert video["codec_name"] == "h264"
    assert (video["width"], video["height"]) == (854, 480)
    assert video["r_frame_rate"] == "15/1"

    # The scene's own timeline (animations skipped) gives the duration the file must have.
    from scenes.landscape import Landscape
    from sim.cache import ensure_trace

    traces = {"sine-2d": ensure_trace("sine-2d", quiet=True, cache=tmp_path / "cache")}
    scene, _ = render_last_frame(Landscape, width=160, height=90, traces=traces)
    assert float(info["format"]["duration"]) == pytest.approx(scene.renderer.time, abs=0.2)

    # Unchanged inputs: a second render is skipped (the file is not rewritten).
    mtime = out.stat().st_mtime_ns
    again = subprocess.run([sys.executable, "-m", "gdevo", "render", "landscape"], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=600)
    assert again.returncode == 0 and out.stat().st_mtime_ns == mtime


def test_render_key_covers_format_traces_and_picture_settings_but_not_folders(settings):
    from dataclasses import replace

    from gdevo.rendering.manim_run import Format, SceneJob, render_key

    job = SceneJob("tiny", "tests.gdevo.deck_fixture", "TinyDeck")
    base = render_key(job, Format("low"), settings)
    assert render_key(job, Format("low"), settings) == base
    others = [render_key(job, Format("medium"), settings), render_key(job, Format("low", (160, 90)), settings),
              render_key(job, Format("low"), settings, traces=["sine-2d-0123.npz"]),
              render_key(SceneJob("tiny", "tests.gdevo.deck_fixture", "TinyDeckTwo"), Format("low"), settings)]
    others += [render_key(job, Format("low"), replace(settings, **change))   # what the picture or sound shows
               for change in ({"theme": "light"}, {"voice": "none"}, {"voice": "none", "wpm": "120"},
                              {"title": "Another film"}, {"subtitle": "by someone"})]
    assert len({base, *others}) == 1 + len(others)
    elsewhere = replace(settings, cache=Path("/elsewhere/cache"), renders=Path("/elsewhere/renders"),
                        voice_cache=Path("/elsewhere/voices"), vendor=Path("/elsewhere/vendor"))
    assert render_key(job, Format("low"), elsewhere) == base   # where files go is not what they show


def test_a_scene_rendered_alone_encodes_on_the_idle_cores(settings, monkeypatch):
    """`gdevo render SCENE` asks manim for in-flight encoders (the batch renders do not: no idle core)."""
    import gdevo.rendering.chapters
    import gdevo.rendering.manim_run
    from gdevo.rendering.manim_run import ALONE_ENCODERS, Format, SceneJob, manim_command
    from scenes.storyboard import SceneEntry
    from sim.errors import GdevoError

    asked = {}

    def fake(job, fmt, settings, force=False, encoders=None):
        asked["encoders"] = encoders
        raise RuntimeError("stop here")

    monkeypatch.setattr(gdevo.rendering.manim_run, "render_scene_once", fake)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    with pytest.raises(GdevoError, match=r"^1 scene\(s\) failed: tiny: .*stop here"):
        entry = SceneEntry("tiny", "tests.gdevo.deck_fixture", "TinyDeck", (), "Tiny", 1)
        gdevo.rendering.chapters.render_scene(entry, settings, quiet=True)
    assert asked["encoders"] == ALONE_ENCODERS
    tiny = SceneJob("tiny", "tests.gdevo.deck_fixture", "TinyDeck")
    cmd = manim_command(tiny, Format(), settings.renders, ALONE_ENCODERS)
    assert cmd[cmd.index("--max-inflight-encoders") + 1] == str(ALONE_ENCODERS)
    assert "--max-inflight-encoders" not in manim_command(tiny, Format(), settings.renders)

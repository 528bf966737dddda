"""`manim --dry_run` on the Slide variant every render uses (gdevo/rendering/slide_scene.py) runs the scene and
writes nothing: manim-slides' Slide turns write_to_movie back on, which crashed the first play."""

from __future__ import annotations

import os
import subprocess
import sys

from sim.cache import ROOT


def test_a_dry_run_of_the_slide_variant_runs_and_writes_nothing(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT), GDEVO_SLIDE_MODULE="tests.gdevo.deck_fixture",
               GDEVO_SLIDE_CLASS="TinyDeck", GDEVO_SLIDES_OUT=str(tmp_path / "slides"), QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-m", "manim", "render", "--dry_run", "-r", "160,90", "--fps", "15",
                           "gdevo/rendering/slide_scene.py", "TinyDeck", "--media_dir", str(tmp_path / "media"),
                           "--progress_bar", "none"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "Played 4 animations" in " ".join(done.stdout.split())
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert not [p for p in written if p.suffix in (".mp4", ".json")], written

"""A render asks no server anything: manim 0.21 asks PyPI for its latest version after every render,
with a 10 s timeout, and on a network that drops packets each chapter waited those 10 s
(manim.cfg turns the check off)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

from sim.cache import ROOT


def test_a_render_makes_no_connection(tmp_path):
    with socket.socket() as trap:   # a proxy that never answers: any request would wait here
        trap.bind(("127.0.0.1", 0))
        trap.listen(8)
        proxy = f"http://127.0.0.1:{trap.getsockname()[1]}"
        env = {k: v for k, v in os.environ.items() if k.lower() != "no_proxy"}
        env.update(PYTHONPATH=str(ROOT), GDEVO_SLIDE_MODULE="tests.gdevo.deck_fixture", GDEVO_SLIDE_CLASS="TinyDeck",
                   GDEVO_SLIDES_OUT=str(tmp_path / "slides"), QT_QPA_PLATFORM="offscreen",
                   https_proxy=proxy, HTTPS_PROXY=proxy, http_proxy=proxy, HTTP_PROXY=proxy)
        done = subprocess.run([sys.executable, "-m", "manim", "render", "--dry_run", "-r", "160,90", "--fps", "15",
                               "gdevo/rendering/slide_scene.py", "TinyDeck", "--media_dir", str(tmp_path / "media"),
                               "--progress_bar", "none"], cwd=ROOT, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        trap.setblocking(False)
        try:
            conn, _ = trap.accept()
        except BlockingIOError:
            return
        conn.close()
        raise AssertionError("the render connected to the network (manim's version check is on)")

"""Ctrl-C during a batch render (`gdevo render all`): nothing new starts, the simulation thread
stops at its next tick, and the client exits at once (a scene waiting for a render slot used to
start manim after Ctrl-C, and the simulation thread ran on until torch aborted the exit)."""

from __future__ import annotations

import json

import pytest

from tests.gdevo.interrupt import finish, start

CLIENT = r"""
import json, os, signal, sys, threading, time
from pathlib import Path
import gdevo.manim_run as mr
import sim.cache
from gdevo.settings import Settings
from sim.errors import Cancelled

started, sim_state = [], {}

def fake_render(job, fmt, settings, force=False, encoders=None):
    started.append(job.name)
    time.sleep(1.5)

def fake_ensure_trace(name, device=None, quiet=True, cancel=None, **kw):
    sim_state["passed cancel"] = cancel is not None
    while cancel is None or not cancel.is_set():   # a long simulation that ticks
        time.sleep(0.05)
    sim_state["stopped"] = True
    raise Cancelled(f"{name}: stopped")

class Missing:
    path = Path("/nonexistent/trace.npz")

mr.render_scene_once = fake_render
sim.cache.ensure_trace = fake_ensure_trace
sim.cache.resolve = lambda name, device=None, **where: Missing()
jobs = [mr.SceneJob("a", "scenes.x", "A"), mr.SceneJob("b", "scenes.x", "B"), mr.SceneJob("c", "scenes.x", "C"),
        mr.SceneJob("d", "scenes.x", "D", ("long-sim",))]
threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT)).start()   # Ctrl-C while "a" renders
try:
    mr.render_many(jobs, mr.Format(), Settings(), force=True, workers=2)
    outcome = "finished"
except KeyboardInterrupt:
    outcome = "interrupted"
print(json.dumps({"outcome": outcome, "started": started,
                  "sims alive": any(t.name == "gdevo-sims" for t in threading.enumerate()), **sim_state}))
"""


@pytest.mark.slow
def test_ctrl_c_during_a_batch_render_starts_nothing_new_and_stops_the_simulations(tmp_path):
    script = tmp_path / "client.py"
    script.write_text(CLIENT)
    proc = start([str(script)])
    out, err = finish(proc)
    assert proc.returncode == 0, err
    seen = json.loads(out.strip().splitlines()[-1])
    assert seen["outcome"] == "interrupted" and seen["started"] == ["a"], seen   # b and c never started
    assert seen["passed cancel"] and seen["stopped"] and not seen["sims alive"], seen

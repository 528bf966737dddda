"""Ctrl-C during a batch render (`gdevo render all`): nothing new starts, the simulation is stopped,
and the client exits at once (a scene waiting for a render slot used to start manim after Ctrl-C,
and a simulation ran on until torch aborted the exit)."""

from __future__ import annotations

import json
import os

import pytest

from tests.gdevo.interrupt import finish, start

CLIENT = r"""
import json, os, signal, sys, threading, time
import gdevo.runs.jobs
import gdevo.rendering.manim_run as mr
from gdevo.runs.executors import LocalExecutor
from gdevo.rendering.engine import render_scenes
from gdevo.settings import Settings
from tests.gdevo.pool_jobs import endless_simulation

started = []

def fake_render(job, fmt, settings, force=False, encoders=None):   # lasts till 1.5 s after the sim starts
    started.append(job.name)
    while not os.path.exists(os.environ["GDEVO_TEST_SIM_PID"]):
        time.sleep(0.05)
    time.sleep(1.5)

mr.render_scene_once = fake_render
gdevo.runs.jobs.simulate_cell = endless_simulation   # sine-2d is not in this test's cache: it is "simulated"
def main():   # a pool's processes import this file again (forkserver): only the client runs it
    jobs = [mr.SceneJob("a", "scenes.x", "A"), mr.SceneJob("b", "scenes.x", "B"), mr.SceneJob("c", "scenes.x", "C"),
            mr.SceneJob("d", "scenes.x", "D", ("sine-2d",))]
    pid_file = os.environ["GDEVO_TEST_SIM_PID"]
    def ctrl_c():   # once the simulation runs and "a" renders beside it
        while not os.path.exists(pid_file) or not started:
            time.sleep(0.05)
        time.sleep(0.3)
        os.kill(os.getpid(), signal.SIGINT)
    threading.Thread(target=ctrl_c, daemon=True).start()
    executor = LocalExecutor(workers=2)
    try:
        settings = Settings.from_environ(os.environ)   # as the CLI reads it
        render_scenes(executor, jobs, mr.Format(), settings, force=True)
        outcome = "finished"
    except KeyboardInterrupt:
        outcome = "interrupted"
    finally:
        executor.close()
    print(json.dumps({"outcome": outcome, "started": started}))


if __name__ == "__main__":
    main()
"""


@pytest.mark.slow
def test_ctrl_c_during_a_batch_render_starts_nothing_new_and_stops_the_simulations(tmp_path):
    script = tmp_path / "client.py"
    script.write_text(CLIENT)
    pid_file = tmp_path / "sim.pid"
    proc = start([str(script)], {"GDEVO_CACHE": str(tmp_path / "cache"), "GDEVO_RENDERS": str(tmp_path / "renders"),
                                 "GDEVO_TEST_SIM_PID": str(pid_file)})
    out, err = finish(proc)
    assert proc.returncode == 0, err
    seen = json.loads(out.strip().splitlines()[-1])
    assert seen["outcome"] == "interrupted" and seen["started"] == ["a"], seen   # b and c never started
    sim = int(pid_file.read_text())
    with pytest.raises(ProcessLookupError):   # the simulation's worker process was terminated
        os.kill(sim, 0)

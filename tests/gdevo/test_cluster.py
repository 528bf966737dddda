"""Sweeps on a real Dask cluster: a `dask scheduler` and two `dask worker` processes on 127.0.0.1.

The workers share no folder with the client (each has its own cache and working directory), so
every trace must come back as bytes. One scenario, in one test, so that the cluster is started
once even under pytest-xdist: the cluster's traces equal the local pool's byte for byte, also
after one worker is SIGKILLed mid-sweep; a resumed sweep recomputes nothing; a worker running
other gdevo code is refused at connect; losing the scheduler is one line and exit 2 with the
finished cells kept. An unreachable scheduler is one line and exit 2 too.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.gdevo.test_sweep import SMALL_SPEC, write_spec

ROOT = Path(__file__).resolve().parents[2]


def traces(cache: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(cache.glob("*.npz"))}


class KillOneWorker:
    """Wraps an executor: once the first cell is back and the victim is busy with another, SIGKILL it."""

    def __init__(self, executor, victim: subprocess.Popen, victim_name: str) -> None:
        self.inner, self.victim, self.victim_name = executor, victim, victim_name
        self.description, self.killed_while_running = executor.description, None

    def has_gpu(self) -> bool:
        return False

    def run(self, jobs):
        for i, item in enumerate(self.inner.run(jobs)):
            if i == 0:
                self.kill_when_busy()
            yield item

    def kill_when_busy(self) -> None:
        client = self.inner.client
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            busy = {w["name"]: len(client.processing().get(addr, ()))
                    for addr, w in client.scheduler_info()["workers"].items()}
            if busy.get(self.victim_name):
                self.victim.send_signal(signal.SIGKILL)
                self.victim.wait(timeout=30)
                self.killed_while_running = busy[self.victim_name]
                return
            time.sleep(0.05)


@pytest.mark.slow
def test_a_sweep_on_a_dask_cluster_equals_the_local_pool_even_when_a_worker_is_killed(tmp_path, monkeypatch, settings,
                                                                                     capsys):
    from dataclasses import replace

    from gdevo.runs.dask_local import local_cluster
    from gdevo.runs.executors import DaskExecutor, Job, LocalExecutor
    from gdevo.runs.jobs import identity, worker_name
    from gdevo.runs.sweep import run_sweep
    from sim.errors import GdevoError

    spec = write_spec(tmp_path, SMALL_SPEC.replace("[0.1, 1.0]", "[0.1, 0.3, 1.0]").replace("seeds = 2", "seeds = 3"))
    local = LocalExecutor(workers=1)   # in this process: no pool to start
    try:
        assert run_sweep(spec, local, replace(settings, cache=tmp_path / "local"), quiet=True).computed == 9
    finally:
        local.close()
    expected = traces(tmp_path / "local")
    assert len(expected) == 9

    with local_cluster(tmp_path / "cluster") as c:
        address, procs = c.address, c.procs
        on_dask = replace(settings, cache=tmp_path / "dask")
        dask = DaskExecutor(address)
        try:
            assert dask.workers == 2
            killer = KillOneWorker(dask, procs["worker1"], "worker1")
            result = run_sweep(spec, killer, on_dask, quiet=True)
            assert killer.killed_while_running, "worker1 was never seen running a cell"
            print(f"worker1 SIGKILLed with {killer.killed_while_running} cell(s) in progress; sweep finished")
            assert procs["worker1"].poll() == -signal.SIGKILL
            assert result.computed == 9
            assert traces(tmp_path / "dask") == expected     # byte for byte, though a worker died mid-sweep
            assert run_sweep(spec, dask, on_dask, quiet=True).computed == 0   # resumes: nothing recomputed
            # A cuda cell goes only to a worker with a GPU resource; with none, one line instead of a hang.
            with pytest.raises(GdevoError, match=r"needs cuda, but no worker of .* has a GPU resource"):
                list(dask.run([Job("cuda-cell", identity, gpu=True)]))
            c.start_worker("gpu-worker", resources="GPU=1")   # declared, not real: routing is what is tested
            c.wait_for_workers(2)
            ran_on = [r for _, r in dask.run([Job(f"gpu-{i}", worker_name, gpu=True) for i in range(4)])]
            assert ran_on == ["gpu-worker"] * 4
            assert {r for _, r in dask.run([Job(f"any-{i}", worker_name) for i in range(4)])} <= {"worker0",
                                                                                                  "gpu-worker"}
        finally:
            dask.close()

        # A worker with other gdevo code is refused at connect, in one line.
        import re

        import sim

        theirs = re.escape(sim.package_version())
        monkeypatch.setattr(sim, "package_version", lambda: "0.0.0-other")
        with pytest.raises(GdevoError, match=rf"^worker tcp://127\.0\.0\.1:\d+ runs gdevo {theirs} .*this client "
                                             r"gdevo 0\.0\.0-other"):
            DaskExecutor(address)
        monkeypatch.undo()

        # Two chapters rendered on the cluster: traces go out as bytes, files come back.
        render_two_chapters(tmp_path, address, monkeypatch)
        render_all_on_the_cluster(tmp_path, address, monkeypatch, capsys)

        # The only GPU worker dies with cuda jobs pending: one line once nobody can run them, not a hang.
        import gdevo.runs.executors

        monkeypatch.setattr(gdevo.runs.executors, "NO_WORKER_GRACE_S", 3.0)
        dask = DaskExecutor(address)
        try:
            jobs = dask.run([Job(f"gpu-slow-{i}", time.sleep, (2,), gpu=True) for i in range(3)])
            next(jobs)
            procs["gpu-worker"].send_signal(signal.SIGKILL)
            with pytest.raises(GdevoError, match=r"has had no worker with a GPU resource for 3 s; [12] jobs cannot"):
                list(jobs)
        finally:
            dask.close()

        # Losing the scheduler mid-sweep: one line, exit 2, the cells finished so far are kept.
        cache = tmp_path / "lost"
        env = {**os.environ, "PYTHONPATH": str(ROOT), "GDEVO_CACHE": str(cache),
               "GDEVO_RENDERS": str(tmp_path / "renders")}
        proc = subprocess.Popen([sys.executable, "-m", "gdevo", "sweep", str(spec), "--scheduler", address, "--quiet"],
                                cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120
        while not list(cache.glob("*.npz")) and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        procs["scheduler"].send_signal(signal.SIGKILL)
        _, err = proc.communicate(timeout=120)
        done = traces(cache)
        print(f"scheduler SIGKILLed: exit {proc.returncode}, {len(done)} of 9 cells kept, stderr: {err.strip()}")
        if proc.returncode == 0:      # the sweep outran the kill: nothing to check but its success
            assert len(done) == 9
        else:
            assert proc.returncode == 2, err
            assert err.strip().splitlines() == [err.strip()] and "lost the dask scheduler" in err
            assert 1 <= len(done) < 9 and all(expected[k] == v for k, v in done.items())
            assert not [p for p in cache.iterdir() if p.name.startswith(".")]   # no partial files


def test_an_unreachable_scheduler_is_one_line_and_exit_2(tmp_path, monkeypatch, capsys):
    from gdevo.cli import main
    from gdevo.runs.dask_local import free_port

    address = f"tcp://127.0.0.1:{free_port()}"
    monkeypatch.setenv("GDEVO_CONNECT_TIMEOUT", "1")
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", address)
    assert main(["sweep", str(write_spec(tmp_path)), "--quiet"]) == 2
    assert capsys.readouterr().err.strip() == (f"gdevo: error: cannot reach the dask scheduler at {address} "
                                                f"(Timed out trying to connect to {address} after 1 s)")
    assert not (tmp_path / "cache").exists()


def render_two_chapters(tmp_path: Path, address: str, monkeypatch) -> None:
    from dataclasses import replace

    from gdevo.rendering import manim_run
    from gdevo.rendering.chapters import render_explainer
    from gdevo.settings import Settings
    from scenes.storyboard import SceneEntry
    from sim.cache import ensure_trace

    here = Settings(voice="off", cache=tmp_path / "render-cache", renders=tmp_path / "renders",
                    voice_cache=tmp_path / "voice-cache")
    entries = [SceneEntry("final-loss", "tests.gdevo.cluster_fixture", "FinalLoss", ("sine-2d",), "Final loss", 1),
               SceneEntry("steps", "tests.gdevo.cluster_fixture", "Steps", ("sine-2d",), "Steps", 2)]
    out = render_explainer(replace(here, scheduler=address), entries=entries, quiet=True)
    info = ffprobe(out)
    assert [c["tags"]["title"] for c in info["chapters"]] == ["1. Final loss", "2. Steps"]
    video = next(s for s in info["streams"] if s["codec_type"] == "video")
    assert (video["width"], video["height"]) == (854, 480)
    trace = ensure_trace("sine-2d", quiet=True, cache=here.cache)   # simulated on the cluster, written here
    assert trace.meta["experiment"] == "sine-2d"
    for entry in entries:
        job = manim_run.SceneJob.from_entry(entry)
        assert manim_run.find_render(job, manim_run.Format("low"), here) is not None   # stamped as up to date here
        assert manim_run.slides_path(job, manim_run.Format("low"), here.renders).is_file()
    # Up to date now: a local render starts no manim.
    monkeypatch.setattr(manim_run, "render_scene_once", lambda *a, **k: pytest.fail("re-rendered"))
    render_explainer(here, entries=entries, quiet=True)


def render_all_on_the_cluster(tmp_path: Path, address: str, monkeypatch, capsys) -> None:
    """`gdevo render all --scheduler ADDR` (the CLI itself): the chapters render on the workers (this
    process's manim is refused, see render_two_chapters), and the explainer, deck and explorer are made here."""
    import gdevo.outputs.export
    import gdevo.project
    from gdevo.cli import main
    from gdevo.outputs.slides import DECK_NAME, slides_dir
    from scenes.storyboard import SceneEntry

    entries = [SceneEntry("final-loss", "tests.gdevo.cluster_fixture", "FinalLoss", ("sine-2d",), "Final loss", 1),
               SceneEntry("steps", "tests.gdevo.cluster_fixture", "Steps", ("sine-2d",), "Steps", 2)]
    monkeypatch.setattr(gdevo.project, "explainer_entries", lambda settings: entries)   # a project's two chapters
    monkeypatch.setattr(gdevo.outputs.export, "PRESETS", ())                              # no GIF cuts of the film's
    renders = tmp_path / "all-renders"          # nothing rendered here yet: every chapter is a job
    monkeypatch.setenv("GDEVO_CACHE", str(tmp_path / "render-cache"))
    monkeypatch.setenv("GDEVO_RENDERS", str(renders))
    capsys.readouterr()
    assert main(["render", "all", "--scheduler", address, "--voice", "off", "--no-pptx"]) == 0, capsys.readouterr().err
    err = capsys.readouterr().err
    assert "2 rendered" in err, err
    info = ffprobe(renders / "explainer.mp4")
    assert [c["tags"]["title"] for c in info["chapters"]] == ["1. Final loss", "2. Steps"]
    assert (renders / "explorer" / "index.html").is_file()
    deck = slides_dir(renders) / DECK_NAME
    assert deck.with_suffix(".html").is_file() and deck.with_suffix(".pdf").is_file()


def ffprobe(path: Path) -> dict:
    import json

    out = subprocess.run(["ffprobe", "-v", "error", "-print_format", "json", "-show_streams", "-show_format",
                          "-show_chapters", str(path)], capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def test_a_chapter_that_fails_on_a_pool_does_not_stop_the_others(settings):
    """As locally: every other scene renders and is stamped; the first failure is one line at the end."""
    from gdevo.rendering.engine import render_scenes
    from gdevo.rendering.manim_run import Format, SceneJob, find_render
    from gdevo.runs.executors import LocalExecutor
    from sim.errors import GdevoError

    good = SceneJob("tiny", "tests.gdevo.deck_fixture", "TinyDeck")
    bad = SceneJob("broken", "tests.gdevo.deck_fixture", "NoSuchScene")
    fmt = Format("low", (160, 90), 15)
    said: list[str] = []
    executor = LocalExecutor(workers=2)
    try:
        with pytest.raises(GdevoError, match=r"^1 scene\(s\) failed: broken: manim failed rendering broken"):
            render_scenes(executor, [bad, good], fmt, settings, say=said.append)
    finally:
        executor.close()
    assert find_render(good, fmt, settings) is not None and find_render(bad, fmt, settings) is None
    assert any("broken" in m and "FAILED" in m for m in said)

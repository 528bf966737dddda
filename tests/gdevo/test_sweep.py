"""gdevo sweep on the local pool: cells are `gdevo sim`'s cached traces, tables are checked against
numbers recomputed from those traces, a second run recomputes nothing, bad specs are one line."""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from gdevo.cli import main
from gdevo.runs.sweep import plan_sweep, toml_literal
from sim.config import apply_overrides

SPEC = """
experiment = "sine-2d"
seeds = 2
set = ["landscape.resolution=21"]
metric = "final_loss"
runs = ["sgd", "evolution"]

[grid]
"runs.0.lr" = [0.1, 1.0]
"""

# A small sine-2d (two short runs, a coarse landscape) so that a cell takes a fraction of a second.
SMALL_CONFIG = """
experiment = "sine-2d"
seed = 0
model = "tanh(a*x + b)"
start = [-1.0, 2.0]
curve_points = 31
[data]
x = [-1.5, 0.0, 1.5]
target = "sin(x)"
[landscape]
resolution = 21
[[runs]]
name = "sgd"
optimizer = "sgd"
lr = 0.5
steps = 15
[[runs]]
name = "evolution"
optimizer = "evolution"
population = 6
sigma = 0.3
steps = 15
"""
SMALL_SPEC = SPEC.replace('experiment = "sine-2d"', 'config = "small-sine.toml"')


def write_spec(tmp_path: Path, text: str = SMALL_SPEC, name: str = "lr") -> Path:
    (tmp_path / "small-sine.toml").write_text(SMALL_CONFIG)
    path = tmp_path / f"{name}.toml"
    path.write_text(text)
    return path


@pytest.mark.slow
def test_sweep_writes_gdevo_sim_traces_and_tables_of_mean_and_sample_sd(tmp_path, capsys, settings, monkeypatch):
    from sim.cache import resolve
    from sim.trace import load_trace

    spec = write_spec(tmp_path)
    assert main(["sweep", str(spec), "--workers", "2", "--quiet"]) == 0
    assert "4 cells simulated" in capsys.readouterr().out

    # Each cell is the trace `gdevo sim sine-2d --set ...` resolves to, with the same bytes.
    plan = plan_sweep(spec, settings)
    assert len(plan.cells) == 4 and len({c.path for c in plan.cells}) == 4
    cell = plan.cells[3]
    config = tmp_path / "small-sine.toml"
    assert cell.path == resolve("small-sine", list(cell.overrides), config_file=config).path
    monkeypatch.setenv("GDEVO_CACHE", str(tmp_path / "other-cache"))
    assert main(["sim", "small-sine", "--config", str(config), *[a for o in cell.overrides for a in ("--set", o)]]) == 0
    again = resolve("small-sine", list(cell.overrides), config_file=config, cache=tmp_path / "other-cache").path
    assert again != cell.path
    assert again.read_bytes() == cell.path.read_bytes()

    # The table's numbers, recomputed here from the traces: mean ± sample sd over the two seeds.
    md = (tmp_path / "renders" / "sweeps" / "lr.md").read_text()
    for lr in (0.1, 1.0):
        finals = [float(load_trace(c.path).run("evolution")["loss"][-1]) for c in plan.cells if c.point == (lr,)]
        mean, sd = np.mean(finals), np.std(finals, ddof=1)
        row = next(line for line in md.splitlines() if line.startswith(f"| {lr!r} |"))
        assert f"{mean:.4g} ± {sd:.2g}" in row, row
    assert "## best_loss" in md and "## evals" in md and "lr-final_loss.png" in md
    with Image.open(tmp_path / "renders" / "sweeps" / "lr-final_loss.png") as im:
        assert im.format == "PNG" and im.width > 300

    # Resuming: nothing is recomputed, the traces are not rewritten.
    mtimes = {c.path: c.path.stat().st_mtime_ns for c in plan.cells}
    monkeypatch.setenv("GDEVO_CACHE", str(tmp_path / "cache"))
    assert main(["sweep", str(spec), "--quiet"]) == 0
    assert "0 cells simulated on local pool" in capsys.readouterr().out
    assert {c.path: c.path.stat().st_mtime_ns for c in plan.cells} == mtimes
    assert main(["report", str(spec)]) == 0
    assert "# Sweep lr" in capsys.readouterr().out


@pytest.mark.parametrize("text, message", [
    ("colour = 1\n" + SPEC, "colour: Extra inputs are not permitted"),
    (SMALL_SPEC.replace('"runs.0.lr"', '"runs.0.lrr"'), "cell runs.0.lrr=0.1 seed 0"),
    (SPEC.replace('experiment = "sine-2d"', 'experiment = "nope"'), "unknown experiment 'nope'"),
    (SPEC.replace("seeds = 2", "seeds = 0"), "seeds must be between 1 and 10000"),
    (SPEC.replace("[0.1, 1.0]", "[0.1, 0.1]"), "repeats a value"),
    (SPEC.replace('experiment = "sine-2d"', 'experiment = "sine-2d"\nconfig = "x.toml"'), "exactly one of"),
])
def test_a_bad_sweep_file_is_one_line_and_exit_2(tmp_path, capsys, text, message):
    assert main(["sweep", str(write_spec(tmp_path, text)), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("gdevo: error:") and message in err and len(err.splitlines()) == 1


@pytest.mark.parametrize("value", [0.1, 1e-05, 3, True, "sin(2*x)", [1, 16, 1], [0.5, "a\"b"], math.inf])
def test_grid_values_reach_the_config_unchanged(value):
    assert apply_overrides({}, [f"k={toml_literal(value)}"])["k"] == value


def test_an_unknown_metric_is_one_line_naming_the_known_ones(tmp_path, capsys):
    spec = write_spec(tmp_path, SMALL_SPEC.replace("seeds = 2", "seeds = 1").replace("[0.1, 1.0]", "[0.1]")
                      .replace('metric = "final_loss"', 'metric = "accuracy"'))
    assert main(["sweep", str(spec), "--quiet", "--workers", "1"]) == 2
    err = capsys.readouterr().err.strip()
    assert "metric 'accuracy' is not in small-sine's runs; known:" in err and "best_loss" in err


@pytest.mark.slow
def test_ctrl_c_stops_the_pool_and_leaves_no_partial_trace(tmp_path):
    import signal
    import subprocess
    import time

    from tests.gdevo.interrupt import finish, start

    # 400 cells: more than the pool finishes between the first trace and the test's Ctrl-C
    spec = write_spec(tmp_path, SMALL_SPEC.replace("seeds = 2", "seeds = 200"))
    cache = tmp_path / "cache"
    proc = start(["-m", "gdevo", "sweep", str(spec), "--workers", "2", "--quiet"], {"GDEVO_CACHE": str(cache)})
    try:
        deadline = time.monotonic() + 120
        while not list(cache.glob("*.npz")) and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGINT)   # what a terminal's Ctrl-C does: the whole process group
        _, err = finish(proc)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130 and err.strip() == "gdevo: interrupted", err   # one line, no traceback
    done = list(cache.glob("*.npz"))
    assert 1 <= len(done) < 400
    assert not [p for p in cache.iterdir() if p.name.startswith(".")]    # no temporary (partial) files
    from sim.trace import load_trace

    for path in done:
        load_trace(path)   # each finished trace is whole
    time.sleep(1)
    left = subprocess.run(["pgrep", "-g", str(proc.pid)], capture_output=True, text=True).stdout.split()
    alive = [pid for pid in left if Path(f"/proc/{pid}/stat").is_file()
             and Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"]
    assert not alive, f"pool processes left running: {alive}"


def test_sim_all_runs_through_the_executor_and_prints_each_trace(monkeypatch, capsys):
    import sim.cache
    from sim.cache import resolve
    from sim.trace import load_trace

    monkeypatch.setattr(sim.cache, "config_names", lambda: ["sine-2d"])
    assert main(["sim", "--all", "--workers", "1", "--set", "landscape.resolution=21"]) == 0
    path = resolve("sine-2d", ["landscape.resolution=21"]).path
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("sine-2d:"))
    assert line.startswith(f"sine-2d: {path}  (") and "sgd: ok" in line
    assert load_trace(path).meta["config"]["landscape"]["resolution"] == 21


def die_once(marker: str, value: int) -> int:
    """A job that kills its own worker process the first time any job runs (as the OOM killer would)."""
    import signal

    if not Path(marker).exists():
        Path(marker).write_text("died once")
        os.kill(os.getpid(), signal.SIGKILL)
    return value


def test_a_killed_local_worker_process_is_replaced_and_its_jobs_rerun(tmp_path):
    from gdevo.runs.executors import Job, LocalExecutor

    pool = LocalExecutor(workers=2)
    try:
        results = [r for _, r in pool.run([Job(f"j{i}", die_once, (str(tmp_path / "marker"), i)) for i in range(4)])]
    finally:
        pool.close()
    assert sorted(results) == [0, 1, 2, 3] and (tmp_path / "marker").is_file()


@pytest.mark.parametrize("name", ["image-fit-smiley", "image-fit-portrait", "function-fit", "sine-2d"])
def test_a_cell_task_validates_on_the_worker_with_the_clients_cache_key(name):
    """What a worker receives (the config as JSON data) validates there and hashes to the client's key:
    computed fields such as image-fit's image digest are recomputed, not sent back as unknown keys."""
    from gdevo.runs.jobs import task_for
    from sim import sim_code_version
    from sim.cache import resolve
    from sim.config import config_hash, validate_config
    from sim.experiments import registry

    res = resolve(name)
    task = task_for(res)
    cfg = validate_config(registry()[task.kind].config_model, task.config, f"{name} (sent to worker)")
    assert config_hash(cfg, sim_code_version(), task.device) == task.key

"""CLI error paths: one line, exit 2, no traceback, nothing existing lost."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def gdevo(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gdevo", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=300)


def assert_one_line_error(proc: subprocess.CompletedProcess, *needles: str) -> None:
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    for needle in needles:
        assert needle in lines[0]


@pytest.mark.parametrize("args, needles", [
    (["sim", "nope"], ["unknown experiment 'nope'", "sine-2d"]),
    (["render", "nope"], ["unknown scene 'nope'", "landscape"]),
    (["render", "landscape", "--quality", "ultra"], ["invalid choice: 'ultra'", "low"]),
    (["sim", "sine-2d", "--set", "runs=3"], ["runs", "valid list"]),
    (["sim", "sine-2d", "--set", "seed=-1"], ["seed", "greater than or equal to 0"]),
    (["sim", "sine-2d", "--set", "data.target=__import__('os')"], ["data.target", "not allowed"]),
    (["sim", "sine-2d", "--set", "landscape.a_range=[3, 1]"], ["a_range", "low < high"]),
    (["sim", "sine-2d", "--set", "typo=1"], ["typo", "Extra inputs are not permitted"]),
    (["sim", "sine-2d", "--set", "novalue"], ["KEY=VALUE"]),
    (["sim", "sine-2d", "--set", "runs.99.lr=1"], ["not an index"]),
    (["sim", "sine-2d", "--set", "runs.0.lr=-1"], ["runs.0.lr", "greater than 0"]),
    (["sim", "x", "--config", "/nonexistent/conf.toml"], ["/nonexistent/conf.toml", "no such config"]),
    (["sim"], ["NAME or --all"]),
    (["frobnicate"], ["invalid choice"]),
])
def test_user_mistakes_get_one_line_and_exit_2(args, needles):
    assert_one_line_error(gdevo(*args), *needles)


def test_unreadable_config_file_is_one_line(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("experiment = [unclosed")
    assert_one_line_error(gdevo("sim", "bad", "--config", str(bad)), "not valid TOML")


def test_cuda_request_without_a_gpu_is_one_line():
    import torch

    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    assert_one_line_error(gdevo("sim", "sine-2d", "--device", "cuda"), "cuda", "--device cpu")


def test_sim_caches_and_a_second_run_does_not_resimulate(tmp_path):
    env = {"GDEVO_CACHE": str(tmp_path / "cache")}
    first = gdevo("sim", "sine-2d", env=env)
    assert first.returncode == 0, first.stderr
    files = list((tmp_path / "cache").glob("sine-2d-*.npz"))
    assert len(files) == 1
    mtime = files[0].stat().st_mtime_ns
    second = gdevo("sim", "sine-2d", env=env)
    assert second.returncode == 0
    assert files[0].stat().st_mtime_ns == mtime, "an unchanged run must not be simulated twice"
    assert "sine-2d: sgd" not in second.stderr  # no progress bars: nothing was simulated


def test_failed_commands_leave_renders_and_cache_untouched(tmp_path):
    env = {"GDEVO_CACHE": str(tmp_path / "cache"), "GDEVO_RENDERS": str(tmp_path / "renders")}
    (tmp_path / "renders").mkdir()
    keep = tmp_path / "renders" / "landscape.mp4"
    keep.write_bytes(b"existing render")
    assert gdevo("sim", "sine-2d", env=env).returncode == 0
    cached = {p: p.read_bytes() for p in (tmp_path / "cache").rglob("*") if p.is_file()}   # traces and their index
    for args in (["render", "nope"], ["sim", "sine-2d", "--set", "seed=-1"], ["render", "landscape", "--quality", "x"]):
        assert gdevo(*args, env=env).returncode == 2
    assert keep.read_bytes() == b"existing render"
    assert {p: p.read_bytes() for p in (tmp_path / "cache").rglob("*") if p.is_file()} == cached


def test_a_corrupt_cache_entry_is_resimulated(tmp_path):
    from sim.cache import ensure_trace, resolve

    cache = tmp_path / "corrupt-cache"
    ensure_trace("sine-2d", quiet=True, cache=cache)
    path = resolve("sine-2d", cache=cache).path
    good = path.read_bytes()
    path.write_bytes(good[:100])
    trace = ensure_trace("sine-2d", quiet=True, cache=cache)
    assert path.read_bytes() == good
    assert trace.run("sgd").steps > 0


def test_list_shows_experiments_and_scenes():
    proc = gdevo("list")
    assert proc.returncode == 0
    assert "sine-2d" in proc.stdout and "landscape" in proc.stdout

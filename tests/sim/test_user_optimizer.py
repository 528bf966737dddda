"""A project's own optimizer (`optimizer = "lion.py:Lion"`): recorded like any run, its file in the
cache key, and every way it can fail is one line naming the file and the run, with nothing cached."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from sim.cache import ensure_trace, resolve
from sim.config import RunConfig
from sim.errors import ConfigError, GdevoError
from sim.problems import TanhCurve
from sim.recorder import record_run

LION = Path(__file__).with_name("data") / "lion.py"
ROOT = Path(__file__).resolve().parents[2]


def project(tmp_path: Path, code: str | None = None, spec: str = "lion.py:Lion",
            extra: str = "lr = 0.05\nbetas = [0.9, 0.99]\n") -> Path:
    """A project overriding sine-2d with one more run, `lion`, made by SPEC (lion.py holds CODE)."""
    (tmp_path / "overrides").mkdir()
    (tmp_path / "gdevo.toml").write_text('title = "mine"\n')
    if code is None:
        shutil.copy(LION, tmp_path / "lion.py")
    else:
        (tmp_path / "lion.py").write_text(code)
    (tmp_path / "overrides" / "sine-2d.toml").write_text(
        f'[runs.lion]\noptimizer = "{spec}"\nlabel = "Lion"\nsteps = 40\n{extra}')
    return tmp_path


def cached(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "cache"
    return sorted(folder.rglob("*.npz")) if folder.is_dir() else []


def test_a_project_optimizer_is_recorded_like_any_run(tmp_path):
    (tmp_path / "p").mkdir()
    proj = project(tmp_path / "p")
    trace = ensure_trace("sine-2d", quiet=True, project=proj)
    run = trace.run("lion")
    assert run.kind == "gradient" and run.meta["label"] == "Lion"
    assert run.meta["source"]["options"] == {"betas": [0.9, 0.99], "lr": 0.05}
    assert run.meta["source"]["file"] == str(proj / "lion.py")
    assert run.steps == 40 and run["loss"][-1] < run["loss"][0]
    assert {"sgd", "adam", "evolution"} <= set(trace.run_names)   # the built-in runs are still there
    # the file's bytes are part of the cache key: an edit re-simulates
    before = resolve("sine-2d", project=proj).path
    (proj / "lion.py").write_text(LION.read_text() + "\n# edited\n")
    assert resolve("sine-2d", project=proj).path != before
    # ... also through ensure_trace, whose index of raw configs must not serve the old file's trace
    edited = ensure_trace("sine-2d", quiet=True, project=proj).run("lion").meta["source"]["sha256"]
    assert edited != run.meta["source"]["sha256"]


def test_recorded_lion_equals_a_hand_written_loop(tmp_path):
    sys.path.insert(0, str(LION.parent))
    try:
        from lion import Lion
    finally:
        sys.path.remove(str(LION.parent))
    x = torch.tensor([-1.5, 0.0, 1.5], dtype=torch.float64)
    problem, x0 = TanhCurve(x, torch.sin(x)), torch.tensor([-1.0, 2.0], dtype=torch.float64)
    run = RunConfig(name="lion", optimizer=f"{LION}:Lion", lr=0.05, steps=25, betas=[0.9, 0.99])
    rec = record_run(problem, x0, run, torch.Generator().manual_seed(0))
    p = x0.clone().requires_grad_(True)
    opt = Lion([p], lr=0.05, betas=(0.9, 0.99))
    expected = [p.detach().clone()]
    for _ in range(25):
        opt.zero_grad()
        ((torch.tanh(p[0] * problem.x + p[1]) - problem.y) ** 2).mean().backward()
        opt.step()
        expected.append(p.detach().clone())
    np.testing.assert_array_equal(rec.arrays["params"], torch.stack(expected).numpy())


SEARCHER = '''
import torch
from sim.optimizers import Told


class RandomSearch:
    """Best of P Gaussian samples around the centre, kept only if better."""

    def __init__(self, x0, generator=None, population=6, sigma=0.3):
        self.center, self.best = x0, float("inf")
        self.population, self.sigma, self.generator = population, sigma, generator

    def ask(self):
        noise = torch.randn((self.population, self.center.numel()), generator=self.generator, dtype=self.center.dtype)
        self.children = self.center + self.sigma * noise
        return self.children

    def tell(self, losses):
        k = int(torch.argmin(losses))
        if float(losses[k]) < self.best:
            self.center, self.best = self.children[k], float(losses[k])
            return Told(k, True)
        return Told(k, False)
'''


def test_an_ask_tell_searcher_is_recorded_as_an_evolution_run(tmp_path):
    (tmp_path / "p").mkdir()
    proj = project(tmp_path / "p", SEARCHER, "lion.py:RandomSearch", "population = 5\n")
    run = ensure_trace("sine-2d", quiet=True, project=proj).run("lion")
    assert run.kind == "evolution" and run["pop_loss"].shape == (40, 5)
    assert run["evals"][-1] == 1 + 40 * 5 and np.all(np.diff(run["loss"]) <= 0)


BROKEN = {
    "missing file": (None, "nothere.py:Lion", "nothere.py: no such file (optimizer of run 'lion'"),
    "no such class": ("class Lyon: pass\n", "lion.py:Lion", "no class 'Lion' for run 'lion' (classes there: Lyon)"),
    "not an optimizer": ("class Lion: pass\n", "lion.py:Lion",
                         "Lion (run 'lion') is neither a torch.optim.Optimizer subclass nor an ask/tell searcher"),
    "step raises": (LION.read_text().replace("        return loss\n", "        raise RuntimeError('boom')\n"),
                    "lion.py:Lion", "run 'lion': step() raised RuntimeError: boom"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_optimizer_file_is_one_line_and_nothing_is_cached(case, tmp_path):
    code, spec, said = BROKEN[case]
    (tmp_path / "p").mkdir()
    proj = project(tmp_path / "p", code if code is not None else "", spec)
    with pytest.raises(GdevoError) as err:
        ensure_trace("sine-2d", quiet=True, project=proj)
    assert said in str(err.value) and "\n" not in str(err.value)
    assert cached(tmp_path) == []


def test_the_cli_says_one_line_and_exits_2(tmp_path):
    proj = tmp_path / "p"
    proj.mkdir()
    (proj / "overrides").mkdir()
    (proj / "gdevo.toml").write_text('title = "mine"\n')
    (proj / "lion.py").write_text(BROKEN["step raises"][0])
    (proj / "overrides" / "sine-2d.toml").write_text('[runs.lion]\noptimizer = "lion.py:Lion"\nsteps = 5\n')
    env = {"GDEVO_CACHE": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "-m", "gdevo", "sim", "sine-2d", "--project", str(proj)], cwd=ROOT,
                         capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 2, out.stderr
    lines = [ln for ln in out.stderr.splitlines() if "step() raised" in ln]
    assert len(lines) == 1 and "lion.py: run 'lion': step() raised RuntimeError: boom" in lines[0]
    assert "Traceback" not in out.stderr and cached(tmp_path) == []


def test_an_unknown_optimizer_name_is_one_line_listing_the_known_ones(tmp_path, monkeypatch):
    from sim.config import validate_config
    from sim.experiments.sine2d import Sine2DConfig

    with pytest.raises(ConfigError) as err:
        validate_config(Sine2DConfig, {"experiment": "sine-2d", "runs": [{"name": "x", "optimizer": "lamb"}]}, "c.toml")
    assert str(err.value) == ("c.toml: runs.0.optimizer: unknown optimizer 'lamb' (known: adam, evolution, rmsprop, "
                              "sgd; or FILE.py:CLASS, your own) (got 'lamb')")
    with pytest.raises(ConfigError, match="unknown key 'betas'"):
        validate_config(Sine2DConfig, {"experiment": "sine-2d", "runs": [{"name": "x", "optimizer": "adam",
                                                                          "betas": [0.9, 0.9]}]}, "c.toml")

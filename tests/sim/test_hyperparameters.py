"""The hyperparameter grids hold exactly what a direct run of the same cell gives."""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch

from sim.config import validate_config
from sim.errors import ConfigError
from sim.experiments.hyperparameters import (
    HyperparametersConfig,
    evolution_cell,
    initial_params,
    report,
    sgd_cell,
    simulate,
)
from sim.recorder import record_evolution, record_gradient
from sim.trace import save_trace


def tiny(seed: int = 0) -> HyperparametersConfig:
    return HyperparametersConfig.model_validate(dict(
        seed=seed, seeds=2, task=dict(target="sin(2*x)", points=12), net=dict(sizes=[1, 4, 1]),
        evolution=dict(populations=[2, 6], sigmas=[0.03, 0.3], rounds=15),
        sgd=dict(lrs=[0.1, 30.0], batch_sizes=[3, 12], steps=15)))


@pytest.fixture(scope="module")
def trace():
    return simulate(tiny(), "hyperparameters")


def test_evolution_cells_equal_direct_runs(trace):
    cfg = tiny()
    problem = cfg.task.problem(cfg.net.spec)
    for i, j, k in [(0, 0, 0), (1, 1, 1), (1, 0, 1)]:
        run, gseed = evolution_cell(cfg, i, j, k)
        rec = record_evolution(problem, initial_params(cfg, k), run, torch.Generator().manual_seed(gseed),
                               record_population=False)
        np.testing.assert_array_equal(trace["evolution/loss"][i, j, k], rec.arrays["loss"])
        assert trace["evolution/final"][i, j, k] == rec.arrays["loss"][-1]


def test_sgd_cells_equal_direct_runs_and_divergence_is_recorded(trace):
    cfg = tiny()
    problem = cfg.task.problem(cfg.net.spec)
    run, gseed = sgd_cell(cfg, 0, 1, 1)
    rec = record_gradient(problem, initial_params(cfg, 1), run, torch.Generator().manual_seed(gseed), escape=1e3)
    np.testing.assert_array_equal(trace["sgd/loss"][0, 1, 1], rec.arrays["loss"])
    # lr 30 blows up: recorded as diverged with a NaN final loss, never a crash
    assert trace["sgd/diverged"][1].all() and np.isnan(trace["sgd/final"][1]).all()
    assert not trace["sgd/diverged"][0].any()


def test_same_seed_same_bytes_and_report_has_every_cell(trace):
    def dump(t):
        buf = io.BytesIO()
        import tempfile
        from pathlib import Path
        with tempfile.TemporaryDirectory() as d:
            p = save_trace(t, Path(d) / "t.npz")
            buf.write(p.read_bytes())
        return buf.getvalue()

    assert dump(simulate(tiny(), "hyperparameters")) == dump(simulate(tiny(), "hyperparameters"))
    text = report(trace)
    assert text.count("\n| 2 |") + text.count("\n| 6 |") == 4 and "diverged" in text


def test_bad_values_are_one_line_config_errors():
    with pytest.raises(ConfigError, match="sigmas"):
        validate_config(HyperparametersConfig, {"evolution": {"sigmas": [-1.0]}}, "x.toml")
    with pytest.raises(ConfigError, match="sizes"):
        validate_config(HyperparametersConfig, {"net": {"sizes": [2, 3, 1]}}, "x.toml")


def test_best_cells_and_their_spreads_are_stored(trace):
    """Recomputed here by hand: mean over seeds per cell, the smallest, its sample sd."""
    import statistics

    evo = trace["evolution/loss"][..., -1]                      # (P, Σ, seeds)
    means = {(i, j): statistics.mean(map(float, evo[i, j])) for i in range(2) for j in range(2)}
    bi = min(means, key=means.get)
    best = trace.stats["evolution"]["best"]
    assert tuple(best["cell"]) == bi and best["population"] == (2, 6)[bi[0]] and best["sigma"] == (0.03, 0.3)[bi[1]]
    assert best["loss"]["mean"] == pytest.approx(means[bi])
    assert best["loss"]["sd"] == pytest.approx(statistics.stdev(map(float, evo[bi])))
    assert best["evals"] == 1 + 15 * best["population"]
    # SGD: lr 30 diverged for every seed and batch, so the best is at lr 0.1
    sgd = trace.stats["sgd"]
    assert sgd["diverged_cells"] == 2 and sgd["best"]["lr"] == 0.1
    finals = trace["sgd/final"][0]
    j = min(range(2), key=lambda j: statistics.mean(map(float, finals[j])))
    assert sgd["best"]["batch_size"] == (3, 12)[j]
    assert sgd["best"]["loss"]["sd"] == pytest.approx(statistics.stdev(map(float, finals[j])))
    assert np.isnan(trace["sgd/final_mean"][1]).all()
    np.testing.assert_allclose(trace["evolution/loss_mean"][..., 0], trace["evolution/loss"][..., 0].mean(axis=2))

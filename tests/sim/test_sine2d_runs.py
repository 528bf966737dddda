"""sine-2d's learning-rate and mini-batch runs record what really happens, gradients included."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from sim.errors import ConfigError
from sim.experiments.sine2d import Sine2DConfig, report, simulate

LR_START = (2.5, 1.0)


def _config(**kw) -> Sine2DConfig:
    runs = [
        dict(name="sgd", optimizer="sgd", lr=0.5, steps=40),
        dict(name="lr-small", optimizer="sgd", lr=0.03, steps=30),
        dict(name="lr-good", optimizer="sgd", lr=1.5, steps=30),
        dict(name="lr-large", optimizer="sgd", lr=3.5, steps=30),
        dict(name="lr-diverge", optimizer="sgd", lr=10.0, steps=30),
        dict(name="batch-1", optimizer="sgd", lr=0.5, batch_size=1, steps=60),
        dict(name="batch-2", optimizer="sgd", lr=0.5, batch_size=2, steps=30),
    ]
    starts = {n: LR_START for n in ("lr-small", "lr-good", "lr-large", "lr-diverge")}
    data = dict(seed=0, start=(-1.0, 2.0), starts=starts, runs=runs, landscape=dict(resolution=41))
    data.update(kw)
    return Sine2DConfig.model_validate(data)


@pytest.fixture(scope="module")
def trace():
    return simulate(_config(), "sine-2d")


def _autograd(trace, params: np.ndarray, idx: np.ndarray | None = None) -> np.ndarray:
    """The gradient of tanh(a·x+b) MSE at params, computed here from scratch."""
    x, y = torch.from_numpy(trace["data/x"]), torch.from_numpy(trace["data/y"])
    if idx is not None:
        x, y = x[torch.from_numpy(idx)], y[torch.from_numpy(idx)]
    p = torch.tensor(params, dtype=torch.float64, requires_grad=True)
    ((torch.tanh(p[0] * x + p[1]) - y) ** 2).mean().backward()
    return p.grad.numpy()


def test_too_large_learning_rate_is_recorded_as_diverged(trace):
    run = trace.run("lr-diverge")
    assert run.meta["status"] == "diverged"
    assert run["loss"][-1] > run["loss"][0], "a diverged run ends above where it started"
    assert np.all(np.isfinite(run["loss"]))
    for name in ("lr-small", "lr-good", "lr-large"):
        assert trace.run(name).meta["status"] == "ok", name


def test_learning_rates_order_as_the_story_says(trace):
    small, good, large = (trace.run(n) for n in ("lr-small", "lr-good", "lr-large"))
    assert all(np.allclose(r["params"][0], LR_START) for r in (small, good, large))
    assert good["loss"][-1] < 1e-4 < large["loss"][-1] < small["loss"][-1]
    b = large["params"][:, 1]
    assert np.all(np.sign(b[5:-1]) != np.sign(b[6:])), "lr-large overshoots: b changes sign every step"
    assert small["loss"][-1] > 0.5 * small["loss"][0], "lr-small barely moves"


def test_recorded_gradient_equals_autograd_at_the_recorded_params(trace):
    for name in ("sgd", "lr-diverge"):
        run = trace.run(name)
        assert run["grad"].shape == (run.steps, 2)
        for t in (0, 1, run.steps // 2, run.steps - 1):
            np.testing.assert_allclose(run["grad"][t], _autograd(trace, run["params"][t]), rtol=1e-9, atol=1e-12)
    run = trace.run("lr-good")  # plain SGD: each step is exactly -lr · grad
    np.testing.assert_allclose(np.diff(run["params"], axis=0), -1.5 * run["grad"], atol=1e-12)


def test_mini_batch_gradients_use_the_recorded_batch(trace):
    run = trace.run("batch-1")
    assert run["batch"].shape == (run.steps, 1)
    assert len(np.unique(run["batch"])) == 3, "every point gets drawn"
    for t in (0, 3, 17, run.steps - 1):
        np.testing.assert_allclose(run["grad"][t], _autograd(trace, run["params"][t], run["batch"][t]), rtol=1e-9)
        np.testing.assert_allclose(run["full_grad"][t], _autograd(trace, run["params"][t]), rtol=1e-9)
    assert not np.allclose(run["grad"], run["full_grad"]), "a batch of 1 gives a noisy gradient"


def test_mini_batch_paths_differ_from_full_batch_and_cost_fractional_evals(trace):
    full = trace.run("sgd")
    for name, b in (("batch-1", 1), ("batch-2", 2)):
        run = trace.run(name)
        assert run.meta["batch_size"] == b
        np.testing.assert_allclose(run["evals"][1], b / 3)
        np.testing.assert_allclose(np.diff(run["evals"]), b / 3)
        k = min(run.steps, full.steps)
        assert np.abs(run["params"][1:k + 1] - full["params"][1:k + 1]).max() > 0.05, f"{name} equals full batch"
    assert "batch" not in full and "full_grad" not in full
    assert trace.run("batch-1")["evals"][-1] == pytest.approx(20.0)


def test_same_seed_same_arrays_and_other_seed_other_batches():
    a, b = simulate(_config(), "sine-2d"), simulate(_config(), "sine-2d")
    assert all(np.array_equal(a.arrays[k], b.arrays[k]) for k in a.arrays)
    c = simulate(_config(seed=1), "sine-2d")
    assert not np.array_equal(a.run("batch-1")["batch"], c.run("batch-1")["batch"])


def test_report_lists_every_run_with_its_status(trace):
    text = report(trace)
    for name in ("lr-diverge", "batch-1", "lr-good"):
        assert name in text
    row = next(line for line in text.splitlines() if line.startswith("| lr-diverge"))
    assert "diverged" in row and "lr=10" in row


def test_starts_must_name_runs():
    with pytest.raises(ConfigError, match="starts"):
        from sim.config import validate_config
        validate_config(Sine2DConfig, dict(start=(0, 0), starts={"nope": (1, 1)},
                                           runs=[dict(name="sgd", optimizer="sgd")]), "test.toml")


def test_model_expression_is_checked_with_the_config():
    from sim.config import validate_config

    with pytest.raises(ConfigError, match=r"test.toml: model: .*not allowed"):
        validate_config(Sine2DConfig, dict(model="__import__('os')", runs=[dict(name="sgd", optimizer="sgd")]),
                        "test.toml")


def test_every_data_point_lies_on_the_curve_grid_for_any_spacing():
    """Scenes read the predictions at the data from the recorded curves, so data/curve_x must hold each
    data.x exactly — also for points the even grid misses (e.g. -0.5 and 2.5 with 121 points here)."""
    from tests.conftest import small_sine_config

    xs = [-2.0, -0.5, 1.0, 2.5]
    trace = simulate(small_sine_config(data=dict(x=xs, target="sin(x)")), "sine-2d")
    cx = trace["data/curve_x"]
    assert np.all(np.diff(cx) > 0) and all(np.any(cx == np.float64(x)) for x in xs)
    run = trace.run("sgd")
    with torch.no_grad():
        direct = torch.tanh(torch.tensor(run["params"][5, 0]) * torch.tensor(xs, dtype=torch.float64)
                            + torch.tensor(run["params"][5, 1])).numpy()
    at_data = run["curve"][5][[int(np.flatnonzero(cx == np.float64(x))[0]) for x in xs]]
    np.testing.assert_allclose(at_data, direct, rtol=1e-6, atol=1e-9)

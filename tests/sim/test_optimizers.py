"""Recorded runs equal what the optimizers do when run by hand."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from sim.config import RunConfig
from sim.problems import TanhCurve
from sim.recorder import record_run
from tests.conftest import small_sine_config


def _problem() -> TanhCurve:
    x = torch.tensor([-1.5, 0.0, 1.5], dtype=torch.float64)
    return TanhCurve(x, torch.sin(x))


@pytest.mark.parametrize("run", [
    dict(name="sgd", optimizer="sgd", lr=0.5, steps=25),
    dict(name="momentum", optimizer="sgd", lr=0.2, momentum=0.9, steps=25),
    dict(name="adam", optimizer="adam", lr=0.15, steps=25),
])
def test_gradient_trajectory_equals_hand_written_torch_optim_loop(run):
    problem, x0 = _problem(), torch.tensor([-1.0, 2.0], dtype=torch.float64)
    rec = record_run(problem, x0, RunConfig(**run), torch.Generator().manual_seed(0))

    p = x0.clone().requires_grad_(True)
    opt = (torch.optim.Adam([p], lr=run["lr"]) if run["optimizer"] == "adam"
           else torch.optim.SGD([p], lr=run["lr"], momentum=run.get("momentum", 0.0)))
    expected = [p.detach().clone()]
    for _ in range(run["steps"]):
        opt.zero_grad()
        loss = ((torch.tanh(p[0] * problem.x + p[1]) - problem.y) ** 2).mean()
        loss.backward()
        opt.step()
        expected.append(p.detach().clone())
    np.testing.assert_allclose(rec.arrays["params"], torch.stack(expected).numpy(), rtol=0, atol=1e-12)
    direct = [((torch.tanh(q[0] * problem.x + q[1]) - problem.y) ** 2).mean().item() for q in expected]
    np.testing.assert_allclose(rec.arrays["loss"], direct, atol=1e-12)
    assert rec.arrays["evals"][-1] == run["steps"]


def test_minibatch_steps_use_batches_and_count_fractional_evaluations():
    problem, x0 = _problem(), torch.tensor([-1.0, 2.0], dtype=torch.float64)
    full = record_run(problem, x0, RunConfig(name="full", optimizer="sgd", lr=0.5, steps=20),
                      torch.Generator().manual_seed(1))
    mini = record_run(problem, x0, RunConfig(name="mini", optimizer="sgd", lr=0.5, steps=20, batch_size=1),
                      torch.Generator().manual_seed(1))
    assert mini.meta["batch_size"] == 1
    assert mini.arrays["evals"][-1] == pytest.approx(20 / 3)
    assert not np.allclose(mini.arrays["params"], full.arrays["params"])


def test_evolution_is_elitist_and_records_the_best_child():
    cfg = RunConfig(name="evolution", optimizer="evolution", population=7, sigma=0.4, steps=40)
    rec = record_run(_problem(), torch.tensor([-1.0, 2.0], dtype=torch.float64), cfg, torch.Generator().manual_seed(3))
    loss, pop_loss, winner, accepted = (rec.arrays[k] for k in ("loss", "pop_loss", "winner", "accepted"))
    assert np.all(np.diff(loss) <= 0), "the parent's loss must never increase"
    np.testing.assert_array_equal(winner, pop_loss.argmin(axis=1))
    np.testing.assert_array_equal(accepted, pop_loss.min(axis=1) < loss[:-1])
    # accepted rounds move the parent exactly onto the recorded best child; rejected rounds do not move it
    pop, params = rec.arrays["population"], rec.arrays["params"]
    for r in range(cfg.steps):
        target = pop[r, winner[r]] if accepted[r] else params[r]
        np.testing.assert_array_equal(params[r + 1], target)
    assert rec.arrays["evals"][-1] == 1 + 7 * 40
    assert accepted.any() and loss[-1] < loss[0]


def test_landscape_grid_equals_direct_evaluation(sine_trace):
    a, b, grid = sine_trace["landscape/a"], sine_trace["landscape/b"], sine_trace["landscape/loss"]
    x, y = sine_trace["data/x"], sine_trace["data/y"]
    rng = np.random.default_rng(0)
    for i, j in rng.integers(0, len(b), size=(25, 2)):
        direct = np.mean((np.tanh(a[j] * x + b[i]) - y) ** 2)
        assert grid[i, j] == pytest.approx(direct, abs=1e-12)
    # the star is the landscape's minimum: at or below the grid's lowest cell, and its loss is the loss there
    best_a, best_b = sine_trace["landscape/min"]
    assert float(sine_trace["landscape/min_loss"]) <= grid.min()
    assert float(sine_trace["landscape/min_loss"]) == pytest.approx(np.mean((np.tanh(best_a * x + best_b) - y) ** 2),
                                                                    abs=1e-12)


def test_recorded_curve_is_the_network_output(sine_trace):
    run = sine_trace.run("adam")
    xs = sine_trace["data/curve_x"]
    k = run.steps // 2
    a, b = run["params"][k]
    np.testing.assert_allclose(run["curve"][k], np.tanh(a * xs + b), atol=1e-12)


def test_too_large_learning_rate_is_recorded_as_diverged_not_crashed():
    problem = _problem()
    x0 = torch.tensor([-1.0, 2.0], dtype=torch.float64)
    rec = record_run(problem, x0, RunConfig(name="huge", optimizer="sgd", lr=5000.0, steps=30),
                     torch.Generator().manual_seed(0), escape=50.0)
    assert rec.meta["status"] == "diverged"


def test_config_rejects_bad_values_with_the_field_named():
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="lr"):
        RunConfig(name="x", optimizer="sgd", lr=-1)
    with pytest.raises(ValidationError, match="momentum"):
        RunConfig(name="x", optimizer="adam", momentum=0.9)
    with pytest.raises(ValidationError, match="unique"):
        small_sine_config(runs=[dict(name="a", optimizer="sgd"), dict(name="a", optimizer="adam")])


@pytest.mark.parametrize("batch_size, every, lr", [(None, 3, 0.05), (2, 2, 0.05), (None, 1, 50.0)])
def test_recorded_loss_is_the_full_data_loss_at_the_recorded_params(batch_size, every, lr):
    """Whether the loss comes from the step's own forward pass (full batch) or a batched evaluation
    afterwards (mini-batches, the last step), it is the full-data loss at each recorded row."""
    from sim.config import RunConfig
    from sim.problems import TanhCurve
    from sim.recorder import record_gradient

    x = torch.tensor([-1.5, -0.5, 0.5, 1.5], dtype=torch.float64)
    problem = TanhCurve(x, torch.sin(x))
    run = RunConfig(name="r", optimizer="sgd", lr=lr, steps=10, batch_size=batch_size)
    rec = record_gradient(problem, torch.tensor([-1.0, 2.0], dtype=torch.float64), run,
                          torch.Generator().manual_seed(0), escape=1e3, record_every=every)
    params, loss = rec.arrays["params"], rec.arrays["loss"]
    assert len(loss) == len(params) >= 2
    for p, lv in zip(params, loss, strict=True):
        pred = np.tanh(p[0] * x.numpy() + p[1])
        direct = float(np.mean((pred - np.sin(x.numpy())) ** 2))
        assert lv == pytest.approx(direct, rel=1e-12) or not np.isfinite(direct)

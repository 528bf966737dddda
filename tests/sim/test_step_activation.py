"""step-activation: backprop's gradient through sign units is exactly zero; evolution still fits."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from sim.errors import ConfigError
from sim.experiments.step_activation import StepActivationConfig, report, simulate
from sim.nets import MLPSpec, forward
from sim.trace import load_trace, save_trace


def tiny(**kw) -> StepActivationConfig:
    data = dict(seed=0, seeds=3, data=dict(n=24, target="sign(sin(2*x))"), net=dict(hidden=[6, 6]),
                curve_points=31,
                runs=[dict(name="sgd", optimizer="sgd", lr=0.1, steps=15),
                      dict(name="adam", optimizer="adam", lr=0.05, steps=15),
                      dict(name="evolution", optimizer="evolution", population=16, sigma=0.5, steps=40)])
    data.update(kw)
    return StepActivationConfig.model_validate(data)


@pytest.fixture(scope="module")
def trace():
    return simulate(tiny(), "step-activation")


def test_gradient_runs_get_exactly_zero_gradient_and_never_move(trace):
    for rep in ("", "@seed1", "@seed2"):
        for name in ("sgd", "adam"):
            run = trace.run(name + rep)
            assert run["grad_norm"].shape == (run.steps,)
            assert np.all(run["grad_norm"] == 0.0), f"{name}{rep}: nonzero gradient recorded"
            assert np.array_equal(run["params"], np.repeat(run["params"][:1], run.steps + 1, axis=0))
            assert np.all(run["loss"] == run["loss"][0])
            assert run.meta["status"] == "stalled"


def test_recorded_zero_gradient_matches_autograd_directly(trace):
    """Recompute the gradient at the start with torch autograd: zero, not a recorder artefact."""
    spec = MLPSpec((1, 6, 6, 1), "sign", "sign")
    run = trace.run("sgd")
    theta = torch.from_numpy(run["params"][0]).requires_grad_(True)
    x, y = torch.from_numpy(trace["data/x"])[:, None], torch.from_numpy(trace["data/y"])[:, None]
    loss = (forward(spec, theta, x) - y).square().mean()
    loss.backward()
    assert float(loss) == pytest.approx(run["loss"][0])
    assert torch.count_nonzero(theta.grad) == 0
    # ... while the same network with tanh units has a nonzero gradient (the check can fail)
    theta2 = theta.detach().clone().requires_grad_(True)
    (forward(MLPSpec((1, 6, 6, 1), "tanh", "tanh"), theta2, x) - y).square().mean().backward()
    assert float(theta2.grad.norm()) > 1e-3


def test_evolution_lowers_the_loss_on_every_seed(trace):
    for rep in ("", "@seed1", "@seed2"):
        run = trace.run("evolution" + rep)
        assert run["loss"][-1] < run["loss"][0] * 0.5, f"evolution{rep} did not fit"
        assert np.all(np.diff(run["loss"]) <= 0)  # elitist: never worse
        assert run["param_change"][-1] > 0


def test_curve_is_the_network_output_at_curve_x(trace):
    spec = MLPSpec((1, 6, 6, 1), "sign", "sign")
    run = trace.run("evolution")
    k = run.steps
    with torch.no_grad():
        out = forward(spec, torch.from_numpy(run["params"][k]), torch.from_numpy(trace["data/curve_x"])[:, None])
    np.testing.assert_allclose(run["curve"][k], out[:, 0].numpy(), atol=1e-6)
    # the loss at the data equals the recorded loss
    with torch.no_grad():
        pred = forward(spec, torch.from_numpy(run["params"][k]), torch.from_numpy(trace["data/x"])[:, None])[:, 0]
    assert float(((pred.numpy() - trace["data/y"]) ** 2).mean()) == pytest.approx(run["loss"][k])


def test_same_seed_identical_bytes_and_report(tmp_path):
    a, b = simulate(tiny(seeds=1), "s"), simulate(tiny(seeds=1), "s")
    pa, pb = save_trace(a, tmp_path / "a.npz"), save_trace(b, tmp_path / "b.npz")
    assert pa.read_bytes() == pb.read_bytes()
    c = save_trace(simulate(tiny(seeds=1, seed=5), "s"), tmp_path / "c.npz")
    assert c.read_bytes() != pa.read_bytes()
    table = report(load_trace(pa))
    sgd_row = next(line for line in table.splitlines() if line.startswith("| sgd |"))
    assert sgd_row.endswith("| 0 | 0 |"), sgd_row  # max gradient norm 0, parameters moved 0
    evo_row = next(line for line in table.splitlines() if line.startswith("| evolution |"))
    assert not evo_row.endswith("| 0 |")


def test_bad_config_values_are_one_line_errors():
    from sim.config import validate_config

    with pytest.raises(ConfigError, match=r"net\.activation"):
        validate_config(StepActivationConfig, {"net": {"activation": "nope"}, "runs": [
            {"name": "sgd", "optimizer": "sgd"}]}, "cfg.toml")
    with pytest.raises(ConfigError, match="x_range"):
        validate_config(StepActivationConfig, {"data": {"x_range": [1, 0]}, "runs": [
            {"name": "sgd", "optimizer": "sgd"}]}, "cfg.toml")


def test_step_output_keeps_a_zero_gradient_instead_of_crashing():
    cfg = tiny(seeds=1, net=dict(hidden=[4], activation="step", out_activation="step"),
               runs=[dict(name="sgd", optimizer="sgd", steps=3)])
    run = simulate(cfg, "s").run("sgd")
    assert np.all(run["grad_norm"] == 0.0)


def test_stats_are_the_sample_spread_over_seeds(trace):
    import statistics

    st = trace.stats
    assert st["seeds"] == 3 and st["order"] == [r.name for r in tiny().runs]
    for base in st["order"]:
        names = [base, f"{base}@seed1", f"{base}@seed2"]
        assert [r.name for r in trace.repeats(base)] == names
        finals = [float(trace.run(n)["loss"][-1]) for n in names]
        got = st["runs"][base]["final_loss"]
        assert got["mean"] == pytest.approx(statistics.mean(finals))
        assert got["sd"] == pytest.approx(statistics.stdev(finals))
        assert st["runs"][base]["start_loss"]["mean"] == pytest.approx(
            statistics.mean(float(trace.run(n)["loss"][0]) for n in names))

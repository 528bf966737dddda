"""dimensions: improving mutations get rarer with dimension; costs are honest (no extrapolation)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from sim.experiments.dimensions import DimensionsConfig, initial_params, probe_point, simulate


def tiny(**kw) -> DimensionsConfig:
    data = dict(seeds=1, nets=[dict(sizes=[1, 2, 1]), dict(sizes=[1, 128, 1])], target_loss=0.05,
                probe=dict(sigmas=[0.1], samples=400, levels=[0.1]), evolution=dict(sigmas=[0.03], budget=200),
                descent=dict(max_steps=400))
    data.update(kw)
    return DimensionsConfig.model_validate(data)


@pytest.fixture(scope="module")
def trace():
    return simulate(tiny(), "dimensions")


def test_improvement_probability_falls_with_dimension(trace):
    p, lo, hi = trace["probe/p"], trace["probe/ci_low"], trace["probe/ci_high"]
    assert trace["nets/n_params"].tolist() == [7, 385]
    # at the point where descent reached loss <= 0.1, σ = 0.1: intervals do not overlap
    assert hi[1, 1, 0] < lo[0, 1, 0], (p[:, 1, 0], lo[:, 1, 0], hi[:, 1, 0])
    assert lo[0, 1, 0] <= p[0, 1, 0] <= hi[0, 1, 0]


def test_probe_counts_equal_a_direct_count(trace):
    cfg = tiny()
    net = cfg.nets[0]
    problem = cfg.task.problem(net.spec, torch.float32)
    theta = initial_params(cfg, 0, 0)
    gen = torch.Generator().manual_seed(((cfg.seed * 1000 + 0) * 100 + 0) * 100 + 0)
    k, _ = probe_point(problem, theta, 0.1, 400, gen)
    assert k == trace["probe/improved"][0, 0, 0, 0]
    gen = torch.Generator().manual_seed(((cfg.seed * 1000 + 0) * 100 + 0) * 100 + 0)
    noise = torch.randn((400, theta.numel()), generator=gen, dtype=theta.dtype)
    with torch.no_grad():
        direct = int((problem.loss(theta + 0.1 * noise) < problem.loss(theta)).sum())
    assert k == direct


def test_costs_are_recorded_not_extrapolated(trace):
    cfg = tiny()
    P, target = cfg.evolution.population, cfg.target_loss
    for i in range(2):
        ev = trace["evolution/evals_to_target"][i, 0, 0]
        curve = trace["evolution/curve"][i, 0, 0]
        if np.isfinite(ev):
            r = int((ev - 1) // P)
            assert curve[r] <= target and (r == 0 or curve[r - 1] > target)
        else:
            assert np.nanmin(curve) > target       # missed within the budget: NaN, not a guess
        steps = trace["descent/steps_to_target"][i, 0]
        gd = trace["descent/curve"][i, 0]
        if np.isfinite(steps):
            assert gd[int(steps)] <= target and np.all(gd[: int(steps)] > target)


def test_levels_must_be_above_the_target():
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="levels"):
        tiny(target_loss=0.5)


def test_progress_and_slopes_are_recorded_and_sane(trace):
    cfg = tiny()
    K, S, L = 2, 1, len(cfg.probe.levels) + 1
    mut, step = trace["progress/mutation"], trace["progress/step"]
    assert mut.shape == (K, S, L, len(cfg.progress.sigmas)) and step.shape == (K, S, L, len(cfg.progress.lrs))
    probed = trace["probe/step"] >= 0
    assert np.all((mut[probed] >= 0) & (mut[probed] < 1))        # kept only if better: a share of the loss
    assert np.all(step[probed] < 1)
    assert np.array_equal(trace["progress/mutation_best"][probed], mut[probed].max(axis=-1))
    assert np.all(trace["progress/step_best"][probed] > 0)         # the smallest lr always helps a little
    assert trace["slopes/probe_passes"].tolist() == [8, 386] and trace["slopes/backprop_passes"].tolist() == [2, 2]
    assert np.all(trace["slopes/cosine"] > 0.99)                   # finite differences = backprop's slopes
    wall = trace.wall_stats["slopes"]
    assert wall["nets"] == ["1-2-1", "1-128-1"]
    assert all(v > 0 for key in ("forward_s", "backprop_s", "probes_s") for v in wall[key])
    assert "slopes/ratio" not in trace.arrays                      # times stay out of the trace's bytes


def test_a_gradient_step_counts_its_own_gain():
    from sim.experiments.dimensions import progress_at

    cfg = tiny()
    problem = cfg.task.problem(cfg.nets[0].spec, torch.float32)
    theta = initial_params(cfg, 0, 0)
    mut, step = progress_at(problem, theta, [0.1], [0.01], 50, torch.Generator().manual_seed(1))
    params = theta.clone().requires_grad_(True)
    loss = problem.loss(params)
    loss.backward()
    with torch.no_grad():
        after = float(problem.loss(theta - 0.01 * params.grad))
    before = float(loss.detach())
    assert step[0] == pytest.approx((before - after) / before, rel=1e-4)
    assert 0 <= mut[0] < 1

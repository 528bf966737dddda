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

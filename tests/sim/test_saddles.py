"""saddles: recorded critical points are critical, and their spectra are the true Hessian's."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from sim.experiments.saddles import SaddlesConfig, classify, simulate


def tiny() -> SaddlesConfig:
    return SaddlesConfig.model_validate(dict(
        nets=[dict(sizes=[1, 2, 1])], task=dict(target="sin(2*x)", points=16),
        search=dict(inits=4, start_steps=[0, 20, 200, 1000], max_iter=40)))


@pytest.fixture(scope="module")
def trace():
    return simulate(tiny(), "saddles")


def test_recorded_points_have_gradient_below_threshold(trace):
    cfg = tiny()
    problem = cfg.task.problem(cfg.nets[0].spec)
    params = trace["nets/0/params"]
    assert len(params) >= 1, "the search found no critical point"
    for theta in params:
        t = torch.tensor(theta, requires_grad=True)
        (g,) = torch.autograd.grad(problem.loss(t), t)
        assert float(g.norm()) < cfg.search.grad_tol


def test_eigenvalues_equal_a_direct_torch_hessian(trace):
    cfg = tiny()
    problem = cfg.task.problem(cfg.nets[0].spec)
    for c, theta in enumerate(trace["nets/0/params"]):
        H = torch.autograd.functional.hessian(problem.loss, torch.tensor(theta))
        ev = np.linalg.eigvalsh(H.numpy())
        np.testing.assert_allclose(trace["nets/0/eigvals"][c], ev, atol=1e-9, rtol=1e-7)
        neg, zero, pos = classify(ev, cfg.search.eig_tol)
        assert trace["nets/0/counts"][c].tolist() == [neg, zero, pos]
        assert trace["nets/0/frac_negative"][c] == neg / len(ev)
        assert np.isclose(trace["nets/0/loss"][c], float(problem.loss(torch.tensor(theta))))


def test_a_finite_difference_hessian_agrees(trace):
    cfg = tiny()
    problem = cfg.task.problem(cfg.nets[0].spec)
    theta = torch.tensor(trace["nets/0/params"][0])
    D, h = len(theta), 1e-5

    def grad(x):
        x = x.clone().requires_grad_(True)
        return torch.autograd.grad(problem.loss(x), x)[0]

    H = torch.stack([(grad(theta + h * e) - grad(theta - h * e)) / (2 * h) for e in torch.eye(D, dtype=theta.dtype)])
    ev = np.linalg.eigvalsh(0.5 * (H + H.T).numpy())
    np.testing.assert_allclose(trace["nets/0/eigvals"][0], ev, atol=1e-6)


def test_stats_summarise_the_distinct_points(trace):
    """Recomputed by hand from the eigenvalues: negative-eigenvalue fractions and loss ranges."""
    saddles, minima = [], []
    for k, st in enumerate(trace.stats["nets"]):
        fracs = []
        for c in np.flatnonzero(trace[f"nets/{k}/unique"]):
            ev = trace[f"nets/{k}/eigvals"][c]
            neg = int(trace[f"nets/{k}/counts"][c, 0])
            fracs.append(neg / len(ev))
            (saddles if neg else minima).append(float(trace[f"nets/{k}/loss"][c]))
        if fracs:
            assert st["negative_fraction_mean"] == pytest.approx(sum(fracs) / len(fracs))
        else:
            assert st["negative_fraction_mean"] is None
    for key, values in (("loss_at_saddles", saddles), ("loss_at_minima", minima)):
        got = trace.stats[key]
        assert got["n"] == len(values)
        if values:
            assert (got["min"], got["max"]) == (min(values), max(values))

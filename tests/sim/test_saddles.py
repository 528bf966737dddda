"""saddles: recorded critical points are critical, and their spectra are the true Hessian's."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from sim.experiments.saddles import SaddlesConfig, classify, descent_points, simulate
from sim.nets import init_params


def tiny() -> SaddlesConfig:
    return SaddlesConfig.model_validate(dict(
        nets=[dict(sizes=[1, 2, 1])], task=dict(target="sin(2*x)", points=16),
        search=dict(inits=4, start_steps=[0, 20, 200, 1000], max_iter=40)))


@pytest.fixture(scope="module")
def trace():
    return simulate(tiny(), "saddles")


def test_batched_descent_runs_are_independent_runs_kept_at_the_start_steps():
    """Rows of one (R, D) tensor under one Adam step on the sum of losses: each row must follow
    exactly the run it would follow alone, and be kept at every start step (step 0 = the init)."""
    cfg = tiny()
    problem = cfg.task.problem(cfg.nets[0].spec, torch.float64)
    x0 = torch.stack([init_params(cfg.nets[0].spec, torch.Generator().manual_seed(k), torch.float64)
                      for k in range(3)])
    together = descent_points(problem, x0, cfg)
    assert together.shape == (3, len(cfg.search.start_steps), x0.shape[1])
    assert torch.equal(together[:, 0], x0)
    for r in range(3):
        alone = descent_points(problem, x0[r:r + 1], cfg)[0]
        assert torch.allclose(together[r], alone, rtol=1e-12, atol=1e-12)
    theta = x0[0].clone().requires_grad_(True)   # row 0 by hand: torch's Adam, one step per kept step count
    opt = torch.optim.Adam([theta], lr=cfg.search.lr)
    for _ in range(cfg.search.start_steps[1]):
        opt.zero_grad()
        problem.loss(theta).backward()
        opt.step()
    assert torch.allclose(together[0, 1], theta.detach(), rtol=1e-10, atol=1e-12)
    assert not torch.allclose(together[:, 1], together[:, 2])   # the runs moved between kept steps


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


def test_find_critical_reaches_the_saddle_of_a_quadratic_and_its_eigenvalues_have_both_signs():
    """A stand-in problem with loss x² − 3y² + xy: a known saddle at 0, Hessian [[2, 1], [1, −6]]."""
    class Quad:
        def loss(self, t: torch.Tensor) -> torch.Tensor:
            x, y = t[..., 0], t[..., 1]
            return x * x - 3 * y * y + x * y

    from sim.experiments.saddles import find_critical, hessian

    q = Quad()
    starts = torch.tensor([[0.7, -0.4], [-1.2, 2.0]], dtype=torch.float64)
    points, gn, _ = find_critical(q, starts, max_iter=50, grad_tol=1e-10)
    assert (gn < 1e-10).all()
    np.testing.assert_allclose(points.numpy(), 0.0, atol=1e-9)
    ev = torch.linalg.eigvalsh(hessian(q, points[0])).numpy()
    np.testing.assert_allclose(ev, np.linalg.eigvalsh(np.array([[2.0, 1.0], [1.0, -6.0]])), atol=1e-9)
    assert classify(ev, 1e-7) == (1, 0, 1)


def test_the_size_trend_verdict_needs_intervals_that_do_not_overlap():
    from sim.experiments.saddles import size_trend, wilson

    def nets(*kn):
        return [{"distinct": n, "saddles": k, "ci_low": wilson(k, n)[0], "ci_high": wilson(k, n)[1]} for k, n in kn]

    assert size_trend(nets((2, 20), (18, 20)), [7, 49])["verdict"] == "more"
    assert size_trend(nets((18, 20), (2, 20)), [7, 49])["verdict"] == "fewer"
    assert size_trend(nets((3, 5), (3, 4)), [7, 49])["verdict"] == "unclear"   # the reviewer's counts
    assert size_trend(nets((3, 5), (0, 0)), [7, 61]) == {"verdict": "unclear", "smallest": 0, "largest": None}
    assert size_trend(nets((0, 0), (2, 20), (18, 20), (0, 0)), [7, 13, 25, 61]) == \
        {"verdict": "more", "smallest": 1, "largest": 2}   # sizes without a critical point are left out


def test_the_stats_intervals_are_wilson_intervals_of_the_counts(trace):
    from scipy.stats import binomtest

    for st, net in zip(trace.stats["nets"], trace.meta["nets"], strict=True):
        assert (st["distinct"], st["saddles"]) == (net["unique"], net["saddles"])
        ci = binomtest(st["saddles"], st["distinct"]).proportion_ci(0.95, method="wilson")
        assert (st["ci_low"], st["ci_high"]) == pytest.approx((ci.low, ci.high))


def test_the_shown_saddle_dips_along_its_negative_eigenvector(trace):
    show = trace.stats["showcase"]
    assert show is not None, "the tiny config finds a saddle"
    cfg = tiny()
    problem = cfg.task.problem(cfg.nets[show["net"]].spec)
    theta = torch.tensor(trace[f"nets/{show['net']}/params"][show["index"]])
    H = torch.autograd.functional.hessian(problem.loss, theta).numpy()
    lam, vecs = np.linalg.eigh(H)
    assert lam[0] < 0 < lam[-1] and show["lambda_min"] == pytest.approx(lam[0])
    np.testing.assert_allclose(trace["showcase/eigvals"], lam, atol=1e-9)
    t = trace["showcase/t"]
    for key, v in (("showcase/down", vecs[:, 0]), ("showcase/up", vecs[:, -1])):
        v = v * np.sign(v[np.argmax(np.abs(v))])   # the sign convention the trace states
        along = [float(problem.loss(theta + float(s) * torch.tensor(v))) for s in t]
        np.testing.assert_allclose(trace[key], along, rtol=1e-9)
    mid = len(t) // 2
    assert trace["showcase/down"][mid] == pytest.approx(show["loss"])
    assert trace["showcase/down"][0] < show["loss"] and trace["showcase/down"][-1] < show["loss"]
    assert trace["showcase/up"][0] > show["loss"] and trace["showcase/up"][-1] > show["loss"]

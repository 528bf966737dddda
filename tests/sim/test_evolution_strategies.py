"""SNES and the local search against their published / stated update rules, computed here in numpy.

SNES: Schaul, Glasmachers & Schmidhuber (2011), "High dimensions and heavy tails for natural
evolution strategies", Algorithm (SNES): utilities u_k = max(0, log(λ/2 + 1) − log k) /
Σ_j max(0, log(λ/2 + 1) − log j) − 1/λ for the k-th best sample; ∇μ = Σ u_k s_k,
∇σ = Σ u_k (s_k² − 1); μ ← μ + η_μ σ ∇μ, σ ← σ exp(η_σ/2 ∇σ); defaults η_μ = 1,
η_σ = (3 + log d) / (5 √d), λ = 4 + ⌊3 log d⌋.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from sim.optimizers import SNES, LocalSearch


def paper_utilities(lam: int) -> np.ndarray:
    raw = np.array([max(0.0, math.log(lam / 2 + 1) - math.log(k)) for k in range(1, lam + 1)])
    return raw / raw.sum() - 1.0 / lam


def sphere(x: torch.Tensor) -> torch.Tensor:
    return (x - 1.5).square().sum(-1)


@pytest.mark.parametrize("d, mirrored", [(7, False), (30, True)])
def test_snes_generation_is_the_papers_update(d, mirrored):
    gen = torch.Generator().manual_seed(d)
    x0 = torch.linspace(-1, 1, d, dtype=torch.float64)
    es = SNES(x0, sigma0=0.4, population=None if not mirrored else 12, mirrored=mirrored, generator=gen)
    lam = 4 + math.floor(3 * math.log(d)) if not mirrored else 12
    assert es.population == lam
    assert es.lr_sigma == pytest.approx((3 + math.log(d)) / (5 * math.sqrt(d)))
    mu, sigma = x0.numpy().copy(), np.full(d, 0.4)
    for _ in range(4):
        children = es.ask()
        assert children.shape == (lam, d)
        z = children.numpy()
        losses = sphere(children)
        es.tell(losses)
        s = (z - mu) / sigma                               # the standard samples behind the children
        if mirrored:
            np.testing.assert_allclose(s[: lam // 2], -s[lam // 2:], atol=1e-12)
        ranked = s[np.argsort(losses.numpy(), kind="stable")]
        u = paper_utilities(lam)
        grad_mu = (u[:, None] * ranked).sum(0)
        grad_sigma = (u[:, None] * (ranked**2 - 1)).sum(0)
        mu = mu + 1.0 * sigma * grad_mu
        sigma = sigma * np.exp((3 + math.log(d)) / (5 * math.sqrt(d)) / 2 * grad_sigma)
        np.testing.assert_allclose(es.mu.numpy(), mu, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(es.sigma.numpy(), sigma, rtol=1e-10)


def test_snes_utilities_sum_to_zero_and_favour_the_best():
    from sim.optimizers import snes_utilities

    for lam in (2, 5, 12, 40):
        u = snes_utilities(lam).numpy()
        np.testing.assert_allclose(u, paper_utilities(lam), atol=1e-15)
        assert abs(u.sum()) < 1e-12 and np.all(np.diff(u) <= 0)


def test_snes_minimises_a_shifted_sphere():
    es = SNES(torch.zeros(10, dtype=torch.float64), sigma0=1.0, generator=torch.Generator().manual_seed(0))
    start = float(sphere(es.mu))
    for _ in range(300):
        es.tell(sphere(es.ask()))
    assert float(sphere(es.mu)) < 1e-3 * start


def test_snes_refuses_bad_settings():
    x0 = torch.zeros(4)
    with pytest.raises(ValueError, match="even"):
        SNES(x0, 0.1, population=5, mirrored=True)
    with pytest.raises(ValueError, match="sigma0"):
        SNES(x0, 0.0)
    with pytest.raises(RuntimeError, match="before ask"):
        SNES(x0, 0.1).tell(torch.zeros(10))


def test_local_search_starts_from_the_loss_it_is_given():
    x0 = torch.zeros(3, dtype=torch.float64)
    es = LocalSearch(x0, sphere(x0), population=6, sigma=0.5, generator=torch.Generator().manual_seed(1))
    assert float(es.parent_loss) == pytest.approx(3 * 1.5**2)
    children = es.ask()
    losses = sphere(children)
    told = es.tell(losses)
    assert told.best == int(np.argmin(losses.numpy()))
    assert told.accepted == bool(losses[told.best] < 3 * 1.5**2)
    # a parent re-scored on the round's data (mini-batches) is asked for with the children and
    # compared on that data
    es.rescore_parent = True
    assert es.ask().shape == (7, 3)
    told = es.tell(torch.tensor([5.0] * 6 + [4.0], dtype=torch.float64))
    assert not told.accepted and float(es.parent_loss) == 4.0

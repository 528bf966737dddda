"""Optimizers: torch.optim for gradient descent; the video's evolutionary local search and SNES.

The evolutionary searchers follow torch.optim's shape (hyperparameters validated in __init__,
state in the object) with an ask/tell pair over a (P, d) population, so one recorder serves both
kinds. (pycma's CMA-ES, used by strong-es, has the same ask/tell shape.)
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import torch


def make_gradient_optimizer(name: str, params: Iterable[torch.Tensor], lr: float, momentum: float = 0.0
                            ) -> torch.optim.Optimizer:
    """The torch.optim optimizer named in a config (never re-implemented here)."""
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=momentum)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr)
    raise ValueError(f"unknown gradient optimizer {name!r} (sgd, adam, rmsprop)")


class LocalSearch:
    """Elitist (1, λ)-style local search as in the video.

    Each round: λ children = parent + σ·N(0, I); the best child replaces the parent only if it
    is strictly better. σ is multiplied by `sigma_decay` after every round. The searcher is given
    its starting point's loss (it scores nothing itself: the problem does, one (P, d) call a round).
    """

    def __init__(self, x0: torch.Tensor, loss0: float | torch.Tensor, population: int, sigma: float,
                 sigma_decay: float = 1.0, generator: torch.Generator | None = None) -> None:
        if population < 1:
            raise ValueError(f"population must be >= 1, got {population}")
        if not sigma > 0:
            raise ValueError(f"sigma must be > 0, got {sigma}")
        if not 0 < sigma_decay <= 1:
            raise ValueError(f"sigma_decay must be in (0, 1], got {sigma_decay}")
        self.parent = x0.detach().clone()
        self.parent_loss = torch.as_tensor(loss0, device=x0.device, dtype=x0.dtype).detach().clone()
        self.population, self.sigma, self.sigma_decay = population, sigma, sigma_decay
        self.generator = generator
        self._children: torch.Tensor | None = None

    def ask(self) -> torch.Tensor:
        """The round's children, one (P, d) tensor."""
        noise = torch.randn((self.population, self.parent.numel()), generator=self.generator,
                            device=self.parent.device, dtype=self.parent.dtype)
        self._children = self.parent + self.sigma * noise
        return self._children

    def tell(self, losses: torch.Tensor, parent_loss: torch.Tensor | None = None) -> tuple[int, bool]:
        """Take the children's losses; return (index of the best child, whether it was accepted).

        `parent_loss`: the parent scored on the same data as the children this round (pixel
        mini-batches), so the comparison is fair; it becomes the parent's loss if no child wins.
        """
        if self._children is None:
            raise RuntimeError("tell() called before ask()")
        if parent_loss is not None:
            self.parent_loss = parent_loss.detach().clone()
        best = int(torch.argmin(losses))
        accepted = bool(losses[best] < self.parent_loss)
        if accepted:
            self.parent = self._children[best].clone()
            self.parent_loss = losses[best].clone()
        self._children = None
        self.sigma *= self.sigma_decay
        return best, accepted


def snes_utilities(population: int, dtype: torch.dtype = torch.float64, device: str | torch.device = "cpu"
                   ) -> torch.Tensor:
    """Rank-based fitness shaping of NES: u_k = max(0, ln(λ/2 + 1) − ln k) / Σ_j max(…) − 1/λ,
    k = 1 for the best child; the utilities sum to zero."""
    k = torch.arange(1, population + 1, dtype=dtype, device=device)
    u = torch.clamp(math.log(population / 2 + 1) - torch.log(k), min=0)
    return u / u.sum() - 1.0 / population


class SNES:
    """Separable natural evolution strategy (Schaul, Glasmachers & Schmidhuber 2011, "High dimensions
    and heavy tails for natural evolution strategies"): a Gaussian search distribution with mean μ and
    one step size σ_i per parameter, moved along the natural gradient of the expected fitness.

    ask() draws λ children μ + σ ⊙ s_k (s_k ~ N(0, I); mirrored pairs ±s with `mirrored`); tell()
    sorts them best first and updates μ ← μ + η_μ · σ ⊙ Σ u_k s_k and
    σ ← σ ⊙ exp(η_σ / 2 · Σ u_k (s_k² − 1)), with the paper's defaults η_μ = 1,
    η_σ = (3 + ln d) / (5 √d) and λ = 4 + ⌊3 ln d⌋.
    """

    def __init__(self, x0: torch.Tensor, sigma0: float, population: int | None = None, lr_mean: float = 1.0,
                 lr_sigma: float | None = None, mirrored: bool = False,
                 generator: torch.Generator | None = None) -> None:
        d = x0.numel()
        lam = population if population is not None else self.default_population(d)
        if lam < 2:
            raise ValueError(f"population must be >= 2, got {lam}")
        if mirrored and lam % 2:
            raise ValueError(f"population must be even with mirrored sampling, got {lam}")
        if not sigma0 > 0:
            raise ValueError(f"sigma0 must be > 0, got {sigma0}")
        if not lr_mean > 0 or (lr_sigma is not None and not lr_sigma > 0):
            raise ValueError(f"learning rates must be > 0, got {lr_mean}, {lr_sigma}")
        self.mu = x0.detach().clone().reshape(-1)
        self.sigma = torch.full_like(self.mu, sigma0)
        self.population, self.mirrored, self.generator = lam, mirrored, generator
        self.lr_mean = lr_mean
        self.lr_sigma = lr_sigma if lr_sigma is not None else self.default_lr_sigma(d)
        self.utilities = snes_utilities(lam, x0.dtype, x0.device)
        self._samples: torch.Tensor | None = None

    @staticmethod
    def default_population(d: int) -> int:
        return 4 + int(3 * math.log(d))

    @staticmethod
    def default_lr_sigma(d: int) -> float:
        return (3 + math.log(d)) / (5 * math.sqrt(d))

    def ask(self) -> torch.Tensor:
        """The generation's children, one (P, d) tensor."""
        shape = (self.population // 2 if self.mirrored else self.population, self.mu.numel())
        s = torch.randn(shape, generator=self.generator, dtype=self.mu.dtype, device=self.mu.device)
        self._samples = torch.cat([s, -s]) if self.mirrored else s
        return self.mu + self.sigma * self._samples

    def tell(self, losses: torch.Tensor) -> int:
        """Take the children's losses (lower is better); update μ and σ; return the best child's index."""
        if self._samples is None:
            raise RuntimeError("tell() called before ask()")
        order = torch.argsort(losses, stable=True)
        s = self._samples[order]
        u = self.utilities[:, None]
        self.mu = self.mu + self.lr_mean * self.sigma * (u * s).sum(0)
        self.sigma = self.sigma * torch.exp(0.5 * self.lr_sigma * (u * (s.square() - 1)).sum(0))
        self._samples = None
        return int(order[0])

"""Optimizers: torch.optim for gradient descent, and the video's evolutionary local search.

The local search follows torch.optim's shape (hyperparameters validated in __init__, state in
the object) with an ask/tell pair over a (P, d) population, so one recorder serves both kinds.
"""

from __future__ import annotations

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
    is strictly better. σ is multiplied by `sigma_decay` after every round.
    """

    def __init__(self, x0: torch.Tensor, population: int, sigma: float, sigma_decay: float = 1.0,
                 generator: torch.Generator | None = None) -> None:
        if population < 1:
            raise ValueError(f"population must be >= 1, got {population}")
        if not sigma > 0:
            raise ValueError(f"sigma must be > 0, got {sigma}")
        if not 0 < sigma_decay <= 1:
            raise ValueError(f"sigma_decay must be in (0, 1], got {sigma_decay}")
        self.parent = x0.detach().clone()
        self.parent_loss = torch.tensor(float("inf"), device=x0.device, dtype=x0.dtype)
        self.population, self.sigma, self.sigma_decay = population, sigma, sigma_decay
        self.generator = generator
        self._children: torch.Tensor | None = None

    def ask(self) -> torch.Tensor:
        """The round's children, one (P, d) tensor."""
        noise = torch.randn((self.population, self.parent.numel()), generator=self.generator,
                            device=self.parent.device, dtype=self.parent.dtype)
        self._children = self.parent + self.sigma * noise
        return self._children

    def tell(self, losses: torch.Tensor) -> tuple[int, bool]:
        """Take the children's losses; return (index of the best child, whether it was accepted)."""
        if self._children is None:
            raise RuntimeError("tell() called before ask()")
        best = int(torch.argmin(losses))
        accepted = bool(losses[best] < self.parent_loss)
        if accepted:
            self.parent = self._children[best].clone()
            self.parent_loss = losses[best].clone()
        self._children = None
        self.sigma *= self.sigma_decay
        return best, accepted

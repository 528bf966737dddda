"""Optimizers as searchers: one ask/tell protocol for torch.optim, the video's local search, SNES,
pycma's CMA-ES and a project's own optimizer file, and the registry that names them.

A searcher proposes candidates (`ask() -> (P, d)` tensor, or the parameter tensor itself for a
gradient optimizer), is told their losses (`tell(losses) -> Told`) and holds its current point
(`center`). That is the shape of pycma and EvoTorch; `TorchSearcher` gives any
`torch.optim.Optimizer` the same shape (ask: zero the gradients and hand out the parameters; tell:
backward and step), so sim.recorder.record drives every kind through one loop.

Adding an optimizer is one class plus one entry in `OPTIMIZERS`. A run may instead name its own
file, `optimizer = "lion.py:Lion"` (sim.user_optimizer), checked and loaded like a manim scene.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal, Protocol, runtime_checkable

import torch


@dataclass(frozen=True)
class Told:
    """What one tell() reports: the best candidate of the round and whether the searcher's point
    moved to it (an elitist search may keep its parent; the others always move)."""

    best: int = 0
    accepted: bool = True


@runtime_checkable
class Searcher(Protocol):
    """Ask for candidates, tell their losses (lower is better); `center` is the current point."""

    def ask(self) -> torch.Tensor: ...

    def tell(self, losses: torch.Tensor) -> Told: ...


class TorchSearcher:
    """A torch.optim optimizer over one flat parameter tensor, in the searcher's shape.

    ask() zeroes the gradients and returns the parameters themselves (they require grad), so the
    loss of the one "candidate" is the step's forward pass; tell(loss) runs backward and step.
    `on_gradient`, when given, sees the parameters between backward and step (recorded gradients)."""

    uses_gradient = True

    def __init__(self, optimizer: torch.optim.Optimizer, params: torch.Tensor,
                 on_gradient: Callable[[torch.Tensor], None] | None = None) -> None:
        self.optimizer, self.params, self.on_gradient = optimizer, params, on_gradient

    @property
    def center(self) -> torch.Tensor:
        return self.params.detach()

    def ask(self) -> torch.Tensor:
        self.optimizer.zero_grad(set_to_none=True)
        return self.params

    def tell(self, losses: torch.Tensor) -> Told:
        losses.backward()
        if self.on_gradient is not None:
            self.on_gradient(self.params)
        self.optimizer.step()
        return STEPPED


STEPPED = Told()
"""A gradient step's report (one candidate, always taken)."""


class LocalSearch:
    """Elitist (1, λ)-style local search as in the video.

    Each round: λ children = parent + σ·N(0, I); the best child replaces the parent only if it
    is strictly better. σ is multiplied by `sigma_decay` after every round. The searcher is given
    its starting point's loss (it scores nothing itself: the problem does, one (P, d) call a round).
    With `rescore_parent` (pixel mini-batches), ask() appends the parent to the children so it is
    scored on the same data; tell() takes that last loss as the parent's, so the comparison is fair.
    """

    uses_gradient = False

    def __init__(self, x0: torch.Tensor, loss0: float | torch.Tensor, population: int, sigma: float,
                 sigma_decay: float = 1.0, generator: torch.Generator | None = None,
                 rescore_parent: bool = False) -> None:
        if population < 1:
            raise ValueError(f"population must be >= 1, got {population}")
        if not sigma > 0:
            raise ValueError(f"sigma must be > 0, got {sigma}")
        if not 0 < sigma_decay <= 1:
            raise ValueError(f"sigma_decay must be in (0, 1], got {sigma_decay}")
        self.parent = x0.detach().clone()
        self.parent_loss = torch.as_tensor(loss0, device=x0.device, dtype=x0.dtype).detach().clone()
        self.population, self.sigma, self.sigma_decay = population, sigma, sigma_decay
        self.generator, self.rescore_parent = generator, rescore_parent
        self._children: torch.Tensor | None = None

    @property
    def center(self) -> torch.Tensor:
        return self.parent

    def ask(self) -> torch.Tensor:
        """The round's children, one (P, d) tensor (plus the parent as a last row with rescore_parent)."""
        noise = torch.randn((self.population, self.parent.numel()), generator=self.generator,
                            device=self.parent.device, dtype=self.parent.dtype)
        self._children = self.parent + self.sigma * noise
        return torch.cat([self._children, self.parent.unsqueeze(0)]) if self.rescore_parent else self._children

    def tell(self, losses: torch.Tensor) -> Told:
        """Take the losses of what ask() returned; keep the best child if it beats the parent."""
        if self._children is None:
            raise RuntimeError("tell() called before ask()")
        if self.rescore_parent:
            self.parent_loss = losses[-1].detach().clone()
            losses = losses[:-1]
        best = int(torch.argmin(losses))
        accepted = bool(losses[best] < self.parent_loss)
        if accepted:
            self.parent = self._children[best].clone()
            self.parent_loss = losses[best].clone()
        self._children = None
        self.sigma *= self.sigma_decay
        return Told(best, accepted)


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

    uses_gradient = False

    @property
    def center(self) -> torch.Tensor:
        return self.mu

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

    def tell(self, losses: torch.Tensor) -> Told:
        """Take the children's losses (lower is better); update μ and σ; report the best child."""
        if self._samples is None:
            raise RuntimeError("tell() called before ask()")
        order = torch.argsort(losses, stable=True)
        s = self._samples[order]
        u = self.utilities[:, None]
        self.mu = self.mu + self.lr_mean * self.sigma * (u * s).sum(0)
        self.sigma = self.sigma * torch.exp(0.5 * self.lr_sigma * (u * (s.square() - 1)).sum(0))
        self._samples = None
        return Told(int(order[0]))


class CMAES:
    """pycma's CMA-ES (`cma.CMAEvolutionStrategy`) in the searcher's shape, on numpy float64 points."""

    uses_gradient = False

    def __init__(self, x0: torch.Tensor, sigma0: float, options: dict[str, Any]) -> None:
        import cma

        self.es = cma.CMAEvolutionStrategy(x0.detach().cpu().numpy().astype(float), sigma0, options)
        self._children: list | None = None

    @property
    def center(self) -> torch.Tensor:
        return torch.from_numpy(self.es.mean)

    def ask(self) -> torch.Tensor:
        import numpy as np

        self._children = self.es.ask()
        return torch.from_numpy(np.asarray(self._children))

    def tell(self, losses: torch.Tensor) -> Told:
        if self._children is None:
            raise RuntimeError("tell() called before ask()")
        values = [float(v) for v in losses.numpy()]
        self.es.tell(list(self._children), values)
        self._children = None
        return Told(min(range(len(values)), key=values.__getitem__))


# ------------------------------------------------------------------------------------------ registry
@dataclass(frozen=True)
class OptimizerEntry:
    """A named optimizer: its kind, the class that makes it and the config keys it takes.

    gradient: `make(params, **options)` is a torch.optim.Optimizer; evolution:
    `make(x0, loss0, generator=..., **options)` is a searcher that starts from x0's loss."""

    kind: Literal["gradient", "evolution"]
    make: Callable[..., Any]
    options: tuple[str, ...]


OPTIMIZERS: dict[str, OptimizerEntry] = {
    "sgd": OptimizerEntry("gradient", torch.optim.SGD, ("lr", "momentum")),
    "adam": OptimizerEntry("gradient", torch.optim.Adam, ("lr",)),
    "rmsprop": OptimizerEntry("gradient", torch.optim.RMSprop, ("lr",)),
    "evolution": OptimizerEntry("evolution", LocalSearch, ("population", "sigma", "sigma_decay")),
}
"""Every optimizer a config may name (`optimizer = "adam"`)."""


def known_optimizers(kind: str | None = None) -> list[str]:
    return sorted(n for n, e in OPTIMIZERS.items() if kind is None or e.kind == kind)


def optimizer_entry(name: str, kind: str | None = None) -> OptimizerEntry:
    """The registry entry NAME; a ValueError naming the known ones (of KIND) otherwise."""
    entry = OPTIMIZERS.get(name)
    if entry is None or (kind is not None and entry.kind != kind):
        what = f"{kind} optimizer" if kind else "optimizer"
        raise ValueError(f"unknown {what} {name!r} (known: {', '.join(known_optimizers(kind))}"
                         + ("; or FILE.py:CLASS, your own)" if kind is None else ")"))
    return entry


def make_gradient_optimizer(name: str, params: Iterable[torch.Tensor], **settings: Any) -> torch.optim.Optimizer:
    """The torch.optim optimizer NAME over PARAMS, given the settings its entry takes (never re-implemented here)."""
    entry = optimizer_entry(name, "gradient")
    return entry.make(params, **{k: settings[k] for k in entry.options if k in settings})

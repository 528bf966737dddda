"""Networks as flat parameter vectors, evaluated for a whole population in one batched call.

A population of P networks is one (P, D) tensor; `forward` runs all P at once with batched
matmuls (no deepcopy, no Python loop per child). The same function with a (D,) vector is
differentiable, so gradient descent and evolution train exactly the same model.
Parameter layout per layer: W (out, in) row-major, then b (out,), like torch.nn.Linear.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import torch
import torch.nn.functional as F

ACTIVATIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "tanh": torch.tanh,
    "relu": torch.relu,
    "leaky_relu": lambda h: F.leaky_relu(h, 0.01),
    "sigmoid": torch.sigmoid,
    "sin": torch.sin,
    "sign": torch.sign,                     # gradient is zero almost everywhere
    "step": lambda h: (h > 0).to(h.dtype),  # Heaviside: gradient is zero almost everywhere
    "identity": lambda h: h,
}


def check_activation(name: str) -> str:
    """The one activation check (configs and network specs): a name from ACTIVATIONS."""
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r} (allowed: {', '.join(ACTIVATIONS)})")
    return name


@dataclass(frozen=True)
class MLPSpec:
    """Layer sizes (in, hidden..., out) and activations."""

    sizes: tuple[int, ...]
    activation: str = "tanh"
    out_activation: str = "identity"

    def __post_init__(self) -> None:
        if len(self.sizes) < 2 or any(s < 1 for s in self.sizes):
            raise ValueError(f"sizes must be at least (in, out), all >= 1, got {self.sizes}")
        for act in (self.activation, self.out_activation):
            check_activation(act)

    @property
    def layers(self) -> list[tuple[int, int]]:
        return list(zip(self.sizes[:-1], self.sizes[1:], strict=True))

    @property
    def n_params(self) -> int:
        return sum(i * o + o for i, o in self.layers)


class Layered(Protocol):
    """A network described by its dense layers (fan_in, fan_out): MLPSpec, CoordNetSpec."""

    @property
    def layers(self) -> list[tuple[int, int]]: ...


def init_params(spec: Layered, generator: torch.Generator, dtype: torch.dtype = torch.float32,
                device: str | torch.device = "cpu") -> torch.Tensor:
    """The one parameter initialisation for every network kind: torch.nn.Linear's default
    (weights and biases uniform in ±1/√fan_in), layer by layer, flattened as `forward` reads them."""
    parts = []
    for i, o in spec.layers:
        bound = 1.0 / math.sqrt(i)
        w = (torch.rand(o * i, generator=generator, dtype=dtype, device=device) * 2 - 1) * bound
        b = (torch.rand(o, generator=generator, dtype=dtype, device=device) * 2 - 1) * bound
        parts += [w, b]
    return torch.cat(parts)


def forward(spec: MLPSpec, params: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Outputs for params (D,) -> (N, out), or a population (P, D) -> (P, N, out); x is (N, in).

    A population's activations are kept transposed, (P, units, N), and each layer is W @ h + b:
    with the N points as the products' long, contiguous side, a 20-unit layer of 64 networks on
    300 points measured 237 against 358 µs as h @ Wᵀ + b, and a whole function-fit round 1.3×
    faster (docs/render-speed.md, stop 40). A 1-input layer is an outer product (addcmul)."""
    if params.dim() == 1:
        return _forward_one(spec, params, x)
    p, pop = params, params.shape[0]
    act, out_act = ACTIVATIONS[spec.activation], ACTIVATIONS[spec.out_activation]
    h = x.T.unsqueeze(0)  # (1, in, N), broadcast over the population in the first layer
    offset = 0
    n_layers = len(spec.layers)
    for li, (i, o) in enumerate(spec.layers):
        w = p[:, offset: offset + o * i].view(pop, o, i)
        offset += o * i
        b = p[:, offset: offset + o].view(pop, o, 1)
        offset += o
        h = torch.addcmul(b, w, h) if i == 1 else torch.baddbmm(b, w, h.expand(pop, -1, -1))
        h = act(h) if li < n_layers - 1 else out_act(h)
    return h.transpose(1, 2)


def _forward_one(spec: MLPSpec, params: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """One network: a single `split` and one `F.linear` per layer. A gradient step is ~0.9 ms of
    small-op overhead on a CPU core, and slicing the flat vector layer by layer costs a zeros+copy
    per slice in the backward pass; this path measured 1.2-1.4x faster per step than the batched
    one with a population of one (1,741 parameters, 300 points; equal up to float rounding)."""
    act, out_act = ACTIVATIONS[spec.activation], ACTIVATIONS[spec.out_activation]
    parts = params.split([n for i, o in spec.layers for n in (o * i, o)])
    h = x
    last = len(spec.layers) - 1
    for li, (i, o) in enumerate(spec.layers):
        h = F.linear(h, parts[2 * li].view(o, i), parts[2 * li + 1])
        h = act(h) if li < last else out_act(h)
    return h


@dataclass
class MLPProblem:
    """MSE of an MLP on data (x (N, in), y (N, out)); scores one vector or a whole population.

    Populations are evaluated in chunks of `chunk` networks to bound memory (and stay in cache).
    """

    spec: MLPSpec
    x: torch.Tensor
    y: torch.Tensor
    chunk: int = 256

    @property
    def dim(self) -> int:
        return self.spec.n_params

    @property
    def n_data(self) -> int:
        return int(self.x.shape[0])

    def predict(self, params: torch.Tensor, x: torch.Tensor | None = None) -> torch.Tensor:
        return forward(self.spec, params, self.x if x is None else x)

    def loss(self, params: torch.Tensor, idx: torch.Tensor | None = None) -> torch.Tensor:
        x, y = (self.x, self.y) if idx is None else (self.x[idx], self.y[idx])
        if params.dim() == 1:
            return (forward(self.spec, params, x) - y).square().mean()
        return torch.cat([(forward(self.spec, params[i: i + self.chunk], x) - y).square().mean(dim=(1, 2))
                          for i in range(0, params.shape[0], self.chunk)])

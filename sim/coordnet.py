"""Coordinate networks: (x, y) -> intensity, a whole population as one (P, D) tensor.

The model of the image-fit experiment. Optional fixed random Fourier features turn the two
coordinates into [sin(2π·Bv), cos(2π·Bv)] (Tancik et al. 2020); B is drawn once from the
seed and is part of the model, not a trained parameter. Hidden layers of equal width are
joined by skip (residual) connections, h ← h + act(W·h + b), which keep a deep narrow net
trainable for gradient descent and keep a mutation of one layer from wiping out the rest.
The output goes through a sigmoid, so intensities live in [0, 1].

Parameter layout per layer: W (out, in) row-major, then b (out,), like torch.nn.Linear
(the same layout as sim/nets.py).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from sim.nets import ACTIVATIONS, check_activation


@dataclass(frozen=True)
class CoordNetSpec:
    """in_features (2, or 2·n_fourier with Fourier features), hidden width, depth, channels."""

    width: int
    depth: int                      # hidden layers (>= 1)
    channels: int = 1               # 1 = grey, 3 = RGB
    activation: str = "relu"
    skip: bool = True
    n_fourier: int = 0              # 0 = raw coordinates in [-1, 1]

    def __post_init__(self) -> None:
        if self.width < 1 or self.depth < 1 or self.channels not in (1, 3) or self.n_fourier < 0:
            raise ValueError(f"invalid CoordNetSpec {self}")
        check_activation(self.activation)

    @property
    def in_features(self) -> int:
        return 2 * self.n_fourier if self.n_fourier else 2

    @property
    def layers(self) -> list[tuple[int, int]]:
        sizes = [self.in_features] + [self.width] * self.depth + [self.channels]
        return list(itertools.pairwise(sizes))

    @property
    def n_params(self) -> int:
        return sum(i * o + o for i, o in self.layers)


def pixel_grid(height: int, width: int, dtype: torch.dtype = torch.float32,
               device: str | torch.device = "cpu") -> torch.Tensor:
    """Pixel-centre coordinates in [-1, 1], row-major (N = H·W, 2) as (x, y)."""
    ys = (torch.arange(height, dtype=dtype, device=device) + 0.5) / height * 2 - 1
    xs = (torch.arange(width, dtype=dtype, device=device) + 0.5) / width * 2 - 1
    yy, xx = torch.meshgrid(ys, xs, indexing="ij")
    return torch.stack([xx.reshape(-1), yy.reshape(-1)], dim=1)


def fourier_matrix(n: int, scale: float, generator: torch.Generator, dtype: torch.dtype = torch.float32,
                   device: str | torch.device = "cpu") -> torch.Tensor:
    """B (n, 2) ~ N(0, scale²): the fixed frequencies of the Fourier features."""
    return torch.randn((n, 2), generator=generator, dtype=dtype, device=device) * scale


def features(coords: torch.Tensor, fourier: torch.Tensor | None) -> torch.Tensor:
    """The network's input: raw coordinates, or [sin(2π·vBᵀ), cos(2π·vBᵀ)]."""
    if fourier is None or fourier.numel() == 0:
        return coords
    proj = 2 * math.pi * coords @ fourier.T
    return torch.cat([torch.sin(proj), torch.cos(proj)], dim=1)


def forward(spec: CoordNetSpec, params: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Intensities in [0, 1]: params (D,) -> (N, C), or a population (P, D) -> (P, N, C).

    x is the (N, in_features) input (see `features`), shared by the whole population.
    """
    single = params.dim() == 1
    if single:
        return _forward_one(spec, params, x)
    p = params.unsqueeze(0) if single else params
    pop = p.shape[0]
    act = ACTIVATIONS[spec.activation]
    offset = 0
    h = x.unsqueeze(0)
    last = len(spec.layers) - 1
    for li, (i, o) in enumerate(spec.layers):
        w = p[:, offset: offset + o * i].view(pop, o, i)
        offset += o * i
        b = p[:, offset: offset + o].view(pop, 1, o)
        offset += o
        z = torch.matmul(h, w.transpose(1, 2)) + b if li == 0 else torch.baddbmm(b, h, w.transpose(1, 2))
        h = _layer_out(spec, li, last, h, z, act)
    return h[0] if single else h


def _forward_one(spec: CoordNetSpec, params: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """One network (a gradient run's step): one `split` and one `F.linear` per layer, as
    sim/nets.py's single path. Slicing the flat vector layer by layer into batched matmuls of a
    population of one costs a zeros+copy per slice in the backward pass; an Adam step on the smiley
    preset measured 2.02 against 2.37 ms (median of 4 alternating runs, equal outputs)."""
    act = ACTIVATIONS[spec.activation]
    parts = params.split([n for i, o in spec.layers for n in (o * i, o)])
    h = x
    last = len(spec.layers) - 1
    for li, (i, o) in enumerate(spec.layers):
        h = _layer_out(spec, li, last, h, F.linear(h, parts[2 * li].view(o, i), parts[2 * li + 1]), act)
    return h


def _layer_out(spec: CoordNetSpec, li: int, last: int, h: torch.Tensor, z: torch.Tensor, act) -> torch.Tensor:
    """Layer LI's output from its pre-activation Z: sigmoid at the last, a residual h + act(z) between
    hidden layers with skips, else act(z)."""
    if li == last:
        return torch.sigmoid(z)
    if spec.skip and li > 0:
        return h + act(z)
    return act(z)


def to_uint8(values: torch.Tensor | np.ndarray) -> np.ndarray:
    """Intensities in [0, 1] -> uint8 (round half to even, clipped): how frames are quantised."""
    arr = values.detach().cpu().numpy() if isinstance(values, torch.Tensor) else np.asarray(values)
    return np.clip(np.rint(np.nan_to_num(arr.astype(np.float64), nan=0.0) * 255.0), 0, 255).astype(np.uint8)


CPU_TILE = 1 << 18   # hidden activations a tile holds on a CPU: it stays in a core's 1 MB L2 (stop 38)
GPU_TILE = 1 << 28   # a GPU scores a population in one tile


@dataclass
class ImageProblem:
    """MSE between a coordinate network's image and the target; scores one vector or a population.

    `x` are the input features of every pixel (N, in), `y` the target intensities (N, C).
    A population is scored in tiles of about `tile_elems` hidden activations (networks × pixels
    × width): on a CPU a tile that stays in cache (2^18) scores a round 1.5-1.7× faster than
    whole images, whose elementwise ops wait on memory (docs/render-speed.md, stop 38); a GPU
    gets one tile. One network (a gradient step) is scored whole: there tiles gained 1.03×.
    """

    spec: CoordNetSpec
    x: torch.Tensor
    y: torch.Tensor
    tile_elems: int = CPU_TILE

    @property
    def dim(self) -> int:
        return self.spec.n_params

    @property
    def n_data(self) -> int:
        return int(self.x.shape[0])

    def predict(self, params: torch.Tensor) -> torch.Tensor:
        return forward(self.spec, params, self.x)

    def loss(self, params: torch.Tensor, idx: torch.Tensor | None = None) -> torch.Tensor:
        """The mean squared error of one network (D,) -> (), or of each of a population (P, D) -> (P,)."""
        x, y = (self.x, self.y) if idx is None else (self.x[idx], self.y[idx])
        if params.dim() == 1:
            return (forward(self.spec, params, x) - y).square().mean()
        n = x.shape[0]
        rows = max(1, self.tile_elems // max(1, self.spec.width))  # network-pixel pairs per tile
        pixels = min(n, rows)
        scale = 1.0 / (n * y.shape[1])
        nets = max(1, rows // n)
        out = []
        for i in range(0, params.shape[0], nets):
            part, total = params[i: i + nets], None
            for a in range(0, n, pixels):
                err = (forward(self.spec, part, x[a: a + pixels]) - y[a: a + pixels]).square().sum(dim=(1, 2))
                total = err if total is None else total + err
            out.append(total * scale)
        return torch.cat(out)

    def images(self, params: torch.Tensor, height: int, width: int) -> np.ndarray:
        """uint8 images (F, H, W[, 3]) of the networks params (F, D), without gradients."""
        chunk = max(1, self.tile_elems // max(1, self.n_data * self.spec.width))
        with torch.no_grad():
            out = torch.cat([forward(self.spec, params[i: i + chunk], self.x) for i in range(0, len(params), chunk)])
        img = to_uint8(out).reshape(len(params), height, width, self.spec.channels)
        return img[..., 0] if self.spec.channels == 1 else img

"""A shared 1-D regression task for the measurement experiments (hyperparameters, dimensions, saddles).

An MLP from `sim.nets` fits a target y = f(x) typed by the user (parsed with the whitelist in
`sim.expr`, never eval'ed) on evenly spaced points of an interval, by mean squared error.
"""

from __future__ import annotations

import math

import torch
from pydantic import Field, model_validator

from sim.config import Activation, Strict
from sim.expr import parse_expression
from sim.nets import MLPProblem, MLPSpec


class Task1D(Strict):
    """y = target(x) on `points` evenly spaced x in `x_range`."""

    target: str = "sin(x)"
    x_range: tuple[float, float] = (-2.0, 2.0)
    points: int = Field(default=32, ge=2, le=10_000)

    @model_validator(mode="after")
    def _ordered(self) -> Task1D:
        lo, hi = self.x_range
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            raise ValueError(f"x_range must be [low, high] with low < high, got {[lo, hi]}")
        return self

    def data(self, dtype: torch.dtype = torch.float64, device: str = "cpu") -> tuple[torch.Tensor, torch.Tensor]:
        """(x, y) as (N, 1) tensors; a target that is not finite on the interval is a ConfigError."""
        from sim.errors import ConfigError

        fn = parse_expression(self.target, field="task.target")
        x = torch.linspace(self.x_range[0], self.x_range[1], self.points, dtype=torch.float64)
        y = fn(x)
        if not bool(torch.isfinite(y).all()):
            raise ConfigError(f"task.target: {self.target!r} is not finite everywhere on x_range {list(self.x_range)}")
        return x.to(dtype=dtype, device=device).unsqueeze(1), y.to(dtype=dtype, device=device).unsqueeze(1)

    def problem(self, spec: MLPSpec, dtype: torch.dtype = torch.float64, device: str = "cpu") -> MLPProblem:
        x, y = self.data(dtype, device)
        return MLPProblem(spec, x, y)


class Net(Strict):
    """An MLP: layer sizes (1, hidden..., 1), the hidden and the output activation.

    sizes (1, 1) with out_activation "tanh" is the video's 2-parameter network tanh(a·x + b).
    """

    sizes: tuple[int, ...] = Field(min_length=2, max_length=8)
    activation: Activation = "tanh"
    out_activation: Activation = "identity"

    @model_validator(mode="after")
    def _valid(self) -> Net:
        if self.sizes[0] != 1 or self.sizes[-1] != 1:
            raise ValueError(f"sizes must start and end with 1 (a 1-D function), got {list(self.sizes)}")
        if any(s < 1 or s > 4096 for s in self.sizes):
            raise ValueError(f"layer sizes must be in 1..4096, got {list(self.sizes)}")
        return self

    @property
    def spec(self) -> MLPSpec:
        return MLPSpec(tuple(self.sizes), self.activation, self.out_activation)

    @property
    def label(self) -> str:
        label = "-".join(str(s) for s in self.sizes)
        return label if self.out_activation == "identity" else f"{self.out_activation}({label})"

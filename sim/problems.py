"""What is scored, kept apart from how candidates are proposed (EvoTorch's problem/searcher split).

A problem scores a whole batch of parameter vectors in one vectorized call: the same function
serves a single gradient step (shape (d,)), an evolution population (P, d) and a landscape grid.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from sim.expr import Expr


class CurveFit:
    """MSE of a 2-parameter curve f(x; a, b) on points (x, y); subclasses define `predict`."""

    x: torch.Tensor
    y: torch.Tensor
    dim: int = 2

    def predict(self, params: torch.Tensor, x: torch.Tensor | None = None) -> torch.Tensor:
        raise NotImplementedError

    def loss(self, params: torch.Tensor, idx: torch.Tensor | None = None) -> torch.Tensor:
        """Mean squared error for params (..., 2) -> (...); idx selects a mini-batch of points."""
        x, y = (self.x, self.y) if idx is None else (self.x[idx], self.y[idx])
        return (self.predict(params, x) - y).square().mean(dim=-1)

    @property
    def n_data(self) -> int:
        return int(self.x.numel())


@dataclass
class TanhCurve(CurveFit):
    """The video's 2-parameter network f(x) = tanh(a·x + b), fitted by MSE to points (x, y)."""

    x: torch.Tensor
    y: torch.Tensor
    dim: int = 2

    def predict(self, params: torch.Tensor, x: torch.Tensor | None = None) -> torch.Tensor:
        """Network output for params of shape (..., 2) at x (n,) -> (..., n)."""
        x = self.x if x is None else x
        return torch.tanh(params[..., :1] * x + params[..., 1:2])


@dataclass
class ExprCurve(CurveFit):
    """A 2-parameter model f(x; a, b) given as a parsed expression, fitted by MSE to points (x, y)."""

    model: Expr
    x: torch.Tensor
    y: torch.Tensor
    dim: int = 2

    def predict(self, params: torch.Tensor, x: torch.Tensor | None = None) -> torch.Tensor:
        """Model output for params of shape (..., 2) at x (n,) -> (..., n)."""
        a, b, xx = torch.broadcast_tensors(params[..., :1], params[..., 1:2], self.x if x is None else x)
        return self.model(a, b, xx)

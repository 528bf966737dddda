"""The loss landscape of a 2-parameter problem over a grid, in one vectorized call."""

from __future__ import annotations

import numpy as np
import torch


def landscape_grid(loss_fn, a_range: tuple[float, float], b_range: tuple[float, float], resolution: int,
                   device: str = "cpu") -> dict[str, np.ndarray]:
    """Loss at every (a, b) of a resolution×resolution grid: rows are b, columns are a."""
    a = torch.linspace(a_range[0], a_range[1], resolution, dtype=torch.float64, device=device)
    b = torch.linspace(b_range[0], b_range[1], resolution, dtype=torch.float64, device=device)
    bb, aa = torch.meshgrid(b, a, indexing="ij")
    loss = loss_fn(torch.stack([aa, bb], dim=-1))
    flat = int(torch.argmin(loss))
    i, j = divmod(flat, resolution)
    return {
        "landscape/a": a.cpu().numpy(),
        "landscape/b": b.cpu().numpy(),
        "landscape/loss": loss.cpu().numpy(),
        "landscape/min": np.array([a[j].item(), b[i].item()]),
        "landscape/min_loss": np.array(loss[i, j].item()),
    }

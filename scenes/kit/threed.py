"""3D views for chapters: a ChapterScene with a 3D camera, and the loss as a coloured surface."""

from __future__ import annotations

import numpy as np
from manim import Surface, ThreeDAxes, ThreeDScene
from matplotlib import colormaps

from scenes.kit.base import ChapterScene
from scenes.kit.camera import KitThreeDCamera
from scenes.kit.landscape import log_loss
from scenes.kit.style import COLORMAP


class ChapterThreeDScene(ChapterScene, ThreeDScene):
    """ChapterScene (self.trace, self.beat) with ThreeDScene's camera: same API, plus 3D."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("camera_class", KitThreeDCamera)   # before ChapterScene's 2D default
        super().__init__(*args, **kwargs)


def loss_surface(axes: ThreeDAxes, a: np.ndarray, b: np.ndarray, loss: np.ndarray, samples: int = 25,
                 cmap: str = COLORMAP, opacity: float = 0.95) -> Surface:
    """The recorded landscape grid as a surface, sampled at about SAMPLES points per side (cairo
    draws every face: keep it modest) plus the grid's minimum. Height is the heatmap's normalised
    log loss, 0 (lowest) to 1 (highest): put it on axes with z_range [0, 1]. Faces are coloured
    with the same colormap and normalisation as the heatmap (the mean of their corners).

    `surface.heights[i, j]` is the height at (a[ia[j]], b[ib[i]]); `ia`, `ib` the used grid indices.
    """
    i_min, j_min = np.unravel_index(int(np.argmin(loss)), loss.shape)
    ia = np.unique(np.append(np.linspace(0, len(a) - 1, min(samples, len(a))).round().astype(int), j_min))
    ib = np.unique(np.append(np.linspace(0, len(b) - 1, min(samples, len(b))).round().astype(int), i_min))
    z = normalized_log_loss(loss)[np.ix_(ib, ia)]

    def func(u: float, v: float) -> np.ndarray:
        j, i = round(u), round(v)
        return axes.c2p(float(a[ia[j]]), float(b[ib[i]]), float(z[i, j]))

    surface = Surface(func, u_range=(0, len(ia) - 1), v_range=(0, len(ib) - 1),
                      resolution=(len(ia) - 1, len(ib) - 1), checkerboard_colors=False,
                      stroke_width=0.3, stroke_color="#000000", fill_opacity=opacity)
    colors = colormaps[cmap]
    for face in surface.list_of_faces:
        j, i = face.u_index, face.v_index
        mean = float(z[i:i + 2, j:j + 2].mean())
        face.set_fill(_hex(colors(mean)), opacity=opacity)
        face.norm_value = mean
    surface.heights, surface.ia, surface.ib = z, ia, ib
    return surface


def normalized_log_loss(loss: np.ndarray) -> np.ndarray:
    """The heatmap's colour coordinate: log loss scaled to [0, 1] over the grid."""
    z = log_loss(loss)
    return (z - z.min()) / max(float(np.ptp(z)), 1e-12)


def surface_height(loss_grid: np.ndarray, value: float) -> float:
    """Height on the surface (0..1) of a loss VALUE, with the grid's normalisation."""
    z = log_loss(loss_grid)
    return float((log_loss(np.array(value)) - z.min()) / max(float(np.ptp(z)), 1e-12))


def _hex(rgba) -> str:
    r, g, b = (round(float(c) * 255) for c in rgba[:3])
    return f"#{r:02x}{g:02x}{b:02x}"

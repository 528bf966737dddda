"""Parameter space pieces: the (a, b) plane, predictions at the data points, residuals.

Everything here only *reads* a trace. The network's outputs at the data points are taken from
a run's recorded `curve` (the sine-2d trace records the curve on a grid that contains every
data point); nothing is re-computed in the scene.
"""

from __future__ import annotations

import numpy as np
from manim import RIGHT, UP, Axes, Dot, Line, ManimColor, MathTex, NumberPlane, VGroup

from scenes.kit.style import PALETTE, TEX_LABEL_SIZE, TEXT_COLOR, TICK_SIZE
from sim.errors import TraceError
from sim.trace import Trace

RESIDUAL_COLOR = ManimColor(PALETTE.residual)   # residuals are neither an optimizer nor data


def fmt_param(value: float) -> str:
    """A parameter with 2 decimals, never '-0.00'."""
    value = float(value)
    return f"{0.0 if abs(value) < 0.005 else value:.2f}"


def data_indices(trace: Trace) -> np.ndarray:
    """Index of every data point x_i in `data/curve_x` (the recorded curves' grid)."""
    cx, xs = trace["data/curve_x"], trace["data/x"]
    idx = np.array([int(np.argmin(np.abs(cx - x))) for x in xs])
    gap = np.abs(cx[idx] - xs)
    if np.any(gap > 1e-9 * max(1.0, float(np.ptp(cx)))):
        raise TraceError(f"trace {trace.experiment}: data/curve_x does not contain every data point "
                         "(the residual scenes read predictions from the recorded curves)")
    return idx


def predictions(trace: Trace, run: str, step: int) -> np.ndarray:
    """The network's recorded outputs f(x_i) at the data points after STEP of RUN."""
    return trace.run(run)["curve"][step][data_indices(trace)]


class ParamPlane(VGroup):
    """The (a, b) plane as labelled axes over a faint grid; `point(params)` gives scene coords."""

    def __init__(self, a_range: tuple[float, float], b_range: tuple[float, float], side: float = 5.6,
                 step: float = 1.0) -> None:
        super().__init__()
        cfg = {"include_numbers": True, "font_size": TICK_SIZE, "decimal_number_config": {"num_decimal_places": 0},
               "stroke_width": 2}
        self.axes = Axes(x_range=[a_range[0], a_range[1], step], y_range=[b_range[0], b_range[1], step],
                         x_length=side, y_length=side, tips=False, axis_config=cfg)
        self.grid = NumberPlane(x_range=[a_range[0], a_range[1], step], y_range=[b_range[0], b_range[1], step],
                                x_length=side, y_length=side,
                                background_line_style={"stroke_color": TEXT_COLOR, "stroke_width": 1,
                                                       "stroke_opacity": 0.15},
                                axis_config={"stroke_opacity": 0})
        self.grid.move_to(self.axes.c2p((a_range[0] + a_range[1]) / 2, (b_range[0] + b_range[1]) / 2))
        self.x_label = MathTex("a", font_size=TEX_LABEL_SIZE).next_to(self.axes.x_axis.get_right(), RIGHT, buff=0.15)
        self.y_label = MathTex("b", font_size=TEX_LABEL_SIZE).next_to(self.axes.y_axis.get_top(), UP, buff=0.1)
        self.add(self.grid, self.axes, self.x_label, self.y_label)

    def point(self, params: np.ndarray) -> np.ndarray:
        """Scene coordinates of (a, b); a run that leaves the plane stays at its edge (as on a landscape)."""
        (a0, a1), (b0, b1) = self.axes.x_range[:2], self.axes.y_range[:2]
        a = float(np.clip(np.nan_to_num(params[0], nan=a1), a0, a1))
        b = float(np.clip(np.nan_to_num(params[1], nan=b1), b0, b1))
        return self.axes.c2p(a, b)

    def contains(self, params: np.ndarray, margin: float = 0.0) -> bool:
        (a0, a1), (b0, b1) = self.axes.x_range[:2], self.axes.y_range[:2]
        return bool(a0 + margin <= params[0] <= a1 - margin and b0 + margin <= params[1] <= b1 - margin)


def residual_segments(axes: Axes, xs: np.ndarray, ys: np.ndarray, preds: np.ndarray,
                      color: ManimColor = RESIDUAL_COLOR, width: float = 5) -> VGroup:
    """One vertical segment per data point, from (x_i, y_i) to (x_i, f(x_i))."""
    group = VGroup()
    lo, hi = axes.y_range[:2]   # a prediction off the axes is drawn to the axes' edge
    for x, y, p in zip(xs, ys, preds, strict=True):
        start, end = axes.c2p(float(x), float(np.clip(y, lo, hi))), axes.c2p(float(x), float(np.clip(p, lo, hi)))
        if np.linalg.norm(end - start) < 1e-3:
            end = start + 1e-3 * np.array([0, 1, 0])
        group.add(Line(start, end, color=color, stroke_width=width).set_z_index(3))
    return group


def prediction_dots(axes: Axes, xs: np.ndarray, preds: np.ndarray, color: ManimColor) -> VGroup:
    return VGroup(*[Dot(axes.c2p(float(x), float(p)), radius=0.06, color=color).set_z_index(5)
                    for x, p in zip(xs, preds, strict=True)])

"""Side panels: the network's curve against the data, read-outs, legends."""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Axes,
    Dot,
    Line,
    ManimColor,
    MathTex,
    Star,
    Text,
    VGroup,
    VMobject,
)

from scenes.kit.style import DATA_COLOR, LABEL_SIZE, MUTED, SMALL_SIZE, TARGET_COLOR, TEXT_COLOR


class CurvePanel(VGroup):
    """Axes with the data points, the faint target, and curves drawn from recorded outputs."""

    def __init__(self, curve_x: np.ndarray, target: np.ndarray, data_x: np.ndarray, data_y: np.ndarray,
                 width: float = 5.0, height: float = 3.0, y_range: tuple[float, float] = (-1.5, 1.5)) -> None:
        super().__init__()
        self.curve_x = curve_x
        self.axes = Axes(
            x_range=[float(curve_x[0]), float(curve_x[-1]), 1], y_range=[y_range[0], y_range[1], 1],
            x_length=width, y_length=height, tips=False,
            axis_config={"include_numbers": True, "font_size": 18, "stroke_width": 2},
        )
        self.target = self.curve(target, TARGET_COLOR, width=2).set_stroke(opacity=0.6)
        self.dots = VGroup(*[Dot(self.axes.c2p(float(x), float(y)), radius=0.07, color=DATA_COLOR)
                             for x, y in zip(data_x, data_y, strict=True)]).set_z_index(4)
        self.x_label = MathTex("x", font_size=LABEL_SIZE).next_to(self.axes.x_axis, RIGHT, buff=0.1)
        self.y_label = MathTex("f(x)", font_size=LABEL_SIZE).next_to(self.axes.y_axis, UP, buff=0.1)
        self.add(self.axes, self.target, self.dots, self.x_label, self.y_label)

    def curve(self, values: np.ndarray, color: ManimColor, width: float = 4) -> VMobject:
        lo, hi = self.axes.y_range[0], self.axes.y_range[1]
        ys = np.clip(values, lo, hi)
        pts = [self.axes.c2p(float(x), float(y)) for x, y in zip(self.curve_x, ys, strict=True)]
        return VMobject(stroke_color=color, stroke_width=width).set_points_smoothly(pts)


def readout(label: str, color: ManimColor, fields: list[tuple[str, str]], size: int = SMALL_SIZE - 1,
            max_width: float = 5.6) -> VGroup:
    """'● SGD   step 12   loss 0.1234' as one row; values are strings already formatted from a trace."""
    swatch = Dot(radius=0.09, color=color)
    name = Text(label, font_size=size, color=TEXT_COLOR, weight="BOLD")
    parts = [swatch, name]
    parts.append(Text(" · ".join(f"{key} {value}" for key, value in fields), font_size=size, color=TEXT_COLOR))
    row = VGroup(*parts).arrange(RIGHT, buff=0.18)
    if row.width > max_width:
        row.scale_to_fit_width(max_width)
    return row


def legend(entries: list[tuple[str, ManimColor] | tuple[str, ManimColor, str]], size: int = SMALL_SIZE) -> VGroup:
    """A vertical legend: (label, colour[, 'line' | 'dot' | 'star']) rows."""
    rows = VGroup()
    for text, color, *shape in entries:
        kind = shape[0] if shape else "line"
        if kind == "dot":
            sw = Dot(radius=0.08, color=color)
        elif kind == "star":
            sw = Star(n=5, outer_radius=0.12, color=color, fill_opacity=1, stroke_width=1)
        else:
            sw = Line(LEFT * 0.2, RIGHT * 0.2, color=color, stroke_width=6)
        rows.add(VGroup(sw, Text(text, font_size=size, color=TEXT_COLOR)).arrange(RIGHT, buff=0.15))
    return rows.arrange(DOWN, aligned_edge=LEFT, buff=0.12)


def fmt_loss(value: float) -> str:
    """Loss as a short readable string (scientific below 1e-3)."""
    if not np.isfinite(value):
        return "diverged"
    return f"{value:.4f}" if value >= 1e-3 else f"{value:.1e}"


__all__ = ["MUTED", "CurvePanel", "fmt_loss", "legend", "readout"]

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

from scenes.kit.layout import axes_points, boxes_meet, data_range, fit_width, nice_range
from scenes.kit.layout import label as label_text
from scenes.kit.style import (
    DATA_COLOR,
    MIN_TEXT_SIZE,
    MUTED,
    SMALL_SIZE,
    TARGET_COLOR,
    TEX_LABEL_SIZE,
    TEXT_COLOR,
    TICK_SIZE,
)


class CurvePanel(VGroup):
    """Axes with the data points, the target (thinner than a network's curve, but opaque: at 60 %
    opacity the light theme's grey target had 2:1 contrast with the background, under the 3:1 a
    mark the narration points at needs), and curves drawn from recorded outputs.

    The y range (with round ticks) comes from the target, the data and `curves` (the recorded
    curves the scene will show), unless `y_range` is given; the x range from `curve_x`. Tick
    counts follow the panel's size, so small panels keep readable labels.
    """

    def __init__(self, curve_x: np.ndarray, target: np.ndarray, data_x: np.ndarray, data_y: np.ndarray,
                 width: float = 5.0, height: float = 3.0, y_range: tuple[float, float] | None = None,
                 curves: tuple[np.ndarray, ...] | list = (), font_size: int = TICK_SIZE,
                 numbers_at_edges: bool = True) -> None:
        super().__init__()
        self.curve_x = curve_x
        if y_range is None:
            lo, hi = data_range(target, data_y)
            span = max(hi - lo, 1e-9)
            # recorded curves widen the range, but a wild one (diverged) does not squash the data
            c_lo, c_hi = data_range(*curves) if len(curves) else (lo, hi)
            lo, hi = max(min(lo, c_lo), lo - span), min(max(hi, c_hi), hi + span)
        else:
            lo, hi = y_range
        y_lo, y_hi, y_step, y_dec = nice_range(lo, hi, nbins=max(2, int(height / 0.8)))
        x_lo, x_hi, x_step, x_dec = nice_range(float(np.min(curve_x)), float(np.max(curve_x)),
                                               nbins=max(2, int(width / 1.1)))
        self.axes = Axes(
            x_range=[x_lo, x_hi, x_step], y_range=[y_lo, y_hi, y_step], x_length=width, y_length=height, tips=False,
            axis_config={"include_numbers": True, "font_size": font_size, "stroke_width": 2},
            x_axis_config={"decimal_number_config": {"num_decimal_places": x_dec}},
            y_axis_config={"decimal_number_config": {"num_decimal_places": y_dec}},
        )
        self.target = self.curve(target, TARGET_COLOR, width=3)
        self.dots = VGroup(*[Dot(self.axes.c2p(float(x), float(np.clip(y, y_lo, y_hi))), radius=0.07,
                                 color=DATA_COLOR) for x, y in zip(data_x, data_y, strict=True)]).set_z_index(4)
        self.x_label = MathTex("x", font_size=TEX_LABEL_SIZE).next_to(self.axes.x_axis, RIGHT, buff=0.1)
        self.y_label = MathTex("f(x)", font_size=TEX_LABEL_SIZE).next_to(self.axes.y_axis, UP, buff=0.1)
        if numbers_at_edges:
            self._numbers_to_edges()
        self.add(self.axes, self.target, self.dots, self.x_label, self.y_label)

    def _numbers_to_edges(self) -> None:
        """The numbers beside the panel's left and bottom edges: at the axes, which cross mid-panel, the
        curves ran through them (a sine crosses both axes again and again)."""
        (x_lo, _), (y_lo, _) = self.axes.x_range[:2], self.axes.y_range[:2]
        left, bottom = (float(v) for v in self.axes.c2p(x_lo, y_lo)[:2])
        for axis in (self.axes.x_axis, self.axes.y_axis):   # 0 too: it no longer sits where the axes cross
            lo, hi, step = axis.x_range[:3]
            values = [v for v in np.arange(lo, hi + step / 2, step) if lo - 1e-9 <= v <= hi + 1e-9]
            axis.remove(axis.numbers)
            axis.add_numbers(x_values=values, excluding=[])
        for number in self.axes.y_axis.numbers:
            number.shift(RIGHT * (left - 0.12 - float(number.get_right()[0])))
        for number in self.axes.x_axis.numbers:
            number.shift(UP * (bottom - 0.2 - float(number.get_top()[1])))
        for number in list(self.axes.y_axis.numbers):   # a y number meeting x's first at the corner: x's stays
            if any(boxes_meet(number, other, 0.05) for other in self.axes.x_axis.numbers):
                self.axes.y_axis.numbers.remove(number)

    def curve_points(self, values: np.ndarray) -> np.ndarray:
        """A recorded curve's scene points (N, 3), clipped to the axes (non-finite values at the edge)."""
        lo, hi = self.axes.y_range[0], self.axes.y_range[1]
        ys = np.clip(np.nan_to_num(values, nan=hi, posinf=hi, neginf=lo), lo, hi)
        return axes_points(self.axes, self.curve_x, ys)

    def curve(self, values: np.ndarray, color: ManimColor, width: float = 4, corners: bool = False) -> VMobject:
        """A recorded curve, clipped to the axes; `corners` for piecewise-constant outputs (a smooth
        spline would ring at the jumps)."""
        pts = list(self.curve_points(values))
        mob = VMobject(stroke_color=color, stroke_width=width)
        return mob.set_points_as_corners(pts) if corners else mob.set_points_smoothly(pts)


def readout(label: str, color: ManimColor, fields: list[tuple[str, str]], size: int = SMALL_SIZE,
            max_width: float = 5.6) -> VGroup:
    """'● SGD   step 12   loss 0.1234' as one row; values are strings already formatted from a trace.

    A row wider than `max_width` puts the fields under the name (a long run label, cut to one line
    with "…"), then shrinks.
    """
    swatch = Dot(radius=0.09, color=color)
    name = Text(label, font_size=size, color=TEXT_COLOR, weight="BOLD")
    values = Text(" · ".join(f"{key} {value}" for key, value in fields), font_size=size, color=TEXT_COLOR)
    row = VGroup(swatch, name, values).arrange(RIGHT, buff=0.18)
    if row.width > max_width:   # a long label: wrapped on its own line(s), the fields below it
        name = label_text(label, max_width - 0.36, size, min_size=min(size, MIN_TEXT_SIZE), max_lines=1,
                          color=TEXT_COLOR, weight="BOLD")
        head = VGroup(swatch, name).arrange(RIGHT, buff=0.18)
        swatch.align_to(name, UP).shift(DOWN * 0.06)
        row = VGroup(head, values).arrange(DOWN, aligned_edge=LEFT, buff=0.08)
        values.align_to(name, LEFT)
    return fit_width(row, max_width)


def legend(entries: list[tuple[str, ManimColor] | tuple[str, ManimColor, str]], size: int = SMALL_SIZE,
           max_width: float = 6.2) -> VGroup:
    """A vertical legend: (label, colour[, 'line' | 'dot' | 'star']) rows; long labels wrap to `max_width`."""
    rows = VGroup()
    for text, color, *shape in entries:
        kind = shape[0] if shape else "line"
        if kind == "dot":   # outlined, so a white marker still shows on the light theme
            sw = Dot(radius=0.08, color=color).set_stroke(TEXT_COLOR, 1)
        elif kind == "star":
            sw = Star(n=5, outer_radius=0.12, color=color, fill_opacity=1, stroke_width=1).set_stroke(TEXT_COLOR, 1)
        else:
            sw = Line(LEFT * 0.2, RIGHT * 0.2, color=color, stroke_width=6)
        words = label_text(text, max_width - sw.width - 0.15, size, min_size=min(size, MIN_TEXT_SIZE), max_lines=2,
                           color=TEXT_COLOR)
        multi = "\n" in getattr(words, "original_text", "")
        row = VGroup(sw, words).arrange(RIGHT, buff=0.15)
        if multi:   # the swatch beside the first line
            sw.align_to(words, UP).shift(DOWN * 0.08)
        rows.add(row)
    return rows.arrange(DOWN, aligned_edge=LEFT, buff=0.12)


def fmt_loss(value: float) -> str:
    """Loss as a short readable string (scientific below 1e-3 and from 1e4: a run that blew up)."""
    if not np.isfinite(value):
        return "diverged"
    return f"{value:.4f}" if 1e-3 <= value < 1e4 else f"{value:.1e}"


__all__ = ["MUTED", "CurvePanel", "fmt_loss", "legend", "readout"]


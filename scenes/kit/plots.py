"""Loss plots: loss (log scale) against steps, evaluations or seconds, one curve per run."""

from __future__ import annotations

import math
from itertools import pairwise

import numpy as np
from manim import DOWN, LEFT, Axes, ManimColor, Text, VGroup, VMobject
from manim.mobject.graphing.scale import LogBase

from scenes.kit.layout import axes_points
from scenes.kit.style import SMALL_SIZE, TEXT_COLOR, TICK_SIZE


class LossPlot(VGroup):
    """Axes with a log-scale loss axis. `curve(xs, losses, colour)` draws a run's recorded loss.

    Non-finite or out-of-range losses are clipped to the plot (a diverged run runs off the top).
    """

    def __init__(self, x_max: float, loss_min: float, loss_max: float, width: float = 5.5, height: float = 3.2,
                 x_label: str = "step", y_label: str = "loss", x_step: float | None = None,
                 font_size: int = SMALL_SIZE, tick_size: int = TICK_SIZE) -> None:
        super().__init__()
        lo = math.floor(math.log10(max(loss_min, 1e-12)))
        hi = math.ceil(math.log10(max(loss_max, loss_min * 10, 1e-11)))
        if hi <= lo:
            hi = lo + 1
        self.lo, self.hi, self.x_max = lo, hi, float(x_max)
        step = x_step or _nice_step(x_max)
        # a decade label about every half unit at most: a short plot labels every other decade, or fewer
        y_step = max(1, math.ceil((hi - lo) / max(1, min(5, int(height / 0.5)))))
        self.axes = Axes(
            x_range=[0, x_max, step], y_range=[lo, hi, y_step], x_length=width, y_length=height, tips=False,
            x_axis_config={"include_numbers": True, "font_size": tick_size,
                           "decimal_number_config": {"num_decimal_places": 0}},
            y_axis_config={"scaling": LogBase(custom_labels=True), "include_numbers": True, "font_size": tick_size},
        )
        thin_labels(self.axes.x_axis.numbers)
        self.x_label = Text(x_label, font_size=font_size, color=TEXT_COLOR).next_to(self.axes.x_axis, DOWN, buff=0.35)
        self.y_label = Text(y_label, font_size=font_size, color=TEXT_COLOR).rotate(math.pi / 2)
        self.y_label.next_to(self.axes.y_axis, LEFT, buff=0.55)
        self.add(self.axes, self.x_label, self.y_label)

    def point(self, x: float, loss: float) -> np.ndarray:
        """Scene coordinates of (x, loss), clipped into the plot."""
        return self.plot_points(np.array([x], dtype=float), np.array([loss], dtype=float))[0]

    def plot_points(self, xs: np.ndarray, losses: np.ndarray) -> np.ndarray:
        """Scene coordinates (N, 3) of each (x, loss), clipped into the plot (a non-finite loss at its
        top), placed by one axes call (one per point took 1.5 of a ch11 plan's 12 s)."""
        losses = np.asarray(losses, dtype=float)
        ys = np.clip(np.where(np.isfinite(losses), losses, 10.0 ** self.hi), 10.0 ** self.lo, 10.0 ** self.hi)
        return axes_points(self.axes, np.clip(np.asarray(xs, dtype=float), 0, self.x_max), ys)

    def curve(self, xs: np.ndarray, losses: np.ndarray, color: ManimColor, width: float = 4) -> VMobject:
        """The recorded loss curve as a polyline (subsampled to at most 400 points)."""
        idx = np.unique(np.linspace(0, len(xs) - 1, min(len(xs), 400)).astype(int))
        pts = list(self.plot_points(np.asarray(xs)[idx], np.asarray(losses)[idx]))
        if len(pts) == 1:
            pts = pts * 2
        return VMobject(stroke_color=color, stroke_width=width).set_points_as_corners(pts)


LABEL_GAP = 0.12   # the least space between two tick labels, in scene units (about a space at TICK_SIZE)


def thin_labels(numbers: VGroup, gap: float = LABEL_GAP) -> VGroup:
    """Drop every other tick label (the last kept) until no two neighbours are closer than GAP: a
    narrow plot of a large budget wrote "10,00015,000". The ticks stay; NUMBERS keeps what is shown."""
    labels = list(numbers.submobjects)

    def crowded(kept: list) -> bool:
        return any(a.get_right()[0] + gap > b.get_left()[0] for a, b in pairwise(kept))

    while len(labels) > 1 and crowded(labels):
        labels = labels[::-1][::2][::-1]   # every other one, counted from the last
    numbers.submobjects = labels
    return numbers


def _nice_step(span: float) -> float:
    raw = span / 5
    mag = 10 ** math.floor(math.log10(max(raw, 1e-9)))
    for m in (1, 2, 5, 10):
        if raw <= m * mag:
            return float(m * mag)
    return float(10 * mag)



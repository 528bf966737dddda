"""The loss landscape as one heatmap image with contour lines and the global minimum marked."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
from manim import (
    DEGREES,
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Axes,
    Create,
    FadeIn,
    ImageMobject,
    MathTex,
    NumberLine,
    Star,
    VGroup,
    VMobject,
)
from matplotlib import colormaps
from skimage.measure import find_contours

from scenes.kit.layout import axes_points, boxes_meet
from scenes.kit.style import COLORMAP, MINIMUM_COLOR, TEX_LABEL_SIZE, TICK_SIZE


def log_loss(loss: np.ndarray) -> np.ndarray:
    """Loss on a log scale, so the valley floor and the plateaus are both readable."""
    return np.log10(np.maximum(loss, 0.0) + 1e-3)


def heatmap_rgba(loss: np.ndarray, cmap: str = COLORMAP) -> np.ndarray:
    """(rows=b ascending, cols=a) loss grid -> RGBA uint8 image with row 0 at the top."""
    z = log_loss(loss)
    z = (z - z.min()) / max(float(np.ptp(z)), 1e-12)
    rgba = (colormaps[cmap](z) * 255).astype(np.uint8)
    return rgba[::-1]


class LandscapeView(VGroup):
    """Axes over (a, b) with the heatmap behind them, contour lines and a star at the minimum.

    `self.heatmap` is an ImageMobject (kept outside the VGroup: add it to the scene first).
    """

    def __init__(self, a: np.ndarray, b: np.ndarray, loss: np.ndarray, minimum: np.ndarray,
                 side: float = 6.0, levels: int = 8, **kwargs) -> None:
        super().__init__(**kwargs)
        a_lo, a_hi, b_lo, b_hi = float(a[0]), float(a[-1]), float(b[0]), float(b[-1])
        step = _nice_step(a_hi - a_lo, side)
        # Invisible axes give the coordinates; visible number lines frame the image at its
        # bottom and left edges (manim's Axes would cross in the middle of the heatmap).
        self.axes = Axes(x_range=[a_lo, a_hi, step], y_range=[b_lo, b_hi, _nice_step(b_hi - b_lo, side)],
                         x_length=side, y_length=side, tips=False, axis_config={"stroke_opacity": 0})
        b_step = _nice_step(b_hi - b_lo, side)
        x_axis = NumberLine(x_range=[a_lo, a_hi, step], length=side, include_numbers=True,
                            decimal_number_config={"num_decimal_places": _decimals(a_lo, step)}, font_size=TICK_SIZE)
        y_axis = NumberLine(x_range=[b_lo, b_hi, b_step], length=side, include_numbers=True,
                            rotation=90 * DEGREES, label_direction=LEFT,
                            decimal_number_config={"num_decimal_places": _decimals(b_lo, b_step)},
                            font_size=TICK_SIZE)
        # Placed by their lines, not their boxes (which hold the numbers): the lines lie on the image's edges.
        corner = self.axes.c2p(a_lo, b_lo)
        x_axis.shift(corner - x_axis.n2p(a_lo))
        y_axis.shift(corner - y_axis.n2p(b_lo))
        for number in list(y_axis.numbers):   # the two lowest numbers meet at the corner: a's stays
            if any(boxes_meet(number, other) for other in x_axis.numbers):
                y_axis.numbers.remove(number)
        self.frame = VGroup(x_axis, y_axis)
        self.a, self.b, self.rgba = np.asarray(a), np.asarray(b), heatmap_rgba(loss)
        self.heatmap = ImageMobject(self.rgba)
        self.heatmap.stretch_to_fit_width(side).stretch_to_fit_height(side)
        self.heatmap.move_to(self.axes.c2p((a_lo + a_hi) / 2, (b_lo + b_hi) / 2))
        self.contours = self._contours(a, b, loss, levels)
        self.minimum = Star(n=5, outer_radius=0.16, color=MINIMUM_COLOR, fill_opacity=1, stroke_width=1)
        self.minimum.move_to(self.axes.c2p(*minimum))
        self.min_label = self._min_label(x_axis, y_axis)
        # Beside the axes' numbers (which the number lines' boxes include): legible ticks take the room.
        self.x_label = MathTex("a", font_size=TEX_LABEL_SIZE).next_to(x_axis, DOWN, buff=0.2)
        self.y_label = self._y_letter(y_axis)
        self.add(self.contours, self.axes, self.frame, self.minimum, self.min_label, self.x_label, self.y_label)

    @staticmethod
    def _y_letter(y_axis: NumberLine) -> MathTex:
        """'b' in the numbers' column, in the gap between two numbers nearest the axis's middle (beside
        the numbers it would push the map off a frame's edge now that the lines lie on the image's edges)."""
        letter = MathTex("b", font_size=TEX_LABEL_SIZE)
        numbers = sorted(y_axis.numbers, key=lambda n: n.get_center()[1])
        gaps = [(lo.get_top()[1], hi.get_bottom()[1]) for lo, hi in pairwise(numbers)]
        gaps = [(lo, hi) for lo, hi in gaps if hi - lo >= letter.height + 0.1]
        if not gaps:
            return letter.next_to(y_axis, LEFT, buff=0.2)
        middle = y_axis.get_center()[1]
        lo, hi = min(gaps, key=lambda g: abs((g[0] + g[1]) / 2 - middle))
        right = max(n.get_right()[0] for n in numbers)
        return letter.move_to([right - letter.width / 2, (lo + hi) / 2, 0])

    def _min_label(self, *axes: NumberLine) -> MathTex:
        """'min' under the star, or the first other side where it covers no axis number."""
        numbers = [n for axis in axes for n in axis.numbers]
        for side in (DOWN, UP, RIGHT, LEFT):
            text = MathTex(r"\text{min}", font_size=TICK_SIZE).next_to(self.minimum, side, buff=0.08)
            if not any(boxes_meet(text, n) for n in numbers):
                return text
        return MathTex(r"\text{min}", font_size=TICK_SIZE).next_to(self.minimum, DOWN, buff=0.08)

    def _contours(self, a: np.ndarray, b: np.ndarray, loss: np.ndarray, levels: int) -> VGroup:
        z = log_loss(loss)
        group = VGroup()
        for level in np.linspace(z.min(), z.max(), levels + 2)[1:-1]:
            for line in find_contours(z, level):
                if len(line) < 4:
                    continue
                rows, cols = line[:, 0], line[:, 1]
                av = np.interp(cols, np.arange(len(a)), a)
                bv = np.interp(rows, np.arange(len(b)), b)
                pts = list(axes_points(self.axes, av[::2], bv[::2]))
                if len(pts) < 2:
                    continue
                group.add(VMobject(stroke_color="#FFFFFF", stroke_width=1.2, stroke_opacity=0.35)
                          .set_points_as_corners(pts))
        return group

    @classmethod
    def from_trace(cls, tr, side: float = 5.6, center: tuple[float, float] = (-3.45, -0.3)) -> LandscapeView:
        """The trace's recorded landscape grid (landscape/a, b, loss, min), placed at `center`."""
        return cls(tr["landscape/a"], tr["landscape/b"], tr["landscape/loss"], tr["landscape/min"],
                   side=side).place(center)

    @property
    def parts(self) -> list:
        """Everything but the heatmap (what a scene fades out when it changes landscape)."""
        return [self.frame, self.x_label, self.y_label, self.contours, self.minimum, self.min_label]

    def place(self, center: tuple[float, float] = (-3.45, -0.3)) -> LandscapeView:
        """Move the axes (and the heatmap behind them) so the plot is centred at `center`."""
        self.shift(np.array([center[0], center[1], 0.0]) - self.axes.get_center())
        self.heatmap.move_to(self.axes.get_center())
        return self

    def reveal(self) -> list:
        """The animations that bring the landscape on screen (add `self.heatmap` to the scene first)."""
        return [FadeIn(self.heatmap), Create(self.frame), FadeIn(self.x_label, self.y_label),
                Create(self.contours), FadeIn(self.minimum, self.min_label)]

    def colour_under(self, params: np.ndarray) -> np.ndarray:
        """The heatmap's RGB at a parameter vector (the nearest grid cell; edges clamp)."""
        i = int(np.abs(self.a - float(params[0])).argmin())
        j = int(np.abs(self.b - float(params[1])).argmin())
        return self.rgba[len(self.b) - 1 - j, i, :3]

    def point(self, params: np.ndarray) -> np.ndarray:
        """Scene coordinates of a parameter vector (a, b)."""
        return self.axes.c2p(float(params[0]), float(params[1]))


def _nice_step(span: float, side: float = 6.0) -> float:
    """A round tick step that leaves legible numbers (TICK_SIZE) about 0.8 units apart on `side`."""
    most = max(2, min(8, int(side / 0.8)))
    for step in (0.5, 1, 2, 5, 10, 20, 50):
        if span / step <= most:
            return float(step)
    return span / 4


def _decimals(start: float, step: float) -> int:
    """Decimals that tell ticks apart (0.5-steps from -2.5 need one)."""
    return 0 if float(start).is_integer() and float(step).is_integer() else 1

"""Charts for measured sweeps: a heatmap grid (one ImageMobject) with numbers, log-log axes.

Values come formatted from a trace; colours are a perceptual colormap of log10(value).
"""

from __future__ import annotations

import math

import numpy as np
from manim import DOWN, LEFT, UP, Axes, ImageMobject, Text, VGroup
from manim.mobject.graphing.scale import LogBase
from matplotlib import colormaps

from scenes.kit.style import COLORMAP, MUTED, PALETTE, SMALL_SIZE, TEXT_COLOR, TICK_SIZE

MISSING_RGB = PALETTE.missing_rgb   # cells with no value (diverged / not reached)


def short(value: float) -> str:
    """A loss in at most 6 characters: 0.37, 0.052, 1.3e-3; 'div.' when not finite."""
    if not np.isfinite(value):
        return "div."
    if value >= 0.01:
        return f"{value:.2g}" if value < 10 else f"{value:.0f}"
    return f"{value:.1e}".replace("e-0", "e-")


def grid_rgba(values: np.ndarray, lo: float, hi: float, cmap: str = COLORMAP) -> np.ndarray:
    """(rows, cols) values -> RGBA uint8, colour = log10(value) between lo and hi; NaN -> grey."""
    z = (np.log10(np.clip(values, lo, hi)) - math.log10(lo)) / max(math.log10(hi / lo), 1e-12)
    rgba = (colormaps[cmap](np.nan_to_num(z, nan=0.0)) * 255).astype(np.uint8)
    rgba[~np.isfinite(values)] = (*MISSING_RGB, 255)
    return rgba


class HeatmapGrid(VGroup):
    """A table of values as one image, a number in every cell, row and column labels, a title.

    Row 0 is drawn at the top. `self.image` is the ImageMobject (add it to the scene first);
    `cell_center(i, j)` gives the scene point of a cell.
    """

    def __init__(self, values: np.ndarray, row_labels: list[str], col_labels: list[str], title: str,
                 row_title: str, col_title: str, lo: float, hi: float, cell: float = 0.8,
                 font_size: int = SMALL_SIZE, numbers: bool = True) -> None:
        super().__init__()
        self.values = values
        rows, cols = values.shape
        self.cell, self.rows, self.cols = cell, rows, cols
        self.image = ImageMobject(grid_rgba(values, lo, hi))
        self.image.set_resampling_algorithm(0)  # nearest: crisp cells
        self.image.stretch_to_fit_width(cols * cell).stretch_to_fit_height(rows * cell)
        self.numbers = VGroup()
        if numbers:
            for i in range(rows):
                for j in range(cols):
                    light_bg = np.isfinite(values[i, j]) and values[i, j] > math.sqrt(lo * hi)
                    t = Text(short(float(values[i, j])), font_size=font_size,
                             color="#111111" if light_bg else "#FFFFFF")
                    if t.width > cell * 0.92:
                        t.scale_to_fit_width(cell * 0.92)
                    t.move_to(self.cell_center(i, j))
                    self.numbers.add(t)
        self.row_labels = VGroup(*[Text(s, font_size=font_size, color=TEXT_COLOR).move_to(
            self.cell_center(i, 0) + LEFT * cell * 0.5).shift(LEFT * 0.1) for i, s in enumerate(row_labels)])
        for t in self.row_labels:
            t.shift(LEFT * t.width / 2)
        self.col_labels = VGroup(*[Text(s, font_size=font_size, color=TEXT_COLOR).move_to(
            self.cell_center(rows - 1, j) + DOWN * (cell * 0.5 + 0.22)) for j, s in enumerate(col_labels)])
        if cols > 1 and max(t.width for t in self.col_labels) > cell - 0.08:
            # Labels wider than their cell would run into each other ("0.0030.01"): every second one
            # drops a line, so each keeps its size and its gap.
            drop = max(t.height for t in self.col_labels) + 0.08
            for t in self.col_labels[1::2]:
                t.shift(DOWN * drop)
        self.col_title = Text(col_title, font_size=font_size, color=MUTED).next_to(self.col_labels, DOWN, buff=0.12)
        self.row_title = Text(row_title, font_size=font_size, color=MUTED).rotate(math.pi / 2)
        self.row_title.next_to(self.row_labels, LEFT, buff=0.15)
        self.title = Text(title, font_size=SMALL_SIZE, color=TEXT_COLOR)
        self.title.next_to(self.image, UP, buff=0.15)
        self.add(self.numbers, self.row_labels, self.col_labels, self.col_title, self.row_title, self.title)

    def cell_box(self, i: int, j: int, color: str = "#FFFFFF"):
        """A square outline around cell (i, j)."""
        from manim import Square

        return Square(self.cell, color=color, stroke_width=4).move_to(self.cell_center(i, j))

    def cell_center(self, i: int, j: int) -> np.ndarray:
        c = self.image.get_center()
        return c + np.array([(j - (self.cols - 1) / 2) * self.cell, ((self.rows - 1) / 2 - i) * self.cell, 0])

    def shift_all(self, vector: np.ndarray) -> HeatmapGrid:
        self.shift(vector)
        self.image.shift(vector)
        return self


def log_axes(x_range: tuple[float, float], y_range: tuple[float, float], width: float, height: float,
             y_log: bool = True, y_step: float = 0.1, font_size: int = TICK_SIZE) -> Axes:
    """Axes with a log10 x axis (decades) and a log10 or linear y axis; ranges in data units."""
    xl, xh = math.floor(math.log10(x_range[0])), math.ceil(math.log10(x_range[1]))
    x_cfg = {"scaling": LogBase(custom_labels=True), "include_numbers": True, "font_size": font_size}
    if y_log:
        yl, yh = math.floor(math.log10(y_range[0])), math.ceil(math.log10(y_range[1]))
        y_cfg = {"scaling": LogBase(custom_labels=True), "include_numbers": True, "font_size": font_size}
        yr = [yl, yh, 1]
    else:
        y_cfg = {"include_numbers": True, "font_size": font_size, "decimal_number_config": {"num_decimal_places": 1}}
        yr = [y_range[0], y_range[1], y_step]
    return Axes(x_range=[xl, xh, 1], y_range=yr, x_length=width, y_length=height, tips=False,
                x_axis_config=x_cfg, y_axis_config=y_cfg)


def axis_titles(axes: Axes, x: str, y: str, font_size: int = SMALL_SIZE) -> VGroup:
    xt = Text(x, font_size=font_size, color=TEXT_COLOR).next_to(axes.x_axis, DOWN, buff=0.38)
    yt = Text(y, font_size=font_size, color=TEXT_COLOR).rotate(math.pi / 2).next_to(axes.y_axis, LEFT, buff=0.5)
    return VGroup(xt, yt)

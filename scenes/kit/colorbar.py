"""A vertical colour bar for the loss heatmap/surface: same colormap, same log normalisation."""

from __future__ import annotations

import numpy as np
from manim import RIGHT, UP, ImageMobject, Line, Rectangle, Text, VGroup
from matplotlib import colormaps

from scenes.kit.landscape import log_loss
from scenes.kit.style import COLORMAP, SMALL_SIZE, TEXT_COLOR


class ColorBar(VGroup):
    """Colour bar for LOSS values (the landscape grid), with ticks at powers of ten of the loss.

    `self.image` is an ImageMobject (add it to the scene beside the VGroup), `self.y_for(loss)`
    the scene y of a loss value.
    """

    def __init__(self, loss: np.ndarray, height: float = 4.0, width: float = 0.3, label: str = "loss",
                 cmap: str = COLORMAP) -> None:
        super().__init__()
        z = log_loss(loss)
        self.lo, self.hi = float(z.min()), float(z.max())
        ramp = (colormaps[cmap](np.linspace(1, 0, 256))[:, None, :] * 255).astype(np.uint8)  # top = high
        self.image = ImageMobject(np.repeat(ramp, 4, axis=1))
        self.image.stretch_to_fit_width(width).stretch_to_fit_height(height)
        self.frame = Rectangle(width=width, height=height, stroke_color=TEXT_COLOR, stroke_width=1.5)
        self.ticks = VGroup()
        for k in range(-3, 6):   # log_loss floors at 1e-3: finer ticks would pile up at the bottom
            value = 10.0 ** k
            zk = float(log_loss(np.array(value)))
            if self.lo <= zk <= self.hi:
                y = self._frac(zk)
                tick = Line(RIGHT * width / 2, RIGHT * (width / 2 + 0.12), stroke_width=2, color=TEXT_COLOR)
                tick.shift(UP * (y - 0.5) * height)
                text = Text(f"{value:g}", font_size=SMALL_SIZE, color=TEXT_COLOR).next_to(tick, RIGHT, buff=0.08)
                self.ticks.add(VGroup(tick, text))
        self.title = Text(label, font_size=SMALL_SIZE, color=TEXT_COLOR).next_to(self.frame, UP, buff=0.15)
        self.add(self.frame, self.ticks, self.title)
        self.image.move_to(self.frame)
        self.height_ = height

    def _frac(self, z: float) -> float:
        return (z - self.lo) / max(self.hi - self.lo, 1e-12)

    def y_for(self, loss: float) -> float:
        zk = float(log_loss(np.array(loss)))
        return float(self.frame.get_bottom()[1] + self._frac(zk) * self.height_)

    def move_image(self) -> ColorBar:
        """Keep the image under the frame after the group moved."""
        self.image.move_to(self.frame)
        return self


__all__ = ["ColorBar"]

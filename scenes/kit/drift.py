"""A hold's camera move, made cheap: the whole picture eases to a scale about a point and back.

The move used to be two `picture.animate.scale(...)` Transforms of a Group of everything drawn.
A Transform deep-copies its mobject twice (start and target) and interpolates every point of
both copies on every frame: in ch05 at 480p the seven moves spent 104 of the render's 151 s,
about half of it in `copy.deepcopy`. Here each family member's points are saved once, set to
`about + (saved - about) * s` on each frame, and put back exactly at the end: the same pictures
(scaling about a point is all `Mobject.scale` does to points; it leaves stroke widths alone),
one copy of the point arrays instead of two copies of the scene.
"""

from __future__ import annotations

import numpy as np
from manim import Animation, Mobject
from manim.utils.rate_functions import ease_in_sine, ease_out_sine


def out_and_back(t: float) -> float:
    """0 → 1 → 0: sets off at once (a slow start reads as a still), slows only to turn, then speeds
    back: ease_out_sine there, ease_in_sine back, as the two Transforms it replaces did."""
    return ease_out_sine(2 * t) if t < 0.5 else 1 - ease_in_sine(2 * t - 1)


class Drift(Animation):
    """Scale PICTURE's points about ABOUT to SCALE and back over the animation, without copying it."""

    def __init__(self, picture: Mobject, about: np.ndarray, scale: float, **kwargs) -> None:
        super().__init__(picture, rate_func=out_and_back, **kwargs)
        self.about = np.asarray(about, dtype=float)
        self.scale_to = float(scale)
        self._saved: list[tuple[Mobject, np.ndarray]] = []

    def create_starting_mobject(self) -> Mobject:
        return Mobject()   # nothing reads it: interpolate_mobject works from the saved points

    def begin(self) -> None:
        self._saved = [(m, m.points.copy()) for m in self.mobject.get_family() if len(m.points)]
        super().begin()

    def interpolate_mobject(self, alpha: float) -> None:
        s = 1 + (self.scale_to - 1) * self.rate_func(alpha)
        for m, points in self._saved:
            m.points = points if s == 1 else self.about + (points - self.about) * s

    def finish(self) -> None:
        super().finish()
        for m, points in self._saved:   # exactly where it started, whatever rounding the frames had
            m.points = points


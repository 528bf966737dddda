"""A VMobject's bounding points (every curve's anchors, family included) gathered by slicing.

manim's `VMobject.get_points_defining_boundary` zips each family member's start and end anchors
into a list of rows and builds one array from all of them: every `width`, `get_center` or
`next_to` of a Text walks each glyph's points in Python. In a profiled plan of ch08 its 4,053
calls took 2.4 of 18 s. Interleaving the two strided slices gives the same rows in the same
order (a one-point member contributes its point, an empty one nothing), so every bound is the same.
"""

from __future__ import annotations

import numpy as np
from manim import VMobject

from scenes.kit.patching import install_once

_PATCHED = "_gdevo_sliced_bounds"


def anchors(mob: VMobject) -> np.ndarray:
    """MOB's own anchors as manim's get_anchors lists them: start, end of each curve in turn."""
    points = mob.points
    if len(points) == 1:
        return points
    n = mob.n_points_per_cubic_curve
    starts, ends = points[::n], points[n - 1::n]
    if len(starts) != len(ends):   # an unfinished curve: manim's own (strict) zip says what is wrong
        return np.array(mob.get_anchors()).reshape(-1, points.shape[1])
    out = np.empty((2 * len(starts), points.shape[1]), dtype=points.dtype)
    out[0::2], out[1::2] = starts, ends
    return out


def get_points_defining_boundary(self: VMobject) -> np.ndarray:
    """The same array as manim's: the anchors of self and its family, in family order."""
    parts = [anchors(m) if isinstance(m, VMobject) else np.array(m.get_anchors()) for m in self.get_family()]
    parts = [p for p in parts if len(p)]
    return np.concatenate(parts) if parts else np.array(())


def install() -> None:
    """Replace VMobject.get_points_defining_boundary (idempotent)."""
    install_once(VMobject, _PATCHED, get_points_defining_boundary=get_points_defining_boundary)


install()

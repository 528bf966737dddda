"""A VMobject's bounding points (every curve's anchors, family included) gathered by slicing, and
a mobject's critical points (centre, edges, corners) reduced from them in one call.

manim's `VMobject.get_points_defining_boundary` zips each family member's start and end anchors
into a list of rows and builds one array from all of them: every `width`, `get_center` or
`next_to` of a Text walks each glyph's points in Python. In a profiled plan of ch08 its 4,053
calls took 2.4 of 18 s. Interleaving the two strided slices gives the same rows in the same
order (a one-point member contributes its point, an empty one nothing), so every bound is the same.

`Mobject.get_critical_point` (behind get_center, get_top, next_to, align_to, and the 3-D camera's
depth sort of every face on every frame) asked get_extremum_along_dim once per axis, a method
call that wraps the points again: ch04's 3-D turn made 480,000 such calls. The same reductions
inline give the same numbers, so every critical point is bit-identical to manim's.
"""

from __future__ import annotations

import numpy as np
from manim import Mobject, VMobject

from scenes.kit.patching import install_once

_PATCHED = "_gdevo_sliced_bounds"
_PATCHED_POINT = "_gdevo_critical_point"


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


def get_critical_point(self: Mobject, direction) -> np.ndarray:
    """manim's, inlined: per axis the points' min (direction < 0), centre (= 0) or max (otherwise,
    NaN too). Column reductions: numpy's axis-0 min of an (n, 3) array measured 4× slower."""
    result = np.zeros(self.dim)
    points = self.get_points_defining_boundary()
    if len(points) == 0:
        return result
    points = np.asarray(points)
    for dim in range(self.dim):
        values, key = points[:, dim], direction[dim]
        result[dim] = values.min() if key < 0 else (values.min() + values.max()) / 2 if key == 0 else values.max()
    return result


def install() -> None:
    """Replace VMobject.get_points_defining_boundary and Mobject.get_critical_point (idempotent)."""
    install_once(VMobject, _PATCHED, get_points_defining_boundary=get_points_defining_boundary)
    install_once(Mobject, _PATCHED_POINT, get_critical_point=get_critical_point)


install()

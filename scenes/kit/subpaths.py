"""A VMobject's subpaths split with one vectorized comparison instead of one np.allclose per curve.

manim's `VMobject.get_subpaths_from_points` cuts a path where a curve's last point is not its
successor's first, asking `np.allclose` about each pair (about 30 µs a call). Smoothing a recorded
400-point curve (`set_points_smoothly`) and aligning paths for a Transform ask it for every curve:
in a profiled plan of ch11, 46,000 calls took 1.4 of 12 s. `np.isclose` over all the pairs at once,
reduced per pair, is the same test (same tolerances, infinities and NaN alike), so the cuts and the
subpaths are the same.
"""

from __future__ import annotations

import itertools

import numpy as np
from manim import VMobject

from scenes.kit.patching import install_once

_PATCHED = "_gdevo_vector_subpaths"


def get_subpaths_from_points(self: VMobject, points: np.ndarray) -> list[np.ndarray]:
    """The same list as manim's: the runs of whole curves between cuts, each at least one curve long."""
    nppcc = self.n_points_per_cubic_curve
    starts = np.arange(nppcc, len(points), nppcc)
    if len(starts):
        joined = np.isclose(points[starts - 1], points[starts], atol=self.tolerance_for_point_equality).all(axis=1)
        cuts = starts[~joined].tolist()
    else:
        cuts = []
    bounds = [0, *cuts, len(points)]
    return [points[i1:i2] for i1, i2 in itertools.pairwise(bounds) if i2 - i1 >= nppcc]


def install() -> None:
    """Replace VMobject.get_subpaths_from_points (idempotent)."""
    install_once(VMobject, _PATCHED, get_subpaths_from_points=get_subpaths_from_points)


install()

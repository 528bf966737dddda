"""The kit's faster stand-ins for manim internals give manim's own results (scenes/kit/bounds.py,
scenes/kit/subpaths.py, scenes/kit/text_reuse.py's remove_last_m)."""

from __future__ import annotations

import itertools as it
import os

import numpy as np
from manim import Axes, Circle, DecimalNumber, Dot, ImageMobject, Mobject, Square, Text, VGroup, VMobject

import scenes.kit.base  # noqa: F401  (installs the kit)
from scenes.kit import bounds, subpaths, text_reuse


def manims_bounds(mob: VMobject) -> np.ndarray:
    """manim 0.21's VMobject.get_points_defining_boundary (the reference)."""
    return np.array(tuple(it.chain(*(sm.get_anchors() for sm in mob.get_family()))))


def manims_subpaths(mob: VMobject, points: np.ndarray) -> list[np.ndarray]:
    """manim 0.21's VMobject.get_subpaths_from_points (the reference)."""
    return list(mob._gen_subpaths_from_points(points, lambda n: not mob.consider_points_equals(points[n - 1],
                                                                                                points[n])))


def manims_critical_point(mob: Mobject, direction) -> np.ndarray:
    """manim 0.21's Mobject.get_critical_point (the reference)."""
    result = np.zeros(mob.dim)
    all_points = mob.get_points_defining_boundary()
    if len(all_points) == 0:
        return result
    for dim in range(mob.dim):
        result[dim] = mob.get_extremum_along_dim(all_points, dim=dim, key=np.array(direction[dim]))
    return result


def test_installed() -> None:
    assert Mobject.get_critical_point is bounds.get_critical_point
    assert VMobject.get_points_defining_boundary is bounds.get_points_defining_boundary
    assert VMobject.get_subpaths_from_points is subpaths.get_subpaths_from_points


def test_bounds_are_manims_for_text_axes_shapes_and_odd_members() -> None:
    one = VMobject()
    one.points = np.array([[1.0, 2.0, 0.0]])
    for mob in (Text("loss 0.1234 · Adam", font_size=24), Axes(), Circle(), VGroup(), VMobject(), one,
                VGroup(Dot(), VGroup(), one.copy(), Square().shift([2, 1, 0])), DecimalNumber(3.14159)):
        ours, theirs = bounds.get_points_defining_boundary(mob), manims_bounds(mob)
        assert ours.shape == theirs.shape and np.array_equal(ours, theirs), type(mob).__name__
    text = Text("a label", font_size=30).move_to([1.5, -0.7, 0])
    assert np.array_equal(text.get_corner([1, 1, 0]), [max(manims_bounds(text)[:, 0]), max(manims_bounds(text)[:, 1]),
                                                        0.0])


def test_critical_points_are_manims_in_every_direction() -> None:
    """Every corner, edge centre and centre (and odd directions: a diagonal, NaN) of texts, shapes,
    groups, an image, empty mobjects and points with NaN, bit for bit."""
    rng = np.random.default_rng(3)
    odd = VMobject()
    odd.set_points(rng.normal(size=(12, 3)))
    holed = odd.copy()
    holed.points[5, 1] = np.nan
    picture = ImageMobject(np.uint8(rng.integers(0, 255, (4, 6, 3)))).shift([0.3, -1, 0])
    mobs = [Text("loss 0.1234 · Adam", font_size=24).rotate(0.3), Axes(), Circle().shift([1e-9, 3, 0]), VGroup(),
            VMobject(), odd, holed, VGroup(Dot(), VGroup(), Square().shift([2, 1, 0])), DecimalNumber(3.14159),
            picture, Mobject()]
    directions = [np.array(d, dtype=float) for d in it.product((-1, 0, 1), repeat=3)]
    directions += [np.array([0.5, -2.0, 1e-12]), np.array([np.nan, 0.0, -0.0]), [1, 0, -1]]
    for mob in mobs:
        for d in directions:
            ours, theirs = bounds.get_critical_point(mob, d), manims_critical_point(mob, d)
            assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
            assert np.array_equal(ours, theirs, equal_nan=True), (type(mob).__name__, d)


def test_subpaths_are_manims_on_random_paths_with_breaks_near_the_tolerance() -> None:
    rng = np.random.default_rng(1)
    mob = VMobject()
    for _ in range(300):
        n = int(rng.integers(0, 12)) * 4 + int(rng.integers(0, 4))
        pts = rng.normal(size=(n, 3))
        for k in range(4, n, 4):
            if rng.random() < 0.7:   # joined, or a hair apart: at, under and over manim's tolerance
                pts[k] = pts[k - 1] + rng.choice([0.0, 1e-9, 1e-7, 1e-6, 1e-5])
        if n > 5 and rng.random() < 0.2:
            pts[4] = np.nan
        ours, theirs = subpaths.get_subpaths_from_points(mob, pts), manims_subpaths(mob, pts)
        assert len(ours) == len(theirs)
        assert all(np.array_equal(a, b, equal_nan=True) for a, b in zip(ours, theirs, strict=True))


def test_a_text_svg_is_cleaned_once_and_rewritten_only_when_it_changes(tmp_path) -> None:
    svg = tmp_path / "t.svg"
    svg.write_text('<path d="M 1 1 Z M 2 2 "/>')
    text_reuse.remove_last_m(str(svg))
    assert svg.read_text() == '<path d="M 1 1 Z "/>'
    clean = svg.stat().st_mtime_ns
    os.utime(svg, ns=(clean - 10**9, clean - 10**9))   # an older time: a rewrite would show
    before = svg.stat().st_mtime_ns
    text_reuse.remove_last_m(str(svg))
    assert svg.stat().st_mtime_ns == before and svg.read_text() == '<path d="M 1 1 Z "/>'
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]

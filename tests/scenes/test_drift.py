"""The hold's camera move (scenes/kit/drift.py) draws what Mobject.scale would, and ends where it began."""

from __future__ import annotations

import numpy as np
from manim import Dot, Group, ImageMobject, Text

from scenes.kit.drift import Drift, out_and_back


def _picture() -> Group:
    pixels = np.zeros((8, 8, 4), dtype=np.uint8) + 255
    return Group(Text("loss 0.031", font_size=24).shift([1, 1, 0]), Dot([-2, 0.5, 0]),
                 ImageMobject(pixels).set_height(1).shift([0, -2, 0]))


def _points(group: Group) -> list[np.ndarray]:
    return [m.points.copy() for m in group.get_family() if len(m.points)]


def test_out_and_back_leaves_from_rest_turns_once_and_returns():
    ts = np.linspace(0, 1, 101)
    ys = np.array([out_and_back(t) for t in ts])
    assert ys[0] == 0 and ys[50] == 1 and abs(ys[-1]) < 1e-12
    assert np.all(np.diff(ys[:51]) > 0) and np.all(np.diff(ys[50:]) < 0)
    assert ys[5] > 0.1   # sets off at once: a slow start reads as a still


def test_each_frame_is_the_picture_scaled_about_the_point_and_the_end_is_exact():
    picture, about = _picture(), np.array([0.5, -0.25, 0.0])
    before = _points(picture)
    move = Drift(picture, about, 0.94, run_time=2)
    move.begin()
    for alpha in (0.1, 0.3, 0.5, 0.8):
        move.interpolate(alpha)
        s = 1 + (0.94 - 1) * out_and_back(alpha)
        expected = _points(_picture().scale(s, about_point=about))
        for got, want in zip(_points(picture), expected, strict=True):
            np.testing.assert_allclose(got, want, atol=1e-12)
    move.interpolate(0.5)
    assert not np.allclose(_points(picture)[0], before[0])   # it does move
    move.finish()
    for got, want in zip(_points(picture), before, strict=True):
        assert np.array_equal(got, want)

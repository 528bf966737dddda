"""Text made for a chapter copies without its parsed SVG paths, and keeps its shape."""

from __future__ import annotations

import copy

import numpy as np
from manim import MathTex, Text

import scenes.kit.base  # noqa: F401  (installs scenes.kit.lean)


def test_glyphs_keep_their_points_but_not_their_parsed_paths():
    for mob in (Text("gen 12 · best 0.0123", font_size=20), MathTex(r"\theta - \eta \nabla L")):
        glyphs = [m for m in mob.get_family() if hasattr(m, "path_obj")]
        assert glyphs and all(m.path_obj is None for m in glyphs)
        twin = copy.deepcopy(mob)
        assert len(mob.get_all_points()) > 100
        assert np.array_equal(twin.get_all_points(), mob.get_all_points())
        twin.shift([1, 0, 0])
        assert not np.array_equal(twin.get_all_points(), mob.get_all_points())   # a real copy

"""scenes/kit/text_glyphs.py: a Text read glyph by glyph is the Text manim's own parse makes."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest
from manim import RED, Text, tempconfig
from manim.mobject.svg import svg_mobject
from manim.mobject.svg.svg_mobject import SVGMobject

from scenes.kit import text_glyphs

CASES = [
    {"text": "Adam passed Evolution's final PSNR"},
    {"text": "0.0123 ± 4.5e-3", "font_size": 23},
    {"text": "two\nlines here", "font_size": 40},
    {"text": "SGD + momentum", "t2c": {"SGD": RED}},
    {"text": "fi ffl  spaced   out", "weight": "BOLD"},
    {"text": "x² → ∞ · θ", "slant": "ITALIC"},
    {"text": "a"},
]


def _made(kwargs: dict, generate) -> Text:
    """A Text made with GENERATE as SVGMobject.generate_mobject and no SVG cache."""
    patched = SVGMobject.generate_mobject
    SVGMobject.generate_mobject = generate
    svg_mobject.SVG_HASH_TO_MOB_MAP.clear()
    try:
        return Text(**kwargs)
    finally:
        SVGMobject.generate_mobject = patched


@pytest.mark.parametrize("kwargs", CASES, ids=[c["text"][:12] for c in CASES])
def test_a_text_read_by_glyphs_has_manims_glyphs_points_and_styles(kwargs, tmp_path) -> None:
    text_glyphs.install()
    with tempconfig({"media_dir": str(tmp_path)}):
        ours = _made(kwargs, SVGMobject.generate_mobject)
        theirs = _made(kwargs, text_glyphs.ORIGINAL["generate_mobject"])
    a, b = ours.family_members_with_points(), theirs.family_members_with_points()
    assert len(a) == len(b) == len(theirs.submobjects)
    for x, y in zip(a, b, strict=True):
        assert x.points.shape == y.points.shape
        assert np.abs(x.points - y.points).max() < 1e-9
        assert x.get_fill_color().to_hex() == y.get_fill_color().to_hex()
        assert (x.get_fill_opacity(), x.get_stroke_width(), x.get_stroke_opacity()) == \
               (y.get_fill_opacity(), y.get_stroke_width(), y.get_stroke_opacity())
    assert ours.width == pytest.approx(theirs.width, abs=1e-9) and ours.height == pytest.approx(theirs.height, abs=1e-9)


def test_an_svg_of_another_shape_is_left_to_manim() -> None:
    svg = ET.fromstring('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
                        '<rect width="2" height="3"/></svg>')
    with pytest.raises(text_glyphs.Unusual):
        text_glyphs.glyph_mobjects(Text("a"), svg)

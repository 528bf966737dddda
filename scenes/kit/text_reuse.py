"""A Text made again in the same process reuses its parsed glyphs instead of parsing its SVG again.

manim's SVGMobject keeps every parsed SVG in SVG_HASH_TO_MOB_MAP, keyed by the SVG's file name
and parsing options, and hands out copies; Text opts out (`use_svg_cache=False`, a workaround
for a font-list bug fixed in manim 0.18: ManimCommunity/manim#3316). But a chapter makes most of
its texts twice (the narration's plan runs `construct` once before the render), and labels that
must fit a width are made at several sizes: in ch11, 428 Text constructions spent 48 of a 211 s
profiled render parsing SVG. A Text's SVG file is named by a hash of its text and every style
setting (manim's Text._text2hash), so equal keys are equal glyphs; what Text does after parsing
(colours, ligature splitting, centring) still runs on the copy. MarkupText keeps manim's default.
"""

from __future__ import annotations

from manim import Text
from manim.mobject.svg.svg_mobject import SVGMobject

_PATCHED = "_gdevo_text_reuse"


def install() -> None:
    """Make every Text use manim's SVG cache (idempotent)."""
    if getattr(SVGMobject, _PATCHED, False):
        return
    original = SVGMobject.init_svg_mobject

    def init_svg_mobject(self, use_svg_cache: bool):
        return original(self, use_svg_cache or type(self) is Text)

    SVGMobject.init_svg_mobject = init_svg_mobject
    setattr(SVGMobject, _PATCHED, True)


install()

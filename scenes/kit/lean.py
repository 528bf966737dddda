"""Glyphs let go of their parsed SVG path once their points exist, so copying text is cheap.

manim copies a mobject with deepcopy, and every animation copies what it animates (the start,
the target, `.animate`'s target): a Text glyph kept its svgelements Path (segments, points,
matrices as Python objects) only to build its points once, in __init__. Copying a 31-glyph
readout row took 20.6 ms with those paths and 2.6 ms without; in ch15 (many short steps that
re-animate readout rows) deepcopy was half of the render's time (cProfile). The Cairo renderer
never reads the path again (VMobjectFromSVGPath.generate_points runs once, from __init__).
"""

from __future__ import annotations

from manim.mobject.svg.svg_mobject import VMobjectFromSVGPath

_PATCHED = "_gdevo_lean"


def install() -> None:
    """Make every VMobjectFromSVGPath drop `path_obj` after it generated its points (idempotent)."""
    if getattr(VMobjectFromSVGPath, _PATCHED, False):
        return
    original = VMobjectFromSVGPath.__init__

    def __init__(self, *args, **kwargs) -> None:
        original(self, *args, **kwargs)
        self.path_obj = None   # points are made; the parsed path would only be deep-copied from now on

    VMobjectFromSVGPath.__init__ = __init__
    setattr(VMobjectFromSVGPath, _PATCHED, True)


install()

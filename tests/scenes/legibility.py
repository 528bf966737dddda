"""How large a text is on screen, in pixels at 480p, after every scale a chapter applies.

The measure (issue 17, "no text under 14 px at 480p"; its "axis ticks about 7 px" were the height of
a digit): a text's size is the height its digits ('0') are drawn at 854x480 (60 px per scene unit).
It is read off the rendered glyphs: manim's `font_size` of a text unit is its glyphs' current height
over their height when made (so every scale() and fit_width() of a group counts), and one font-size
point is converted to pixels of digit height by rendering a '0' once. Text (Pango, DejaVu Sans): 0.63
px per point; TeX (cmr10): 0.43 px. A formula's or a number's size is that of its main glyphs (an
exponent is judged by its base); a text without digits is judged by the digits it would have.
"""

from __future__ import annotations

from functools import cache

from manim import DecimalNumber, Mobject, SingleStringMathTex, Text

from scenes.kit.onscreen import text_units, whole_text

MIN_PX = 14.0          # the smallest digit height, in pixels at 480p, a viewer must be able to read
PX_PER_UNIT = 480 / 8  # 854x480 shows the 8-unit-high frame


@cache
def digit_px_per_point() -> dict[str, float]:
    """Pixels of digit height at 480p per font-size point, for Text (Pango) and for TeX (cmr10)."""
    from manim import MathTex

    size = 100
    return {"text": Text("0", font_size=size).height * PX_PER_UNIT / size,
            "tex": MathTex("0", font_size=size).height * PX_PER_UNIT / size}


def _vertical(m: Mobject) -> bool:
    """Set rotated a quarter turn (a y-axis title): its glyphs run up the screen. Judged by the first two
    glyphs (one line's neighbours): from the first to the last, a narrow paragraph of five lines ran down
    the screen too, and its 14.5 px text was measured as 11 px."""
    glyphs = [g for g in m.family_members_with_points()]
    if len(glyphs) < 2:
        return False
    d = glyphs[1].get_center() - glyphs[0].get_center()
    return abs(d[1]) > abs(d[0])


def digit_px(m: Mobject) -> float:
    """The digit height of a visible text unit in pixels at 480p (see the module's docstring)."""
    if not getattr(m, "initial_height", None) or not m.height:
        return float("inf")
    size = float(m.font_size) * (m.width / m.height if _vertical(m) else 1.0)   # manim's: height now / when made
    tex = isinstance(m, SingleStringMathTex) or (isinstance(m, DecimalNumber)
                                                 and not issubclass(getattr(m, "mob_class", SingleStringMathTex), Text))
    return size * digit_px_per_point()["tex" if tex else "text"]


def small_texts(mobjects, min_px: float = MIN_PX) -> list[tuple[str, float]]:
    """(text, digit px) of every visible text unit smaller than min_px."""
    out = []
    for m in text_units(mobjects):
        px = digit_px(m)
        if px < min_px - 1e-6:
            out.append((whole_text(m)[:40], px))
    return out


__all__ = ["MIN_PX", "digit_px", "digit_px_per_point", "small_texts"]

"""How large a text is on screen, in pixels at 480p, after every scale a chapter applies.

The measure (issue 17, "no text under 14 px at 480p"): a text's size is its em, its font size in
pixels at 854x480 (60 px per scene unit). It is read off the rendered glyphs: manim's `font_size`
of a text unit is its glyphs' current height over their height when made (so every scale() and
fit_width() of a group counts), and one font-size point is converted to em pixels by measuring a
'0' once: its rendered height divided by the '0''s height in ems from the font itself (DejaVu Sans
through fontTools for Text, cmr10's AFM for TeX). Text: 0.83 px of em per point; TeX: 0.62 px.
A formula's or a number's size is that of its main glyphs (an exponent is judged by its base).
"""

from __future__ import annotations

import subprocess
from functools import cache

from manim import DecimalNumber, Mobject, SingleStringMathTex, Text

from scenes.kit.onscreen import text_units, whole_text

MIN_PX = 14.0          # the smallest em, in pixels at 480p, a viewer must be able to read
PX_PER_UNIT = 480 / 8  # 854x480 shows the 8-unit-high frame
_CMR10_AFM = "/usr/share/texlive/texmf-dist/fonts/afm/public/amsfonts/cm/cmr10.afm"


@cache
def em_per_point() -> dict[str, float]:
    """Pixels of em at 480p per font-size point, for Text (Pango, DejaVu Sans) and for TeX (cmr10)."""
    from fontTools.afmLib import AFM
    from fontTools.ttLib import TTFont
    from manim import MathTex

    path = subprocess.check_output(["fc-match", "-f", "%{file}", "sans-serif"]).decode()
    font = TTFont(path)
    zero = font["glyf"][font.getBestCmap()[ord("0")]]
    text_ratio = (zero.yMax - zero.yMin) / font["head"].unitsPerEm        # '0' height in ems
    _, _, (_, y0, _, y1) = AFM(_CMR10_AFM)["zero"]
    tex_ratio = (y1 - y0) / 1000
    size = 100
    text_px = Text("0", font_size=size).height * PX_PER_UNIT / text_ratio / size
    tex_px = MathTex("0", font_size=size).height * PX_PER_UNIT / tex_ratio / size
    return {"text": text_px, "tex": tex_px}


def _vertical(m: Mobject) -> bool:
    """Set rotated a quarter turn (a y-axis title): its glyphs run up the screen."""
    glyphs = [g for g in m.family_members_with_points()]
    if len(glyphs) < 2:
        return False
    d = glyphs[-1].get_center() - glyphs[0].get_center()
    return abs(d[1]) > abs(d[0])


def em_px(m: Mobject) -> float:
    """The em of a visible text unit in pixels at 480p (see the module's docstring)."""
    if not getattr(m, "initial_height", None) or not m.height:
        return float("inf")
    size = float(m.font_size) * (m.width / m.height if _vertical(m) else 1.0)   # manim's: height now / when made
    tex = isinstance(m, SingleStringMathTex) or (isinstance(m, DecimalNumber)
                                                 and not issubclass(getattr(m, "mob_class", SingleStringMathTex), Text))
    return size * em_per_point()["tex" if tex else "text"]


def small_texts(mobjects, min_px: float = MIN_PX) -> list[tuple[str, float]]:
    """(text, em px) of every visible text unit smaller than min_px."""
    out = []
    for m in text_units(mobjects):
        px = em_px(m)
        if px < min_px - 1e-6:
            out.append((whole_text(m)[:40], px))
    return out


__all__ = ["MIN_PX", "em_per_point", "em_px", "small_texts"]

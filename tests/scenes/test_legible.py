"""Every text a chapter shows is at least 14 px tall (its digits) at 480p, on its default data and every stress variant.

Issue 17: ticks, tables and read-outs had shrunk to 7-8 px after the chapters scaled their groups
to fit. The size is measured on what is drawn (tests/scenes/legibility.py: the em in pixels at
854x480, from the glyphs' rendered height), at every beat, after every scale a chapter applies;
3D beats with a tilted camera are not measured (their coordinates are 3D).
"""

from __future__ import annotations

from tests.scenes.legibility import MIN_PX
from tests.scenes.stress_traces import VARIANTS

# Held by the stress matrix's own renders (tests/scenes/test_stress.py asserts small_texts there, so no
# chapter is rendered twice): long run labels ("wide") are cut with "…" in tables, legends and read-outs
# rather than shrunk; the narration says them whole.
LEGIBLE_VARIANTS = VARIANTS


def small_texts(beats) -> list[str]:
    """One line per (beat, text) smaller than MIN_PX: chapter beat, text, size."""
    out, seen = [], set()
    for b in beats:
        for text, px in b.sizes:
            if px < MIN_PX - 1e-6 and (text, round(px, 1)) not in seen:
                seen.add((text, round(px, 1)))
                out.append(f"beat {b.index} ({b.notes[:40]!r}): {text[:40]!r} is {px:.1f} px")
    return out


def test_small_texts_names_each_text_under_the_minimum_once():
    from types import SimpleNamespace

    beats = [SimpleNamespace(index=0, notes="a line", sizes=[("ticks 0.5", 11.2), ("title", 20.0)]),
             SimpleNamespace(index=1, notes="next", sizes=[("ticks 0.5", 11.2), ("table", 13.9)])]
    assert small_texts(beats) == ["beat 0 ('a line'): 'ticks 0.5' is 11.2 px", "beat 1 ('next'): 'table' is 13.9 px"]


def test_a_narrow_paragraph_is_measured_by_its_lines_and_a_turned_title_by_its_width():
    """The measure took a text whose first and last glyphs lie one under the other for a text turned a
    quarter: ch11's five-line note ("Adam / passed / Evolution's / ...") at 14.5 px read as 11.1 px."""
    import math

    from manim import Text

    from scenes.kit.layout import label
    from scenes.kit.style import SMALL_SIZE
    from tests.scenes.legibility import digit_px

    note = label("Adam passed Evolution's final PSNR within 102 evaluations", 2.1, SMALL_SIZE)
    assert len(note.text.split("\n")) >= 4 or note.height > 4 * Text("0", font_size=SMALL_SIZE).height
    line = Text("Adam", font_size=SMALL_SIZE)
    assert digit_px(note) == digit_px(line) >= MIN_PX
    turned = Text("loss (log)", font_size=SMALL_SIZE).rotate(math.pi / 2)
    assert abs(digit_px(turned) - digit_px(line)) < 0.1
    assert digit_px(Text("loss (log)", font_size=SMALL_SIZE).rotate(math.pi / 2).scale(0.5)) < MIN_PX

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

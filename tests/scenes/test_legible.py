"""Every text a chapter shows is at least 14 px (em) at 480p, on its default and its stress data.

Issue 17: ticks, tables and read-outs had shrunk to 7-8 px after the chapters scaled their groups
to fit. The size is measured on what is drawn (tests/scenes/legibility.py: the em in pixels at
854x480, from the glyphs' rendered height), at every beat, after every scale a chapter applies;
3D beats with a tilted camera are not measured (their coordinates are 3D).
"""

from __future__ import annotations

import pytest

from tests.scenes.layoutcheck import render_beats
from tests.scenes.legibility import MIN_PX
from tests.scenes.stress_traces import traces_for
from tests.scenes.test_stress import ENTRIES, ENV, FAST

MATRIX = [(e, v) for e in ENTRIES for v in ("default", "wide")]


def small_texts(beats) -> list[str]:
    """One line per (beat, text) smaller than MIN_PX: chapter beat, text, size."""
    out, seen = [], set()
    for b in beats:
        for text, px in b.sizes:
            if px < MIN_PX - 1e-6 and (text, round(px, 1)) not in seen:
                seen.add((text, round(px, 1)))
                out.append(f"beat {b.index} ({b.notes[:40]!r}): {text[:40]!r} is {px:.1f} px")
    return out


@pytest.mark.parametrize(("entry", "variant"), MATRIX, ids=[f"{e.name}-{v}" for e, v in MATRIX])
def test_no_text_under_14_px(entry, variant, monkeypatch):
    from scenes.storyboard import load_scene_class

    for key, value in ENV.get(entry.name, {}).items():
        monkeypatch.setenv(key, value)
    _, beats = render_beats(load_scene_class(entry), traces_for(variant, entry.traces), **FAST.get(entry.name, {}))
    small = small_texts(beats)
    assert not small, f"{entry.name} ({variant}): {len(small)} texts under {MIN_PX:g} px\n" + "\n".join(small[:40])

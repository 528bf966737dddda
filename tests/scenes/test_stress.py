"""The stress matrix: every chapter on its default and on unusual data keeps its layout and its word.

Data (tests/scenes/stress_traces.py): targets with a range of ±10 and nearly constant ones,
3:1, 1:3, 3:2, 16×16 and RGB images, long run labels, runs that diverge at once. At each beat
(a key frame of the video, a slide of the deck) every visible mobject is inside the frame and
no two pieces of text overlap, no image is drawn over a text, and every line passes the claims
test (tests/scenes/claimcheck.py: its numbers on screen, its judgements and colour words from tests
on the data); at the end the
chapter's key element is on screen.
Animations are skipped and budgets are tiny, so the whole matrix stays fast.
"""

from __future__ import annotations

import pytest

from scenes.storyboard import SCENES, is_available, load_scene_class
from tests.scenes.claimcheck import beat_problems
from tests.scenes.layoutcheck import overlapping, render_beats
from tests.scenes.stress_traces import VARIANTS, traces_for
from tests.scenes.test_legible import LEGIBLE_VARIANTS, small_texts

# Fewer animated key frames: the layout is the same, the render is shorter.
FAST = {"evolution-at-scale": {"curve_keyframes": 2}, "race": {"race_keyframes": 2},
        "no-gradients": {"gradient_frames": 2, "evolution_frames": 3},
        "beyond": {"detail_generations": 2, "mlp_frames": 3}}

# What each chapter is about: these scene attributes must be on screen at the end.
KEY = {"functions": ("panel", "curve", "status"), "parameter-space": ("plane", "panel", "dot", "curve"),
       "loss": ("residuals", "table", "formula"), "loss-landscape": ("surface", "low", "top"),
       "local-search": ("lm_trail", "stall_cloud"), "evolution-at-scale": ("image_rows",),
       "hyperparameters": ("sgd_grid", "evo_grid"), "gradient-descent": ("plot",), "stochastic": ("plot",),
       "momentum-adam": ("lm_view",), "race": ("image_rows", "caveat_box"), "dimensions": ("cost_axes", "gd_dots"),
       "saddles": ("axes",), "no-gradients": ("panel", "plot", "evo_curve"), "beyond": ("loss_plot", "markers"),
       "summary": ("table", "findings"),
       "landscape": ("view", "trails"), "title-card": ("card",)}
ENDS_CLEARED = {"beyond", "title-card"}   # their last part replaces the screen: their pieces must exist
ENV = {"title-card": {"GDEVO_TITLE": "A deliberately long title for a lecture about how networks learn, "
                                     "gradient descent against evolution",
                      "GDEVO_SUBTITLE": "A subtitle with a credit line, a date and a place that goes on and on"}}

ENTRIES = [e for e in SCENES if is_available(e)]
# Every chapter on the "wide" data; the chapters whose layout depends most on the data (curves,
# images, run labels, diverging runs) on the "flat" data too.
FLAT_TOO = {"functions", "parameter-space", "loss", "evolution-at-scale", "race", "momentum-adam", "no-gradients",
            "summary"}
MATRIX = [(e, v) for e in ENTRIES for v in VARIANTS if v != "flat" or e.name in FLAT_TOO]


def beat_problems_all(beats, legible: bool = True) -> list[str]:
    """Every problem of a chapter's beats: outside the frame, texts over each other or under an image, the
    claims test (tests/scenes/claimcheck.py: each line against its beat's screen) and, when LEGIBLE, texts
    under 14 px (tests/scenes/test_legible.py). tests/scenes/film_check.py applies it to the film's data."""
    problems = []
    for b in beats:
        where = f"beat {b.index} ({b.notes[:50]!r})"
        problems += [f"{where}: outside the frame: {o}" for o in b.outside[:3]]
        problems += [f"{where}: text overlaps: {a} / {c}" for a, c in overlapping(b.boxes)[:3]]
        problems += [f"{where}: an image hides a text: {h}" for h in b.hidden[:3]]
    previous = beats[0].texts
    for b in beats[:-1]:
        where = f"beat {b.index} ({b.notes[:50]!r})"
        shown = b.texts + previous   # on screen when the beat closes, or when it started
        problems += [f"{where}: {p}" for p in beat_problems(b.notes, shown, b.colours, b.claims)]
        previous = b.texts
    return problems + (small_texts(beats) if legible else [])


def on_screen(scene, mob) -> bool:
    """The mobject, or the parts of it that draw something, are among the scene's mobjects."""
    family = {id(m) for top in scene.mobjects for m in top.get_family()}
    return id(mob) in family or any(id(m) in family for m in mob.get_family()[1:])


@pytest.mark.parametrize(("entry", "variant"), MATRIX, ids=[f"{e.name}-{v}" for e, v in MATRIX])
def test_layout_holds_on_unusual_data(entry, variant, monkeypatch):
    for key, value in ENV.get(entry.name, {}).items():
        monkeypatch.setenv(key, value)
    cls = load_scene_class(entry)
    scene, beats = render_beats(cls, traces_for(variant, entry.traces), **FAST.get(entry.name, {}))
    assert len(beats) >= 2, "the chapter marks no beats"
    problems = beat_problems_all(beats, legible=variant in LEGIBLE_VARIANTS)
    assert not problems, "\n".join(problems[:12])
    for attr in KEY.get(entry.name, ()):
        mob = getattr(scene, attr, None)
        assert mob is not None, f"{entry.name}: no {attr}"
        if entry.name not in ENDS_CLEARED:
            assert on_screen(scene, mob), f"{entry.name}: {attr} is not on screen at the end"


def test_every_chapter_is_in_the_matrix():
    assert {e.name for e in ENTRIES} <= set(KEY)


LIGHT_CHECK = """
import numpy as np
from manim import Text
from scenes.ch13_saddles import Saddles
from scenes.kit.palette import LIGHT
from tests.scenes.layoutcheck import render_beats
from tests.scenes.stress_traces import traces_for
scene, beats = render_beats(Saddles, traces_for("flat", ("saddles",)), keep_frames=True)
frame = beats[-1].frame
bg = np.array([int(LIGHT.background[i:i + 2], 16) for i in (1, 3, 5)])
assert np.abs(frame[1, 1, :3].astype(int) - bg).max() <= 2, frame[1, 1]
colours = {g.get_fill_color().to_hex().upper() for top in scene.mobjects for m in top.get_family()
           if isinstance(m, Text) for g in m.submobjects if len(g.points)}
assert "#FFFFFF" not in colours, colours
assert LIGHT.text.upper() in colours, colours
print("ok")
"""


def test_light_theme_reaches_background_and_text():
    """GDEVO_THEME=light: the camera's background and the chapter's plain text follow the palette."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "GDEVO_THEME": "light"}
    out = subprocess.run([sys.executable, "-c", LIGHT_CHECK], capture_output=True, text=True, env=env, timeout=600)
    assert out.returncode == 0 and out.stdout.strip().endswith("ok"), out.stderr[-2000:]

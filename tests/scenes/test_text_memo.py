"""scenes/kit/text_memo.py: inside `kept()` a Text made again is a copy of the first, equal to what
manim makes, independent of it, and never one made with other arguments or defaults."""

from __future__ import annotations

import numpy as np
import pytest
from manim import BLUE, RED, Text, VGroup
from manim.utils.color import ManimColor

import scenes.kit.base  # noqa: F401  (installs the kit, the memo included)
from scenes.kit import text_memo

CASES = [
    {"text": "gen 40 · best 1.1e-09 · evals 321", "font_size": 20},
    {"text": "SGD + momentum", "t2c": {"SGD": RED}},
    {"text": "two\nlines", "font_size": 30, "line_spacing": 0.8},
    {"text": "fi bold", "weight": "BOLD", "color": BLUE},
]


def _state(t: Text) -> list[tuple]:
    """Everything drawn: each family member's kind, points and colours, and the Text's own facts."""
    out = [(t.text, t.font_size, t.original_text)]
    for m in t.family_members_with_points():
        out.append((type(m).__name__, m.points.copy(), m.get_fill_rgbas().copy(), m.get_stroke_rgbas().copy(),
                    m.get_stroke_width()))
    return out


def _equal(a: list[tuple], b: list[tuple]) -> bool:
    if len(a) != len(b):
        return False
    for x, y in zip(a, b, strict=True):
        for u, v in zip(x, y, strict=True):
            if isinstance(u, np.ndarray):
                if u.shape != v.shape or not np.array_equal(u, v):
                    return False
            elif u != v:
                return False
    return True


@pytest.mark.parametrize("kwargs", CASES, ids=[c["text"][:10] for c in CASES])
def test_a_text_made_again_is_what_manim_makes_and_its_own(kwargs) -> None:
    made = Text(**kwargs)   # outside kept(): manim's construction
    with text_memo.kept():
        first = Text(**kwargs)
        again = Text(**kwargs)
        assert _equal(_state(again), _state(made)) and _equal(_state(first), _state(made))
        assert again is not first and again.submobjects[0] is not first.submobjects[0]
        assert isinstance(again.chars, VGroup) and again.chars[0][0] is again.submobjects[0][0] \
            if kwargs["text"].count("\n") else True
        again.shift([1, 0, 0]).set_color("#00ff00")   # changing one copy changes no other
        third = Text(**kwargs)
        assert _equal(_state(third), _state(made))
        assert not _equal(_state(again), _state(made))


def test_other_arguments_and_defaults_are_other_texts() -> None:
    with text_memo.kept():
        plain = Text("loss 0.5")
        assert not _equal(_state(Text("loss 0.5", font_size=30)), _state(plain))
        assert not _equal(_state(Text("loss 0.5", t2c={"loss": RED})), _state(plain))
        assert not _equal(_state(Text("loss 0.6")), _state(plain))
        Text.set_default(color=RED)   # a theme's text colour reaches the constructor as an argument
        try:
            red = Text("loss 0.5")
        finally:
            Text.set_default()
        assert np.allclose(red.family_members_with_points()[0].get_fill_rgbas()[0, :3], ManimColor(RED).to_rgb())
        assert not _equal(_state(red), _state(plain))


def test_a_subclass_and_unknown_arguments_are_made_as_manim_makes_them(monkeypatch) -> None:
    class Tagged(Text):
        made = 0

        def __init__(self, *args, **kwargs):
            Tagged.made += 1
            super().__init__(*args, **kwargs)

    with text_memo.kept():
        Tagged("x"), Tagged("x")
        assert Tagged.made == 2
        assert text_memo.key("x", (), {"font_size": np.float64(3.0)}) is not None   # a float's subclass
        assert text_memo.key("x", (), {"gradient": object()}) is None
        assert text_memo.key("x", (), {"t2c": {"x": [1, object()]}}) is None


def test_outside_kept_nothing_is_kept() -> None:
    with text_memo.kept():
        Text("kept while inside")
        assert text_memo._KEPT
    assert not text_memo._KEPT
    Text("made outside")
    assert not text_memo._KEPT

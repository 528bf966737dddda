"""Text that fits its slot at a legible size, and the same shape at every resolution (issue 17)."""

from __future__ import annotations

import pytest
from manim import Text, tempconfig

from scenes.kit import text_reuse
from scenes.kit.layout import label, shortened
from scenes.kit.panels import fmt_loss
from scenes.kit.style import MIN_TEXT_SIZE

LONG = "Evolution with a deliberately long, descriptive run label that a user might write"


def _lines(t: Text) -> list[str]:
    return getattr(t, "original_text", t.text).split("\n")


def test_a_label_cut_to_its_lines_ends_in_an_ellipsis_at_the_legible_size():
    t = label(LONG, 3.0, 30, max_lines=2)
    lines = _lines(t)
    assert len(lines) == 2 and lines[-1].endswith("…"), lines
    assert t.width <= 3.0 + 1e-9
    assert t.font_size == pytest.approx(MIN_TEXT_SIZE, rel=0.02)   # wrapped at the minimum, not shrunk below
    one = label(LONG, 3.0, 30, max_lines=1)
    assert len(_lines(one)) == 1 and _lines(one)[0].endswith("…")


def test_a_wrapped_label_is_balanced_not_a_one_word_last_line():
    text = ("MLP 2 hidden layers × 10 (LeakyReLU) fits sin(3·x) from 40 samples · population 10 · σ = 0.5, "
            "×0.95 per generation")
    lines = _lines(label(text, 13.2, 20))
    assert len(lines) == 2 and len(lines[-1]) > 0.6 * len(lines[0]), lines


def test_a_label_that_fits_is_left_whole():
    assert _lines(label("Adam", 3.0, 20)) == ["Adam"]
    assert shortened("Adam") == "Adam"
    cut = shortened(LONG)
    assert cut.endswith("…") and len(cut) <= 30 and LONG.startswith(cut[:-2])


def test_large_losses_are_written_short():
    assert fmt_loss(2190940672.0) == "2.2e+09"
    assert fmt_loss(0.1234) == "0.1234"
    assert fmt_loss(float("inf")) == "diverged"


def test_text_has_one_shape_at_every_resolution(tmp_path):
    """manim lays a Text out on a surface as wide as the render: first made at 214 px, a long line
    wrapped, and the cached SVG kept that shape at 480p. The kit's fixed surface keeps it one line."""
    text_reuse.install()
    title = "Gradient descent vs evolution on one loss landscape"
    shapes = []
    for width, height in ((214, 120), (854, 480), (1920, 1080)):
        with tempconfig({"pixel_width": width, "pixel_height": height, "media_dir": str(tmp_path)}):
            t = Text(title, font_size=32)
            shapes.append((round(t.width, 6), round(t.height, 6)))
    with tempconfig({"pixel_width": 1920, "pixel_height": 1080, "media_dir": str(tmp_path / "fresh")}):
        single = Text(title, font_size=32)
    assert shapes == [(round(single.width, 6), round(single.height, 6))] * 3
    assert single.width > 10 * single.height   # one line

"""The layout check sees an image drawn over a text (the stress matrix runs it at every beat)."""

from __future__ import annotations

import numpy as np
from manim import Camera, ImageMobject, Text

from tests.scenes.layoutcheck import hidden_texts


def _image(alpha: int) -> ImageMobject:
    pixels = np.full((20, 20, 4), 200, dtype=np.uint8)
    pixels[..., 3] = alpha
    return ImageMobject(pixels).set_height(2)


def test_an_opaque_image_drawn_after_a_text_hides_it():
    text, image = Text("0.37", font_size=24), _image(255)
    assert hidden_texts(Camera(), [text, image]) == ["Text('0.37') under ImageMobject"]


def test_a_text_drawn_over_an_image_or_beside_it_or_under_a_clear_one_is_seen():
    text = Text("0.37", font_size=24)
    assert hidden_texts(Camera(), [_image(255), text]) == []              # numbers on a heatmap
    assert hidden_texts(Camera(), [text, _image(255).shift(4 * np.array([1, 0, 0]))]) == []
    assert hidden_texts(Camera(), [text, _image(0)]) == []                # fully transparent: not drawn
    assert hidden_texts(Camera(), [text, _image(60)]) == []               # faint: the text still reads

"""The kit's cameras draw images bit-identically to manim's, while compositing only inside the
image's box and resampling only when the image, its place or its resampling changed."""

from __future__ import annotations

import numpy as np
import pytest
from manim import DEGREES, LEFT, RIGHT, UP, Camera, Circle, ImageMobject, Square, ThreeDCamera, tempconfig
from manim.constants import RESAMPLING_ALGORITHMS

from scenes.kit.camera import KitCamera, KitThreeDCamera
from scenes.kit.images import image_tile
from scenes.kit.landscape import heatmap_rgba


def landscape() -> np.ndarray:
    a = np.linspace(-3, 3, 201)
    return (np.sin(3 * a)[None, :] + np.cos(2 * a)[:, None]) ** 2 + 0.1 * a[None, :] ** 2


def frames(camera_cls, steps, **camera_kwargs) -> list[np.ndarray]:
    """Draw the same scene through every step (a mutation of its mobjects) with ONE camera of camera_cls."""
    heat = ImageMobject(heatmap_rgba(landscape())).stretch_to_fit_width(5.6).stretch_to_fit_height(5.6)
    heat.move_to(LEFT * 3.45)
    tile = image_tile(np.arange(64 * 48, dtype=np.uint8).reshape(48, 64) % 251, 2.0).move_to(RIGHT * 4)
    under = Square(4, fill_opacity=0.6, color="#3366ff").move_to(LEFT * 2)
    over = Circle(1.2, fill_opacity=0.4, color="#ff8800").move_to(LEFT * 3 + UP)
    mobs = [under, heat, tile, over]
    camera = camera_cls(**camera_kwargs)
    out = []
    for step in steps:
        step(heat, tile)
        camera.reset()
        camera.capture_mobjects(mobs)
        out.append(camera.pixel_array.copy())
    return out


STEPS = [
    lambda heat, tile: None,
    lambda heat, tile: None,                              # unchanged: drawn from the cache
    lambda heat, tile: heat.set_opacity(0.5),             # pixels changed in place
    lambda heat, tile: heat.shift(LEFT * 3 + UP * 2.5),   # partly off screen
    lambda heat, tile: tile.rotate(20 * DEGREES),         # not axis-aligned any more
    lambda heat, tile: tile.set_resampling_algorithm(RESAMPLING_ALGORITHMS["bilinear"]),
    lambda heat, tile: heat.shift(LEFT * 20),             # wholly off screen
    lambda heat, tile: tile.stretch(0.001, 0),            # degenerate: manim draws nothing
]


@pytest.mark.parametrize("size", [(854, 480), (1920, 1080), (427, 240)])
def test_images_are_drawn_bit_identically(size):
    with tempconfig({"pixel_width": size[0], "pixel_height": size[1], "background_color": "#0f1117"}):
        theirs = frames(Camera, STEPS)
        ours = frames(KitCamera, STEPS)
    for k, (a, b) in enumerate(zip(theirs, ours, strict=True)):
        assert np.array_equal(a, b), f"step {k}: {int((a != b).any(axis=2).sum())} pixels differ"


def test_three_d_images_are_drawn_bit_identically():
    tilt = {"phi": 60 * DEGREES, "theta": -110 * DEGREES}
    with tempconfig({"pixel_width": 427, "pixel_height": 240}):
        theirs = frames(ThreeDCamera, STEPS[:5], **tilt)
        ours = frames(KitThreeDCamera, STEPS[:5], **tilt)
    for a, b in zip(theirs, ours, strict=True):
        assert np.array_equal(a, b)


def test_an_unchanged_image_is_resampled_once(monkeypatch):
    import scenes.kit.camera as cam

    calls = []
    real = cam.resample
    monkeypatch.setattr(cam, "resample", lambda *a: calls.append(1) or real(*a))
    with tempconfig({"pixel_width": 427, "pixel_height": 240}):
        frames(KitCamera, [lambda h, t: None] * 4)
    assert len(calls) == 2   # the heatmap and the tile, each once over four frames


def test_a_blindfolded_camera_draws_nothing():
    # The narration's plan runs a scene with animations skipped; its frames are never seen.
    with tempconfig({"pixel_width": 160, "pixel_height": 90}):
        for cls in (KitCamera, KitThreeDCamera):
            camera = cls()
            blank = camera.pixel_array.copy()
            camera.drawing = False
            camera.capture_mobjects([Square(2, fill_opacity=1, color="#3366ff")])
            assert np.array_equal(camera.pixel_array, blank)
            camera.drawing = True
            camera.capture_mobjects([Square(2, fill_opacity=1, color="#3366ff")])
            assert not np.array_equal(camera.pixel_array, blank)

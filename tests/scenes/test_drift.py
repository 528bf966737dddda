"""The hold's camera move (scenes/kit/drift.py): each frame is the picture scaled about a point,
drawn from the picture once, and the move ends on the picture exactly with the scene unchanged."""

from __future__ import annotations

import numpy as np
import pytest
from manim import LEFT, UP, Circle, Mobject, Square, Text, tempconfig

from scenes.kit.base import ChapterScene
from scenes.kit.camera import KitCamera
from scenes.kit.drift import Drift, out_and_back
from scenes.kit.settings import SceneSettings


def _picture() -> list:
    return [Square(3, fill_opacity=0.8, color="#3366ff", stroke_width=0).shift(LEFT * 2),
            Circle(1, fill_opacity=0.6, color="#ff8800", stroke_width=0).shift(UP),
            Text("loss 0.031", font_size=36).shift([2, -1, 0])]


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(((a[..., :3].astype(float) - b[..., :3].astype(float)) ** 2).mean())
    return 10 * np.log10(255**2 / mse) if mse else float("inf")


def test_out_and_back_leaves_from_rest_turns_once_and_returns():
    ts = np.linspace(0, 1, 101)
    ys = np.array([out_and_back(t) for t in ts])
    assert ys[0] == 0 and ys[50] == 1 and abs(ys[-1]) < 1e-12
    assert np.all(np.diff(ys[:51]) > 0) and np.all(np.diff(ys[50:]) < 0)
    assert ys[5] > 0.1   # sets off at once: a slow start reads as a still


@pytest.mark.parametrize("scale", [0.97, 0.94, 1.05])
def test_a_zoomed_frame_is_the_picture_scaled_about_the_point(scale):
    about = np.array([1.0, -0.5, 0.0])
    with tempconfig({"pixel_width": 854, "pixel_height": 480, "background_color": "#0f1117"}):
        cam = KitCamera()
        cam.drift_zoom = (Mobject(), about, scale)
        cam.capture_mobjects(_picture())
        zoomed = cam.pixel_array.copy()
        cam.drift_zoom = None
        cam.reset()
        cam.capture_mobjects([m.scale(scale, about_point=about) for m in _picture()])
        drawn = cam.pixel_array.copy()
        cam.reset()
        cam.capture_mobjects(_picture())
        unscaled = cam.pixel_array.copy()
    assert _psnr(zoomed, drawn) > 40            # the same picture, resampled instead of redrawn
    assert _psnr(zoomed, unscaled) < 30         # and it did move
    if scale < 1:   # the border the smaller picture leaves is the background
        assert np.array_equal(zoomed[0, 0], cam.background[0, 0])


class Held(ChapterScene):
    """A picture held by the camera move; every frame the move writes is kept."""

    def construct(self) -> None:
        self.add(*_picture())
        self.before = list(self.mobjects)
        self.frames: list[np.ndarray] = []
        self.drawn = 0
        real_add, real_draw = self.renderer.add_frame, self.renderer.camera.display_multiple_vectorized_mobjects

        def add_frame(frame, num_frames=1):
            self.frames += [frame.copy()] * num_frames
            return real_add(frame, num_frames)

        def draw(vmobjects, pixel_array):
            self.drawn += len(vmobjects)
            return real_draw(vmobjects, pixel_array)

        self.renderer.add_frame = add_frame
        self.renderer.camera.display_multiple_vectorized_mobjects = draw
        self.play(Drift(self.renderer.camera, np.array([1.0, -0.5, 0.0]), 0.94), run_time=1.0)
        self.after = list(self.mobjects)
        self.renderer.camera.display_multiple_vectorized_mobjects = real_draw
        self.wait(0.2)


def test_the_move_draws_the_picture_once_and_ends_on_it_exactly():
    with tempconfig({"pixel_width": 320, "pixel_height": 180, "frame_rate": 15, "write_to_movie": False,
                     "disable_caching": True, "background_color": "#0f1117", "verbosity": "ERROR"}):
        scene = type("TestHeld", (Held,), {"settings": SceneSettings(voice="none")})()
        scene.render()
        cam = scene.renderer.camera
        cam.reset()
        cam.capture_mobjects(scene.mobjects)
        picture = cam.pixel_array.copy()
    frames = scene.frames
    assert len(frames) == 18   # the move's 15, then the wait's 3
    shapes = sum(len(m.family_members_with_points()) for m in _picture())
    assert scene.drawn == shapes                     # the picture's shapes, drawn once for the whole move
    assert scene.after == scene.before and cam.drift_zoom is None   # the marker is gone, nothing else changed
    assert all(np.array_equal(f, picture) for f in frames[15:])   # after the move: the picture itself
    assert np.array_equal(frames[0], picture)        # it starts from it too
    moved = [_psnr(f, picture) for f in frames[1:15]]
    assert max(moved) < 35                           # every frame between moves
    middle = frames[len(frames) // 2]
    assert np.array_equal(middle[0, 0], picture[0, 0])   # the uncovered border is the background


def test_a_frame_with_transparency_keeps_it():
    from scenes.kit.drift import zoom_frame

    pixels = np.zeros((40, 60, 4), dtype=np.uint8)
    pixels[10:30, 20:40] = (200, 100, 50, 128)   # half-transparent square on a transparent frame
    out = zoom_frame(pixels, (30.0, 20.0), 0.9, (0, 0, 0, 0))
    assert out[20, 30, 3] == 128 and out[0, 0, 3] == 0
    assert np.array_equal(zoom_frame(pixels, (30.0, 20.0), 1.0, (0, 0, 0, 0)), pixels)

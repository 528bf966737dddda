"""A hold's camera move, drawn from the frame: the picture eases to a scale about a point and back.

The move was first two `picture.animate.scale(...)` Transforms of a Group of everything drawn (in
ch05 at 480p the seven moves spent 104 of the render's 151 s, half of it in `copy.deepcopy`), then
a point-scaling animation that still redrew every shape of the picture on every frame: ~500 cairo
paths a frame in ch11, most of a chapter's drawing, for a picture that does not change.

Here nothing but the camera moves, as a real camera would: the picture is drawn once (manim's
static frame, which every play makes anyway), and each frame of the move is that frame resampled
about the point (OpenCV's bilinear warpAffine; the uncovered border gets the background). Only a
marker mobject "moves", so manim draws nothing else per frame. Strokes and text scale with the
picture, as they do under a camera; the end frame is the picture exactly (scale 1 is a copy).
"""

from __future__ import annotations

import math
from typing import Any

import cv2
import numpy as np
from manim import Animation, Mobject
from manim.utils.rate_functions import ease_in_sine, ease_out_sine
from PIL import Image

cv2.setNumThreads(1)   # a frame is ~0.5 ms of work: threads would only contend with the other render's core


def out_and_back(t: float) -> float:
    """0 → 1 → 0: sets off at once (a slow start reads as a still), slows only to turn, then speeds
    back: ease_out_sine there, ease_in_sine back."""
    return ease_out_sine(2 * t) if t < 0.5 else 1 - ease_in_sine(2 * t - 1)


def zoom_frame(pixels: np.ndarray, about: tuple[float, float], scale: float, fill: tuple[int, ...]) -> np.ndarray:
    """PIXELS (H, W, 4 uint8) scaled by SCALE about the continuous pixel position ABOUT (x right,
    y down, pixel i spanning [i, i+1)); what the scaled picture no longer covers gets FILL.

    Output pixel x shows source position about + (x - about) / scale. An opaque frame (every frame
    of a chapter: its background is opaque) is resampled by OpenCV's bilinear `warpAffine`: 0.46 ms
    at 480p and 2.9 ms at 1080p, where PIL's bicubic `resize` of a source box took 7.9 and 51 ms
    (docs/render-speed.md); frames with transparency keep PIL, which resamples premultiplied."""
    if scale == 1:
        return pixels.copy()
    if bool((pixels[..., 3] == 255).all()) and fill[3:] in ((), (255,)):
        h, w = pixels.shape[:2]
        (ax, ay), s = about, scale
        # pixel centres at i + 0.5: output index = s · source index + (about − 0.5)(1 − s)
        matrix = np.array([[s, 0.0, (ax - 0.5) * (1 - s)], [0.0, s, (ay - 0.5) * (1 - s)]])
        border = (*(int(c) for c in fill[:3]), 255)
        return cv2.warpAffine(np.ascontiguousarray(pixels), matrix, (w, h), flags=cv2.INTER_LINEAR,
                              borderMode=cv2.BORDER_CONSTANT, borderValue=border)
    return _zoom_frame_pil(pixels, about, scale, fill)


def _zoom_frame_pil(pixels: np.ndarray, about: tuple[float, float], scale: float, fill: tuple[int, ...]) -> np.ndarray:
    """zoom_frame by PIL's bicubic `resize` of a source box, for a frame with transparency (RGBA is
    resampled premultiplied): the whole pixels the scaled picture covers, the rest FILL."""
    h, w = pixels.shape[:2]
    (ax, ay), s = about, scale
    x0, y0 = max(0, math.ceil(ax * (1 - s))), max(0, math.ceil(ay * (1 - s)))
    x1, y1 = min(w, math.floor(ax * (1 - s) + w * s)), min(h, math.floor(ay * (1 - s) + h * s))
    out = np.empty_like(pixels)
    colour = np.asarray(fill, dtype=pixels.dtype)
    if x1 <= x0 or y1 <= y0:
        out[...] = colour
        return out
    for border in (out[:y0], out[y1:], out[y0:y1, :x0], out[y0:y1, x1:]):   # the rest is resampled below
        border[...] = colour
    image = Image.frombuffer("RGBA", (w, h), np.ascontiguousarray(pixels), "raw", "RGBA", 0, 1)
    box = (ax + (x0 - ax) / s, ay + (y0 - ay) / s, ax + (x1 - ax) / s, ay + (y1 - ay) / s)
    out[y0:y1, x0:x1] = np.asarray(image.resize((x1 - x0, y1 - y0), Image.Resampling.BICUBIC, box=box))
    return out


class Zooming:
    """Camera mixin: while `drift_zoom` is (anchor, about, scale), every captured frame is scaled
    about ABOUT (scene coordinates) after it is drawn. ABOUT goes to pixels by the camera's own
    mapping for ANCHOR, the mobject it belongs to (a 3D camera maps a fixed-in-frame text apart)."""

    drift_zoom: tuple[Mobject, np.ndarray, float] | None = None

    def capture_mobjects(self, mobjects: Any, **kwargs: Any) -> None:
        super().capture_mobjects(mobjects, **kwargs)   # type: ignore[misc]
        if self.drift_zoom is None or self.drift_zoom[2] == 1:
            return
        anchor, about, scale = self.drift_zoom
        cam: Any = self
        px, py = cam.points_to_subpixel_coords(anchor, about[None])[0]
        cam.pixel_array[...] = zoom_frame(cam.pixel_array, (px, py), scale, tuple(cam.background[0, 0]))


class Drift(Animation):
    """The camera eases to SCALE about ABOUT (scene coordinates, a point of ANCHOR if given) and back
    over the animation.

    Its mobject is a one-point marker on top of everything: manim then counts every mobject of
    the scene as static, draws them once, and per frame only copies that picture and lets the
    camera (a `Zooming` one) scale it. The marker leaves the scene when the move ends."""

    def __init__(self, camera: Zooming, about: np.ndarray, scale: float, anchor: Mobject | None = None,
                 **kwargs: Any) -> None:
        marker = Mobject()
        marker.points = np.zeros((1, 3))
        marker.z_index = 10**9   # after everything, where z-order is used
        super().__init__(marker, rate_func=out_and_back, remover=True, **kwargs)
        self.camera = camera
        self.anchor = anchor if anchor is not None else marker
        self.about = np.asarray(about, dtype=float)
        self.scale_to = float(scale)

    def interpolate_mobject(self, alpha: float) -> None:
        self.camera.drift_zoom = (self.anchor, self.about, 1 + (self.scale_to - 1) * self.rate_func(alpha))

    def clean_up_from_scene(self, scene: Any) -> None:
        super().clean_up_from_scene(scene)
        self.camera.drift_zoom = None   # after the move (or whatever ended it) frames are drawn unscaled

"""The kit's cameras: manim's Cairo cameras, drawing images only inside their box and resampling
them only when they change.

manim's Camera.display_image_mobject resamples an ImageMobject to its place on screen (a PIL
perspective transform), pastes it into a transparent image as large as the frame and
alpha-composites that over the whole frame, on every frame drawn: in ch05 the 201×201 landscape
heatmap took 48 ms of a 71–76 ms frame at 1080p. Here the resampled image is kept while the
image's pixels, on-screen corners and resampling algorithm are unchanged, and it is composited
over only the pixels its box covers. The result is bit-identical to manim's: outside the box
manim composites fully transparent pixels, which PIL leaves exactly as they were, and inside it
the same PIL operations run on the same values (tests/scenes/test_camera.py compares frames).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from manim import Camera, ThreeDCamera
from manim.mobject.types.image_mobject import AbstractImageMobject
from manim.utils.space_ops import cross2d
from PIL import Image

from scenes.kit.drift import Zooming

KEEP = 32   # resampled images kept per camera (one per image on screen; the oldest goes first)


@dataclass
class Resampled:
    """An image resampled to its place: what it was made from, and the result with its top-left
    pixel (None when manim draws nothing: a degenerate quadrilateral)."""

    pixels: np.ndarray
    coords: np.ndarray
    resampling: object
    image: Image.Image | None
    corner: tuple[int, int]


class BoxedImages:
    """Camera mixin: `display_image_mobject` composites inside the image's box and reuses its resampling."""

    def display_image_mobject(self, image_mobject: AbstractImageMobject, pixel_array: np.ndarray) -> None:
        placed = self._resampled(image_mobject)
        if placed.image is None:
            return
        x, y = placed.corner
        height, width = pixel_array.shape[:2]
        x0, y0 = max(x, 0), max(y, 0)
        x1, y1 = min(x + placed.image.width, width), min(y + placed.image.height, height)
        if x0 >= x1 or y0 >= y1:
            return   # off screen: manim composites only transparent pixels, which change nothing
        region = pixel_array[y0:y1, x0:x1]
        over = placed.image.crop((x0 - x, y0 - y, x1 - x, y1 - y))
        region[...] = np.asarray(Image.alpha_composite(Image.fromarray(np.ascontiguousarray(region)), over))

    def _resampled(self, image_mobject: AbstractImageMobject) -> Resampled:
        """The image resampled to its place on screen, from the cache when its inputs are unchanged."""
        cache: dict[int, Resampled] = self.__dict__.setdefault("_resampled_images", {})
        pixels = image_mobject.get_pixel_array()
        coords = self.points_to_subpixel_coords(image_mobject, image_mobject.points)
        resampling = image_mobject.resampling_algorithm
        key = id(image_mobject)   # ids can be reused: the inputs are compared, not trusted
        found = cache.pop(key, None)
        if not (found is not None and found.resampling == resampling and np.array_equal(found.coords, coords)
                and found.pixels.shape == pixels.shape and np.array_equal(found.pixels, pixels)):
            found = Resampled(pixels.copy(), coords.copy(), resampling, *resample(pixels, coords, resampling))
        cache[key] = found
        while len(cache) > KEEP:
            cache.pop(next(iter(cache)))
        return found


def resample(pixels: np.ndarray, target_coords: np.ndarray, resampling) -> tuple[Image.Image | None, tuple[int, int]]:
    """manim 0.21's Camera.display_image_mobject up to its paste, unchanged: the image transformed
    onto the quadrilateral TARGET_COORDS (its corners in subpixels) and the top-left pixel of the
    result, or (None, (0, 0)) where manim draws nothing."""
    sub_image = Image.fromarray(pixels, mode="RGBA")
    original_coords = np.array([[0, 0], [sub_image.width, 0], [0, sub_image.height],
                                [sub_image.width, sub_image.height]])
    target_coords = target_coords.copy()
    int_target_coords = target_coords.astype(np.int64)
    shift_vector = np.array([min(*[x for x, y in int_target_coords]), min(*[y for x, y in int_target_coords])])
    target_coords -= shift_vector
    int_target_coords -= shift_vector
    target_size = (max(*[x for x, y in int_target_coords]), max(*[y for x, y in int_target_coords]))

    ordered_vertices = [target_coords[i] for i in (0, 1, 3, 2)]
    sides = [ordered_vertices[(i + 1) % 4] - ordered_vertices[i] for i in range(4)]
    side_lengths_in_pixels = np.linalg.norm(sides, axis=1)
    longest_side_index = np.argmax(side_lengths_in_pixels)
    longest_side = sides[longest_side_index]
    longest_side_length_in_pixels = side_lengths_in_pixels[longest_side_index]
    if longest_side_length_in_pixels == 0:
        return None, (0, 0)
    previous_side = sides[(longest_side_index - 1) % 4]
    next_side = sides[(longest_side_index - 1) % 4]   # sic: manim's own (both sides are the previous one)
    h1 = abs(cross2d(longest_side, previous_side)) / longest_side_length_in_pixels
    h2 = abs(cross2d(longest_side, next_side)) / longest_side_length_in_pixels
    if max(h1, h2) < 0.5:
        return None, (0, 0)

    homography_matrix = []
    for (x, y), (X, Y) in zip(target_coords, original_coords, strict=True):
        homography_matrix.append([x, y, 1, 0, 0, 0, -X * x, -X * y])
        homography_matrix.append([0, 0, 0, x, y, 1, -Y * x, -Y * y])
    A = np.array(homography_matrix, dtype=np.float64)
    b = original_coords.reshape(8).astype(np.float64)
    try:
        transform_coefficients = np.linalg.solve(A, b)
    except np.linalg.LinAlgError:
        return None, (0, 0)
    image = sub_image.transform(size=target_size, method=Image.Transform.PERSPECTIVE,
                                data=transform_coefficients, resample=resampling)
    return image, (int(shift_vector[0]), int(shift_vector[1]))


class Blindfold:
    """Camera mixin: with `drawing` False, capturing draws nothing. The narration's plan runs a
    scene with its animations skipped, yet manim still draws every play's static frame and its
    last frame: about a third of ch08's plan (5 of 17 s) went to pixels nobody sees."""

    drawing: bool = True

    def capture_mobjects(self, mobjects: Any, **kwargs: Any) -> None:
        if self.drawing:
            super().capture_mobjects(mobjects, **kwargs)   # type: ignore[misc]


class KitCamera(Blindfold, Zooming, BoxedImages, Camera):
    """manim's Camera with BoxedImages and the hold's camera move (every ChapterScene)."""


class KitThreeDCamera(Blindfold, Zooming, BoxedImages, ThreeDCamera):
    """manim's ThreeDCamera with BoxedImages and the hold's camera move (ChapterThreeDScene)."""


__all__ = ["Blindfold", "BoxedImages", "KitCamera", "KitThreeDCamera", "resample"]

"""Render a scene programmatically at a tiny resolution and read its pixels.

manim's frames_comparison silently skips on cairo < 1.18 (Debian 12 has 1.16), so tests render
with tempconfig + renderer.get_frame() and check pixels where the trace says things are.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile

import numpy as np
from manim import config, tempconfig

# One media dir per test process: manim caches text SVGs there, and two processes writing the
# same cache file at once can leave one of them reading a half-written SVG.
_MEDIA = tempfile.mkdtemp(prefix="gdevo-media-")
atexit.register(shutil.rmtree, _MEDIA, True)   # 13-17 MB of text SVGs per test process


def render_last_frame(scene_cls, width: int = 427, height: int = 240, fps: int = 15, **attrs):
    """Run the scene with animations skipped (every mobject reaches its end state), return
    (scene, RGBA frame of the final state)."""
    with tempconfig({"pixel_width": width, "pixel_height": height, "frame_rate": fps, "skip_animations": True,
                     "write_to_movie": False, "disable_caching": True, "background_color": "#0f1117",
                     "verbosity": "ERROR", "media_dir": _MEDIA}):
        cls = type(f"Test{scene_cls.__name__}", (scene_cls,), attrs)
        scene = cls()
        scene.render()
        scene.renderer.update_frame(scene, ignore_skipping=True)
        frame = np.array(scene.renderer.get_frame())
        fw, fh = config.frame_width, config.frame_height
        scene.to_pixel = lambda p: (round((p[0] + fw / 2) / fw * width),
                                    round((fh / 2 - p[1]) / fh * height))
    return scene, frame


def color_distance(pixel: np.ndarray, color) -> float:
    """Euclidean RGB distance between a frame pixel and a manim colour (0..441)."""
    rgb = np.array(color.to_rgb()) * 255
    return float(np.linalg.norm(pixel[:3].astype(float) - rgb))


def nearest_match(frame: np.ndarray, xy: tuple[int, int], color, radius: int = 2) -> float:
    """Smallest colour distance to `color` within a (2r+1)² window around pixel xy."""
    x, y = xy
    window = frame[max(0, y - radius): y + radius + 1, max(0, x - radius): x + radius + 1]
    return min(color_distance(p, color) for row in window for p in row)

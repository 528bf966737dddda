"""The one palette: every colour a scene uses, for the dark and the light theme.

The theme ("dark" by default, or "light") comes from the scene's settings (scenes/kit/settings.py,
read once per manim process): `apply_theme(scene, palette)` puts the background on the scene's
camera and makes unstyled text and axes take the theme's text colour, so no chapter has to pass
colours for the plain parts.

Optimizer colours were chosen so that every pair differs by CIEDE2000 >= 20 both for normal
vision and under a simulated deuteranopia (tests/scenes/test_palette.py measures it), and
stays far from the theme's background. Deuteranopia leaves lightness and a blue-yellow axis,
so seven mutually distinct colours need different lightness, not only hue.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from manim import ManimColor

THEMES = ("dark", "light")


@dataclass(frozen=True)
class Palette:
    name: str
    background: str
    text: str
    muted: str
    data: str                 # data points
    target: str               # the faint target curve
    residual: str             # residual segments (neither an optimizer nor data)
    negative: str             # a negative value (eigenvalue below zero, a loss that grew)
    positive: str
    zero: str
    optimizers: dict[str, str] = field(default_factory=dict)
    series: tuple[str, ...] = ()   # variants of one optimizer shown together (learning rates, σ, batches)
    colormap: str = "viridis"      # loss heatmaps and surfaces (perceptual, readable on both themes)
    missing_rgb: tuple[int, int, int] = (70, 70, 78)   # a grid cell with no value (diverged)


DARK = Palette(
    name="dark", background="#0F1117", text="#E8EAED", muted="#9AA0A6", data="#FFFFFF", target="#9AA0A6",
    residual="#E9FF70", negative="#FF6F59", positive="#4CC9F0", zero="#9AA0A6",
    optimizers={"sgd": "#F0A596", "momentum": "#FFFF00", "adam": "#F00096", "rmsprop": "#A5FFF0",
                "evolution": "#00961E", "cma-es": "#4B69FF", "snes": "#78C3FF"},
    series=("#FFFF00", "#F00096", "#A5FFF0", "#4B69FF", "#F0A596", "#00961E", "#78C3FF"),
)

LIGHT = Palette(
    name="light", background="#FAFAF7", text="#1F2328", muted="#5F6368", data="#1F2328", target="#80868B",
    residual="#7A8C00", negative="#C4361D", positive="#1E6FBF", zero="#80868B",
    optimizers={"sgd": "#780F00", "momentum": "#B46900", "adam": "#A50069", "rmsprop": "#3C001E",
                "evolution": "#0087FF", "cma-es": "#0000F0", "snes": "#00004B"},
    series=("#B46900", "#A50069", "#0087FF", "#0000F0", "#780F00", "#00004B", "#3C001E"),
    missing_rgb=(190, 190, 196),
)

PALETTES = {"dark": DARK, "light": LIGHT}


def c(hex_or_name: str) -> ManimColor:
    return ManimColor(hex_or_name)


def series_colors(n: int, exclude: tuple[str, ...] = (), palette: Palette | None = None) -> list[ManimColor]:
    """n distinct colours for variants shown together, skipping colours already used on screen
    (PALETTE: the scene process's theme unless given)."""
    if palette is None:
        from scenes.kit.settings import scene_settings

        palette = scene_settings().palette
    skip = {s.upper() for s in exclude}
    pool = [s for s in palette.series if s.upper() not in skip] or list(palette.series)
    return [ManimColor(pool[i % len(pool)]) for i in range(n)]


def with_free_colors(colors: list[str | None]) -> list[ManimColor]:
    """COLORS with every None (a run no palette entry names: a project's own optimizer) replaced by
    the next series colour that no other entry uses, so a user's run is distinct beside the rest."""
    taken = tuple(c for c in colors if c)
    free = iter(series_colors(colors.count(None), exclude=taken))
    return [ManimColor(c) if c else next(free) for c in colors]


def luminance(rgb) -> float:
    """WCAG relative luminance of an sRGB colour given as 0..255 or 0..1 components."""
    c = np.asarray(rgb, dtype=float)[:3]
    c = c / 255 if c.max() > 1 else c
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return float(lin @ [0.2126, 0.7152, 0.0722])


def contrast(rgb_a, rgb_b) -> float:
    """WCAG contrast ratio (1..21); issue 17 asks 3:1 for a mark against what lies under it."""
    la, lb = sorted((luminance(rgb_a), luminance(rgb_b)))
    return (lb + 0.05) / (la + 0.05)


def outline_for(rgb) -> str:
    """Black or white, whichever contrasts more with RGB (one of them always reaches 4.5:1)."""
    return "#000000" if contrast(rgb, (0, 0, 0)) >= contrast(rgb, (255, 255, 255)) else "#FFFFFF"


def apply_theme(scene, palette: Palette) -> None:
    """Background on the scene's camera; plain text, formulas and axes in the theme's text colour."""
    from manim import DecimalNumber, Integer, MarkupText, MathTex, NumberLine, Paragraph, Tex, Text

    camera = scene.renderer.camera
    camera.background_color = ManimColor(palette.background)
    camera.init_background()
    for cls in (Text, MarkupText, Paragraph, MathTex, Tex, DecimalNumber, Integer, NumberLine):
        cls.set_default()
        cls.set_default(color=ManimColor(palette.text))


__all__ = ["DARK", "LIGHT", "PALETTES", "THEMES", "Palette", "apply_theme", "contrast", "luminance", "outline_for",
           "series_colors", "with_free_colors"]

"""One colour per optimizer everywhere, and the sizes that keep text legible at 480p.

Every colour comes from the theme's palette (scenes/kit/palette.py), the theme from the scene
process's settings (scenes/kit/settings.py, read once); the names here are what chapters import.
"""

from __future__ import annotations

import zlib

from manim import ManimColor

from scenes.kit.settings import scene_settings

PALETTE = scene_settings().palette

OPTIMIZER_COLORS: dict[str, ManimColor] = {name: ManimColor(hex_) for name, hex_ in PALETTE.optimizers.items()}
BACKGROUND = ManimColor(PALETTE.background)
DATA_COLOR = ManimColor(PALETTE.data)
TARGET_COLOR = ManimColor(PALETTE.target)
MINIMUM_COLOR = ManimColor("#FFFFFF")   # drawn on the heatmap (viridis), white in both themes
TEXT_COLOR = ManimColor(PALETTE.text)
MUTED = ManimColor(PALETTE.muted)

TITLE_SIZE = 32
LABEL_SIZE = 24
SMALL_SIZE = 23
# The smallest sizes a viewer reads at 480p (issue 17: no text under 14 px). Measured as the height
# of a digit on screen (tests/scenes/legibility.py), the measure the "ticks about 7 px" used:
# Pango's DejaVu Sans draws 0.63 px of digit per point, TeX's cmr10 (axis numbers, formulas) 0.43.
MIN_TEXT_SIZE = 23   # Text: digits 14.5 px tall (an em of 19.2 px)
TICK_SIZE = 33       # TeX axis numbers: digits 14.1 px tall (an em of 20.5 px)
TEX_LABEL_SIZE = 36  # TeX axis letters and formulas (a, b, x, f(x)): 15.4 px
COLORMAP = PALETTE.colormap


SHOWN_EVERYWHERE = ("sgd", "momentum", "adam", "evolution")   # the registry runs the landscape chapters draw


def color_for(run_name: str, run_meta: dict | None = None) -> ManimColor:
    """The colour of a run: by its name, else by its optimizer kind."""
    if run_name in OPTIMIZER_COLORS:
        return OPTIMIZER_COLORS[run_name]
    opt = (run_meta or {}).get("optimizer", "")
    if run_meta and opt == "sgd" and run_meta.get("momentum"):
        return OPTIMIZER_COLORS["momentum"]
    if opt in OPTIMIZER_COLORS:
        return OPTIMIZER_COLORS[opt]
    # A run no palette entry names (a project's own optimizer): a series colour that none of the
    # runs every chapter draws uses, the same one for the same name in every chapter.
    from scenes.kit.palette import series_colors

    pool = series_colors(len(PALETTE.series), exclude=tuple(PALETTE.optimizers[n] for n in SHOWN_EVERYWHERE),
                         palette=PALETTE)
    return pool[zlib.crc32(run_name.encode()) % len(pool)]

"""One colour per optimizer everywhere, and the sizes that keep text legible at 480p.

Every colour comes from the theme's palette (scenes/kit/palette.py), the theme from the scene
process's settings (scenes/kit/settings.py, read once); the names here are what chapters import.
"""

from __future__ import annotations

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
SMALL_SIZE = 20
COLORMAP = PALETTE.colormap


def color_for(run_name: str, run_meta: dict | None = None) -> ManimColor:
    """The colour of a run: by its name, else by its optimizer kind."""
    if run_name in OPTIMIZER_COLORS:
        return OPTIMIZER_COLORS[run_name]
    opt = (run_meta or {}).get("optimizer", "")
    if run_meta and opt == "sgd" and run_meta.get("momentum"):
        return OPTIMIZER_COLORS["momentum"]
    return OPTIMIZER_COLORS.get(opt, TEXT_COLOR)

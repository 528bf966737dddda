"""One colour per optimizer everywhere, and the sizes that keep text legible at 480p."""

from __future__ import annotations

from manim import ManimColor

OPTIMIZER_COLORS: dict[str, ManimColor] = {
    "sgd": ManimColor("#FF6F59"),        # coral
    "momentum": ManimColor("#FFB000"),   # amber
    "adam": ManimColor("#F72585"),       # magenta
    "rmsprop": ManimColor("#B5179E"),
    "evolution": ManimColor("#4CC9F0"),  # sky blue
    "cma-es": ManimColor("#80FFDB"),
    "snes": ManimColor("#B8F35A"),       # lime: the torch natural evolution strategy (strong-es)
}
DATA_COLOR = ManimColor("#FFFFFF")
TARGET_COLOR = ManimColor("#9AA0A6")
MINIMUM_COLOR = ManimColor("#FFFFFF")
TEXT_COLOR = ManimColor("#E8EAED")
MUTED = ManimColor("#9AA0A6")

TITLE_SIZE = 32
LABEL_SIZE = 24
SMALL_SIZE = 20
COLORMAP = "viridis"


def color_for(run_name: str, run_meta: dict | None = None) -> ManimColor:
    """The colour of a run: by its name, else by its optimizer kind."""
    if run_name in OPTIMIZER_COLORS:
        return OPTIMIZER_COLORS[run_name]
    opt = (run_meta or {}).get("optimizer", "")
    if run_meta and opt == "sgd" and run_meta.get("momentum"):
        return OPTIMIZER_COLORS["momentum"]
    return OPTIMIZER_COLORS.get(opt, ManimColor("#FFFFFF"))

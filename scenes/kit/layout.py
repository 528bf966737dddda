"""Layout from the data: nice axis ranges, text that shrinks to its slot, pieces kept in the frame.

Scenes place things relative to each other (next_to, arrange, align_to); these helpers size
them from what they show, so other functions, images and labels still fit.
"""

from __future__ import annotations

import math
import textwrap

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Mobject, Text, config
from matplotlib.ticker import MaxNLocator

MARGIN = 0.12   # scene units kept free at the frame's edges


def nice_range(lo: float, hi: float, nbins: int = 5, pad: float = 0.0) -> tuple[float, float, float, int]:
    """(low, high, tick step, decimals) covering [lo, hi] with at most `nbins` readable ticks.

    The range grows outwards to the ticks matplotlib's MaxNLocator picks (1, 2, 2.5, 5 × 10^k),
    so tick labels are round numbers; a flat range still gets a non-zero span.
    """
    lo, hi = float(lo), float(hi)
    if not (math.isfinite(lo) and math.isfinite(hi)):
        lo, hi = -1.0, 1.0
    span = hi - lo
    min_span = max(0.02 * max(abs(lo), abs(hi)), 1e-3)   # a nearly constant curve reads as flat
    if span < min_span:
        mid = (lo + hi) / 2
        lo, hi = mid - min_span / 2, mid + min_span / 2
        span = hi - lo
    lo, hi = lo - pad * span, hi + pad * span
    ticks = MaxNLocator(nbins=nbins, steps=[1, 2, 2.5, 5, 10]).tick_values(lo, hi)
    step = float(ticks[1] - ticks[0])
    t_lo = float(ticks[ticks <= lo + 1e-12 * abs(step)][-1]) if (ticks <= lo).any() else float(ticks[0])
    t_hi = float(ticks[ticks >= hi - 1e-12 * abs(step)][0]) if (ticks >= hi).any() else float(ticks[-1])
    decimals = max(0, -math.floor(math.log10(step) + 1e-9)) if step < 1 else 0
    if decimals and abs(round(step * 10 ** decimals) - step * 10 ** decimals) > 1e-6:
        decimals += 1   # a step such as 0.25
    digits = decimals + 3
    return round(t_lo, digits), round(t_hi, digits), round(step, digits), decimals


def data_range(*arrays, clip: float | None = None) -> tuple[float, float]:
    """Finite min and max over arrays (values beyond ±clip ignored: a diverged run does not set the axes)."""
    vals = np.concatenate([np.asarray(a, dtype=float).ravel() for a in arrays if a is not None and np.size(a)])
    vals = vals[np.isfinite(vals)]
    if clip is not None:
        vals = vals[np.abs(vals) <= clip]
    if not vals.size:
        return -1.0, 1.0
    return float(vals.min()), float(vals.max())


def axes_points(axes, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Scene points (N, 3) of data (xs, ys) on AXES (any scaling), placed by one `coords_to_point`
    call: the same points as one `c2p` per point, in a tenth of the time for a 400-point curve."""
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    if xs.shape != ys.shape:
        raise ValueError(f"{ys.shape} values for {xs.shape} x positions")
    if not len(xs):
        return np.zeros((0, 3))
    return np.asarray(axes.coords_to_point(xs, ys)).T.reshape(-1, 3)


def fit_width(mob: Mobject, width: float) -> Mobject:
    """Shrink `mob` (never grow it) so it is at most `width` wide."""
    if mob.width > width > 0:
        mob.scale_to_fit_width(width)
    return mob


def fit_box(mob: Mobject, width: float, height: float) -> Mobject:
    """Shrink `mob` (never grow it) into a width × height box, keeping its aspect ratio."""
    factor = min(1.0, width / max(mob.width, 1e-9), height / max(mob.height, 1e-9))
    if factor < 1.0:
        mob.scale(factor)
    return mob


def frame_box(margin: float = MARGIN) -> tuple[float, float, float, float]:
    """(left, right, bottom, top) of the visible frame, `margin` inside."""
    w, h = config.frame_width / 2, config.frame_height / 2
    return -w + margin, w - margin, -h + margin, h - margin


def keep_in_frame(mob: Mobject, margin: float = MARGIN) -> Mobject:
    """Shrink `mob` if it is larger than the frame, then shift it inside (by the least amount)."""
    x0, x1, y0, y1 = frame_box(margin)
    fit_box(mob, x1 - x0, y1 - y0)
    dx = max(0.0, x0 - mob.get_left()[0]) - max(0.0, mob.get_right()[0] - x1)
    dy = max(0.0, y0 - mob.get_bottom()[1]) - max(0.0, mob.get_top()[1] - y1)
    if dx or dy:
        mob.shift(RIGHT * dx + UP * dy)
    return mob


def label(text: str, width: float, font_size: float, min_size: float | None = None, max_lines: int | None = None,
          **kwargs) -> Text:
    """Text that fits `width`: shrunk down to `min_size` (by default the smallest legible at 480p,
    style.MIN_TEXT_SIZE), then wrapped at spaces; only a single word wider than `width` shrinks it
    further. With `max_lines`, a text that needs more lines is cut at a word and ends in "…" (a
    user's long run label in a legend or a table: shrinking it there would make it unreadable)."""
    from scenes.kit.style import MIN_TEXT_SIZE  # here: style reads the scene's settings when imported

    min_size = min(font_size, MIN_TEXT_SIZE) if min_size is None else min_size
    t = Text(text, font_size=font_size, **kwargs)
    if t.width <= width:
        return t
    if t.width * min_size / font_size <= width:
        return fit_width(t, width)
    budget = max(8, int(len(text) * width / t.width * font_size / min_size))   # characters a line holds
    kwargs.setdefault("line_spacing", 0.8)
    while True:   # glyphs differ in width: narrower lines until they fit (or a line is one word)
        lines = textwrap.wrap(text, width=budget, break_long_words=False, break_on_hyphens=False,
                              max_lines=max_lines, placeholder=" …") or [text]
        wrapped = Text("\n".join(lines), font_size=min_size, **kwargs)
        if wrapped.width <= width or budget <= 8 or all(" " not in line for line in lines):
            return fit_width(_balanced(text, lines, budget, max_lines, min_size, kwargs) or wrapped, width)
        budget = max(8, int(budget * min(0.95, width / wrapped.width)))


def _balanced(text: str, lines: list[str], budget: int, max_lines: int | None, size: float,
              kwargs: dict) -> Text | None:
    """The same number of lines, as even as they go (no one-word last line); None if already even."""
    n = len(lines)
    if n < 2 or (max_lines is not None and n >= max_lines) or len(lines[-1]) > 0.6 * len(lines[0]):
        return None
    for b in range(-(-len(text) // n), budget):
        even = textwrap.wrap(text, width=b, break_long_words=False, break_on_hyphens=False)
        if len(even) == n:
            return Text("\n".join(even), font_size=size, **kwargs)
    return None


def shortened(text: str, chars: int = 30) -> str:
    """A user's run label inside a longer screen text ("Evolution with a deliberately …"): cut at a
    word, so the numbers after it keep their size; the narration still says it whole."""
    return text if len(text) <= chars else textwrap.shorten(text, width=chars, placeholder=" …")


def stack(*mobs: Mobject, buff: float = 0.15) -> Mobject:
    """Mobjects one under the other, left-aligned (a text column)."""
    from manim import Group

    group = Group(*mobs) if any(not hasattr(m, "stroke_width") for m in mobs) else None
    if group is None:
        from manim import VGroup

        group = VGroup(*mobs)
    return group.arrange(DOWN, aligned_edge=LEFT, buff=buff)


def boxes_meet(a, b, pad: float = 0.0) -> bool:
    """Whether two mobjects' bounding boxes overlap, or come within `pad` (a label placed on an axis number)."""
    return bool(a.get_left()[0] - pad < b.get_right()[0] and b.get_left()[0] - pad < a.get_right()[0]
                and a.get_bottom()[1] - pad < b.get_top()[1] and b.get_bottom()[1] - pad < a.get_top()[1])


__all__ = ["boxes_meet", "data_range", "fit_box", "fit_width", "frame_box", "keep_in_frame", "label", "nice_range",
           "shortened", "stack"]


_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def pretty_expr(expr: str) -> str:
    """A config expression as screen text: 'tanh(a*x + b)' -> 'tanh(a·x + b)'; a whole-number power
    is a superscript ('x**2' -> 'x²', 'x ** -1' -> 'x⁻¹'), any other '**' a '^'."""
    import re

    expr = re.sub(r"\s*\*\*\s*(-?\d+)(?![\d.])", lambda m: m[1].translate(_SUPERSCRIPT), expr)
    return expr.replace("**", "^").replace("*", "·")


def with_params(expr: str, values: dict[str, float], digits: int = 2) -> str:
    """The expression with named parameters replaced by their values: 'tanh(1.20·x − 0.30)'."""
    import re

    text = pretty_expr(expr)
    for name, value in values.items():
        v = round(float(value), digits) + 0.0
        text = re.sub(rf"(?<![A-Za-z_]){re.escape(name)}(?![A-Za-z_(])", f"{v:.{digits}f}" if v >= 0
                      else f"({v:.{digits}f})", text)
    return re.sub(r"\+ \(-([0-9.]+)\)", r"− \1", text)


RIGHT_COLUMN_X = 0.7   # left edge of the text column beside a plot or landscape on the left half


def flush_left(mob: Mobject, x: float = RIGHT_COLUMN_X) -> Mobject:
    """Put mob's left edge at x, so the rows of a text column stay flush."""
    return mob.shift(RIGHT * (x - float(mob.get_left()[0])))

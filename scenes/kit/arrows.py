"""Arrows and marks on a landscape: gradient and step arrows, marked local minima, crops.

Everything here only places what the trace recorded (parameters, gradients, minima) in scene
coordinates; nothing is computed about the loss.
"""

from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, WHITE, Arrow, Circle, ManimColor, Text, VGroup

from scenes.kit import speech
from scenes.kit.layout import boxes_meet
from scenes.kit.style import SMALL_SIZE


def clamp(view, params: np.ndarray) -> np.ndarray:
    """Parameters clipped into the view's (a, b) box, so a run that leaves the map stays at its edge."""
    a_lo, a_hi = view.axes.x_range[:2]
    b_lo, b_hi = view.axes.y_range[:2]
    return np.array([np.clip(params[0], a_lo, a_hi), np.clip(params[1], b_lo, b_hi)])


def inside(view, params: np.ndarray) -> bool:
    return bool(np.allclose(clamp(view, params), params))


def vector_arrow(view, params: np.ndarray, vec: np.ndarray, color: ManimColor, scale: float = 1.0,
                 max_length: float = 2.5, width: float = 5) -> Arrow:
    """An arrow from `params` along `scale · vec` (both in (a, b) units), drawn on `view`.

    Arrows longer than `max_length` scene units are shortened to it (`arrow.shortened` says so).
    """
    start = view.point(params)
    end = view.point(np.asarray(params) + scale * np.asarray(vec))
    d = end - start
    n = float(np.linalg.norm(d))
    shortened = n > max_length
    if shortened:
        end = start + d / n * max_length
    if n < 1e-6:
        end = start + np.array([1e-3, 0, 0])
    arrow = Arrow(start, end, buff=0, color=color, stroke_width=width, max_tip_length_to_length_ratio=0.3,
                  tip_length=0.22)
    arrow.set_stroke("#000000", width + 3, 0.6, background=True)
    arrow.shortened = shortened
    return arrow.set_z_index(6)


def minimum_marks(view, minima: np.ndarray, minima_loss: np.ndarray, labels: bool = True,
                  size: int = SMALL_SIZE, is_global: np.ndarray | None = None) -> VGroup:
    """A ring at every recorded local minimum but the first (the global one, the view's star); a
    minimum as deep as the first (IS_GLOBAL, the trace's landscape/minima_global) gets a star too.

    Labels give each ring's recorded loss to two significant digits, as the voice says it (two
    decimals labelled minima nearly as deep as the global one "0.00"). `marks.rings[k]` is minimum
    k's mark; `marks.stars` counts the global minima drawn (the view's star included)."""
    group, rings, stars = VGroup(), [], 1
    ticks = [n for axis in view.frame for n in getattr(axis, "numbers", [])]   # labels keep off them
    for k, (p, loss) in enumerate(zip(minima, minima_loss, strict=True)):
        deep = k > 0 and is_global is not None and bool(is_global[k])
        if deep:
            ring = view.minimum.copy().move_to(view.point(p))
        else:
            ring = Circle(radius=0.13, color=WHITE, stroke_width=3).move_to(view.point(p))
            ring.set_stroke("#000000", 6, 0.5, background=True)
        rings.append(ring)
        if k == 0 or not inside(view, p):
            continue
        group.add(ring)
        stars += deep
        if labels and not deep:
            low = p[1] < view.axes.y_range[0] + 0.15 * (view.axes.y_range[1] - view.axes.y_range[0])
            text = Text(speech.loss(loss), font_size=size, color=WHITE)
            # under the ring (over it near the bottom), else the first side where no axis number is
            for side in ((UP, DOWN) if low else (DOWN, UP)) + (RIGHT, LEFT):
                text.next_to(ring, side, buff=0.05)
                if not any(boxes_meet(text, n) for n in ticks):
                    break
            else:
                text.next_to(ring, UP if low else DOWN, buff=0.05)
            text.add_background_rectangle(color="#000000", opacity=0.55, buff=0.04)
            group.add(text)
    group.rings, group.stars = rings, stars
    return group


def marks_key(marks: VGroup, best: str | None = None) -> str:
    """What the marks are, for a key beside the landscape: 'rings: local minima (their loss); star: global'.
    Two lines when several global minima are drawn as stars, or when BEST (the global minimum's loss,
    as the chapter says it) is written too."""
    rings, several = "rings: local minima (their loss)", getattr(marks, "stars", 1) > 1
    if best is not None:
        return rings + (f"\nstars: global minima (deepest: loss {best})" if several
                        else f"\nstar: the global minimum, loss {best}")
    return rings + ("\nstars: global minima (equally deep)" if several else "; star: global")


def crop(a: np.ndarray, b: np.ndarray, loss: np.ndarray, a_lim: tuple[float, float],
         b_lim: tuple[float, float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The part of a recorded landscape grid inside a_lim × b_lim (a selection, no recomputation)."""
    ja = np.nonzero((a >= a_lim[0]) & (a <= a_lim[1]))[0]
    ib = np.nonzero((b >= b_lim[0]) & (b <= b_lim[1]))[0]
    return a[ja], b[ib], loss[np.ix_(ib, ja)]


def hop(start: np.ndarray, end: np.ndarray, color: ManimColor, bend: float = 0.0, width: float = 4):
    """One optimizer step from `start` to `end` (scene points). With `bend` != 0 the step is drawn
    as an arc, so steps that go back and forth along one line stay apart (the ends are exact)."""
    from manim import ArcBetweenPoints, Line

    if np.linalg.norm(end - start) < 1e-6:
        end = start + np.array([1e-4, 0, 0])
    seg = ArcBetweenPoints(start, end, angle=bend) if bend else Line(start, end)
    seg.set_stroke(color, width).set_stroke("#000000", width + 3, 0.55, background=True)
    return seg


def swap(group: VGroup, index: int, new) -> None:
    """Replace member `index` of `group` by `new`, in place (a read-out that changes text).

    Unlike `become`, the new Text objects keep their own `.text`, so what is drawn and what
    tests read agree.
    """
    group.submobjects[index] = new


def fmt_vec(v: np.ndarray, digits: int = 3) -> str:
    """'(0.399, -0.333)' — rounded first, so a tiny negative never shows as '-0.000'."""
    return "(" + ", ".join(f"{round(float(x), digits) + 0.0:.{digits}f}" for x in v) + ")"

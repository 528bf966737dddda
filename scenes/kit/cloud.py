"""Mutation clouds and trails: the parent, every child of a round, the chosen child, the path."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from manim import WHITE, Dot, ManimColor, VGroup, VMobject

from scenes.kit.palette import outline_for

ToPoint = Callable[[np.ndarray], np.ndarray]
Under = Callable[[np.ndarray], np.ndarray]
RING = 4   # a child's outline (about 2.4 px at 480p): the part that contrasts with the landscape


def mutation_cloud(children: np.ndarray, winner: int, accepted: bool, to_point: ToPoint,
                   color: ManimColor, radius: float = 0.05, under: Under | None = None) -> VGroup:
    """Every child of one round as a dot; the best child (index `winner`) larger, ringed.

    `under(params)` is the RGB drawn beneath a child (a landscape's heatmap): each dot is ringed in
    black or white, whichever contrasts with it (issue 17: a mark the narration names must reach
    3:1 against what lies under it; the optimizer's own colour on the colormap often does not).
    `cloud.rejected` holds the children that lose, `cloud.best` the winner, for fading apart.
    """
    def ring(c: np.ndarray) -> str:
        return outline_for(under(c)) if under is not None else WHITE

    rejected = VGroup(*[
        Dot(to_point(c), radius=radius, color=color, fill_opacity=1).set_stroke(ring(c), RING)
        for i, c in enumerate(children) if i != winner
    ])
    best = Dot(to_point(children[winner]), radius=radius * 1.6, color=color if accepted else WHITE,
               fill_opacity=1).set_stroke(ring(children[winner]), RING + 1)
    cloud = VGroup(rejected, best)
    cloud.rejected, cloud.best = rejected, best
    return cloud


def trail(points: list[np.ndarray], color: ManimColor, width: float = 4) -> VMobject:
    """A polyline through the given scene points, with a dark backing stroke for contrast."""
    path = VMobject(stroke_color=color, stroke_width=width)
    path.set_points_as_corners(points if len(points) > 1 else [points[0], points[0]])
    path.set_stroke("#000000", width + 3, 0.6, background=True)
    return path


def marker(point: np.ndarray, color: ManimColor, radius: float = 0.1) -> Dot:
    """The current position of an optimizer."""
    return Dot(point, radius=radius, color=color, fill_opacity=1).set_stroke(WHITE, 2).set_z_index(5)


VISIBLE_MOVE = 0.03
"""Scene units a marker must move in one step to be seen moving: about 2 px at 480p (60 px a unit)."""


def last_visible_step(paths: list[np.ndarray], visible: float = VISIBLE_MOVE) -> int:
    """The last step k at which some path moved at least VISIBLE (scene units) from step k − 1 (0: none did).

    A path is its scene points step by step: (T, 3) for a marker, (T, N, 3) for a curve (its farthest
    point counts); a shorter path stays at its end. After that step nothing visibly moves, so those
    steps are played steady (never stretched to fill a line), not stretched into a still."""
    last = 0
    for p in paths:
        step = np.linalg.norm(np.diff(np.asarray(p, dtype=float), axis=0), axis=-1)
        moves = step.reshape(len(step), -1).max(axis=1, initial=0.0) >= visible
        if moves.any():
            last = max(last, int(np.flatnonzero(moves)[-1]) + 1)
    return last


def steps_to_play(ks: list[int], moving: int) -> list[tuple[int, bool]]:
    """(k, steady) for each play: the first MOVING of KS one by one, then, if any are left, one steady
    jump to the last (a run whose markers or curve no longer visibly move: see last_visible_step)."""
    return [(k, False) for k in ks[:moving]] + ([(ks[-1], True)] if len(ks) > moving else [])

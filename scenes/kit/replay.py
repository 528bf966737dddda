"""Motion from the data for a beat's hold: recorded states replayed as a faint ghost.

When a line outlasts its animations (scenes/kit/base.py: `beat(line, fill=...)`), the picture
should keep moving with something true: the run's own recorded states, played again from the
first to the last as a translucent copy over the finished picture, fading in and out, so the
final state (and every number the line reads from it) stays on screen the whole time.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
from manim import Scene, UpdateFromAlphaFunc, VMobject, linear

FADE = 0.12   # fraction of the replay spent fading the ghost in, and again out
WIDEN = 3.0   # the ghost is drawn this much wider than the states (a faint, broad trail: visible as motion)


def replay(scene: Scene, states: Sequence[VMobject], seconds: float, opacity: float = 0.4) -> None:
    """Play STATES (recorded shapes, first to last) as a ghost for SECONDS, then remove it."""
    if not states or seconds <= 0:
        return
    ghost = states[0].copy()
    ghost.submobjects = []   # one shape: its points move (a state with parts is shown by become)
    widths = [s.get_stroke_width() * WIDEN for s in states]
    progress = _progress(states)

    def show(m: VMobject, alpha: float) -> None:
        at = alpha * progress[-1]   # even pace: interpolate between the two states around AT
        i = min(len(states) - 2, int(np.searchsorted(progress, at, side="right")) - 1) if len(states) > 1 else 0
        a, b = states[max(i, 0)], states[min(i + 1, len(states) - 1)]
        span = progress[min(i + 1, len(states) - 1)] - progress[max(i, 0)]
        if a.points.shape == b.points.shape and span > 0:
            m.points = a.points + (b.points - a.points) * min(1.0, max(0.0, (at - progress[max(i, 0)]) / span))
        else:
            m.become(b if span <= 0 or at >= progress[min(i + 1, len(states) - 1)] else a)
        fade = max(0.0, min(1.0, alpha / FADE, (1 - alpha) / FADE))
        m.set_stroke(width=widths[max(i, 0)], opacity=opacity * fade)
        m.set_fill(opacity=min(float(a.get_fill_opacity()), opacity) * fade)

    scene.play(UpdateFromAlphaFunc(ghost, show, rate_func=linear), run_time=seconds)
    scene.remove(ghost)


def _progress(states: Sequence[VMobject]) -> np.ndarray:
    """Cumulative change from state to state (mean point distance), so the ghost moves at an even
    pace: a run that converges early spends its replay on the steps that changed something."""
    moves = [0.0]
    for a, b in itertools.pairwise(states):
        pa, pb = a.points, b.points
        moves.append(float(np.abs(pa - pb).mean()) if pa.shape == pb.shape else 1.0)
    cum = np.cumsum(moves)
    return cum if cum[-1] > 0 else np.linspace(0.0, 1.0, len(states))


__all__ = ["replay"]

"""ch13: every eigenvalue of a critical point is drawn at its (symmetric-log) height, coloured by sign."""

from __future__ import annotations

import pytest
from manim import ManimColor

from scenes.ch13_saddles import NEG, POS, ZERO, Saddles, symlog
from sim.experiments.saddles import simulate
from tests.framecheck import nearest_match, render_last_frame
from tests.sim.test_saddles import tiny


@pytest.fixture(scope="module")
def rendered():
    tr = simulate(tiny(), "saddles")
    scene, frame = render_last_frame(Saddles, width=854, height=480, traces={"saddles": tr})
    return tr, scene, frame


def test_eigenvalues_are_drawn_where_the_trace_puts_them(rendered):
    tr, scene, frame = rendered
    eig = tr["nets/0/eigvals"][tr["nets/0/unique"]]
    assert len(eig)
    for c, ev in enumerate(eig):
        x = scene.columns[(0, c)]
        for y in symlog(ev):
            colour = ManimColor(NEG if y < 0 else POS if y > 0 else ZERO)
            xy = scene.to_pixel(scene.axes.c2p(x, float(y)))
            assert nearest_match(frame, xy, colour, radius=2) < 70, (c, y)

"""ch12: the descent and probe points are drawn where the trace's numbers put them."""

from __future__ import annotations

import numpy as np
import pytest

from scenes.ch12_dimensions import Dimensions
from scenes.kit.style import color_for
from sim.experiments.dimensions import simulate
from tests.framecheck import nearest_match, render_last_frame
from tests.sim.test_dimensions import tiny


@pytest.fixture(scope="module")
def rendered():
    tr = simulate(tiny(), "dimensions")
    scene, frame = render_last_frame(Dimensions, width=854, height=480, traces={"dimensions": tr})
    return tr, scene, frame


def test_descent_steps_are_plotted_at_their_values(rendered):
    tr, scene, frame = rendered
    d = tr["nets/n_params"]
    for i in range(len(d)):
        steps = np.nanmedian(tr["descent/steps_to_target"][i])
        xy = scene.to_pixel(scene.cost_axes.c2p(float(d[i]), max(float(steps), 1.0)))
        assert nearest_match(frame, xy, color_for("adam"), radius=2) < 60


def test_probe_probabilities_are_plotted_at_their_values(rendered):
    tr, scene, frame = rendered
    p = tr["probe/p"]
    col = scene.sigma_colors[float(tr["probe/sigmas"][0])]
    for i, d in enumerate(tr["nets/n_params"]):
        xy = scene.to_pixel(scene.p_axes.c2p(float(d), float(p[i, -1, 0])))
        assert nearest_match(frame, xy, col, radius=2) < 60

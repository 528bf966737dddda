"""ch12: the chart's points are where the trace puts them, and every sentence follows from the data."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from scenes.ch12_dimensions import Dimensions, cost_line, progress_lines, shown_level
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


def test_gain_medians_are_plotted_at_their_values(rendered):
    tr, scene, frame = rendered
    li = shown_level(tr)
    for key, color in (("mutation", color_for("evolution")), ("step", color_for("sgd"))):
        for d, v in zip(tr["nets/n_params"], tr[f"progress/{key}_median"][:, li], strict=True):
            xy = scene.to_pixel(scene.gain_axes.c2p(float(d), float(v)))
            assert nearest_match(frame, xy, color, radius=2) < 60, key


def _fake(mutation: list[float], step: list[float], p: float = 0.4):
    """A two-network trace with the given median gains (and P(improve) p everywhere)."""
    tr = copy.copy(simulate(tiny(), "dimensions"))
    tr.arrays = dict(tr.arrays)
    tr.arrays["progress/mutation_median"] = np.array([[v] * 2 for v in mutation])
    tr.arrays["progress/step_median"] = np.array([[v] * 2 for v in step])
    tr.arrays["progress/ratio_median"] = tr.arrays["progress/step_median"] / tr.arrays["progress/mutation_median"]
    tr.arrays["probe/p"] = np.full_like(tr["probe/p"], p)
    tr.wall_stats = {}
    return tr


def test_sentences_say_what_the_data_shows():
    flat = " ".join(progress_lines(_fake([0.2, 0.15], [0.9, 0.8]), 1))
    assert "stays about the same" in flat and "times less" not in flat and "uphill" not in flat
    cursed = " ".join(progress_lines(_fake([0.2, 0.002], [0.9, 0.8], p=0.01), 1))
    assert "about 100 times less per evaluation" in cursed
    assert "almost every direction is uphill" in cursed              # P(improve) < 0.1 at every σ drawn
    mixed = " ".join(progress_lines(_fake([0.2, 0.3], [0.1, 0.8]), 1))
    assert "depends on the size" in mixed


def test_default_style_sentences_come_from_the_trace(rendered):
    tr, scene, _ = rendered
    notes = " ".join(n for _, n in scene.beats)
    assert " ".join(progress_lines(tr, shown_level(tr))) in notes and cost_line(tr) in notes
    assert "curse" not in notes.lower()

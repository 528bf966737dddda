"""scenes/kit/plots.py: a loss plot's step labels never run into each other ("10,00015,000")."""

from __future__ import annotations

from itertools import pairwise

import pytest

from scenes.kit.plots import LABEL_GAP, LossPlot


@pytest.mark.parametrize("width", [1.2, 2.4, 3.2, 4.9])
def test_step_labels_keep_a_gap_and_the_last_label(width):
    plot = LossPlot(15000, 1e-5, 1.0, width=width, height=1.5, x_step=5000)
    labels = list(plot.axes.x_axis.numbers)
    assert labels and labels[-1].get_value() == 15000   # the budget stays labelled
    for a, b in pairwise(labels):
        assert b.get_left()[0] - a.get_right()[0] >= LABEL_GAP - 1e-9, (width, a.get_value(), b.get_value())
    ticks = plot.axes.x_axis.ticks
    assert len(ticks) >= 3   # the ticks stay where they were


def test_a_wide_plot_keeps_every_label():
    plot = LossPlot(15000, 1e-5, 1.0, width=4.9, height=1.5, x_step=5000)
    assert [n.get_value() for n in plot.axes.x_axis.numbers] == [5000, 10000, 15000]

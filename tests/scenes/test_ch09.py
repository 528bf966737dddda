"""Chapter 9 draws the mini-batch paths where the trace puts them, with evaluations spent."""

from __future__ import annotations

import pytest
from manim import ManimColor

from scenes.ch09_stochastic import COLORS, Stochastic
from scenes.kit.panels import fmt_loss
from tests.framecheck import nearest_match, render_last_frame
from tests.scenes.gd_traces import shows, sine_trace


@pytest.fixture(scope="module")
def rendered():
    return render_last_frame(Stochastic, width=854, height=480, traces={"sine-2d": sine_trace()})


def test_batch_of_one_ends_where_the_trace_says(rendered):
    scene, frame = rendered
    tr = sine_trace()
    one = tr.run("batch-1")
    budget = min(float(tr.run(n)["evals"][-1]) for n in ("sgd", "batch-1", "batch-2"))
    k = int((one["evals"] <= budget + 1e-9).sum() - 1)
    xy = scene.to_pixel(scene.view.point(one["params"][k]))
    assert nearest_match(frame, xy, ManimColor(COLORS["batch-1"]), radius=2) < 60


def test_readouts_show_steps_and_losses_on_one_budget(rendered):
    scene, _ = rendered
    tr = sine_trace()
    budget = min(float(tr.run(n)["evals"][-1]) for n in ("sgd", "batch-1", "batch-2"))
    assert shows(scene, f"evaluations spent: {budget:.1f}")
    for name in ("sgd", "batch-1", "batch-2"):
        run = tr.run(name)
        k = int((run["evals"] <= budget + 1e-9).sum() - 1)
        assert shows(scene, f"steps {k} · loss {fmt_loss(run['loss'][k])}"), name


def test_the_line_says_what_the_readouts_show_at_the_budget(rendered):
    """The race stops at the smallest run's budget; a run recorded past it (SGD's 6 steps here, 4 at the
    budget) was said at its own end: "6 steps, loss ..." beside a read-out of step 4."""
    from scenes.kit import speech

    scene, _ = rendered
    tr = sine_trace()
    budget = min(float(tr.run(n)["evals"][-1]) for n in ("sgd", "batch-1", "batch-2"))
    line = scene.beats[-1][1]
    sgd = tr.run("sgd")
    k = int((sgd["evals"] <= budget + 1e-9).sum() - 1)
    assert k < sgd.steps   # the trace does record SGD past the budget
    assert f"{sgd.meta['label']}: {k} steps, loss {speech.loss(sgd['loss'][k])}" in line

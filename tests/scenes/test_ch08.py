"""Chapter 8 draws each learning rate's path where the trace puts it, with its numbers."""

from __future__ import annotations

import numpy as np
import pytest
from manim import ManimColor

from scenes.ch08_gradient_descent import LR_COLORS, GradientDescent
from scenes.kit import speech
from scenes.kit.panels import fmt_loss
from tests.framecheck import nearest_match, render_last_frame
from tests.scenes.gd_traces import shows, sine_trace


@pytest.fixture(scope="module")
def rendered():
    return render_last_frame(GradientDescent, width=854, height=480, traces={"sine-2d": sine_trace()})


def test_good_learning_rate_ends_where_the_trace_says(rendered):
    scene, frame = rendered
    run = sine_trace().run("lr-good")
    xy = scene.to_pixel(scene.view.point(run["params"][-1]))
    assert nearest_match(frame, xy, ManimColor(LR_COLORS["lr-good"]), radius=2) < 60
    start = scene.to_pixel(scene.view.point(run["params"][0]))
    assert nearest_match(frame, start, ManimColor(LR_COLORS["lr-good"]), radius=1) > 60, \
        "nothing of the good run is left at the start but the trail"  # the marker moved away


def test_every_run_reads_its_final_loss_and_the_divergence_is_told(rendered):
    scene, _ = rendered
    tr = sine_trace()
    for name in ("lr-small", "lr-good", "lr-large", "lr-diverge"):
        run = tr.run(name)
        assert shows(scene, f"step {run.steps} · loss {fmt_loss(run['loss'][-1])}"), name
    notes = " ".join(n for _, n in scene.beats)
    assert tr.run("lr-diverge").meta["status"] == "diverged"
    for name in ("lr-small", "lr-good", "lr-large", "lr-diverge"):
        run = tr.run(name)
        assert f"learning rate {speech.number(run.meta['lr'])}" in notes
        if run.meta["status"] != "diverged":
            assert speech.loss(run["loss"][-1]) in notes
    assert "the run diverges" in notes


def test_gradient_arrow_points_along_the_recorded_gradient(rendered):
    scene, _ = rendered
    g = sine_trace().run("lr-good")["grad"][0]
    start, end = scene.grad_arrow.get_start(), scene.grad_arrow.get_end()
    d = (end - start)[:2]
    assert np.dot(d / np.linalg.norm(d), g / np.linalg.norm(g)) > 0.99


def test_chapter_length(rendered):
    scene, _ = rendered
    assert scene.renderer.time > 10 and len(scene.beats) >= 6

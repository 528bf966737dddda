"""Chapter 3: residual segments run from each data point to the prediction; their MSE is the recorded loss."""

from __future__ import annotations

import numpy as np
import pytest

from scenes.ch03_loss import Loss
from scenes.kit import speech
from scenes.kit.panels import fmt_loss
from scenes.kit.params import RESIDUAL_COLOR, predictions
from tests.framecheck import nearest_match, render_last_frame


@pytest.fixture(scope="module")
def rendered(sine_trace):
    """steps_shown=() keeps the start of the run on screen: large residuals, easy to see."""
    return render_last_frame(Loss, width=854, height=480, traces={"sine-2d": sine_trace}, steps_shown=())


def direct_predictions(trace, step: int) -> np.ndarray:
    a, b = trace.run("sgd")["params"][step]
    return np.tanh(a * trace["data/x"] + b)


def test_residual_segments_go_from_data_to_prediction(rendered, sine_trace):
    scene, frame = rendered
    xs, ys = sine_trace["data/x"], sine_trace["data/y"]
    preds = direct_predictions(sine_trace, 0)
    axes = scene.panel.axes
    assert len(scene.residuals) == len(xs)
    for seg, x, y, p in zip(scene.residuals, xs, ys, preds, strict=True):
        assert np.allclose(seg.get_start(), axes.c2p(x, y), atol=1e-6)
        assert np.allclose(seg.get_end(), axes.c2p(x, p), atol=1e-6)
        inside = axes.c2p(x, y + 0.75 * (p - y))
        assert nearest_match(frame, scene.to_pixel(inside), RESIDUAL_COLOR, radius=1) < 60


def test_mean_of_squared_residuals_is_the_recorded_loss(rendered, sine_trace):
    scene, _ = rendered
    run = sine_trace.run("sgd")
    preds = direct_predictions(sine_trace, 0)
    assert np.allclose(predictions(sine_trace, "sgd", 0), preds, atol=1e-12)
    mse = float(np.mean((preds - sine_trace["data/y"]) ** 2))
    assert mse == pytest.approx(float(run["loss"][0]), rel=1e-9)
    tex = scene.formula.get_tex_string() if hasattr(scene.formula, "get_tex_string") else scene.formula.tex_string
    assert fmt_loss(mse) in tex
    for p, y in zip(preds, sine_trace["data/y"], strict=True):
        assert f"({p - y:.3f})^2" in tex


def test_later_steps_move_the_residuals_to_the_new_predictions(sine_trace):
    tr = sine_trace
    scene, _ = render_last_frame(Loss, width=160, height=90, traces={"sine-2d": tr}, steps_shown=(1.0,))
    run = tr.run("sgd")
    preds = direct_predictions(tr, run.steps)
    for seg, x, p in zip(scene.residuals, tr["data/x"], preds, strict=True):
        assert np.allclose(seg.get_end()[:2], scene.panel.axes.c2p(x, p)[:2], atol=2e-3)
    assert speech.loss(run["loss"][-1]) in scene.beats[-1][1]


def test_a_residual_shorter_than_its_name_is_not_named_on_the_plot(sine_trace):
    """At the run's end the residuals are tiny, and their names sat on the curves near the points (and on the
    origin); the table still lists every r_i. A label is drawn only where its segment is at least as long."""
    scene, _ = render_last_frame(Loss, width=160, height=90, traces={"sine-2d": sine_trace}, steps_shown=(1.0,))
    lengths = [(seg.get_length(), lab.height) for seg, lab in zip(scene.residuals, scene.labels, strict=True)]
    assert any(s < h for s, h in lengths)   # the data has one to hide
    for seg, lab in zip(scene.residuals, scene.labels, strict=True):
        assert _drawn(lab) == (seg.get_length() >= lab.height)
    first, _ = render_last_frame(Loss, width=160, height=90, traces={"sine-2d": sine_trace}, steps_shown=())
    assert all(_drawn(lab) for seg, lab in zip(first.residuals, first.labels, strict=True)
               if seg.get_length() >= lab.height)


def _drawn(mob) -> bool:
    """Whether any part of a label (a MathTex: its glyphs carry the fill) is drawn."""
    return any(m.get_fill_opacity() > 0 for m in mob.family_members_with_points())


def test_residual_names_clear_the_axis_lines_and_ticks(rendered):
    """The axes' numbers sit at the panel's edges, so a NumberLine's box covers half the panel: judged by
    those boxes no place was clear, and r_1 and r_2 were drawn on the axis lines. Judged by the lines and
    ticks themselves, every name clears them."""
    from manim import Line

    from scenes.kit.layout import boxes_meet

    scene, _ = rendered
    axes = (scene.panel.axes.x_axis, scene.panel.axes.y_axis)
    marks = [*(Line(a.get_start(), a.get_end()) for a in axes), *(t for a in axes for t in a.ticks)]
    for lab in scene.labels:
        if _drawn(lab):
            assert not any(boxes_meet(lab, m) for m in marks), lab.get_tex_string()


def test_a_step_whose_loss_is_said_as_the_last_ones_is_not_called_smaller():
    """On the flat stress data steps 3 and 6 both say 'loss 1.2'; the second said 'Smaller errors, smaller
    loss.' (true by 0.01, unheard). Losses said alike are said to be about the same."""
    import re

    from tests.scenes.layoutcheck import render_beats
    from tests.scenes.stress_traces import traces_for

    _scene, beats = render_beats(Loss, traces_for("flat", ("sine-2d",)))
    steps = [b.notes for b in beats if b.notes.startswith("Step ")]
    said = [re.match(r"Step \d+: loss ([^.]+(?:\.\d+)?)\.", line).group(1) for line in steps]
    assert len(steps) >= 2
    for before, now, line in zip(said, said[1:], steps[1:], strict=False):
        assert ("About the same" in line) == (before == now), line

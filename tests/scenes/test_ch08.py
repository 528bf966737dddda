"""Chapter 8 draws each learning rate's path where the trace puts it, with its numbers."""

from __future__ import annotations

import numpy as np
import pytest
from manim import ManimColor

from scenes.ch08_gradient_descent import LR_COLORS, GradientDescent, slope_table
from scenes.kit import speech
from scenes.kit.panels import fmt_loss
from tests.framecheck import nearest_match, render_last_frame
from tests.scenes.gd_traces import shows, sine_trace


@pytest.fixture(scope="module")
def dims():
    from sim.experiments.dimensions import simulate
    from tests.sim.test_dimensions import tiny

    return simulate(tiny(), "dimensions")


@pytest.fixture(scope="module")
def rendered(dims):
    return render_last_frame(GradientDescent, width=854, height=480,
                             traces={"sine-2d": sine_trace(), "dimensions": dims})


def test_why_gradients_are_cheap_says_only_numbers_on_its_table(rendered, dims):
    import re

    scene, _ = rendered
    rows, line = slope_table(dims)
    assert line in [n for _, n in scene.beats]
    shown = {t.original_text for row in scene.slope_table[1] for t in row}
    assert shown == {c for row in rows for c in row}
    for number in re.findall(r"\d[\d,.]*", line):
        assert any(number.rstrip(".,") in cell for cell in shown), number
    ratio = dims.wall_stats["slopes"]["ratio"]
    assert rows[-1][-1] == speech.number(ratio[-1]) and rows[-1][0] == f"{int(dims['nets/n_params'][-1]):,}"


def test_without_timings_the_table_gives_counts(dims):
    import copy

    bare = copy.copy(dims)
    bare.wall_stats = {}
    rows, line = slope_table(bare)
    assert rows[-1] == ["385", "2", "386"] and "386 passes against two" in line


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
        assert shows(scene, f"step {run.steps} · loss {fmt_loss(run['loss'][0])} → {fmt_loss(run['loss'][-1])}"), name
    notes = " ".join(n for _, n in scene.beats)
    assert tr.run("lr-diverge").meta["status"] == "diverged"
    for name in ("lr-small", "lr-good", "lr-large", "lr-diverge"):
        run = tr.run(name)
        assert f"learning rate {speech.number(run.meta['lr'])}" in notes
        if run.meta["status"] != "diverged":
            assert speech.loss(run["loss"][-1]) in notes
    # Said from the losses, not from the status: this run ends above its start without blowing up.
    bad = tr.run("lr-diverge")["loss"]
    assert bad[-1] > bad[0] and not bad[-1] > 10 * bad[0]
    assert "the loss ends at" in notes and "above its start" in notes and "diverges" not in notes


def test_gradient_arrow_points_along_the_recorded_gradient(rendered):
    scene, _ = rendered
    g = sine_trace().run("lr-good")["grad"][0]
    start, end = scene.grad_arrow.get_start(), scene.grad_arrow.get_end()
    d = (end - start)[:2]
    assert np.dot(d / np.linalg.norm(d), g / np.linalg.norm(g)) > 0.99


def test_the_step_is_drawn_lr_times_the_gradient_at_one_scale(rendered):
    """Issue 17: the gradient was drawn one unit long and the step at true size, so "the gradient times
    minus 1.5" showed a step a third of the gradient. Drawn at one scale, the ratio is the learning rate's."""
    scene, _ = rendered
    lr = sine_trace().run("lr-good").meta["lr"]
    grad = np.linalg.norm((scene.grad_arrow.get_end() - scene.grad_arrow.get_start())[:2])
    step = scene.step_arrow.get_end() - scene.step_arrow.get_start()
    assert np.linalg.norm(step[:2]) / grad == pytest.approx(lr, rel=0.05)
    g = (scene.grad_arrow.get_end() - scene.grad_arrow.get_start())[:2]
    assert np.dot(step[:2], g) < 0   # the other way


def test_chapter_length(rendered):
    scene, _ = rendered
    assert scene.renderer.time > 10 and len(scene.beats) >= 6


def test_a_learning_rate_row_says_what_its_run_did_not_what_its_config_label_claims():
    """Issue 17: "diverges" next to a loss that oscillates between 0.05 and 0.3 and ends at 0.26."""
    from types import SimpleNamespace

    from scenes.kit.claims import Claims

    me = SimpleNamespace(claims=Claims())

    class Run(dict):
        def __init__(self, loss):
            super().__init__(loss=np.asarray(loss, dtype=float))
            self.meta = {"lr": 10.0, "label": "lr 10 (diverges)"}

    def label(loss):
        return GradientDescent._label(me, Run(loss))

    assert label([0.19, 0.3, 0.05, 0.3, 0.26]) == "lr 10 (ends higher)"
    assert label([0.19, 5.0, 80.0, float("inf")]) == "lr 10 (diverges)"
    assert label([0.19, 0.1, 0.15, 0.05, 0.08, 0.036]) == "lr 10 (bounces)"
    assert label([0.19, 0.17, 0.15, 0.14]) == "lr 10 (barely moves)"
    assert label([0.19, 0.01, 1e-6]) == "lr 10 (descends)"


def _stalling_trace():
    """Four points of 0.8·sin(1.3x): from (2.5, 1) every learning rate stays on a plateau far above the
    landscape's lowest loss (the data of a review the chapter had not seen)."""
    from sim.experiments.sine2d import Sine2DConfig, simulate
    from tests.scenes.gd_traces import LR_START

    runs = [dict(name=n, label=f"lr {lr:g}", optimizer="sgd", lr=lr, steps=8)
            for n, lr in (("lr-small", 0.03), ("lr-good", 1.5), ("lr-large", 3.5), ("lr-diverge", 10.0))]
    runs += [dict(name="sgd", optimizer="sgd", lr=0.5, steps=4)]
    cfg = Sine2DConfig.model_validate(dict(
        seed=0, start=LR_START, runs=runs, landscape=dict(resolution=41),
        data=dict(x=[-2.0, -0.5, 1.0, 2.0], target="0.8*sin(1.3*x)")))
    return simulate(cfg, "sine-2d")


def test_similar_endings_are_measured_against_the_landscapes_lowest_loss(dims):
    """'similar endings' alone said nothing on data where every rate stalls: the chapter draws the
    landscape's lowest loss and says where the endings are against it; repeated descents say 'the same'."""
    from tests.scenes.claimcheck import beat_problems
    from tests.scenes.layoutcheck import render_beats

    tr = _stalling_trace()
    scene, beats = render_beats(GradientDescent, {"sine-2d": tr, "dimensions": dims})
    lowest = float(tr["landscape/min_loss"])
    start = float(tr.run("lr-good")["loss"][0])
    ends = [float(tr.run(n)["loss"][-1]) for n in ("lr-small", "lr-good", "lr-large", "lr-diverge")]
    assert max(ends) <= 2 * min(ends), ends   # the case: similar endings
    last = beats[-2].notes
    if all(e - lowest > 0.5 * (start - lowest) for e in ends):
        assert "none gets even halfway down to this landscape's lowest loss" in last, last
    assert speech.loss(lowest) in last
    assert any(f"lowest on this landscape: {fmt_loss(lowest)}" == t for t in beats[-2].texts), beats[-2].texts
    assert not beat_problems(last, beats[-2].texts, beats[-2].colours, beats[-2].claims)
    good, small = tr.run("lr-good"), tr.run("lr-small")
    first = scene._notes(good)
    assert first.endswith("8 steps take the loss from 0.2 to 0.19."), first
    assert scene._notes(good, first) == "With learning rate 1.5, the same: from 0.2 to 0.19."
    assert scene._notes(good, scene._notes(good, first)).endswith("the same: from 0.2 to 0.19.")
    assert "8 steps take the loss from 0.2 to 0.2." in scene._notes(small, first)   # another ending: said whole

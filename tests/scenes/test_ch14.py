"""Chapter 14 (NoGradients) draws the step network's recorded curves and losses where the trace says."""

from __future__ import annotations

import numpy as np
import pytest
from manim import Text

from scenes.ch14_no_gradients import NoGradients, ms
from scenes.kit.style import color_for
from sim.experiments.step_activation import simulate
from tests.framecheck import nearest_match, render_last_frame
from tests.sim.test_step_activation import tiny


@pytest.fixture(scope="module")
def trace():
    return simulate(tiny(), "step-activation")


@pytest.fixture(scope="module")
def rendered(trace):
    return render_last_frame(NoGradients, width=854, height=480, traces={"step-activation": trace},
                             gradient_frames=3, evolution_frames=5)


def _jumps(curve_x: np.ndarray, values: np.ndarray) -> list[float]:
    idx = np.nonzero(np.diff(np.sign(values)) != 0)[0]
    return [float((curve_x[i] + curve_x[i + 1]) / 2) for i in idx]


def test_final_curves_jump_where_the_recorded_outputs_jump(rendered, trace):
    """At y = 0 the step curves are vertical: each recorded jump is a pixel of that run's colour."""
    scene, frame = rendered
    cx = trace["data/curve_x"]
    evo, sgd = trace.run("evolution"), trace.run("sgd")
    j_evo, j_sgd = _jumps(cx, evo["curve"][-1]), _jumps(cx, sgd["curve"][-1])
    checked = 0
    for jumps, others, colors in ((j_evo, j_sgd, [color_for("evolution")]),
                                  (j_sgd, j_evo, [color_for("sgd"), color_for("adam")])):
        for x in jumps:
            if any(abs(x - o) < 0.2 for o in others):
                continue  # the other run's jump is drawn on top nearby
            xy = scene.to_pixel(scene.panel.axes.c2p(x, 0.5))
            assert min(nearest_match(frame, xy, c, radius=3) for c in colors) < 70, f"no jump drawn at x={x:.2f}"
            checked += 1
    assert checked >= 2


def test_loss_plot_ends_at_the_recorded_losses(rendered, trace):
    scene, frame = rendered
    evo, sgd = trace.run("evolution"), trace.run("sgd")
    xy = scene.to_pixel(scene.plot.point(evo.steps, evo["loss"][-1]))
    assert nearest_match(frame, xy, color_for("evolution"), radius=2) < 70
    xy = scene.to_pixel(scene.plot.point(sgd.steps * 0.6, sgd["loss"][0]))
    assert min(nearest_match(frame, xy, color_for(n), radius=2) for n in ("sgd", "adam")) < 70


def test_numbers_on_screen_come_from_the_trace(rendered, trace):
    scene, _ = rendered
    texts = "".join(m.text for top in scene.mobjects for m in top.get_family() if isinstance(m, Text))
    texts = texts.replace(" ", "").replace("·", "")
    summ = trace.stats["runs"]
    from scenes.kit.panels import fmt_loss

    evo, sgd = trace.run("evolution"), trace.run("sgd")   # the read-outs end at the last recorded step
    assert f"round{evo.steps}loss{fmt_loss(evo['loss'][-1])}evals{int(evo['evals'][-1])}" in texts
    assert f"step{sgd.steps}loss{fmt_loss(sgd['loss'][-1])}" in texts
    assert f"→{ms(summ['evolution']['final_loss'])}".replace(" ", "") in texts
    assert f"loss{ms(summ['sgd']['final_loss'])}=theirstart".replace(" ", "") in texts
    assert f"‖∇L‖=0atall{trace.run('sgd').steps}steps" in texts
    assert len(scene.beats) >= 4 and all(b[1] for b in scene.beats)

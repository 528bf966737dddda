"""Chapter 2: the point sits at the recorded parameters and the curve beside it is that point's recorded curve."""

from __future__ import annotations

import numpy as np
import pytest

from scenes.ch02_parameter_space import ParameterSpace
from scenes.kit.onscreen import text_units, whole_text
from scenes.kit.style import color_for
from tests.framecheck import nearest_match, render_last_frame


@pytest.fixture(scope="module")
def rendered(sine_trace):
    return render_last_frame(ParameterSpace, width=854, height=480, traces={"sine-2d": sine_trace})


def test_walking_point_ends_at_the_recorded_parameters(rendered, sine_trace):
    scene, frame = rendered
    params = sine_trace.run("sgd")["params"]
    target = scene.plane.point(params[-1])
    assert np.allclose(scene.dot.get_center(), target, atol=1e-6)
    assert nearest_match(frame, scene.to_pixel(target), color_for("sgd")) < 60
    # ... and the path it drew passes through an intermediate recorded step.
    mid = scene.to_pixel(scene.plane.point(params[len(params) // 2]))
    assert nearest_match(frame, mid, color_for("sgd"), radius=2) < 70


def test_curve_passes_through_the_recorded_curve_values(rendered, sine_trace):
    scene, frame = rendered
    curve, cx = sine_trace.run("sgd")["curve"][-1], sine_trace["data/curve_x"]
    axes = scene.panel.axes
    pts = scene.curve.get_anchors()
    for i in range(0, len(cx), 10):
        expected = axes.c2p(cx[i], np.clip(curve[i], -1.5, 1.5))
        assert np.min(np.linalg.norm(pts - expected, axis=1)) < 1e-6, f"curve misses x={cx[i]:.2f}"
    hits = sum(nearest_match(frame, scene.to_pixel(axes.c2p(cx[i], curve[i])), color_for("sgd"), radius=1) < 60
               for i in range(3, len(cx) - 3, 8) if abs(curve[i]) < 1.45)
    assert hits >= 8


def test_other_points_and_their_curves_come_from_their_runs(rendered, sine_trace):
    scene, frame = rendered
    assert len(scene.others) == 3
    for name, k, dot, curve, color in scene.others:
        run = sine_trace.run(name)
        where = scene.plane.point(run["params"][k])
        assert np.allclose(dot.get_center(), where)
        assert nearest_match(frame, scene.to_pixel(where), color) < 60, name
        assert color.to_hex() != color_for("sgd").to_hex(), name   # never the walked run's colour
        anchors = curve.get_anchors()
        cx = sine_trace["data/curve_x"]
        expected = scene.panel.axes.c2p(cx[60], np.clip(run["curve"][k][60], -1.5, 1.5))
        assert np.min(np.linalg.norm(anchors - expected, axis=1)) < 1e-6
    assert len({c.to_hex() for *_, c in scene.others}) == len(scene.others)   # each point its own colour


def test_points_are_not_named_for_optimizers_not_yet_introduced(rendered):
    scene, _ = rendered
    texts = " ".join(whole_text(t) for t in text_units(scene.mobjects))
    for name in ("Adam", "momentum", "Evolution"):
        assert name not in texts, name

"""Chapter 6 draws the evolution run's curve, loss and images where the traces put them."""

from __future__ import annotations

import numpy as np
import pytest
from manim import Text

from scenes.ch06_evolution_at_scale import EvolutionAtScale
from scenes.kit.panels import fmt_loss
from scenes.kit.style import color_for
from tests.framecheck import nearest_match, render_last_frame
from tests.scenes.chapter_traces import all_traces, tile_pixel_check


def texts(scene) -> str:
    """Every Text on screen, joined without spaces (manim's Text.text drops them)."""
    return "".join(m.text for top in scene.mobjects for m in top.get_family() if isinstance(m, Text)).replace(" ", "")


def shown(t: str, needle: str) -> bool:
    return needle.replace(" ", "") in t


@pytest.fixture(scope="module")
def fit_only():
    """The final state of the function-fit part (the image part skipped)."""
    return render_last_frame(EvolutionAtScale, width=854, height=480, traces=all_traces(), curve_keyframes=4,
                             images=lambda self: None)


@pytest.fixture(scope="module")
def full():
    return render_last_frame(EvolutionAtScale, width=854, height=480, traces=all_traces(), curve_keyframes=4)


def test_final_curve_is_drawn_where_the_trace_says(fit_only):
    scene, frame = fit_only
    evo = all_traces()["function-fit"].run("evolution")
    panel, color = scene.curve_panel, color_for("evolution")
    xs, ys = panel.curve_x, evo["curve"][-1]
    checked = 0
    for i in range(3, len(xs) - 3, 6):
        if not -1.4 < ys[i] < 1.4:
            continue
        xy = scene.to_pixel(panel.axes.c2p(float(xs[i]), float(ys[i])))
        assert nearest_match(frame, xy, color, radius=2) < 60, f"curve missing at x={xs[i]:.2f}"
        checked += 1
    assert checked >= 5
    # and not at the start curve where it differs (the scene shows the final state, not the first)
    far = [i for i in range(len(xs)) if abs(evo["curve"][0][i] - ys[i]) > 0.5 and -1.4 < evo["curve"][0][i] < 1.4]
    if far:
        i = far[len(far) // 2]
        xy = scene.to_pixel(panel.axes.c2p(float(xs[i]), float(evo["curve"][0][i])))
        assert nearest_match(frame, xy, color, radius=1) > 60


def test_loss_plot_ends_at_the_final_loss_and_numbers_come_from_the_trace(fit_only):
    scene, frame = fit_only
    evo = all_traces()["function-fit"].run("evolution")
    xy = scene.to_pixel(scene.loss_plot.point(float(evo["step"][-1]), float(evo["loss"][-1])))
    assert nearest_match(frame, xy, color_for("evolution"), radius=2) < 60
    t = texts(scene)
    assert shown(t, fmt_loss(float(evo["loss"][-1])))
    assert shown(t, f"{int(evo['accepted'].sum())} of {evo.meta['steps']} generations")
    assert shown(t, f"{int(evo['evals'][-1]):,} loss evaluations")


def test_image_rows_show_the_trace_frames(full):
    scene, frame = full
    tr = all_traces()
    assert len(scene.tiles) == 8  # 4 snapshots × 2 images
    for tile, pixels in scene.tiles:
        tile_pixel_check(scene, frame, tile, pixels)
    last_smiley = scene.tiles[3][1]
    np.testing.assert_array_equal(last_smiley, tr["image-fit-smiley"].run("evolution")["frames"][-1])
    assert shown(texts(scene), "12.0 dB")  # final PSNR of the smiley's evolution run


def test_missing_image_trace_is_reported_not_fatal():
    from sim.errors import TraceError

    traces = dict(all_traces())
    del traces["image-fit-portrait"]

    def trace(self, name):
        if name in traces:
            return traces[name]
        raise TraceError(f"{name}: no such trace file")

    scene, _ = render_last_frame(EvolutionAtScale, width=214, height=120, traces=None, trace=trace,
                                 curve_keyframes=2)
    assert shown(texts(scene), "image-fit-portrait: no trace")
    assert len(scene.tiles) == 4


def test_psnr_is_said_as_closeness_and_a_change_under_one_decibel_is_no_rise():
    """Issue 17: "Sharpness, measured as PSNR, rises ... for the portrait from 11 to 11 decibels" over grey noise."""
    from types import SimpleNamespace

    from scenes.kit.claims import Claims

    me = SimpleNamespace(claims=Claims())
    course = EvolutionAtScale._psnr_course
    assert course(me, "the portrait", 10.64, 10.97) == "barely changes for the portrait, from 10.6 to 11.0 decibels"
    assert course(me, "the smiley", 8.81, 12.8) == "rises for the smiley from 8.8 to 12.8 decibels"
    assert course(me, "the smiley", 14.0, 12.0) == "falls for the smiley from 14.0 to 12.0 decibels"
    assert "exact copy" in course(me, "smiley", 9.0, float("inf"))

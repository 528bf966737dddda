"""The Landscape scene draws what the trace says, where the trace says it."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib import colormaps

from scenes.kit.landscape import log_loss
from scenes.kit.style import COLORMAP, color_for
from scenes.landscape import Landscape
from sim.experiments.sine2d import simulate
from tests.conftest import small_sine_config
from tests.framecheck import nearest_match, render_last_frame


@pytest.fixture(scope="module")
def sine_trace():
    """Seed 1 keeps the SGD and evolution paths apart, so each can be seen in the frame."""
    return simulate(small_sine_config(seed=1), "sine-2d")


@pytest.fixture(scope="module")
def rendered(sine_trace):
    return render_last_frame(Landscape, width=854, height=480, traces={"sine-2d": sine_trace})


def test_final_positions_are_drawn_in_each_optimizer_colour(rendered, sine_trace):
    scene, frame = rendered
    for name in ("sgd", "evolution"):
        run = sine_trace.run(name)
        xy = scene.to_pixel(scene.view.point(run["params"][-1]))
        assert nearest_match(frame, xy, color_for(name)) < 60, f"{name} marker not at its final parameters"


def _distance_to_polyline(p: np.ndarray, line: np.ndarray) -> float:
    a, b = line[:-1], line[1:]
    ab = b - a
    t = np.clip(np.einsum("ij,ij->i", p - a, ab) / np.maximum(np.einsum("ij,ij->i", ab, ab), 1e-12), 0, 1)
    return float(np.min(np.linalg.norm(a + t[:, None] * ab - p, axis=1)))


def test_sgd_path_passes_through_its_intermediate_parameters(rendered, sine_trace):
    """Every recorded SGD step not hidden under the evolution trail is on an SGD-coloured pixel."""
    scene, frame = rendered
    sgd, evo = sine_trace.run("sgd"), sine_trace.run("evolution")
    evo_px = np.array([scene.to_pixel(scene.view.point(p)) for p in evo["params"]], dtype=float)
    checked = 0
    for k in range(1, sgd.steps):
        xy = scene.to_pixel(scene.view.point(sgd["params"][k]))
        if _distance_to_polyline(np.array(xy, dtype=float), evo_px) < 6:
            continue  # drawn over by the evolution trail
        assert nearest_match(frame, xy, color_for("sgd"), radius=1) < 70, f"sgd path missing at step {k}"
        checked += 1
    assert checked >= 3


def test_heatmap_shows_the_trace_loss_with_the_colormap(rendered, sine_trace):
    """A far corner of the landscape, away from paths and labels, has the colormap colour of its loss."""
    scene, frame = rendered
    a, b, loss = sine_trace["landscape/a"], sine_trace["landscape/b"], sine_trace["landscape/loss"]
    z = log_loss(loss)
    z = (z - z.min()) / np.ptp(z)
    for i, j in ((len(b) // 5, len(a) // 5), (len(b) // 2, len(a) * 4 // 5)):
        x, y = scene.to_pixel(scene.view.point(np.array([a[j], b[i]])))
        expected = np.array(colormaps[COLORMAP](z[i, j])[:3]) * 255
        got = frame[y, x, :3].astype(float)
        assert np.linalg.norm(got - expected) < 45, f"heatmap at a={a[j]:.2f}, b={b[i]:.2f}: {got} vs {expected}"


def test_scene_reads_numbers_from_the_trace(rendered, sine_trace):
    from manim import Text

    scene, _ = rendered
    texts = " ".join(m.text for m in scene.mobjects_and_descendants() if isinstance(m, Text)) \
        if hasattr(scene, "mobjects_and_descendants") else " ".join(
            m.text for top in scene.mobjects for m in top.get_family() if isinstance(m, Text))
    evo = sine_trace.run("evolution")
    assert str(int(evo["evals"][-1])) in texts

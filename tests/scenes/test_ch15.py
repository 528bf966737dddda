"""Chapter 15 (Beyond) draws CMA-ES on the landscape and the MLP loss curves where the trace says."""

from __future__ import annotations

import numpy as np
import pytest
from manim import Text

from scenes.ch15_beyond import Beyond, ellipse_points
from scenes.kit.style import color_for
from sim.experiments.strong_es import simulate
from tests.framecheck import nearest_match, render_last_frame
from tests.sim.test_strong_es import tiny


@pytest.fixture(scope="module")
def trace():
    return simulate(tiny(seeds=2), "strong-es")


def _texts(scene) -> str:
    """All on-screen text, without spaces and separators (manim's Text.text drops spaces)."""
    raw = "".join(m.text for top in scene.mobjects for m in top.get_family() if isinstance(m, Text))
    return raw.replace(" ", "").replace("·", "")


def test_landscape_part_puts_markers_at_the_final_parameters(trace):
    scene, frame = render_last_frame(Beyond, width=854, height=480, traces={"strong-es": trace},
                                     detail_generations=4, parts=("landscape",))
    for name in ("cma-es", "evolution"):
        p = np.clip(trace.run(name)["params"][-1], -4, 4)
        xy = scene.to_pixel(scene.view.point(p))
        assert nearest_match(frame, xy, color_for(name), radius=3) < 60, f"{name} marker not at its final mean"
    assert scene.clouds_drawn >= 3
    assert f"×{int(trace.run('cma-es')['evals'][-1])}evaluations" in _texts(scene)


def test_mlp_part_loss_curves_end_at_the_recorded_best_losses(trace):
    scene, frame = render_last_frame(Beyond, width=854, height=480, traces={"strong-es": trace}, mlp_frames=4,
                                     parts=("mlp",))
    for name in ("snes", "mlp-evolution"):
        run = trace.run(name)
        xy = scene.to_pixel(scene.loss_plot.point(run["evals_all"][-1] * 0.999, run["best_all"][-1]))
        assert nearest_match(frame, xy, color_for(name, run.meta), radius=3) < 70, name
    assert len(scene.beats) == 1
    assert f"×{int(trace.run('snes')['evals_all'][-1]):,}evaluations" in _texts(scene)


def test_closing_part_draws_the_idea(trace):
    scene, frame = render_last_frame(Beyond, width=427, height=240, traces={"strong-es": trace}, mlp_frames=4,
                                     parts=("closing",))
    assert len(scene.beats) == 1 and "branches" in scene.beats[0][1]
    assert "branches" in _texts(scene)
    assert frame[..., :3].max() > 200  # something bright is drawn


def test_ellipse_is_the_one_sd_contour_of_the_recorded_covariance():
    cov = np.array([[2.0, 0.6], [0.6, 0.5]])
    pts = ellipse_points(np.zeros(2), cov, (-10, 10, -10, 10))
    m = np.einsum("ni,ij,nj->n", pts, np.linalg.inv(cov), pts)
    np.testing.assert_allclose(m, 1.0, atol=1e-9)

"""Chapter 5 draws the evolution parent and its last mutation cloud where the trace puts them."""

from __future__ import annotations

import numpy as np
import pytest

from scenes.ch05_local_search import LocalSearch
from scenes.kit.style import color_for
from tests.framecheck import nearest_match, render_last_frame
from tests.scenes.gd_traces import local_minimum_trace, shows, sine_trace


@pytest.fixture(scope="module")
def rendered():
    return render_last_frame(LocalSearch, width=854, height=480,
                             traces={"sine-2d": sine_trace(), "local-minimum": local_minimum_trace()})


def test_parent_ends_at_its_final_parameters(rendered):
    scene, frame = rendered
    evo = local_minimum_trace().run("evolution")
    xy = scene.to_pixel(scene.view.point(evo["params"][-1]))
    assert nearest_match(frame, xy, color_for("evolution"), radius=2) < 60


def test_zoomed_cloud_children_are_where_the_trace_puts_them(rendered):
    scene, frame = rendered
    evo = local_minimum_trace().run("evolution")
    last = evo.steps - 1
    winner = int(evo["winner"][last])
    zoom = scene.zoom_view
    parent_px = np.array(scene.to_pixel(zoom.point(evo["params"][-1])), dtype=float)
    checked = 0
    for i, child in enumerate(evo["population"][last]):
        xy = scene.to_pixel(zoom.point(child))
        if i == winner or np.linalg.norm(np.array(xy) - parent_px) < 8:
            continue  # the ringed winner and children under the parent marker look different
        assert nearest_match(frame, xy, color_for("evolution"), radius=1) < 80, f"child {i} missing"
        checked += 1
    assert checked >= 3


def test_stall_is_told_with_numbers(rendered):
    scene, _ = rendered
    evo = local_minimum_trace().run("evolution")
    assert shows(scene, f"no real gain since round {evo.meta['plateau_step']}")
    assert any("local minimum" in n for _, n in scene.beats)

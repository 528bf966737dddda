"""Chapter 4 ends on the 3D loss surface: faces coloured by the trace's loss with the heatmap's colormap,
the global minimum and the start point marked where the trace puts them."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib import colormaps

from scenes.ch04_landscape import LossLandscape
from scenes.kit import speech
from scenes.kit.style import COLORMAP, MINIMUM_COLOR, color_for
from tests.framecheck import nearest_match, render_last_frame


@pytest.fixture(scope="module")
def rendered(sine_trace):
    return render_last_frame(LossLandscape, width=640, height=360, traces={"sine-2d": sine_trace})


def test_surface_faces_show_the_trace_loss_in_the_colormap(rendered, sine_trace):
    scene, frame = rendered
    loss = sine_trace["landscape/loss"]
    z = np.log10(loss + 1e-3)
    z = (z - z.min()) / np.ptp(z)
    surf = scene.surface
    cmap = colormaps[COLORMAP]
    camera = scene.renderer.camera
    checked = matched = 0
    for face in surf.list_of_faces[::3]:
        j, i = face.u_index, face.v_index
        corners = z[np.ix_(surf.ib[i:i + 2], surf.ia[j:j + 2])]
        expected = np.array(cmap(corners.mean())[:3]) * 255
        x, y = scene.to_pixel(camera.project_point(face.get_center()))
        if not (0 <= x < frame.shape[1] and 0 <= y < frame.shape[0]):
            continue
        checked += 1
        matched += np.linalg.norm(frame[y, x, :3].astype(float) - expected) < 40
    assert checked > 50 and matched / checked > 0.6, f"{matched}/{checked} faces in their colormap colour"


def test_surface_height_follows_the_loss(rendered, sine_trace):
    scene, _ = rendered
    surf, axes = scene.surface, scene.axes3d
    loss = sine_trace["landscape/loss"]
    a, b = sine_trace["landscape/a"], sine_trace["landscape/b"]
    z = np.log10(loss + 1e-3)
    z = (z - z.min()) / np.ptp(z)
    face = surf.list_of_faces[len(surf.list_of_faces) // 3]
    j, i = face.u_index, face.v_index
    corner = axes.c2p(a[surf.ia[j]], b[surf.ib[i]], z[surf.ib[i], surf.ia[j]])
    assert np.min(np.linalg.norm(face.get_anchors() - corner, axis=1)) < 1e-6


def test_minimum_and_start_are_marked(rendered, sine_trace):
    scene, frame = rendered
    camera = scene.renderer.camera
    best = sine_trace["landscape/min"]
    assert np.allclose(scene.low.get_center()[:2], scene.axes3d.c2p(best[0], best[1], 0)[:2], atol=1e-6)
    assert nearest_match(frame, scene.to_pixel(camera.project_point(scene.low.get_center())), MINIMUM_COLOR) < 40
    start = sine_trace.run("sgd")["params"][0]
    assert np.allclose(scene.top.get_center()[:2], scene.axes3d.c2p(start[0], start[1], 0)[:2], atol=1e-6)
    assert nearest_match(frame, scene.to_pixel(camera.project_point(scene.top.get_center())), color_for("sgd")) < 60
    assert speech.param(best[0]) in scene.beats[-1][1]

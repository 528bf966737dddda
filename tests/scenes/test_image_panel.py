"""ImagePanel shows the recorded frame's pixels where it is drawn, framed in the run's colour."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from manim import LEFT, RIGHT, UL

from scenes.kit.base import ChapterScene
from scenes.kit.images import ImagePanel, frame_index, target_panel
from scenes.kit.style import color_for
from sim.experiments.image_fit import simulate
from tests.framecheck import nearest_match, render_last_frame
from tests.sim.test_image_fit import tiny_config


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread():
    """Tiny tensors: a second intra-op thread only adds contention on a busy machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def traces():
    grey = simulate(tiny_config(seeds=1), "image-fit-smiley")
    rgb = simulate(tiny_config(image="skimage:astronaut", color="rgb", seeds=1, budget_evals=8,
                               runs=[dict(name="adam", optimizer="adam", lr=0.05)]), "image-fit-portrait")
    return grey, rgb


class PanelCheck(ChapterScene):
    """Adam's middle frame (swapped to from the first), then an RGB panel and the target."""

    def construct(self) -> None:
        grey, rgb = self.trace("image-fit-smiley"), self.trace("image-fit-portrait")
        adam = grey.run("adam")
        self.panel = ImagePanel(adam, 0, side=3.2).move_to(LEFT * 3.6)
        self.panel.show(len(adam["step"]) // 2)
        self.rgb_panel = ImagePanel(rgb.run("adam"), -1, side=3.2).move_to(RIGHT * 0.5)
        self.target = target_panel(grey, side=2.0).move_to(RIGHT * 4.8)
        self.add(self.panel, self.rgb_panel, self.target)


@pytest.fixture(scope="module")
def rendered(traces):
    grey, rgb = traces
    return render_last_frame(PanelCheck, width=854, height=480,
                             traces={"image-fit-smiley": grey, "image-fit-portrait": rgb})


def _check_pixels(scene, frame, image_mob, source: np.ndarray, tol: float) -> None:
    """Every source pixel's centre, mapped to the screen, has that pixel's colour."""
    h, w = source.shape[:2]
    ul = image_mob.get_corner(UL)
    du, dv = image_mob.width / w, image_mob.height / h
    rgb = np.repeat(source[..., None], 3, axis=2) if source.ndim == 2 else source
    bad = 0
    for i in range(h):
        for j in range(w):
            x, y = scene.to_pixel((ul[0] + (j + 0.5) * du, ul[1] - (i + 0.5) * dv))
            if np.abs(frame[y, x, :3].astype(int) - rgb[i, j].astype(int)).max() > tol:
                bad += 1
    assert bad == 0, f"{bad} of {h * w} pixels differ from the recorded frame"


def test_panel_shows_the_swapped_frame_pixels(rendered, traces):
    scene, frame = rendered
    adam = traces[0].run("adam")
    k = len(adam["step"]) // 2
    assert scene.panel.k == k
    assert not np.array_equal(adam["frames"][k], adam["frames"][0])  # the swap is visible, not a no-op
    _check_pixels(scene, frame, scene.panel.image, adam["frames"][k], tol=2)


def test_rgb_panel_and_target_show_their_pixels(rendered, traces):
    scene, frame = rendered
    _check_pixels(scene, frame, scene.rgb_panel.image, traces[1].run("adam")["frames"][-1], tol=2)
    _check_pixels(scene, frame, scene.target.image, traces[0]["image/target"], tol=2)


def test_border_is_in_the_run_colour(rendered):
    scene, frame = rendered
    b = scene.panel.border
    for point in (b.get_top(), b.get_left(), b.get_bottom()):
        assert nearest_match(frame, scene.to_pixel(point), color_for("adam"), radius=2) < 60


def test_caption_is_formatted_from_the_trace(rendered, traces):
    scene, _ = rendered
    adam = traces[0].run("adam")
    k = scene.panel.k
    expected = f"{adam.meta['label']} · step {int(adam['step'][k]):,} · PSNR {adam['psnr'][k]:.1f} dB"
    assert scene.panel.caption_text() == expected
    fresh = ImagePanel(adam, k, side=3.2).place(scene.panel.image.get_center())  # frame k's caption, from scratch
    drawn = [m.points for m in scene.panel.caption.family_members_with_points()]
    built = [m.points for m in fresh.caption.family_members_with_points()]
    assert len(drawn) == len(built) and all(np.allclose(a, b) for a, b in zip(drawn, built, strict=True))
    first = ImagePanel(adam, 0, side=3.2).place(scene.panel.image.get_center())
    assert first.caption_text() != scene.panel.caption_text()
    assert scene.panel.caption.get_top()[1] < scene.panel.border.get_bottom()[1]  # below, not over, the image


def test_frame_index_by_evaluations(traces):
    evo = traces[0].run("evolution")
    assert frame_index(evo, evals=evo["evals"][2]) == 2
    assert frame_index(evo, evals=evo["evals"][2] - 0.5) == 1
    assert frame_index(evo) == len(evo["step"]) - 1


def test_play_frames_steps_through_the_recorded_frames(traces):
    from scenes.kit.images import PlayFrames

    adam = traces[0].run("adam")
    n = len(adam["step"])
    panel = ImagePanel(adam, -1, side=2.0)
    anim = PlayFrames(panel, run_time=1)
    anim.begin()
    assert panel.k == 0
    first_caption = panel.caption
    anim.interpolate(0.5)
    assert panel.k == round((n - 1) / 2)
    assert np.array_equal(panel.image.pixel_array[..., 0], adam["frames"][panel.k])
    assert not first_caption.family_members_with_points()  # emptied: a lingering copy would draw nothing
    anim.finish()
    assert panel.k == n - 1

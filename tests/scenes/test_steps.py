"""Steps (scenes/kit/steps.py) draws the same frames as one `play` per step, in fewer plays."""

from __future__ import annotations

import tempfile

import numpy as np
import pytest
from manim import LEFT, RIGHT, UP, Create, Dot, Line, Scene, Square, VGroup, tempconfig
from manim.scene.scene_file_writer import SceneFileWriter

from scenes.kit.arrows import swap
from scenes.kit.steps import Steps

POINTS = [LEFT * 3, LEFT * 2 + UP, LEFT * 2 + UP, LEFT + UP * 0.5, UP * 1.5, RIGHT + UP, RIGHT * 2, RIGHT * 3 + UP]


class Hops(Scene):
    merged = False

    def construct(self) -> None:
        self.add(Square(3, fill_opacity=0.5, color="#3366ff"))
        dot = Dot(POINTS[0], radius=0.15, color="#ff8800").set_z_index(2)   # drawn after the segments it leaves
        trail = VGroup()
        readout = VGroup(Square(0.4).move_to(RIGHT * 5 + UP * 3))
        self.add(dot, readout, trail)

        def step(k: int) -> list:
            if k % 3 == 0:   # a readout that changes between plays
                swap(readout, 0, Square(0.2 * k, color="#22cc88").move_to(RIGHT * 5 + UP * 3))
            anims = [dot.animate.move_to(POINTS[k])]
            if np.linalg.norm(POINTS[k] - POINTS[k - 1]) > 1e-6:
                seg = Line(POINTS[k - 1], POINTS[k], stroke_width=6)
                trail.add(seg)
                anims.append(Create(seg))
            return anims

        if self.merged:
            self.play(Steps(dot, [lambda k=k: step(k) for k in range(1, len(POINTS))], 2 / 15))
        else:
            for k in range(1, len(POINTS)):
                self.play(*step(k), run_time=2 / 15)
        self.wait(0.2)


def frames(merged: bool, fps: int, monkeypatch) -> tuple[list[np.ndarray], float, int]:
    drawn: list[np.ndarray] = []
    monkeypatch.setattr(SceneFileWriter, "write_frame", lambda self, frame, num_frames=1: drawn.append(frame.copy()))
    with tempfile.TemporaryDirectory() as media, tempconfig(
            {"pixel_width": 192, "pixel_height": 108, "frame_rate": fps, "write_to_movie": False,
             "disable_caching": True, "verbosity": "ERROR", "media_dir": media}):
        scene = type("HopsUnderTest", (Hops,), {"merged": merged})()
        scene.render()
    return drawn, float(scene.renderer.time), scene.renderer.num_plays


@pytest.mark.parametrize("fps", [15, 30, 60])
def test_steps_draw_the_frames_of_one_play_per_step(fps, monkeypatch):
    separate, t_separate, plays_separate = frames(False, fps, monkeypatch)
    merged, t_merged, plays_merged = frames(True, fps, monkeypatch)
    assert (plays_separate, plays_merged) == (len(POINTS), 2)   # the steps (+ the wait) vs one play (+ the wait)
    assert t_merged == t_separate and len(merged) == len(separate)
    for k, (a, b) in enumerate(zip(separate, merged, strict=True)):
        assert np.array_equal(a, b), f"frame {k} differs"

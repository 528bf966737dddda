"""Steps: many short `play` calls as one, drawing the same frames.

Every `play` pays a fixed price before its first frame: manim redraws everything that does not
move into a static background, copies what it animates and opens a partial movie file, then
joins its encoder. ch05 played 124 rounds of 2 frames each (~51 ms of fixed cost per play at
1080p, more than the frames themselves). `Steps` plays a run of such rounds in one `play`: step k
(a callable returning the animations one `play(..., run_time=step_time)` would get) starts when
the previous step ends, and its animations see exactly the frame times that separate plays would
give them (j / fps for the play's j-th frame), so the frames are the same.

What a separate play would do between steps happens inside: the previous step's animations
finish (and are cleaned up), the next step's callable runs (it may `swap` a readout or add a
trail's next segment, as code between two plays would) and its animations begin, and what the
scene redraws every frame is collected again as that play would collect it: the animated
mobjects and everything after them (z-index first, then scene order), and the background drawn
once from the rest, redrawn only where that rest changed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from manim import Animation, Mobject, config, linear
from manim.animation.animation import prepare_animation


class Steps(Animation):
    """STEPS, each a callable returning one short play's animations, played back to back as one
    animation of `mobject` (one the steps animate: what the scene first collects to draw)."""

    def __init__(self, mobject: Mobject, steps: Sequence[Callable[[], Sequence[Animation]]], step_time: float,
                 **kwargs) -> None:
        if not steps:
            raise ValueError("Steps needs at least one step")
        self.steps, self.step_time = list(steps), step_time
        self.frame_time = 1 / config.frame_rate
        self.per_step = len(np.arange(0, step_time, self.frame_time))   # frames one play of step_time draws
        self.current, self.running, self.scene, self.collected = -1, [], None, False
        # Half a frame short of the steps' frames, so manim's np.arange draws exactly that many.
        run_time = (len(self.steps) * self.per_step - 0.5) * self.frame_time
        super().__init__(mobject, run_time=run_time, rate_func=linear, **kwargs)

    def begin(self) -> None:
        self._start(0)   # the scene collects what to draw after this; the first frame collects again

    def _setup_scene(self, scene) -> None:
        super()._setup_scene(scene)
        self.scene = scene

    def _start(self, k: int) -> None:
        """Finish the running step (as the end of its play would) and begin steps up to K."""
        while self.current < k:
            for anim in self.running:
                anim.finish()
                if self.scene is not None:
                    anim.clean_up_from_scene(self.scene)
            self.current += 1
            self.running = [prepare_animation(a) for a in self.steps[self.current]()]   # `.animate` too
            for anim in self.running:
                anim.run_time = self.step_time
                if self.scene is not None:
                    anim._setup_scene(self.scene)
                anim.begin()
            self.collected = False

    def _redraw_as_a_play_would(self) -> None:
        """Collect again what the scene draws, as a play of this step would: the moving mobjects
        (their order matters where strokes overlap, and a swapped-out part must leave the list) and,
        where they changed, the static background (drawn once, as that play would)."""
        scene = self.scene
        scene.moving_mobjects, static = scene.get_moving_and_static_mobjects(self.running)
        if static != scene.static_mobjects:
            scene.static_mobjects = static
            scene.renderer.save_static_frame_data(scene, static)

    def _at(self, frame: int) -> None:
        k, j = divmod(frame, self.per_step)
        self._start(min(k, len(self.steps) - 1))
        if not self.collected and self.scene is not None:
            # a step's first frame: the play collected what to draw knowing only Steps' mobject
            self._redraw_as_a_play_would()
            self.collected = True
        t = j * self.frame_time   # the same float a play of step_time gives its j-th frame
        for anim in self.running:
            anim.interpolate(t / anim.run_time)

    def interpolate(self, alpha: float) -> None:
        self._at(round(alpha * self.run_time / self.frame_time))

    def update_mobjects(self, dt: float) -> None:
        for anim in self.running:
            anim.update_mobjects(dt)

    def finish(self) -> None:
        self._start(len(self.steps) - 1)
        for anim in self.running:
            anim.finish()

    def clean_up_from_scene(self, scene) -> None:
        for anim in self.running:
            anim.clean_up_from_scene(scene)


__all__ = ["Steps"]

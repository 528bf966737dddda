"""The narration sets the clock (scenes/kit/pacing.py): animations stretched to their line, and no
number said before it is on screen."""

from __future__ import annotations

import pytest
from manim import DOWN, FadeIn, Square, Text, Transform

from scenes.kit.base import ChapterScene
from scenes.kit.onscreen import numbers
from scenes.kit.pacing import (
    REVEAL_LEAD,
    SILENCE_MAX,
    STRETCH_MAX,
    STRETCH_MIN,
    STRETCH_UNFILLED,
    BeatPlan,
    Step,
    pace,
    said_at,
)
from scenes.kit.settings import SceneSettings
from tests.framecheck import render_last_frame

LOSS = numbers("0.012")


def test_animations_are_not_stretched_past_their_line_by_whole_frames():
    """40 plays of 2 frames: stretched by 1.125 each becomes 3 frames (9.3 s of a 6.6 s animation), and
    ch08 ran 1.5 s past its 7.7 s line in silence. The silence after the line now counts."""
    steps = [Step(2 / 15, False, [], []) for _ in range(40)] + [Step(1.3, False, [], [])]
    beat = BeatPlan("With learning rate 1.5, the loss falls on every one of its steps.", 7.7, [], steps)
    p = pace(beat, gap=0.3, fps=15)
    animated = sum(-(-round(st.run_time * p.stretch * 15, 6) // 1) / 15 for st in steps)
    assert animated <= 7.7 + 0.3 + 1e-6, (p.stretch, animated)


def test_animations_that_outlast_their_line_run_faster_up_to_twice():
    beat = BeatPlan("All three end at 0.45.", 2.0, [], [Step(6.0, False, [], [])])
    p = pace(beat, gap=0.3)
    assert p.stretch == pytest.approx(0.5)   # 3 s for a 2.3 s line: twice as fast, no faster
    some = pace(BeatPlan(beat.text, 4.0, [], beat.steps), gap=0.3)
    assert 0.5 < some.stretch < 1.0 and 6.0 * some.stretch - 4.3 <= 0.5   # about as fast as the line needs
    nearly = pace(BeatPlan(beat.text, 5.5, [], beat.steps), gap=0.3)
    assert nearly.stretch == 1.0   # 0.2 s past the line costs less than a faster picture's 0.55 s still


def test_a_short_animation_is_stretched_toward_its_line_and_pauses_are_not():
    beat = BeatPlan("A line with no numbers in it, long enough to take a while.", 3.0, [],
                    [Step(2.0, False, [], []), Step(0.5, True, [], [])])
    p = pace(beat, gap=0.35)
    assert p.delay == 0
    assert 1.0 < p.stretch <= STRETCH_MAX
    assert 2.0 * p.stretch + 0.5 == pytest.approx(3.35, abs=0.26)   # fills the line (to the grid of stretches)
    longer = pace(BeatPlan(beat.text, 9.0, [], beat.steps), gap=0.35)
    assert longer.stretch == STRETCH_MAX   # never slower than that: the rest of the line gets a fill
    unfilled = pace(BeatPlan(beat.text, 9.0, [], beat.steps), gap=0.35, most=STRETCH_UNFILLED)
    assert unfilled.stretch == STRETCH_UNFILLED   # a 3D scene, whose hold no camera drift can fill


def test_a_number_is_said_only_after_it_appears():
    text = "The loss is 0.012 now, after a long and winding animation."
    beat = BeatPlan(text, 5.0, [], [Step(3.0, False, [], LOSS)])
    p = pace(beat, gap=0.35)
    (written, shown_at, said), = p.reveals
    assert written == "0.012"
    assert said - shown_at >= REVEAL_LEAD - 1e-9
    assert said == pytest.approx(p.delay + said_at(text, text.index("0.012"), 5.0))
    assert shown_at == pytest.approx(3.0 * p.stretch)


def test_a_long_animation_ending_on_its_number_is_sped_up_instead_of_a_long_silence():
    steps = [Step(0.4, False, [], []) for _ in range(19)] + [Step(0.4, False, [], LOSS)]   # 8 s, number last
    text = "After 20 steps the loss is 0.012."
    p = pace(BeatPlan(text, 2.5, [], steps), gap=0.35)
    assert STRETCH_MIN <= p.stretch < 1
    assert p.delay <= SILENCE_MAX + 1e-9 or p.stretch == STRETCH_MIN   # as little as brings the wait down, or all
    assert p.delay < 1.5   # about 2 s of animation instead of 8
    assert pace(BeatPlan(text, 2.5, [], steps[:4]), gap=0.35).stretch >= 1   # a short one is not hurried
    (_, shown_at, said), = p.reveals
    assert said - shown_at >= REVEAL_LEAD - 1e-9


def test_a_number_already_on_screen_needs_no_delay():
    beat = BeatPlan("The loss is 0.012.", 2.0, LOSS, [Step(1.0, False, LOSS, LOSS)])
    p = pace(beat, gap=0.35)
    assert p.delay <= REVEAL_LEAD
    assert all(said - shown_at >= REVEAL_LEAD - 1e-9 for _, shown_at, said in p.reveals)


class Reveal(ChapterScene):
    """A label with the number appears only at the end of a 2 s change; the line says it at once."""

    def construct(self) -> None:
        shape = Square()
        self.play(FadeIn(shape), run_time=0.5)
        self.beat("A square.")
        label = Text("loss 0.012").to_edge(DOWN)
        self.play(Transform(shape, shape.copy().scale(2)), run_time=2.0)
        self.play(FadeIn(label), run_time=0.5)
        self.beat("The loss is 0.012, and the square grew to twice its size while we waited for it.")


def test_a_rendered_scene_delays_the_line_until_its_number_is_shown():
    scene, _ = render_last_frame(Reveal, width=160, height=90, settings=SceneSettings(voice="none"))
    first, second = scene.narration
    assert first["stretch"] > 1   # 0.5 s of fade for a line of about a second
    (written, shown_at, said), = second["reveals"]
    assert written == "0.012"
    assert said - shown_at >= REVEAL_LEAD - 1e-6
    assert second["start"] >= first["end"] + second["delay"] - 1e-6
    assert scene.renderer.time >= second["start"] + second["line"]


class HeldThenShown(ChapterScene):
    """A short fade under a longer line (a hold too short to fill), then a number that shows at once."""

    def construct(self) -> None:
        shape = Square()
        self.play(FadeIn(shape), run_time=0.3)
        self.beat("A square, and words.")
        self.play(FadeIn(Text("loss 0.012").to_edge(DOWN)), run_time=0.5)
        self.beat("The loss is 0.012.")


def test_a_beats_hold_is_not_counted_in_the_next_beat():
    """The hold that waits for a line was recorded as the next beat's first step: its numbers then
    looked that much later than the plan had timed them, and its line waited in silence."""
    scene, _ = render_last_frame(HeldThenShown, width=160, height=90, settings=SceneSettings(voice="none"))
    first, second = scene.narration
    assert first["held"] > 0.3 and "filled" not in first, first   # a plain hold (no fill) ended the first beat
    ((written, shown_at, _),) = second["reveals"]
    assert written == "0.012"
    assert shown_at - first["end"] == pytest.approx(0.5, abs=1 / 15 + 1e-6)   # the fade, not the fade + the hold
    assert second["delay"] <= REVEAL_LEAD + 1e-6


class Added(ChapterScene):
    """A read-out's last row is swapped in with `add` after the last play, then said."""

    def construct(self) -> None:
        row = Text("loss 0.50").to_edge(DOWN)
        self.play(FadeIn(row), run_time=0.5)
        self.remove(row)
        self.add(Text("loss 0.50 → 0.14").to_edge(DOWN))
        self.beat("The loss fell to 0.14.")


def test_a_number_added_without_a_play_is_revealed_before_it_is_said():
    scene, _ = render_last_frame(Added, width=160, height=90, settings=SceneSettings(voice="none"))
    (beat,) = scene.narration
    assert [w for w, _, _ in beat["reveals"]] == ["0.14"]   # found: the line waits for it like any other
    (_, shown_at, said), = beat["reveals"]
    assert said - shown_at >= REVEAL_LEAD - 1e-6


def drawn(scene) -> list[str]:
    """What the scene draws (manim leaves an empty Mobject behind a wait)."""
    return [type(m).__name__ for m in scene.mobjects if len(m.points) or len(m.get_family()) > 1]


class Filled(ChapterScene):
    """One short animation under a long line, with a replay of recorded shapes to fill the hold."""

    def construct(self) -> None:
        from manim import Circle

        from scenes.kit.replay import replay

        shape = Square()
        self.play(FadeIn(shape), run_time=0.3)
        self.on_screen = drawn(self)
        states = [Circle(radius=r) for r in (0.5, 1.0, 1.5, 2.0)]
        self.filled: list[float] = []

        def fill(seconds: float) -> None:
            self.filled.append(seconds)
            replay(self, states, seconds)

        self.beat("A square, and a long line that goes on and on while the picture would otherwise stand "
                  "still for many seconds.", fill=fill)


def test_a_long_hold_is_filled_with_a_replay_that_leaves_the_screen_as_it_was():
    scene, _ = render_last_frame(Filled, width=160, height=90, settings=SceneSettings(voice="none"))
    (record,) = scene.narration
    assert record["filled"] and len(scene.filled) == 1
    assert scene.filled[0] > 1.5
    assert drawn(scene) == scene.on_screen == ["Square"]   # the ghost is gone
    assert scene.renderer.time >= record["start"] + record["line"]


class Drifted(ChapterScene):
    """A long line over a short animation and no replay of its own: the camera eases and returns."""

    def construct(self) -> None:
        shape = Square().shift([2, 1, 0])
        label = Text("loss 0.012").to_edge(DOWN)
        self.play(FadeIn(shape), FadeIn(label), run_time=0.3)
        self.where = [m.get_center().copy() for m in (shape, label)]
        self.shapes = (shape, label)
        self.beat("The loss is 0.012, and this line goes on long after the picture has finished moving.")


def test_a_hold_without_a_replay_gets_a_camera_move_that_ends_where_it_began():
    import numpy as np

    scene, _ = render_last_frame(Drifted, width=160, height=90, settings=SceneSettings(voice="none"))
    (record,) = scene.narration
    assert record["filled"] == "camera"
    for m, was in zip(scene.shapes, scene.where, strict=True):
        assert np.allclose(m.get_center(), was, atol=1e-9)


class Steady(ChapterScene):
    """A moving fade and a near-still stretch (`steady`) under a long line: only the fade is stretched."""

    def construct(self) -> None:
        shape = Square()
        self.play(FadeIn(shape), run_time=0.3)
        with self.steady():
            self.play(shape.animate.shift([0.001, 0, 0]), run_time=1.0)
        self.beat("A square that hardly moves, and a line that goes on long after it has stopped moving.")


def test_steady_plays_are_never_stretched_and_the_hold_is_filled_instead():
    scene, _ = render_last_frame(Steady, width=160, height=90, settings=SceneSettings(voice="none"))
    (plan,) = scene._plans
    assert [s.pause for s in plan.steps] == [False, True]
    (record,) = scene.narration
    assert record["stretch"] > 1
    assert record["filled"] == "camera"   # the left-over time moves; the steady second was not stretched
    steady = plan.steps[1].run_time
    assert steady == pytest.approx(1.0, abs=1 / 15)


def test_the_last_visible_step_of_paths_and_curves():
    import numpy as np

    from scenes.kit.cloud import VISIBLE_MOVE, last_visible_step

    still = np.zeros((5, 3))
    assert last_visible_step([still]) == 0
    path = np.zeros((6, 3))
    path[1:, 0] = [1.0, 1.5, 1.5 + VISIBLE_MOVE, 1.5 + VISIBLE_MOVE, 1.5 + VISIBLE_MOVE * 0.9]   # moves at 1-3
    assert last_visible_step([still, path]) == 3
    curve = np.zeros((4, 10, 3))
    curve[2:, 7, 1] = 2 * VISIBLE_MOVE               # one point of the curve jumps at step 2
    assert last_visible_step([curve]) == 2
    assert last_visible_step([curve], visible=3 * VISIBLE_MOVE) == 0


class Paused(ChapterScene):
    """A chapter's own 3-second pause before its line."""

    def construct(self) -> None:
        shape = Square()
        self.play(FadeIn(shape), run_time=0.3)
        t0 = float(self.renderer.time)
        self.wait(3)
        self.paused = float(self.renderer.time) - t0
        self.beat("A square.")


@pytest.mark.parametrize("voice", ["none", "off"])
def test_a_chapters_own_pause_is_short_when_the_line_holds_the_picture(voice):
    from scenes.kit.base import WAIT_MAX

    scene, _ = render_last_frame(Paused, width=160, height=90, settings=SceneSettings(voice=voice))
    assert scene.paused == pytest.approx(WAIT_MAX if voice == "none" else 3.0, abs=1 / 15)   # off: as written


def test_steps_to_play_one_by_one_while_moving_then_one_steady_jump():
    from scenes.kit.cloud import steps_to_play

    assert steps_to_play([1, 2, 3, 4, 5], 2) == [(1, False), (2, False), (5, True)]
    assert steps_to_play([1, 2, 3], 3) == [(1, False), (2, False), (3, False)]
    assert steps_to_play([10, 20], 0) == [(20, True)]

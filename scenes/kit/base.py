"""ChapterScene: the base of every gdevo scene.

- `self.trace(name)` reads an experiment's trace (tests inject traces via the `traces` attribute).
- `self.beat(notes)` marks a beat: a pause point of the storyboard. Put one at the end of each
  idea. It ends by calling `self.close_beat(notes)`, which records (time, notes) in `self.beats`;
  the lecture deck's Slide variant (gdevo.outputs.slides) overrides `close_beat` to end the slide there,
  so the speaker notes carry numbers from the traces. `beat` is the hook for whatever happens
  *before* a beat closes (narration holds there); `close_beat` is the hook for what closes it.
- Narration (scenes/kit/voices.py): each beat's notes are its spoken line, started at the beat's
  start (the previous beat's close) and held on: the beat lasts at least as long as its line plus
  a short gap, so the animation is never cut short and lines never overlap. The line goes in with
  manim's add_sound, its captions with add_subcaption, and the scene writes every beat (ID such as
  ch05-03, times, text, audio, cues) to a JSON sidecar beside its movie (NAME.beats.json).
- The narration sets the clock (scenes/kit/pacing.py): a narrated render first runs the scene with
  its animations skipped (the plan: every beat's line, steps and numbers on screen), then renders
  it with each beat's animations stretched to fill its line and the line delayed until every
  number it says is on screen. The sidecar records each beat's stretch, delay and reveals.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from manim import Indicate, Scene, Wait, config
from manim.animation.animation import prepare_animation

from scenes.kit import (
    bounds,  # noqa: F401  (a mobject's bounding points gathered by slicing: scenes/kit/bounds.py)
    family,  # noqa: F401  (a mobject's family listed in one pass: scenes/kit/family.py)
    lean,  # noqa: F401  (cheap copies of text: see scenes/kit/lean.py)
    subpaths,  # noqa: F401  (a path's subpaths found in one vectorized test: scenes/kit/subpaths.py)
    tex_cache,  # noqa: F401  (one Tex cache for every chapter: scenes/kit/tex_cache.py)
    text_glyphs,  # noqa: F401  (a Text's SVG parsed glyph by glyph, each shape once: scenes/kit/text_glyphs.py)
    text_memo,  # a Text made again with the same arguments is a copy (scenes/kit/text_memo.py)
    text_reuse,  # noqa: F401  (a Text made again reuses its parsed glyphs: scenes/kit/text_reuse.py)
)
from scenes.kit.camera import KitCamera
from scenes.kit.captions import cues, words
from scenes.kit.claims import Claims
from scenes.kit.drift import Drift
from scenes.kit.onscreen import become_keeps_text, numbers, screen_numbers, shown, text_units, whole_text
from scenes.kit.pacing import NEUTRAL, STRETCH_MAX, STRETCH_UNFILLED, BeatPlan, Pace, Step, pace, reveals
from scenes.kit.palette import apply_theme
from scenes.kit.settings import SceneSettings, scene_settings
from scenes.kit.traces import trace_for
from scenes.kit.voices import voice_for
from sim.trace import Trace

LINE_GAP = 0.3    # seconds of quiet after a line before the next beat (and its line) may start (0.35 until stop 31)
FILL_MIN = 1.5     # seconds of hold worth filling with a beat's motion (shorter holds stay still)
DRIFT_SCALE = 0.94   # a hold's camera move: the picture eases to 94 % around what is being read, and back
WAIT_MAX = 1.0      # a chapter's own wait(), in a narrated render (3Blue1Brown's scenes hold still ~1 s)
PULSE_LEAD = 0.15  # a number said during a hold starts to pulse this long before it is said
PULSE_TIME = 0.8
PULSE_SCALE = 1.15


class ChapterScene(Scene):
    traces: dict[str, Trace] | None = None  # injected by tests: {experiment name: Trace}
    settings: SceneSettings | None = None   # injected by tests; else this process's, read once
    plan_class: type | None = None          # the class the plan runs (the deck's Slide variant names its base)
    _planning = False                       # True in the plan's own run (animations skipped, nothing written)
    _unstretched = False                    # True while the narration plays its own animations (pulses)
    _steady = False                         # True inside `with self.steady():` (plays never stretched)

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("camera_class", KitCamera)   # images drawn inside their box (scenes/kit/camera.py)
        super().__init__(*args, **kwargs)

    def render(self, preview: bool = False):
        """manim's render, reading texts as the viewer sees them (onscreen.become_keeps_text): the
        narration's pacing checks which numbers are on screen after every animation."""
        with become_keeps_text(), text_memo.kept():   # a Text made again is a copy (kit/text_memo.py)
            return super().render(preview)

    def setup(self) -> None:
        super().setup()
        if self.settings is None:
            self.settings = scene_settings()
        apply_theme(self, self.settings.palette)   # the theme's background and text colour
        self.beats: list[tuple[float, str]] = []
        self.narration: list[dict] = []   # one record per beat: the sidecar's content
        self.voice = voice_for(self.settings)
        self.claims = Claims()   # the words of each line that state something about the data (kit/claims.py)
        self._beat_start = 0.0
        self._plans: list[BeatPlan] = []
        self._steps: list[Step] = []
        self._paces: list[Pace] = []
        self._pace = NEUTRAL
        self._before = screen_numbers(self.mobjects) if self.voice.narrated else []
        if self.voice.narrated and not self._planning:
            self._plans = self._plan()
            from manim import ThreeDScene

            most = STRETCH_UNFILLED if isinstance(self, ThreeDScene) else STRETCH_MAX   # no camera drift in 3D
            self._paces = [pace(b, LINE_GAP, config.frame_rate, most) for b in self._plans]
            self._pace = self._paces[0] if self._paces else NEUTRAL

    def _plan(self) -> list[BeatPlan]:
        """Run this scene once with animations skipped and return its beats (pacing.py); the random
        state is restored, so the render draws what it would have drawn without the plan."""
        state = random.getstate(), np.random.get_state()
        cls = type(self).plan_class or type(self)
        try:
            with become_keeps_text():
                planner = cls(skip_animations=True)
                planner._planning = True
                planner.renderer.camera.drawing = False   # its frames are never seen (scenes/kit/camera.py)
                planner.settings, planner.traces = self.settings, self.traces
                planner.setup()
                planner.construct()
            return planner._plans
        finally:
            random.setstate(state[0])
            np.random.set_state(state[1])

    @contextmanager
    def steady(self) -> Iterator[None]:
        """Plays inside show data that barely moves (a zero gradient, a run that has converged): the
        pacing never stretches them to fill a line, as it does not stretch a `wait` — a near-still
        stretched is a still (freezedetect counts it as one). Time the line has left over is filled
        after the beat's animations instead (a replay, or the camera's drift toward what is read)."""
        old, self._steady = self._steady, True
        try:
            yield
        finally:
            self._steady = old

    def play(self, *args, **kwargs) -> None:
        """manim's play; in the plan, recorded as a step; in a paced beat, animations stretched."""
        pause = (len(args) == 1 and isinstance(args[0], Wait)) or self._steady
        stretch = 1.0 if self._unstretched or self._planning else self._pace.stretch
        if stretch != 1.0 and not pause:
            if "run_time" in kwargs:
                kwargs["run_time"] = kwargs["run_time"] * stretch
            else:
                args = tuple(prepare_animation(a) for a in args)
                for a in args:
                    a.run_time = a.run_time * stretch
        record = self.voice.narrated and not self._unstretched
        before, t0 = (screen_numbers(self.mobjects), float(self.renderer.time)) if record else ([], 0.0)
        super().play(*args, **kwargs)
        if record:
            self._steps.append(Step(float(self.renderer.time) - t0, pause, before, screen_numbers(self.mobjects)))

    def _settled(self) -> list:
        """Numbers put on screen without a play since the last one (`add`, a read-out's row swapped in
        after its last step) are on screen when the line starts: a step of no time records them, so
        the line waits for them like any other (ch08's final 'loss 0.1934 → 0.1449' was never found).
        Returns the screen's numbers now (the next beat starts from them)."""
        now = screen_numbers(self.mobjects)
        last = self._steps[-1].after if self._steps else self._before
        if now != last:
            self._steps.append(Step(0.0, True, last, now))
        return now

    def wait(self, duration: float = 1.0, stop_condition=None, frozen_frame: bool | None = None) -> None:
        """manim's wait; in a narrated render a chapter's own pause lasts at most WAIT_MAX: the beat's
        line holds the picture for as long as it is spoken (and fills a long hold with motion), so a
        longer pause written for the silent film only adds a still before it."""
        if self.voice.narrated and not self._unstretched:
            duration = min(duration, WAIT_MAX)
        super().wait(duration, stop_condition, frozen_frame)

    def trace(self, name: str) -> Trace:
        if self.traces and name in self.traces:
            return self.traces[name]
        return trace_for(name, self.settings or scene_settings())

    def show_landscape(self, view, run_time: float = 1.2):
        """Put a LandscapeView on screen: the heatmap behind, then axes, contours and minimum."""
        self.add(view.heatmap)
        self.play(*view.reveal(), run_time=run_time)
        self.view = view
        return view

    def beat(self, notes: str = "", fill: Callable[[float], None] | None = None) -> None:
        """End of an idea: its narration is said (held until the line ends), then the beat closes.

        FILL(seconds), if given, is called when the line outlasts the animations by more than
        FILL_MIN seconds: it plays motion from the data for about that long (a replay of recorded
        steps, say) and leaves the screen as it found it, so the picture moves while the voice speaks.
        """
        self.narrate(notes, fill)
        self.close_beat(notes)

    def close_beat(self, notes: str = "") -> None:
        """Record the beat (scene time, notes); the deck's Slide variant also ends the slide here."""
        self.beats.append((float(self.renderer.time), notes))
        self._beat_start = float(self.renderer.time)
        k = len(self.narration)   # the next beat's index
        self._pace = self._paces[k] if k < len(self._paces) else NEUTRAL

    def beat_id(self, number: int) -> str:
        """Stable ID of the NUMBER-th beat (1-based): 'ch05-03' in chapter 5, 'landscape-02' elsewhere."""
        from scenes.storyboard import SCENES

        names = [c.__name__ for c in type(self).__mro__]
        entry = next((e for name in names for e in SCENES if e.cls == name), None)
        prefix = (f"ch{entry.chapter:02d}" if entry.chapter else entry.name) if entry else names[0].lower()
        return f"{prefix}-{number:02d}"

    def narrate(self, text: str, fill: Callable[[float], None] | None = None) -> None:
        """Say TEXT from the beat's start (after its pace's delay); hold the picture until the line
        (and a gap) is over."""
        k = len(self.narration)
        beat_id = self.beat_id(k + 1)
        line = self.voice.line(beat_id, text)
        now = self._settled() if self.voice.narrated else None
        if self._planning:   # the plan only learns the line and the steps that led to it
            self._plans.append(BeatPlan(text, line.duration, self._before, self._steps, line.marks))
            self._steps, self._before = [], now if now is not None else screen_numbers(self.mobjects)
            self.claims.take()
            self.narration.append({"id": beat_id})
            return
        # the line's delay from what this render drew and when (the plan only chose the stretch)
        paced = reveals(BeatPlan(text, line.duration, self._before, self._steps, line.marks))
        self._steps, self._before = [], now if now is not None else screen_numbers(self.mobjects)
        start = self._beat_start + paced.delay
        record = {"id": beat_id, "text": text, "start": start, "line": line.duration, "engine": line.engine,
                  "audio": str(line.path) if line.path else None, "fallback": line.fallback, "cues": [],
                  "claims": [c.__dict__ for c in self.claims.take()],
                  "stretch": self._pace.stretch, "delay": paced.delay,
                  "reveals": [[w, self._beat_start + shown_at, self._beat_start + said]
                              for w, shown_at, said in paced.reveals]}
        before = float(self.renderer.time)
        if line.duration > 0:
            end = start + line.duration + LINE_GAP
            if end - self.renderer.time > FILL_MIN and (fill is not None or self._can_drift()):
                self._unstretched = True
                try:
                    seconds = end - self.renderer.time - 1 / config.frame_rate
                    if fill is not None:
                        fill(seconds)
                        record["filled"] = "replay"
                    else:
                        self._drift(seconds, [w for w, _, said in paced.reveals
                                              if self._beat_start + said >= self.renderer.time])
                        record["filled"] = "camera"
                finally:
                    self._unstretched = False
            else:
                for written, _, said in paced.reveals:   # a number said in the hold pulses as it is said
                    at = self._beat_start + said
                    if at - PULSE_LEAD > self.renderer.time + 1e-6:
                        self._hold_until(at - PULSE_LEAD)
                        self._pulse(written)
            self._hold_until(end)
            now = float(self.renderer.time)
            if line.path is not None:
                self.add_sound(str(line.path), time_offset=start - now)
            record["words"] = [[t, w] for t, w in words(text, start, line.duration, line.marks)]
            for c_start, c_end, caption in cues(text, start, line.duration, line.marks):
                if config.write_to_movie:   # manim writes the .srt beside the movie (and fails without one)
                    self.add_subcaption(caption, duration=c_end - c_start, offset=c_start - now)
                record["cues"].append([c_start, c_end, caption])
        record["end"] = float(self.renderer.time)
        record["held"] = record["end"] - before   # seconds the picture waited for the voice
        self.narration.append(record)
        # The hold and its pulses belong to this beat: recorded as the next beat's first steps, they put its
        # numbers later than the plan (which has no holds) had timed them, and its line waited that long
        # in silence (1.5 s in ch08 on data it had not seen).
        self._steps = []

    def _hold_until(self, end: float) -> None:
        """Wait whole frames until scene time END (the movie's clock is its frame count)."""
        fps = config.frame_rate
        if self.renderer.time < end - 1e-6:
            frames = max(1, math.ceil((end - self.renderer.time) * fps - 1e-6))
            Scene.wait(self, (frames + 0.5) / fps)   # the line's own hold: never shortened

    def _can_drift(self) -> bool:
        """Something drawn, and a 2D picture: a 2D scene, or a 3D scene while its camera is still in
        its starting view (straight down, unzoomed: there fixed-in-frame texts sit where scene
        coordinates put them, so they follow the move; once the camera turns they would not)."""
        from manim import DEGREES, ThreeDScene

        if isinstance(self, ThreeDScene):
            cam = self.renderer.camera
            start = (0.0, -90 * DEGREES, 0.0, 1.0)
            now = (cam.get_phi(), cam.get_theta(), cam.get_gamma(), cam.get_zoom())
            if not np.allclose(np.asarray(now, dtype=float), start, atol=1e-9) or \
                    not np.allclose(cam.frame_center, 0, atol=1e-9):
                return False
        return any(len(m.get_family()) > 1 or len(m.points) for m in self.mobjects)

    def _drift(self, seconds: float, said: list[str]) -> None:
        """A slow camera move for a hold nothing else fills: the picture eases toward the text the
        voice reads next (or the frame's centre) and back, ending exactly where it started."""
        from manim import ORIGIN

        target = self._showing(said[0]) if said else None
        about = target.get_center() if target is not None else ORIGIN
        self.play(Drift(self.renderer.camera, about, DRIFT_SCALE, anchor=target), run_time=seconds)

    def _showing(self, written: str):
        """The text unit on screen that shows the number WRITTEN most exactly (None if none does)."""
        wanted = numbers(written)
        if not wanted:
            return None
        value = wanted[0][0]
        best = None
        for unit in text_units(self.mobjects):
            for on_screen in numbers(whole_text(unit)):
                if shown(wanted[0], [on_screen]):   # the same rule as the plan's and the claims test's
                    key = (abs(on_screen[0] - value), on_screen[1])
                    if best is None or key < best[0]:
                        best = (key, unit)
        return best[1] if best else None

    def _pulse(self, written: str) -> None:
        """Briefly enlarge the text on screen that shows the number WRITTEN (said now by the voice)."""
        unit = self._showing(written)
        if unit is None:
            return
        self._unstretched = True
        try:
            self.play(Indicate(unit, scale_factor=PULSE_SCALE, color=unit.get_color()), run_time=PULSE_TIME)
        finally:
            self._unstretched = False

    def tear_down(self) -> None:
        """Write the beats sidecar (NAME.beats.json) beside the movie manim is about to finish."""
        super().tear_down()
        movie = getattr(self.renderer.file_writer, "movie_file_path", None)
        if not config.write_to_movie or movie is None:
            return
        body = {"scene": type(self).__name__, "voice": self.voice.name, "fps": config.frame_rate,
                "duration": float(self.renderer.time), "beats": self.narration}
        path = Path(movie).with_suffix(".beats.json")
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(json.dumps(body, indent=1), encoding="utf-8")
        tmp.replace(path)

"""The narration sets the clock: each beat's animations are timed to its line.

A chapter states a beat's line only when the beat ends (`self.beat(line)` after its animations),
so before a narrated render the scene is run once with its animations skipped (a plan: cheap, no
frames). The plan gives every beat its line (synthesized then, and cached), the run time of each
of its `play` calls, and the numbers on screen before and after each of them. From that, `pace`
chooses for every beat:

- a stretch (1 to STRETCH_MAX) for its animations, so that they move while the voice speaks
  instead of ending early and holding a still frame until the line is over;
- a delay for the line, so that every number the line says is on screen at least REVEAL_LEAD
  before it is said (never spoken before it is shown: the voice used to say "the loss fell to
  0.001" while the screen still counted down from 1.57). The plan only estimates it: the line is
  placed when the beat ends (manim's add_sound takes an offset into the past), from the times
  the render itself recorded, so the rule holds exactly for what was drawn;

by minimising the beat's length plus the still time at its end plus the time its animations run on
after the line (the voice silent; such animations may run up to twice as fast, OUTLAST_MIN). A beat
whose line would wait more
than SILENCE_MAX for its numbers (a long animation that ends on the number its line says: the voice
was silent for 16 s at the end of chapter 1) has its animations sped up instead, as little as brings
the wait to SILENCE_MAX and never below STRETCH_MIN. `wait()` calls in a chapter (a
deliberate pause) are not stretched. A beat whose line or steps differ between plan and render
(it should not happen: chapters are deterministic) keeps the old timing: stretch 1, no delay.

When a number is said inside its line comes from the line's timeline (scenes/kit/timeline.py):
sentence and word starts from the engine where it gives them (hibari), else words placed by their
spoken length; the caption cues read the same timeline.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from scenes.kit.onscreen import Number, positions, shown
from scenes.kit.timeline import NO_MARKS, Marks, Timeline

STRETCH_MAX = 1.5     # an animation may run up to 1.5x its written length to fill its line (slower, small
                      # moves are stills to the eye and to freezedetect: the rest of a long line gets a fill)
REVEAL_LEAD = 0.5     # seconds a number is on screen before the voice says it. 0.7 while a word's time inside
                      # its sentence was estimated (Whisper heard numbers up to 0.5 s before the estimate); the
                      # engine's own word times are within 0.05 s of Whisper's (median, docs/narration.md)
STRETCH_MIN = 0.25    # ... and as little as a quarter of it, to cut a silence before the line
SILENCE_MAX = 0.4     # seconds the voice may wait at a beat's start for a number to appear: with the gap after
                      # the line before (LINE_GAP 0.3 s), a pause between lines stays within issue 18's 0.3-0.8 s
                      # (2.0 until stop 31: 12 of 56 pauses were over 0.8 s, the longest 5.3 s)
OUTLAST_MIN = 0.5     # animations that outlast their line run up to twice as fast (a race still reads at 2x)
STRETCH_UNFILLED = 3.0  # ... and up to 3x where no fill can follow (a 3D scene's camera does not drift)
STRETCHES = tuple(1 + 0.125 * i for i in range(int((STRETCH_UNFILLED - 1) / 0.125) + 1))
SPEEDUPS = tuple(1 - 0.125 * i for i in range(1, int((1 - STRETCH_MIN) / 0.125) + 1))   # 0.875 .. STRETCH_MIN


@dataclass
class Step:
    """One `play` call of the plan: how long it ran, whether it was a pause, what numbers showed."""

    run_time: float
    pause: bool
    before: list[Number]
    after: list[Number]


@dataclass
class BeatPlan:
    """One beat as the plan saw it: its line, how long the line is spoken, its steps."""

    text: str
    line: float
    before: list[Number]
    steps: list[Step] = field(default_factory=list)
    marks: Marks = NO_MARKS   # the voice's sentence and word times, if it gave them


@dataclass(frozen=True)
class Pace:
    """How one beat is timed: its animations' stretch, the line's delay, when each number shows and is said."""

    stretch: float = 1.0
    delay: float = 0.0
    reveals: tuple[tuple[str, float, float], ...] = ()   # (number as written, shown at, said at), from the beat's start


NEUTRAL = Pace()


def said_at(text: str, offset: int, duration: float, marks: Marks = NO_MARKS) -> float:
    """Seconds into a line of DURATION seconds at which the character at OFFSET of TEXT is spoken."""
    return Timeline(text, duration, marks).at(offset)


def frames(seconds: float, fps: float) -> float:
    """SECONDS as the renderer plays them: a whole number of frames (manim rounds every play up)."""
    return math.ceil(seconds * fps - 1e-6) / fps if fps > 0 else seconds


def _length(step: Step, stretch: float, fps: float) -> float:
    return frames(step.run_time * (1.0 if step.pause else stretch), fps)


def _shown_at(number: Number, beat: BeatPlan, stretch: float, fps: float) -> float | None:
    """When NUMBER is first on screen in BEAT with its animations stretched; None if it never is."""
    if shown(number, beat.before):
        return 0.0
    t = 0.0
    for step in beat.steps:
        if shown(number, step.before):
            return t
        t += _length(step, stretch, fps)
        if shown(number, step.after):
            return t
    return None


def reveals(beat: BeatPlan, stretch: float = 1.0, fps: float = 0.0) -> Pace:
    """The smallest delay of BEAT's line that says every number at least REVEAL_LEAD after it shows,
    with its animations stretched by STRETCH (1 for steps already played: their times are real)."""
    said = [(n, said_at(beat.text, at, beat.line, beat.marks)) for at, n in positions(beat.text)]
    found, delay = [], 0.0
    for number, t_said in said:
        t_shown = _shown_at(number, beat, stretch, fps)
        if t_shown is not None:
            delay = max(delay, t_shown + REVEAL_LEAD - t_said)
            found.append((number[2], t_shown, t_said))
    return Pace(stretch, delay, tuple((w, s, d + delay) for w, s, d in found))


def pace(beat: BeatPlan, gap: float, fps: float = 0.0, most: float = STRETCH_MAX) -> Pace:
    """The stretch and delay for BEAT (see the module docstring); GAP is the quiet after a line,
    FPS the frame rate whose whole frames each play is rounded up to (0: exact times), MOST the
    largest stretch (STRETCH_UNFILLED where the hold after the animations cannot be filled)."""
    if beat.line <= 0:
        return NEUTRAL
    moving = sum(s.run_time for s in beat.steps if not s.pause)
    paused = sum(s.run_time for s in beat.steps if s.pause)
    best: tuple[float, Pace] | None = None
    fill = (beat.line + gap - paused) / moving if moving > 0 else 1.0
    limit = min(max(1.0, fill), most) + 1e-9
    outlast = moving > 0 and sum(_length(s, 1.0, fps) for s in beat.steps) > beat.line + gap
    candidates = [s for s in STRETCHES if s <= limit] if moving > 0 else [1.0]
    if outlast:   # animations longer than the line: as fast as halves the silence after it, at most twice
        candidates += [s for s in SPEEDUPS if s >= OUTLAST_MIN - 1e-9]
    for stretch in candidates:
        timed = reveals(beat, stretch, fps)
        animated = sum(_length(s, stretch, fps) for s in beat.steps)
        spoken = timed.delay + beat.line + gap
        length = max(animated, spoken)
        # the beat's length, plus its still time at the end, plus the silence of animations that outlast the
        # line (each play is whole frames: 40 plays of 2 frames stretched by 1.125 are 3 frames each, 50 %
        # longer, and ch08 ran 1.5 s past its line on data it had not seen)
        cost = length + (length - animated) + max(0.0, animated - spoken)
        if best is None or cost < best[0] - 1e-9:
            best = (cost, timed)
    if best is not None and best[1].delay > SILENCE_MAX and moving > 0:
        for stretch in SPEEDUPS:   # the least speed-up that brings the silence down, else the most
            best = (0.0, reveals(beat, stretch, fps))
            if best[1].delay <= SILENCE_MAX:
                break
    return best[1] if best else NEUTRAL


__all__ = ["NEUTRAL", "REVEAL_LEAD", "SILENCE_MAX", "STRETCH_MAX", "STRETCH_MIN", "STRETCH_UNFILLED",
           "BeatPlan", "Pace", "Step", "frames", "pace", "reveals", "said_at"]

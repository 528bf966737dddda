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
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from manim import Scene, config

from scenes.kit import (
    lean,  # noqa: F401  (cheap copies of text: see scenes/kit/lean.py)
    tex_cache,  # noqa: F401  (one Tex cache for every chapter: scenes/kit/tex_cache.py)
)
from scenes.kit.camera import KitCamera
from scenes.kit.captions import cues
from scenes.kit.palette import apply_theme
from scenes.kit.settings import SceneSettings, scene_settings
from scenes.kit.traces import trace_for
from scenes.kit.voices import voice_for
from sim.trace import Trace

LINE_GAP = 0.35   # seconds of quiet after a line before the next beat (and its line) may start


class ChapterScene(Scene):
    traces: dict[str, Trace] | None = None  # injected by tests: {experiment name: Trace}
    settings: SceneSettings | None = None   # injected by tests; else this process's, read once

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("camera_class", KitCamera)   # images drawn inside their box (scenes/kit/camera.py)
        super().__init__(*args, **kwargs)

    def setup(self) -> None:
        super().setup()
        if self.settings is None:
            self.settings = scene_settings()
        apply_theme(self, self.settings.palette)   # the theme's background and text colour
        self.beats: list[tuple[float, str]] = []
        self.narration: list[dict] = []   # one record per beat: the sidecar's content
        self.voice = voice_for(self.settings)
        self._beat_start = 0.0

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

    def beat(self, notes: str = "") -> None:
        """End of an idea: its narration is said (held until the line ends), then the beat closes."""
        self.narrate(notes)
        self.close_beat(notes)

    def close_beat(self, notes: str = "") -> None:
        """Record the beat (scene time, notes); the deck's Slide variant also ends the slide here."""
        self.beats.append((float(self.renderer.time), notes))
        self._beat_start = float(self.renderer.time)

    def beat_id(self, number: int) -> str:
        """Stable ID of the NUMBER-th beat (1-based): 'ch05-03' in chapter 5, 'landscape-02' elsewhere."""
        from scenes.storyboard import SCENES

        names = [c.__name__ for c in type(self).__mro__]
        entry = next((e for name in names for e in SCENES if e.cls == name), None)
        prefix = (f"ch{entry.chapter:02d}" if entry.chapter else entry.name) if entry else names[0].lower()
        return f"{prefix}-{number:02d}"

    def narrate(self, text: str) -> None:
        """Say TEXT from the beat's start; hold the picture until the line (and a gap) is over."""
        start = self._beat_start
        beat_id = self.beat_id(len(self.narration) + 1)
        line = self.voice.line(beat_id, text)
        record = {"id": beat_id, "text": text, "start": start, "line": line.duration, "engine": line.engine,
                  "audio": str(line.path) if line.path else None, "fallback": line.fallback, "cues": []}
        before = float(self.renderer.time)
        if line.duration > 0:
            end = start + line.duration + LINE_GAP
            fps = config.frame_rate
            while self.renderer.time < end - 1e-6:   # whole frames: the movie's clock is its frame count
                frames = max(1, math.ceil((end - self.renderer.time) * fps - 1e-6))
                self.wait((frames + 0.5) / fps)
            now = float(self.renderer.time)
            if line.path is not None:
                self.add_sound(str(line.path), time_offset=start - now)
            for c_start, c_end, caption in cues(text, start, line.duration):
                if config.write_to_movie:   # manim writes the .srt beside the movie (and fails without one)
                    self.add_subcaption(caption, duration=c_end - c_start, offset=c_start - now)
                record["cues"].append([c_start, c_end, caption])
        record["end"] = float(self.renderer.time)
        record["held"] = record["end"] - before   # seconds the picture waited for the voice
        self.narration.append(record)

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

"""ChapterScene: the base of every gdevo scene.

- `self.trace(name)` reads an experiment's trace (tests inject traces via the `traces` attribute).
- `self.beat(notes)` marks a beat: a pause point of the storyboard. Put one at the end of each
  idea. It ends by calling `self.close_beat(notes)`, which records (time, notes) in `self.beats`;
  the lecture deck's Slide variant (gdevo.slides) overrides `close_beat` to end the slide there,
  so the speaker notes carry numbers from the traces. `beat` is the hook for whatever happens
  *before* a beat closes (narration holds there); `close_beat` is the hook for what closes it.
"""

from __future__ import annotations

from manim import Scene

from scenes.kit.palette import apply_theme
from scenes.kit.traces import trace_for
from sim.trace import Trace


class ChapterScene(Scene):
    traces: dict[str, Trace] | None = None  # injected by tests: {experiment name: Trace}

    def setup(self) -> None:
        super().setup()
        apply_theme(self)   # the theme's background and text colour (GDEVO_THEME)
        self.beats: list[tuple[float, str]] = []

    def trace(self, name: str) -> Trace:
        if self.traces and name in self.traces:
            return self.traces[name]
        return trace_for(name)

    def show_landscape(self, view, run_time: float = 1.2):
        """Put a LandscapeView on screen: the heatmap behind, then axes, contours and minimum."""
        self.add(view.heatmap)
        self.play(*view.reveal(), run_time=run_time)
        self.view = view
        return view

    def beat(self, notes: str = "") -> None:
        """End of an idea: a slide boundary in the deck, a recorded time in the video."""
        self.close_beat(notes)

    def close_beat(self, notes: str = "") -> None:
        """Record the beat (scene time, notes); the deck's Slide variant also ends the slide here."""
        self.beats.append((float(self.renderer.time), notes))

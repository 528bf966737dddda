"""ChapterScene: the base of every gdevo scene.

- `self.trace(name)` reads an experiment's trace (tests inject traces via the `traces` attribute).
- `self.beat(notes)` marks a beat: a pause point of the storyboard. In the explainer video it
  only records the time; in the lecture deck (manim-slides) it becomes `next_slide(notes=...)`,
  so the speaker notes carry numbers from the traces. Put one at the end of each idea.
"""

from __future__ import annotations

from manim import Scene

from scenes.kit.traces import trace_for
from sim.trace import Trace


class ChapterScene(Scene):
    traces: dict[str, Trace] | None = None  # injected by tests: {experiment name: Trace}

    def setup(self) -> None:
        super().setup()
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
        self.beats.append((float(self.renderer.time), notes))
        next_slide = getattr(self, "next_slide", None)
        if callable(next_slide):
            next_slide(notes=notes)

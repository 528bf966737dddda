"""Two tiny chapters for the cluster test: each reads a trace (which the worker does not have and
must receive from the client) and shows a number from it; seconds to render at 480p15."""

from __future__ import annotations

from manim import BLUE, ORANGE, Circle, FadeIn, Text

from scenes.kit.base import ChapterScene


class FinalLoss(ChapterScene):
    def construct(self) -> None:
        loss = float(self.trace("sine-2d").run("sgd")["loss"][-1])
        self.play(FadeIn(Text(f"sgd: {loss:.4f}", font_size=40, color=BLUE)), run_time=0.3)
        self.wait(0.3)


class Steps(ChapterScene):
    def construct(self) -> None:
        steps = self.trace("sine-2d").run("adam").steps
        self.play(FadeIn(Circle(color=ORANGE)), FadeIn(Text(f"{steps} steps", font_size=36)), run_time=0.3)
        self.wait(0.5)

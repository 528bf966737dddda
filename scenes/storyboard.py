"""The explainer's scenes in storyboard order: the one place that lists them (like 3b1b's stage list).

Each entry names the scene module (in scenes/), its Scene class, and the experiments whose
traces it reads, so gdevo can prepare the traces before manim starts.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SceneEntry:
    name: str           # CLI name and output file stem: renders/NAME.mp4
    module: str         # file in scenes/ (without .py)
    cls: str            # Scene subclass in that module
    traces: tuple[str, ...]
    title: str


SCENES: tuple[SceneEntry, ...] = (
    SceneEntry("landscape", "landscape", "Landscape", ("sine-2d",),
               "Searching the loss landscape: gradient descent vs evolution"),
)


def scene_names() -> list[str]:
    return [s.name for s in SCENES]


def get_scene(name: str) -> SceneEntry | None:
    return next((s for s in SCENES if s.name == name), None)

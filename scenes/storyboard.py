"""The explainer's scenes in storyboard order: the one place that lists them (like 3b1b's stage list).

Each entry names the scene module (in scenes/), its Scene class, and the experiments whose
traces it reads, so gdevo can prepare the traces before manim starts. Chapters (chapter > 0)
are joined into the explainer in this order; other entries are standalone scenes.
An entry whose module does not exist yet is listed here but not offered (`is_available`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SCENES_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class SceneEntry:
    name: str           # CLI name and output file stem: renders/NAME.mp4
    module: str         # file in scenes/ (without .py)
    cls: str            # Scene subclass in that module
    traces: tuple[str, ...]
    title: str
    chapter: int = 0    # 1..16 in the explainer; 0 = standalone scene


SCENES: tuple[SceneEntry, ...] = (
    SceneEntry("functions", "ch01_functions", "Functions", ("sine-2d",),
               "A network approximates a function", 1),
    SceneEntry("parameter-space", "ch02_parameter_space", "ParameterSpace", ("sine-2d",),
               "Two parameters, one point, one function", 2),
    SceneEntry("loss", "ch03_loss", "Loss", ("sine-2d",), "How wrong is the network? The loss", 3),
    SceneEntry("loss-landscape", "ch04_landscape", "LossLandscape", ("sine-2d",),
               "The loss landscape over parameter space", 4),
    SceneEntry("local-search", "ch05_local_search", "LocalSearch", ("sine-2d", "local-minimum"),
               "Evolution as local search", 5),
    SceneEntry("evolution-at-scale", "ch06_evolution_at_scale", "EvolutionAtScale",
               ("function-fit", "image-fit-smiley", "image-fit-portrait"), "Evolution at scale", 6),
    SceneEntry("hyperparameters", "ch07_hyperparameters", "Hyperparameters", ("hyperparameters",),
               "Population, mutation scale, learning rate, batch size", 7),
    SceneEntry("gradient-descent", "ch08_gradient_descent", "GradientDescent", ("sine-2d", "dimensions"),
               "Gradient descent and the learning rate", 8),
    SceneEntry("stochastic", "ch09_stochastic", "Stochastic", ("sine-2d",),
               "Stochastic gradient descent: mini-batches", 9),
    SceneEntry("momentum-adam", "ch10_momentum_adam", "MomentumAdam", ("sine-2d", "local-minimum"),
               "Momentum and Adam", 10),
    SceneEntry("race", "ch11_race", "Race", ("function-fit", "image-fit-smiley", "image-fit-portrait"),
               "The race: evolution vs SGD vs Adam", 11),
    SceneEntry("dimensions", "ch12_dimensions", "Dimensions", ("dimensions",),
               "Progress per evaluation as networks grow", 12),
    SceneEntry("saddles", "ch13_saddles", "Saddles", ("saddles",),
               "Saddles or minima? Counting critical points by network size", 13),
    SceneEntry("no-gradients", "ch14_no_gradients", "NoGradients", ("step-activation",),
               "When gradients fail", 14),
    SceneEntry("beyond", "ch15_beyond", "Beyond", ("strong-es",), "Beyond simple evolution", 15),
    SceneEntry("summary", "ch16_summary", "Summary", ("sine-2d", "function-fit", "step-activation"),
               "What each method did", 16),
    SceneEntry("landscape", "landscape", "Landscape", ("sine-2d",),
               "Gradient descent vs evolution on one loss landscape"),
    SceneEntry("title-card", "title_card", "TitleCard", (),
               "Title card: a project's title and subtitle (GDEVO_TITLE, GDEVO_SUBTITLE)"),
)


def is_available(entry: SceneEntry) -> bool:
    return (SCENES_DIR / f"{entry.module}.py").is_file()


def scene_names() -> list[str]:
    return [s.name for s in SCENES if is_available(s)]


def chapters() -> list[SceneEntry]:
    """The explainer's chapters that exist, in storyboard order."""
    return sorted((s for s in SCENES if s.chapter and is_available(s)), key=lambda s: s.chapter)


def get_scene(name: str) -> SceneEntry | None:
    return next((s for s in SCENES if s.name == name and is_available(s)), None)


def load_scene_class(entry: SceneEntry) -> type:
    """Import a scene's class from its file (as manim would), for tests, stills and slides."""
    import importlib
    import sys

    module_name = f"scenes.{entry.module}"
    if module_name in sys.modules:
        return getattr(sys.modules[module_name], entry.cls)
    if importlib.util.find_spec(module_name) is None:
        raise ImportError(module_name)
    return getattr(importlib.import_module(module_name), entry.cls)

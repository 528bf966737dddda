"""Small sine-2d and local-minimum traces for the gradient-descent chapters' tests (cached per process)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from sim.experiments.local_minimum import LocalMinimumConfig
from sim.experiments.sine2d import Sine2DConfig, simulate

LR_START = (2.5, 1.0)


@lru_cache(maxsize=1)
def sine_trace():
    runs = [
        dict(name="sgd", optimizer="sgd", lr=0.5, steps=6),
        dict(name="momentum", optimizer="sgd", lr=0.2, momentum=0.9, steps=6),
        dict(name="adam", optimizer="adam", lr=0.15, steps=6),
        dict(name="evolution", optimizer="evolution", population=6, sigma=0.3, steps=6),
        dict(name="lr-small", label="lr 0.03", optimizer="sgd", lr=0.03, steps=5),
        dict(name="lr-good", label="lr 1.5", optimizer="sgd", lr=1.5, steps=5),
        dict(name="lr-large", label="lr 3.5", optimizer="sgd", lr=3.5, steps=5),
        dict(name="lr-diverge", label="lr 10", optimizer="sgd", lr=10.0, steps=3),  # loss 0.30 > 0.19
        dict(name="batch-1", optimizer="sgd", lr=0.5, batch_size=1, steps=12),
        dict(name="batch-2", optimizer="sgd", lr=0.5, batch_size=2, steps=6),
    ]
    starts = {n: LR_START for n in ("lr-small", "lr-good", "lr-large", "lr-diverge")}
    cfg = Sine2DConfig.model_validate(dict(seed=0, start=(-1.0, 2.0), starts=starts, runs=runs,
                                           landscape=dict(resolution=41)))
    return simulate(cfg, "sine-2d")


def local_minimum_config(target: str = "sin(2.5*x + 0.5)", steps: int = 12, deep_steps: int = 8,
                         resolution: int = 61) -> LocalMinimumConfig:
    """A small local-minimum config: every optimizer from one start, momentum and Adam also from a deep one."""
    runs = [
        dict(name="evolution", optimizer="evolution", population=8, sigma=0.1, steps=steps),
        dict(name="sgd", optimizer="sgd", lr=0.3, steps=steps),
        dict(name="momentum", optimizer="sgd", lr=0.3, momentum=0.8, steps=steps),
        dict(name="adam", optimizer="adam", lr=0.15, steps=steps),
        dict(name="momentum-deep", optimizer="sgd", lr=0.3, momentum=0.8, steps=deep_steps),
        dict(name="adam-deep", optimizer="adam", lr=0.15, steps=deep_steps),
    ]
    return LocalMinimumConfig.model_validate(dict(
        seed=0, model="sin(a*x + b)", start=(-0.25, 1.75),
        starts={"momentum-deep": (-1.0, 0.5), "adam-deep": (-1.0, 0.5)},
        data=dict(x=list(np.linspace(-2, 2, 9)), target=target),
        landscape=dict(resolution=resolution), runs=runs))


@lru_cache(maxsize=1)
def local_minimum_trace():
    return simulate(local_minimum_config(), "local-minimum")


def texts(scene) -> str:
    """All Text on screen at the end, without spaces (manim's Text.text drops them)."""
    from manim import Text

    return "".join(m.text for top in scene.mobjects for m in top.get_family() if isinstance(m, Text))


def shows(scene, needle: str) -> bool:
    return needle.replace(" ", "") in texts(scene)

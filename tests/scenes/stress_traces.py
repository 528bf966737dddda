"""Unusual but valid data for every chapter, simulated at tiny budgets (the stress matrix).

Three data sets, each for every experiment the chapters read:
- "default": each experiment's own target and labels (its config's), at the same tiny budgets;
- "wide": targets with a range of ±10, long run labels, a wide 3:1 RGB image and a tall 1:3 grey one;
- "flat": nearly constant targets, runs that diverge early, a 16×16 RGB image and a 3:2 RGB "photo".
Traces are simulated once per test process (functools.cache).
"""

from __future__ import annotations

from functools import cache

VARIANTS = ("wide", "flat", "default")
LONG = "with a deliberately long, descriptive run label that a user might write"
TARGETS = {"wide": "10*sin(x)", "flat": "0.5 + 0.001*x"}


def _target(variant: str, default: str) -> str:
    """The variant's target; "default" keeps the experiment's own (its config's)."""
    return default if variant == "default" else TARGETS[variant]


def _sine_runs(variant: str) -> list[dict]:
    sgd_lr = 40.0 if variant == "flat" else 0.5      # flat: SGD diverges at its first steps
    label = {"label": f"SGD {LONG}"} if variant == "wide" else {}
    return [
        dict(name="sgd", optimizer="sgd", lr=sgd_lr, steps=6, **label),
        dict(name="momentum", optimizer="sgd", lr=0.2, momentum=0.9, steps=6),
        dict(name="adam", optimizer="adam", lr=0.15, steps=6),
        dict(name="evolution", optimizer="evolution", population=6, sigma=0.3, steps=6,
             **({"label": f"Evolution {LONG}"} if variant == "wide" else {})),
        dict(name="lr-small", label="lr 0.03", optimizer="sgd", lr=0.03, steps=5),
        dict(name="lr-good", label="lr 1.5", optimizer="sgd", lr=1.5, steps=5),
        dict(name="lr-large", label="lr 3.5", optimizer="sgd", lr=3.5, steps=5),
        dict(name="lr-diverge", label="lr 10", optimizer="sgd", lr=10.0, steps=3),
        dict(name="batch-1", optimizer="sgd", lr=0.5, batch_size=1, steps=12),
        dict(name="batch-2", optimizer="sgd", lr=0.5, batch_size=2, steps=6),
    ]


@cache
def sine_trace(variant: str):
    from sim.experiments.sine2d import Sine2DConfig, simulate

    starts = {n: (2.5, 1.0) for n in ("lr-small", "lr-good", "lr-large", "lr-diverge")}
    cfg = Sine2DConfig.model_validate(dict(
        seed=0, start=(-1.0, 2.0), starts=starts, runs=_sine_runs(variant), landscape=dict(resolution=41),
        data=dict(x=[-2.0, -1.0, 0.5, 2.0], target=_target(variant, "sin(x)")), curve_points=61))   # on the curve grid
    return simulate(cfg, "sine-2d")


@cache
def local_minimum_trace(variant: str):
    from sim.experiments.local_minimum import simulate
    from tests.scenes.gd_traces import local_minimum_config

    target = {"wide": "10*sin(2.5*x + 0.5)", "flat": "0.5 + 0.001*x", "default": "sin(2.5*x + 0.5)"}[variant]
    return simulate(local_minimum_config(target, steps=10, deep_steps=6, resolution=41), "local-minimum")


@cache
def function_fit_trace(variant: str):
    from sim.experiments.function_fit import simulate
    from tests.scenes.chapter_traces import fit_config

    long = variant == "wide"
    adam_lr = 50.0 if variant == "flat" else 0.01      # flat: Adam blows up at once
    cfg = fit_config(
        data=dict(target=_target(variant, "sin(3*x)"), n=40), seeds=2, frames=6, curve_points=40,
        runs=[dict(name="evolution", label=f"Evolution {LONG}" if long else "Evolution", optimizer="evolution",
                   population=10, steps=8, sigma=0.5, sigma_decay=0.95),
              dict(name="momentum", label=f"SGD + momentum {LONG}" if long else "SGD + momentum", optimizer="sgd",
                   lr=0.01, momentum=0.9),
              dict(name="adam", label="Adam", optimizer="adam", lr=adam_lr)])
    return simulate(cfg, "function-fit")


IMAGE_SHAPES = {"wide": {"image-fit-smiley": (16, 48, 3), "image-fit-portrait": (48, 16)},
                "flat": {"image-fit-smiley": (16, 16, 3), "image-fit-portrait": (40, 60, 3)},
                "default": {"image-fit-smiley": (24, 24, 3), "image-fit-portrait": (32, 24)}}


TUNED_IMAGES = {"default": ("image-fit-smiley", "image-fit-portrait"), "flat": ("image-fit-smiley",), "wide": ()}
"""Which pictures' races are real, tuned simulations (sim/experiments/image_fit.py with `[tuning]`): both on the
default data, one of two on flat (a film that mixes tuned and configured races), none on wide."""


@cache
def image_traces(variant: str) -> dict:
    from sim.experiments.image_fit import simulate
    from tests.scenes.chapter_traces import image_trace
    from tests.sim.test_image_fit import tiny_config

    long = variant == "wide"
    return {name: (simulate(tiny_config(color="rgb" if len(shape) == 3 else "grey", tuning=dict(widen=1)), name)
                   if name in TUNED_IMAGES[variant] else
                   image_trace(name, len(shape) == 3, shape=shape, long_labels=long))
            for name, shape in IMAGE_SHAPES[variant].items()}


@cache
def hyperparameters_trace(variant: str):
    from sim.experiments.hyperparameters import HyperparametersConfig, simulate

    cfg = HyperparametersConfig.model_validate(dict(
        seed=0, seeds=2, task=dict(target=_target(variant, "sin(2*x)"), points=12), net=dict(sizes=[1, 4, 1]),
        evolution=dict(populations=[2, 6, 40], sigmas=[0.003, 0.03, 0.3], rounds=6),
        sgd=dict(lrs=[0.1, 30.0], batch_sizes=[3, 12], steps=6)))
    return simulate(cfg, "hyperparameters")


@cache
def dimensions_trace(variant: str):
    from sim.experiments.dimensions import DimensionsConfig, simulate

    cfg = DimensionsConfig.model_validate(dict(
        seeds=1, nets=[dict(sizes=[1, 2, 1]), dict(sizes=[1, 16, 1])], target_loss=0.05,
        task=dict(target=_target(variant, "sin(x)")),
        # a level few of these small runs reach: ch12 must cope with networks never probed there
        probe=dict(sigmas=[0.01, 0.1, 1.0], samples=50, levels=[0.1]),
        evolution=dict(sigmas=[0.03, 0.3], budget=60), descent=dict(max_steps=60)))
    return simulate(cfg, "dimensions")


@cache
def saddles_trace(variant: str):
    from sim.experiments.saddles import SaddlesConfig, simulate

    cfg = SaddlesConfig.model_validate(dict(
        nets=[dict(sizes=[1, 2, 1])], task=dict(target=_target(variant, "sin(2*x)"), points=16),
        search=dict(inits=3, start_steps=[0, 20], max_iter=20)))
    return simulate(cfg, "saddles")


@cache
def step_activation_trace(variant: str):
    from sim.experiments.step_activation import StepActivationConfig, simulate

    target = {"wide": "10*sign(sin(2*x))", "flat": "0.5 + 0.001*sign(x)", "default": "sign(sin(2*x))"}[variant]
    long = {"label": f"Adam {LONG}"} if variant == "wide" else {}
    cfg = StepActivationConfig.model_validate(dict(
        seed=0, seeds=2, data=dict(n=16, target=target), net=dict(hidden=[4, 4]), curve_points=21,
        runs=[dict(name="sgd", optimizer="sgd", lr=0.1, steps=5),
              dict(name="adam", optimizer="adam", lr=0.05, steps=5, **long),
              dict(name="evolution", optimizer="evolution", population=8, sigma=0.5, steps=8)]))
    return simulate(cfg, "step-activation")


@cache
def strong_es_trace(variant: str):
    from sim.experiments.strong_es import StrongESConfig, simulate

    cfg = StrongESConfig.model_validate(dict(
        seed=0, seeds=2,
        small=dict(landscape=dict(resolution=21), curve_points=11, cma=dict(popsize=6, generations=6),
                   local=dict(population=6, sigma=0.3)),
        large=dict(hidden=[4], n=20, budget=120, record_every=5, curve_points=11, target=_target(variant, "sin(3*x)"),
                   snes=dict(popsize=10, sigma0=0.05), local=dict(population=10, sigma=0.02))))
    return simulate(cfg, "strong-es")


def traces_for(variant: str, experiments: tuple[str, ...]) -> dict:
    """{experiment name: trace} of the variant, for the experiments a chapter reads."""
    makers = {"sine-2d": sine_trace, "local-minimum": local_minimum_trace, "function-fit": function_fit_trace,
              "hyperparameters": hyperparameters_trace, "dimensions": dimensions_trace, "saddles": saddles_trace,
              "step-activation": step_activation_trace, "strong-es": strong_es_trace}
    out = {}
    for name in experiments:
        if name.startswith("image-fit"):
            out[name] = image_traces(variant)[name]
        else:
            out[name] = makers[name](variant)
    return out

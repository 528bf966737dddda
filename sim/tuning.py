"""Tuning sweeps for fair races: every optimizer gets its best settings at the race's budget.

A run's grid is the config's (`[tuning.grid.NAME]`) or its optimizer's default below; every
setting is run for every seed at the same budget of loss evaluations, and the setting with the
best mean final loss wins (a diverged seed counts as +inf, so a setting that diverged once never
wins over one that did not). The grids and every seed's final loss go into the trace, so the
choice can be checked.
"""

from __future__ import annotations

import inspect
import itertools
import json
import math
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
from pydantic import Field, ValidationError

from sim import user_optimizer
from sim.config import OptimizerSettings, RunConfig, Strict

DEFAULT_GRIDS: dict[str, dict[str, tuple[float, ...]]] = {
    "evolution": {"population": (4, 10, 40), "sigma": (0.003, 0.01, 0.03), "sigma_decay": (1.0,)},
    "sgd": {"lr": (0.003, 0.01, 0.03)},
    "adam": {"lr": (3e-4, 1e-3, 3e-3)},
    "rmsprop": {"lr": (3e-4, 1e-3, 3e-3)},
}
"""Each registry optimizer's grid when the config names none (small: the whole sweep is simulated)."""

Grid = dict[str, list[float]]
Run = TypeVar("Run", bound=OptimizerSettings)


class Tuning(Strict):
    """`[tuning]`: tune each run over a small grid at the race's budget, on at least three seeds."""

    seeds: int = Field(default=3, ge=3, le=20,
                       description="seeds each setting is judged on (the race's own first, then the next ones)")
    budget: int | None = Field(default=None, ge=2, le=10_000_000,
                               description="loss evaluations per setting (default: the race's equal budget)")
    grid: dict[str, dict[str, list[float]]] = Field(
        default_factory=dict, description="run name -> setting -> values (default: the optimizer's grid)")
    widen: int = Field(default=2, ge=0, le=8,
                       description="times a grid may grow one step past an end its winner sits at (0: never)")


def default_grid(run: RunConfig) -> Grid:
    """The registry optimizer's grid; a project's own optimizer tunes lr (÷3, ×1, ×3) if its constructor takes one."""
    if user_optimizer.is_spec(run.optimizer):
        cls = user_optimizer.load(run.optimizer, run.name).cls
        try:
            takes_lr = "lr" in inspect.signature(cls).parameters
        except (TypeError, ValueError):
            takes_lr = False
        return {"lr": [run.lr / 3, run.lr, run.lr * 3]} if takes_lr else {}
    return {k: list(v) for k, v in DEFAULT_GRIDS.get(run.optimizer, {}).items()}


def relative_grid(run: OptimizerSettings) -> Grid:
    """A grid around RUN's own settings (÷3, ×1, ×3, two significant digits): lr for a gradient
    optimizer that takes one, sigma for the local search. For races whose scale the registry's
    absolute grids do not fit (an image network wants SGD's lr near 0.5, a 1-D fit near 0.01); the
    population stays as configured, since it sets how rounds divide the budget."""
    from sim.recorder import optimizer_kind

    def around(v: float) -> list[float]:
        return [float(f"{v / 3:.2g}"), v, float(f"{v * 3:.2g}")]

    if optimizer_kind(run.optimizer, run.name) == "evolution":
        return {"sigma": around(run.sigma)} if not user_optimizer.is_spec(run.optimizer) else {}
    if user_optimizer.is_spec(run.optimizer):
        cls = user_optimizer.load(run.optimizer, run.name).cls
        try:
            if "lr" not in inspect.signature(cls).parameters:
                return {}
        except (TypeError, ValueError):
            return {}
    return {"lr": around(run.lr)}


def run_grid(tuning: Tuning, run: OptimizerSettings,
             default: Callable[[Any], Grid] = default_grid) -> Grid:
    """The grid RUN is tuned over, each setting's values sorted: the config's for it, else
    DEFAULT's (empty: not tuned)."""
    grid = tuning.grid[run.name] if run.name in tuning.grid else default(run)
    return {k: sorted({int(v) if k == "population" else float(v) for v in vs}) for k, vs in grid.items()}


def at_edge(grid: Grid, chosen: dict[str, float]) -> list[str]:
    """The varied settings whose chosen value is the grid's smallest or largest: the best may lie beyond."""
    return [k for k, vs in grid.items() if len(vs) > 1 and chosen[k] in (vs[0], vs[-1])]


def widened(grid: Grid, chosen: dict[str, float], run: Run,
            accepts: Callable[[Run], bool] | None = None) -> tuple[Grid, dict[str, float]]:
    """GRID grown one step past each end its CHOSEN value sits at, and the values added.

    The step continues the grid's own spacing geometrically (0.003, 0.01 -> 0.0009; lr 0.01,
    0.03 -> 0.09), since these settings act on a log scale. A value its run refuses (population
    below 1, lr above the config's bound, or one ACCEPTS refuses) or that rounds onto the end (a
    population of 1) is not added: that end stays, and the winner stays marked as at it."""
    out, added = {k: list(vs) for k, vs in grid.items()}, {}
    for key in at_edge(grid, chosen):
        vs = grid[key]
        low = chosen[key] == vs[0]
        end, inner = (vs[0], vs[1]) if low else (vs[-1], vs[-2])
        value: float = end * end / inner
        if key == "population":
            value = round(value) if value >= 1 else 0
        else:   # two significant digits: 0.01 -> 0.033, not 0.0333333
            value = float(f"{value:.2g}")
        if value == end or value <= 0 or not math.isfinite(value):
            continue
        try:
            grown = with_setting(run, {**chosen, key: value})
        except ValidationError:
            continue
        if accepts is not None and not accepts(grown):
            continue
        out[key] = [value, *vs] if low else [*vs, value]
        added[key] = value
    return out, added


def check_grid(tuning: Tuning, runs: list[RunConfig] | list[Any]) -> None:
    """ValueError (one line) for a grid naming no run, an empty list, or a setting its optimizer does not take."""
    from sim.optimizers import optimizer_entry

    names = {r.name: r for r in runs}
    for name, grid in tuning.grid.items():
        if name not in names:
            raise ValueError(f"tuning.grid.{name}: no run named {name!r} (runs: {', '.join(names)})")
        for key, values in grid.items():
            if not values:
                raise ValueError(f"tuning.grid.{name}.{key}: give at least one value")
            run = names[name]
            if not user_optimizer.is_spec(run.optimizer) and key not in optimizer_entry(run.optimizer).options:
                raise ValueError(f"tuning.grid.{name}.{key}: {run.optimizer} does not take {key!r} "
                                 f"(it takes: {', '.join(optimizer_entry(run.optimizer).options)})")


def settings(grid: Grid) -> list[dict[str, float]]:
    """Every combination of the grid's values, the first key varying slowest."""
    keys = list(grid)
    return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*(grid[k] for k in keys))] or [{}]


def with_setting(run: Run, setting: dict[str, float]) -> Run:
    """RUN with SETTING's values, validated as RUN's own model (a function-fit RunConfig, an image
    race's run; a project's optimizer still gets only the keys that were set)."""
    data = run.model_dump(exclude_unset=True) | {"name": run.name, "optimizer": run.optimizer}
    for k, v in setting.items():
        data[k] = int(v) if k == "population" else float(v)
    return type(run).model_validate(data)


def sweep(grid: Grid, run: Run, widen: int, score: Callable[[dict[str, float]], np.ndarray],
          accepts: Callable[[Run], bool] | None = None) -> tuple[dict[str, Any], np.ndarray]:
    """Score every cell of GRID (SCORE(setting): each seed's final loss, +inf where it diverged), growing
    the grid past an end its winner sits at (up to WIDEN times; ACCEPTS may refuse a grown cell) and
    scoring only the new cells; return RUN's `meta.tuning.runs.NAME` and every (setting, seed) final."""
    scored: dict[str, np.ndarray] = {}
    added: list[dict[str, float]] = []

    def key(setting: dict[str, float]) -> str:
        return json.dumps(setting, sort_keys=True)

    while True:
        cells = settings(grid)
        for setting in cells:
            if key(setting) not in scored:   # cells of the grid before it grew are not run again
                scored[key(setting)] = score(setting)
        finals = np.stack([scored[key(c)] for c in cells])
        chosen = choose(finals)
        if len(added) >= widen:
            break
        grid, grown = widened(grid, cells[chosen], run, accepts)
        if not grown:
            break
        added.append(grown)
    info = {"keys": list(grid), "values": grid, "settings": cells, "chosen": chosen,
            "at_edge": at_edge(grid, cells[chosen]), "widened": added, "chosen_settings": cells[chosen],
            "mean_final": [float(m) if math.isfinite(m) else None for m in mean_final(finals)],
            "tuned_run": f"{run.name}-tuned"}
    return info, finals


def mean_final(finals: np.ndarray) -> np.ndarray:
    """Each setting's (row's) mean final loss over seeds (columns), a non-finite seed counting as +inf."""
    return np.where(np.isfinite(finals), finals, np.inf).mean(axis=1)


def choose(finals: np.ndarray) -> int:
    """The setting with the smallest mean final loss; the first on ties (row 0 if every setting diverged)."""
    return int(np.argmin(mean_final(finals)))


def describe(setting: dict[str, Any]) -> str:
    """A setting as short text: 'population 40, sigma 0.03'."""
    return ", ".join(f"{k} {v:g}" for k, v in setting.items()) if setting else "as configured"


def json_finals(finals: np.ndarray) -> list[list[float | None]]:
    return [[float(v) if math.isfinite(v) else None for v in row] for row in finals]


def tuning_report(tuning: dict[str, Any], finals: Callable[[str], np.ndarray]) -> str:
    """Markdown: every run's grid, each setting's mean and per-seed loss at the budget (FINALS(run
    name): the trace's `tuning/NAME/final_loss`), the winner starred, and where it sits in its grid."""
    out = (f"## Tuning: every setting at {tuning['budget']:,} evaluations, seeds "
           f"{', '.join(map(str, tuning['seeds']))} (loss at the budget; inf = diverged; * = chosen)\n")
    for name, info in tuning["runs"].items():
        rows = [f"\n{name}:\n", "| setting | mean | " + " | ".join(f"seed {s}" for s in tuning["seeds"]) + " |",
                "|---|---:|" + "---:|" * len(tuning["seeds"])]
        for c, setting in enumerate(info["settings"]):
            mark = " *" if c == info["chosen"] else ""
            mean = info["mean_final"][c]
            rows.append(f"| {describe(setting)}{mark} | {'inf' if mean is None else format(mean, '.4g')} | "
                        + " | ".join(format(v, ".4g") for v in finals(name)[c]) + " |")
        grown = "; ".join(describe(g) for g in info.get("widened", []))
        where = (f"still at its grid's end in {', '.join(info['at_edge'])}" if info["at_edge"]
                 else "inside its grid")
        rows.append(f"\nThe grid grew past the winner's end {len(info.get('widened', []))} time(s)"
                    + (f" (added {grown})" if grown else "") + f"; the winner is {where}.")
        out += "\n".join(rows) + "\n"
    return out

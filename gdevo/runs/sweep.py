"""Sweeps: one experiment over a grid of config overrides and several seeds.

Each cell (a grid point and a seed) is one ordinary cached trace -- the same cache key as
`gdevo sim NAME --set ...` -- so a sweep resumes where it stopped and never recomputes a finished
cell. Cells are simulated by an executor (a local process pool or a Dask cluster); the client
writes each trace as its bytes arrive. The results are renders/sweeps/NAME.md (a table per
metric, mean ± sample sd over seeds), NAME.json (every seed's numbers) and a plot of the chosen
metric over the grid (a line plot for one grid key, heatmaps for two or more).
"""

from __future__ import annotations

import itertools
import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

from gdevo.runs.cells import run_cells
from gdevo.runs.executors import Executor
from gdevo.runs.jobs import CellTask, identity, task_for
from gdevo.settings import Settings
from sim.cache import config_names, resolve
from sim.config import read_toml, validate_config
from sim.errors import ConfigError, GdevoError
from sim.stats import format_spread, spread
from sim.trace import atomic_write_bytes, load_trace

Scalar = bool | int | float | str
STANDARD_METRICS = ("final_loss", "best_loss", "evals", "wall_s")


class SweepSpec(BaseModel):
    """A sweep file (TOML). Unknown keys are errors, as in experiment configs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str | None = Field(default=None, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$",
                             description="results go to renders/sweeps/NAME.md (default: the file's stem)")
    experiment: str | None = Field(default=None, description="a config in configs/ (or give `config`)")
    config: str | None = Field(default=None, description="a config file, relative to the sweep file")
    seeds: int | list[int] = Field(default=1, description="N (seeds 0..N-1) or a list of seeds")
    seed_key: str = Field(default="seed", pattern=r"^[A-Za-z0-9_.-]+$")
    set: list[str] = Field(default_factory=list, description="fixed overrides for every cell, as --set takes")
    device: Literal["cpu", "cuda"] | None = None
    grid: dict[str, list[Scalar | list[Scalar]]] = Field(default_factory=dict)
    metric: str = Field(default="final_loss", description="the metric plotted over the grid")
    metrics: list[str] = Field(default_factory=lambda: ["final_loss", "best_loss", "evals"])
    runs: list[str] | None = Field(default=None, description="the runs tabulated and plotted (default: all)")

    @field_validator("seeds")
    @classmethod
    def _seeds(cls, v: int | list[int]) -> int | list[int]:
        if isinstance(v, int) and not 1 <= v <= 10_000:
            raise ValueError("seeds must be between 1 and 10000 (or a list of seeds)")
        if isinstance(v, list) and (not v or len(set(v)) != len(v)):
            raise ValueError("seeds must be a non-empty list of distinct integers")
        return v

    @field_validator("grid")
    @classmethod
    def _grid(cls, v: dict[str, list]) -> dict[str, list]:
        for key, values in v.items():
            if not values:
                raise ValueError(f"grid key {key!r} has no values")
            if len({json.dumps(x) for x in values}) != len(values):
                raise ValueError(f"grid key {key!r} repeats a value")
        return v

    @property
    def seed_list(self) -> list[int]:
        return list(range(self.seeds)) if isinstance(self.seeds, int) else list(self.seeds)


def toml_literal(value: Any) -> str:
    """A grid value as the TOML literal `--set` parses back to the same value (written by rtoml)."""
    import rtoml

    try:
        text = rtoml.dumps({"v": value})
    except (rtoml.TomlSerializationError, TypeError, ValueError):
        text = ""
    if not text.startswith("v = ") or text.count("\n") != 1:   # a table is not a --set value
        raise ConfigError(f"grid value {value!r} is not a number, string, boolean or list")
    return text[4:].strip()


@dataclass(frozen=True)
class Cell:
    point: tuple[Any, ...]      # one value per grid key, in the spec's order
    seed: int
    overrides: tuple[str, ...]
    path: Path                  # the cached trace (same key as `gdevo sim`)
    task: CellTask

    @property
    def label(self) -> str:
        return f"{self.path.stem}"


@dataclass
class SweepPlan:
    spec: SweepSpec
    name: str
    experiment: str
    config_file: Path | None
    keys: list[str]
    points: list[tuple[Any, ...]]
    cells: list[Cell]


def load_spec(path: Path) -> SweepSpec:
    return validate_config(SweepSpec, read_toml(path), str(path))


def plan_sweep(spec_path: Path, settings: Settings, spec: SweepSpec | None = None) -> SweepPlan:
    """Expand a spec into cells and resolve each one's config and cache path (in the settings'
    cache, with their project's overrides), validating every cell."""
    spec_path = Path(spec_path)
    spec = spec or load_spec(spec_path)
    if (spec.experiment is None) == (spec.config is None):
        raise ConfigError(f"{spec_path}: give exactly one of `experiment` (one of {', '.join(config_names())}) "
                          "or `config` (a config file)")
    config_file = (spec_path.parent / spec.config) if spec.config else None
    experiment = spec.experiment or Path(spec.config or "").stem
    keys = list(spec.grid)
    points = list(itertools.product(*spec.grid.values())) if keys else [()]
    cells: list[Cell] = []
    for point in points:
        for seed in spec.seed_list:
            overrides = (*spec.set, *(f"{k}={toml_literal(v)}" for k, v in zip(keys, point, strict=True)),
                         f"{spec.seed_key}={seed}")
            try:
                res = resolve(experiment, list(overrides), spec.device, config_file, here=False,
                              cache=settings.cache, project=settings.project)
            except ConfigError as exc:
                where = ", ".join(f"{k}={toml_literal(v)}" for k, v in zip(keys, point, strict=True))
                raise ConfigError(f"{spec_path}: cell {where or '(no grid)'} seed {seed}: {exc}") from None
            cells.append(Cell(point, seed, overrides, res.path, task_for(res)))
    return SweepPlan(spec, spec.name or spec_path.stem, experiment, config_file, keys, points, cells)


# ----------------------------------------------------------------------------------- metrics


def run_metrics(trace) -> dict[str, dict[str, float]]:
    """Every run's numbers: final/best loss, evaluations, wall time, and any numeric run metadata."""
    out: dict[str, dict[str, float]] = {}
    for r in trace.runs():
        m: dict[str, float] = {}
        for k, v in r.meta.items():
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                m[k] = float(v)
        loss = np.asarray(r["loss"], dtype=float)
        m["final_loss"] = float(loss[-1]) if r.meta.get("final_loss", 0) is not None else math.nan
        finite = loss[np.isfinite(loss)]
        m["best_loss"] = float(finite.min()) if len(finite) else math.nan
        if "evals" in r:
            m["evals"] = float(r["evals"][-1])
        if r.wall is not None and len(r.wall):
            m["wall_s"] = float(r.wall[-1])
        out[r.name] = m
    return out


def cell_text(values: list[float]) -> str:
    """A table entry: mean ± sample sd over seeds (sim.stats' one definition of spread)."""
    return format_spread(spread(values), ".4g", ".2g")


@dataclass
class SweepResult:
    plan: SweepPlan
    metrics: dict[Path, dict[str, dict[str, float]]] = field(default_factory=dict)   # cell path -> run -> metric
    computed: int = 0
    cached: int = 0
    outputs: list[Path] = field(default_factory=list)

    def runs(self) -> list[str]:
        seen: dict[str, None] = {}
        for m in self.metrics.values():
            seen.update(dict.fromkeys(m))
        wanted = self.plan.spec.runs
        return [r for r in (wanted or seen) if r in seen]

    def values(self, point: tuple, run: str, metric: str) -> list[float]:
        return [self.metrics[c.path].get(run, {}).get(metric, math.nan)
                for c in self.plan.cells if c.point == point]


# ----------------------------------------------------------------------------------- running


def run_sweep(spec_path: Path, executor: Executor, settings: Settings, force: bool = False,
              quiet: bool = False) -> SweepResult:
    """Simulate the missing cells of a sweep, then write its tables and plot (in the settings' renders)."""
    plan = plan_sweep(spec_path, settings)
    result = SweepResult(plan)
    by_path: dict[Path, list[Cell]] = {}
    for c in plan.cells:
        by_path.setdefault(c.path, []).append(c)

    def ready(path: Path) -> None:
        trace = load_trace(path)
        metrics = run_metrics(trace)
        if not result.metrics:
            _check_metric_names(plan, metrics, spec_path)
        result.metrics[path] = metrics

    started = time.perf_counter()
    result.computed = run_cells([(c.label, c.path, c.task) for c in plan.cells], executor, force, ready, quiet)
    result.cached = len(by_path) - result.computed
    result.outputs = write_results(result, time.perf_counter() - started, settings.renders)
    return result


def _check_metric_names(plan: SweepPlan, metrics: dict[str, dict[str, float]], spec_path: Path) -> None:
    if not metrics:
        raise ConfigError(f"{spec_path}: {plan.experiment}'s traces hold no optimizer runs to tabulate "
                          f"(its own grids are in `gdevo report {plan.experiment}`)")
    known = sorted({k for m in metrics.values() for k in m})
    for name in dict.fromkeys([plan.spec.metric, *plan.spec.metrics]):
        if name not in known:
            raise ConfigError(f"{spec_path}: metric {name!r} is not in {plan.experiment}'s runs; "
                              f"known: {', '.join(known)}")
    if plan.spec.runs:
        missing = [r for r in plan.spec.runs if r not in metrics]
        if missing:
            raise ConfigError(f"{spec_path}: run {missing[0]!r} is not in {plan.experiment}'s trace; "
                              f"runs: {', '.join(metrics)}")


# ----------------------------------------------------------------------------------- results


def sweeps_dir(renders: Path) -> Path:
    return renders / "sweeps"


def _value_text(v: Any) -> str:
    return toml_literal(v) if not isinstance(v, str) else v


def markdown(result: SweepResult, plot_name: str | None) -> str:
    plan, spec = result.plan, result.plan.spec
    ident = identity()
    seeds = spec.seed_list
    lines = [f"# Sweep {plan.name}", "",
             f"experiment `{plan.experiment}`: {len(plan.points)} grid point{'s' * (len(plan.points) != 1)} × "
             f"{len(seeds)} seed{'s' * (len(seeds) != 1)} ({spec.seed_key} = {', '.join(map(str, seeds))}) = "
             f"{len(plan.cells)} cells; gdevo {ident['gdevo']}, sim code {ident['sim']}."]
    if spec.set:
        lines.append(f"Fixed overrides: {', '.join(f'`{s}`' for s in spec.set)}.")
    lines += ["", "Each entry is the mean ± sample standard deviation (n − 1) over seeds; values that are not "
              "finite (a diverged run) are left out, and (n/of) says how many seeds were finite.", ""]
    runs = result.runs()
    for metric in dict.fromkeys([spec.metric, *spec.metrics]):
        lines += [f"## {metric}", ""]
        head = [*plan.keys, *runs] if plan.keys else ["", *runs]
        lines.append("| " + " | ".join(head) + " |")
        lines.append("|" + "---:|" * len(plan.keys or [""]) + "---|" * len(runs))
        for point in plan.points:
            cells = [_value_text(v) for v in point] if plan.keys else ["all seeds"]
            cells += [cell_text(result.values(point, r, metric)) for r in runs]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
        if metric == spec.metric and plot_name:
            lines += [f"![{metric} over the grid]({plot_name})", ""]
    return "\n".join(lines)


def write_results(result: SweepResult, seconds: float, renders: Path) -> list[Path]:
    """renders/sweeps/NAME.md, NAME.json and NAME-METRIC.png, each written atomically."""
    from gdevo.runs.sweep_plot import plot_metric

    plan = result.plan
    out = sweeps_dir(renders)
    png = out / f"{plan.name}-{plan.spec.metric}.png"
    plot_metric(result, png)
    md = out / f"{plan.name}.md"
    text = markdown(result, png.name)
    atomic_write_bytes(md, lambda fh: fh.write(text.encode()))
    data = {"name": plan.name, "experiment": plan.experiment, "keys": plan.keys, "seeds": plan.spec.seed_list,
            "metric": plan.spec.metric, "identity": identity(), "seconds": round(seconds, 3),
            "cells": [{"point": list(c.point), "seed": c.seed, "trace": c.path.name,
                       "metrics": result.metrics[c.path]} for c in plan.cells]}
    body = json.dumps(data, indent=1, allow_nan=True).encode()
    js = out / f"{plan.name}.json"
    atomic_write_bytes(js, lambda fh: fh.write(body))
    return [md, png, js]


def sweep_reports(renders: Path) -> list[Path]:
    """The sweep results written so far (for `gdevo report`)."""
    d = sweeps_dir(renders)
    return sorted(d.glob("*.md")) if d.is_dir() else []


__all__ = ["GdevoError", "SweepSpec", "plan_sweep", "run_sweep", "sweep_reports"]

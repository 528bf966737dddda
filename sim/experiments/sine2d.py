"""sine-2d: the video's opening example, f(x) = tanh(a·x + b) fitted to points of sin(x).

Two parameters make parameter space a plane, so the whole loss landscape is recorded beside
every optimizer's path (and every evolution round's children).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import torch
from pydantic import Field, model_validator

from sim.config import RunConfig, Strict
from sim.experiments import Experiment, ProgressFactory
from sim.expr import parse_expression
from sim.landscape import landscape_grid
from sim.problems import TanhCurve
from sim.recorder import record_run
from sim.trace import Trace, build_meta


class Data(Strict):
    x: list[float] = Field(default=[-1.5, 0.0, 1.5], min_length=1, max_length=10_000)
    target: str = "sin(x)"


class Landscape(Strict):
    a_range: tuple[float, float] = (-4.0, 4.0)
    b_range: tuple[float, float] = (-4.0, 4.0)
    resolution: int = Field(default=201, ge=8, le=2001)

    @model_validator(mode="after")
    def _ordered(self) -> Landscape:
        for name in ("a_range", "b_range"):
            lo, hi = getattr(self, name)
            if not lo < hi:
                raise ValueError(f"{name} must be [low, high] with low < high, got {[lo, hi]}")
        return self


class Sine2DConfig(Strict):
    experiment: Literal["sine-2d"] = "sine-2d"
    description: str = ""
    seed: int = Field(default=0, ge=0, le=2**31 - 1)
    device: Literal["cpu", "cuda"] = "cpu"
    start: tuple[float, float] = (-2.5, 2.5)
    data: Data = Data()
    landscape: Landscape = Landscape()
    curve_points: int = Field(default=121, ge=2, le=10_000)
    escape: float = Field(default=1e3, gt=0, description="|θ| above this counts as diverged")
    runs: list[RunConfig] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_names(self) -> Sine2DConfig:
        names = [r.name for r in self.runs]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"run names must be unique, {dupes[0]!r} repeats")
        return self


def simulate(cfg: Sine2DConfig, name: str, device: str = "cpu", progress: ProgressFactory | None = None) -> Trace:
    """Record the landscape and every configured run; deterministic for a given seed."""
    torch.manual_seed(cfg.seed)
    dtype = torch.float64
    x = torch.tensor(cfg.data.x, dtype=dtype, device=device)
    target = parse_expression(cfg.data.target, field="data.target")
    problem = TanhCurve(x, target(x))
    arrays: dict[str, np.ndarray] = {"data/x": x.cpu().numpy(), "data/y": problem.y.cpu().numpy()}
    arrays.update(landscape_grid(problem.loss, cfg.landscape.a_range, cfg.landscape.b_range,
                                 cfg.landscape.resolution, device))
    lo = min(cfg.data.x) - 0.25 * (max(cfg.data.x) - min(cfg.data.x) or 1.0)
    hi = max(cfg.data.x) + 0.25 * (max(cfg.data.x) - min(cfg.data.x) or 1.0)
    curve_x = torch.linspace(lo, hi, cfg.curve_points, dtype=dtype, device=device)
    arrays["data/curve_x"] = curve_x.cpu().numpy()
    arrays["data/curve_target"] = target(curve_x).cpu().numpy()
    x0 = torch.tensor(cfg.start, dtype=dtype, device=device)
    runs_meta, timing = {}, {}
    for i, run in enumerate(cfg.runs):
        gen = torch.Generator(device=device).manual_seed(cfg.seed * 1000 + i)
        tick = progress(f"{name}: {run.name}", run.steps) if progress else None
        rec = record_run(problem, x0, run, gen, escape=cfg.escape, progress=tick)
        with torch.no_grad():
            rec.arrays["curve"] = problem.predict(torch.from_numpy(rec.arrays["params"]), curve_x.cpu()).numpy()
        runs_meta[run.name] = rec.meta
        timing[run.name] = rec.wall
        arrays.update({f"runs/{run.name}/{k}": v for k, v in rec.arrays.items()})
    meta = build_meta(name, cfg.model_dump(mode="json"), cfg.seed, runs_meta)
    return Trace(meta, arrays, timing)


EXPERIMENT = Experiment("sine-2d", "tanh(a·x+b) fitted to sin(x): the 2-parameter loss landscape and "
                        "SGD / momentum / Adam / evolution paths on it", Sine2DConfig, simulate)

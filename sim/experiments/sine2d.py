"""sine-2d: the video's opening example, f(x) = tanh(a·x + b) fitted to points of sin(x).

Two parameters make parameter space a plane, so the whole loss landscape is recorded beside
every optimizer's path (and every evolution round's children), with the gradient each
gradient step used and the landscape's local minima. The model is an expression in a, b and
x (default `tanh(a*x + b)`), so the same code records other 2-parameter landscapes: the
`local-minimum` kind (sim/experiments/local_minimum.py) reuses it with a bumpier model.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import torch
from pydantic import Field, model_validator
from scipy.ndimage import maximum_filter, minimum_filter

from sim.config import ExperimentConfig, Landscape, RunConfig, Strict
from sim.experiments import Experiment, ProgressFactory
from sim.expr import Expression, expression_field, parse_expression
from sim.landscape import landscape_grid
from sim.problems import ExprCurve
from sim.recorder import record_run
from sim.trace import Trace, build_meta

NetworkExpression = expression_field(("a", "b", "x"))


class Data(Strict):
    x: list[float] = Field(default=[-1.5, 0.0, 1.5], min_length=1, max_length=10_000)
    target: Expression = "sin(x)"


class Sine2DConfig(ExperimentConfig):
    experiment: Literal["sine-2d"] = "sine-2d"
    model: NetworkExpression = Field(default="tanh(a*x + b)",
                                     description="the network f(x; a, b), an expression in a, b, x")
    start: tuple[float, float] = (-2.5, 2.5)
    starts: dict[str, tuple[float, float]] = Field(default_factory=dict,
                                                   description="per-run start (a, b); other runs use `start`")
    data: Data = Data()
    landscape: Landscape = Landscape()
    curve_points: int = Field(default=121, ge=2, le=10_000)
    escape: float = Field(default=1e3, gt=0, description="|θ| above this counts as diverged")
    stall_tolerance: float = Field(default=1e-3, gt=0,
                                   description="a run has stalled once its loss never again drops by more than this")
    runs: list[RunConfig] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_names(self) -> Sine2DConfig:
        names = [r.name for r in self.runs]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"run names must be unique, {dupes[0]!r} repeats")
        unknown = sorted(set(self.starts) - set(names))
        if unknown:
            raise ValueError(f"starts: {unknown[0]!r} is not a run name ({', '.join(names)})")
        return self


def local_minima(a: np.ndarray, b: np.ndarray, loss: np.ndarray, tolerance: float, limit: int = 12
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Interior grid points that are the lowest of their 5×5 neighbourhood and lie at least
    `tolerance` below its highest point (so flat plateaus do not count); sorted by loss."""
    lowest = minimum_filter(loss, size=5, mode="nearest")     # scipy.ndimage: 5×5 neighbourhoods
    highest = maximum_filter(loss, size=5, mode="nearest")
    is_min = (loss <= lowest) & (highest - loss > tolerance)
    is_min[:2, :], is_min[-2:, :], is_min[:, :2], is_min[:, -2:] = False, False, False, False  # interior only
    found = sorted((float(loss[i, j]), float(a[j]), float(b[i])) for i, j in zip(*np.nonzero(is_min), strict=True))
    kept: list[tuple[float, float, float]] = []
    spacing = 3 * max(float(a[1] - a[0]), float(b[1] - b[0]))
    for f in found:  # one point per basin floor (equal-valued neighbours on a flat floor)
        if all(np.hypot(f[1] - k[1], f[2] - k[2]) > spacing for k in kept):
            kept.append(f)
    kept = kept[:limit]
    return (np.array([[k[1], k[2]] for k in kept], dtype=np.float64).reshape(-1, 2),
            np.array([k[0] for k in kept], dtype=np.float64))


def refine_minima(loss_at: Any, minima: np.ndarray, minima_loss: np.ndarray, cell: float,
                  a_range: tuple[float, float], b_range: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """Each grid minimum polished to the landscape's own minimum nearby (scipy's L-BFGS-B, kept within
    two grid cells of it and inside the plotted range), then sorted by loss; minima that polish to the
    same point are kept once. A grid point is only the lowest *sampled* network: a run can end below
    it (the global minimum of ch10's bumpy landscape read 2.7e-4 on the grid while momentum reached
    1e-6), and "the best network has loss ..." must be the landscape's, not the grid's."""
    from scipy.optimize import minimize

    found: list[tuple[float, float, float]] = []
    for (a, b), grid_loss in zip(minima, minima_loss, strict=True):
        bounds = [(max(a - 2 * cell, a_range[0]), min(a + 2 * cell, a_range[1])),
                  (max(b - 2 * cell, b_range[0]), min(b + 2 * cell, b_range[1]))]
        res = minimize(loss_at, np.array([a, b]), method="L-BFGS-B", bounds=bounds,
                       options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 500})
        best = (float(res.fun), float(res.x[0]), float(res.x[1])) if np.isfinite(res.fun) and res.fun <= grid_loss \
            else (float(grid_loss), float(a), float(b))
        if all(np.hypot(best[1] - k[1], best[2] - k[2]) > cell / 2 for k in found):
            found.append(best)
    found.sort()
    return (np.array([[f[1], f[2]] for f in found], dtype=np.float64).reshape(-1, 2),
            np.array([f[0] for f in found], dtype=np.float64))


def plateau_step(loss: np.ndarray, tolerance: float) -> int:
    """The first step after which the loss never again drops by more than `tolerance`."""
    finite = np.where(np.isfinite(loss), loss, np.inf)
    future_min = np.minimum.accumulate(finite[::-1])[::-1]
    stalled = np.nonzero(finite - future_min <= tolerance)[0]
    return int(stalled[0]) if len(stalled) else len(loss) - 1


def _ending(params: np.ndarray, loss: np.ndarray, minima: np.ndarray, minima_loss: np.ndarray,
            spacing: float, tolerance: float) -> dict[str, Any]:
    """Which recorded local minimum (if any) a run ends in, and whether that is the global one."""
    if len(minima) == 0 or not np.all(np.isfinite(params[-1])):
        return {"ends_in_minimum": None, "trapped": False}
    dist = np.linalg.norm(minima - params[-1], axis=1)
    k = int(np.argmin(dist))
    if dist[k] > spacing:
        return {"ends_in_minimum": None, "trapped": False}
    return {"ends_in_minimum": k, "trapped": bool(minima_loss[k] > minima_loss[0] + tolerance)}


def simulate(cfg: Sine2DConfig, name: str, device: str = "cpu", progress: ProgressFactory | None = None) -> Trace:
    """Record the landscape and every configured run; deterministic for a given seed."""
    torch.manual_seed(cfg.seed)
    dtype = torch.float64
    x = torch.tensor(cfg.data.x, dtype=dtype, device=device)
    target = parse_expression(cfg.data.target, field="data.target")
    model = parse_expression(cfg.model, variables=("a", "b", "x"), field="model")
    problem = ExprCurve(model, x, target(x))
    arrays: dict[str, np.ndarray] = {"data/x": x.cpu().numpy(), "data/y": problem.y.cpu().numpy()}
    arrays.update(landscape_grid(problem.loss, cfg.landscape.a_range, cfg.landscape.b_range,
                                 cfg.landscape.resolution, device))
    minima, minima_loss = local_minima(arrays["landscape/a"], arrays["landscape/b"], arrays["landscape/loss"],
                                       cfg.stall_tolerance)
    cell = max(float(np.diff(arrays["landscape/a"])[0]), float(np.diff(arrays["landscape/b"])[0]))

    def loss_at(p: np.ndarray) -> float:
        with torch.no_grad():
            return float(problem.loss(torch.as_tensor(p, dtype=dtype, device=device)))

    minima, minima_loss = refine_minima(loss_at, minima, minima_loss, cell, cfg.landscape.a_range,
                                        cfg.landscape.b_range)
    arrays["landscape/minima"], arrays["landscape/minima_loss"] = minima, minima_loss
    # Minima as deep as the deepest (within stall_tolerance: equally good fits) are all global.
    arrays["landscape/minima_global"] = minima_loss <= (minima_loss[0] + cfg.stall_tolerance if len(minima_loss)
                                                        else 0.0)
    # The star: the landscape's lowest point, polished like the minima (the grid's is a sample of it).
    best, best_loss = refine_minima(loss_at, arrays["landscape/min"][None], arrays["landscape/min_loss"][None], cell,
                                    cfg.landscape.a_range, cfg.landscape.b_range)
    if len(minima_loss) and minima_loss[0] <= best_loss[0]:
        best, best_loss = minima[:1], minima_loss[:1]
    arrays["landscape/min"], arrays["landscape/min_loss"] = best[0], np.array(best_loss[0])
    lo = min(cfg.data.x) - 0.25 * (max(cfg.data.x) - min(cfg.data.x) or 1.0)
    hi = max(cfg.data.x) + 0.25 * (max(cfg.data.x) - min(cfg.data.x) or 1.0)
    grid = torch.linspace(lo, hi, cfg.curve_points, dtype=dtype, device=device)
    near = (grid[:, None] - x[None, :]).abs().amin(dim=1) <= 1e-9 * (hi - lo)
    curve_x = torch.unique(torch.cat([grid[~near], x]))   # sorted; every data point is on the grid,
    # so scenes read the predictions at the data (residuals) from the recorded curves for any data.x
    arrays["data/curve_x"] = curve_x.cpu().numpy()
    arrays["data/curve_target"] = target(curve_x).cpu().numpy()
    runs_meta, timing = {}, {}
    for i, run in enumerate(cfg.runs):
        x0 = torch.tensor(cfg.starts.get(run.name, cfg.start), dtype=dtype, device=device)
        gen = torch.Generator(device=device).manual_seed(cfg.seed * 1000 + i)
        tick = progress(f"{name}: {run.name}", run.steps) if progress else None
        rec = record_run(problem, x0, run, gen, escape=cfg.escape, progress=tick, record_grad=True)
        with torch.no_grad():
            rec.arrays["curve"] = problem.predict(torch.from_numpy(rec.arrays["params"]).to(device),
                                                  curve_x).cpu().numpy()
        loss = rec.arrays["loss"]
        rec.meta["start"] = [float(v) for v in x0.cpu()]
        rec.meta["plateau_step"] = plateau_step(loss, cfg.stall_tolerance)
        rec.meta.update(_ending(rec.arrays["params"], loss, minima, minima_loss, 3 * cell, cfg.stall_tolerance))
        if rec.meta["trapped"] and rec.meta["status"] != "diverged":
            rec.meta["status"] = "stalled"  # stopped improving in a local minimum above the global one
        runs_meta[run.name] = rec.meta
        timing[run.name] = rec.wall
        arrays.update({f"runs/{run.name}/{k}": v for k, v in rec.arrays.items()})
    meta = build_meta(name, cfg.model_dump(mode="json"), cfg.seed, runs_meta)
    return Trace(meta, arrays, timing)


def _settings(meta: dict[str, Any]) -> str:
    if meta["kind"] == "evolution":
        return f"P={meta['population']}, σ={meta['sigma']:g}"
    parts = [f"lr={meta['lr']:g}"]
    if meta.get("momentum"):
        parts.append(f"β={meta['momentum']:g}")
    parts.append(f"batch={meta['batch_size']}")
    return ", ".join(parts)


def report(trace: Trace) -> str:
    """One row per run: settings, start, steps, evaluations, losses, status and where it ended."""
    minima_loss = trace.arrays.get("landscape/minima_loss")
    rows = [f"Grid global minimum: loss {float(trace['landscape/min_loss']):.4g} at "
            f"(a, b) = ({trace['landscape/min'][0]:.2f}, {trace['landscape/min'][1]:.2f}); "
            f"{0 if minima_loss is None else len(minima_loss)} local minima marked.", "",
            "| run | optimizer | settings | start (a, b) | steps | evals | start loss | final loss | "
            "no gain after step | ends in | status |",
            "|---|---|---|---|---:|---:|---:|---:|---:|---|---|"]
    order = [r["name"] for r in trace.meta["config"].get("runs", [])]
    for name in sorted(trace.run_names, key=lambda n: order.index(n) if n in order else len(order)):
        r = trace.run(name)
        m = r.meta
        k = m.get("ends_in_minimum")
        ends = "–" if k is None else f"{'local' if m.get('trapped') else 'global'} min (loss {minima_loss[k]:.3g})"
        start = m.get("start")
        start_s = "–" if start is None else f"({start[0]:g}, {start[1]:g})"
        final = r["loss"][-1]
        final_s = f"{final:.4g}" if np.isfinite(final) else "non-finite"
        rows.append(f"| {m.get('label', r.name)} | {m['optimizer']} | {_settings(m)} | {start_s} | {r.steps} | "
                    f"{r['evals'][-1]:.4g} | {r['loss'][0]:.4g} | {final_s} | {m.get('plateau_step', '–')} | "
                    f"{ends} | {m['status']} |")
    return "\n".join(rows)


EXPERIMENT = Experiment("sine-2d", "tanh(a·x+b) fitted to sin(x): the 2-parameter loss landscape and "
                        "SGD / momentum / Adam / evolution paths on it, learning rates, mini-batches",
                        Sine2DConfig, simulate, report)

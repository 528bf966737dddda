"""strong-es: a state-of-the-art evolution strategy beside the video's simple local search.

Two tasks, each repeated over `seeds` seeds, both methods at the same number of loss
evaluations; the numbers chapter 15 and the report show (mean ± sample sd over seeds, "matched
after N evaluations", runs that left the plotted grid) are computed here into the trace's stats:

- tanh-2d: the sine-2d problem (tanh(a·x+b) on 3 points of sin(x), same start). CMA-ES through
  pycma (`cma`) adapts a full 2×2 covariance, so every generation's population, mean and
  covariance σ²C are recorded and can be drawn on the recorded landscape grid.
- mlp: the function-fit network (1-20-20-20-20-20-1 leaky ReLU, 1,741 parameters) on sin(3x).
  SNES (`sim.optimizers.SNES`: separable natural evolution strategy, Schaul, Glasmachers &
  Schmidhuber 2011) adapts one step size per parameter (mirrored sampling, rank-based utilities).
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
import torch
from pydantic import BaseModel, Field, ValidationError, model_validator

from sim.config import Activation, Landscape, LayerSize, RepeatedConfig, RunConfig, Strict, check_ordered
from sim.experiments import Experiment, ProgressFactory
from sim.experiments.sine2d import NetworkExpression
from sim.expr import Expression, parse_expression
from sim.landscape import landscape_grid
from sim.nets import MLPProblem, MLPSpec, forward, init_params
from sim.optimizers import CMAES, SNES
from sim.problems import CurveFit, ExprCurve
from sim.recorder import record, record_evolution
from sim.stats import first_reach, format_spread, spread
from sim.trace import Trace, build_meta, repeat_name


class CMAConfig(Strict):
    popsize: int = Field(default=8, ge=2, le=10_000)
    sigma0: float = Field(default=0.5, gt=0, le=100)
    generations: int = Field(default=40, ge=1, le=100_000,
                             description="default with a `local_run`: its evaluations ÷ popsize")


class LocalConfig(Strict):
    population: int = Field(default=8, ge=1, le=100_000)
    sigma: float = Field(default=0.3, gt=0, le=100)


class Small(Strict):
    """The 2-parameter task of sine-2d (`like = "sine-2d"` fills it from that config: sim/linked.py)."""

    like: str | None = Field(default=None, description="the experiment whose task and local search this is")
    model: NetworkExpression = "tanh(a*x + b)"
    start: tuple[float, float] = (-1.0, 2.0)
    x: list[float] = Field(default=[-1.5, 0.0, 1.5], min_length=1, max_length=10_000)
    target: Expression = "sin(x)"
    landscape: Landscape = Landscape()
    curve_points: int = Field(default=121, ge=2, le=10_000)
    cma: CMAConfig = CMAConfig()
    local: LocalConfig = LocalConfig()
    local_run: RunConfig | None = Field(default=None, description="the local search as a whole run (from `like`); "
                                        "None: `local` at CMA-ES's budget")
    stream: int = Field(default=2, ge=0, le=999,
                        description="seeds the local search's random numbers: seed·1000+stream")
    seed: int | None = Field(default=None, ge=0, description="the first seed of this task (None: the experiment's)")

    @model_validator(mode="before")
    @classmethod
    def _same_budget(cls, data: Any) -> Any:
        """CMA-ES's generations, when not given beside a `local_run`: the local search's evaluations ÷ popsize
        (filled before validation, so the config and the trace's meta hold the number used)."""
        if not isinstance(data, dict) or data.get("local_run") is None:
            return data
        cma = data.get("cma")
        cma = cma.model_dump() if isinstance(cma, BaseModel) else dict(cma or {})
        if cma.get("generations") is not None:
            return data
        try:
            run = data["local_run"]
            run = run if isinstance(run, RunConfig) else RunConfig.model_validate(run)
        except ValidationError:
            return data   # reported on local_run by the field's own validation
        popsize = cma.get("popsize", CMAConfig.model_fields["popsize"].default)
        cma["generations"] = max(1, round(run.steps * run.population / popsize))
        return {**data, "cma": cma}

    @model_validator(mode="after")
    def _local_search(self) -> Small:
        if self.local_run is not None and self.local_run.optimizer != "evolution":
            raise ValueError(f"local_run: optimizer must be 'evolution', got {self.local_run.optimizer!r}")
        return self

    def search(self) -> RunConfig:
        """The local search CMA-ES is compared with: `local_run`, else `local` at CMA-ES's evaluations."""
        if self.local_run is not None:
            return self.local_run.model_copy(update={"label": "Local search"})
        rounds = max(1, self.cma.generations * self.cma.popsize // self.local.population)
        return RunConfig(name="evolution", optimizer="evolution", population=self.local.population,
                         sigma=self.local.sigma, steps=rounds, label="Local search")


class SNESConfig(Strict):
    popsize: int = Field(default=40, ge=2, le=100_000)
    sigma0: float = Field(default=0.05, gt=0, le=100)
    lr_mean: float = Field(default=1.0, gt=0, le=10)
    lr_sigma: float | None = Field(default=None, gt=0, le=10, description="None = (3 + ln d) / (5 √d)")
    mirrored: bool = True

    @model_validator(mode="after")
    def _even(self) -> SNESConfig:
        if self.mirrored and self.popsize % 2:
            raise ValueError(f"popsize must be even with mirrored sampling, got {self.popsize}")
        return self


class Large(Strict):
    """The function-fit MLP task (`like = "function-fit"` fills network and data from that config)."""

    like: str | None = Field(default=None, description="the experiment whose network and data these are")
    hidden: tuple[LayerSize, ...] = Field(default=(20, 20, 20, 20, 20), min_length=1, max_length=16)
    activation: Activation = "leaky_relu"
    target: Expression = "sin(3*x)"
    n: int = Field(default=300, ge=2, le=100_000)
    x_range: tuple[float, float] = (-math.pi, math.pi)
    budget: int = Field(default=24_000, ge=10, le=10_000_000, description="loss evaluations per run")
    record_every: int = Field(default=10, ge=1, le=100_000, description="generations between recorded params")
    curve_points: int = Field(default=121, ge=2, le=10_000)
    snes: SNESConfig = SNESConfig()
    local: LocalConfig = LocalConfig(population=40, sigma=0.02)

    @model_validator(mode="after")
    def _check(self) -> Large:
        check_ordered(self.x_range, "x_range")
        return self


class StrongESConfig(RepeatedConfig):
    experiment: Literal["strong-es"] = "strong-es"
    small: Small = Small()
    large: Large = Large()

    def facts(self) -> dict[str, str]:
        mlp = MLPSpec((1, *self.large.hidden, 1), self.large.activation).n_params
        return super().facts() | {"mlp_params": f"{mlp:,}"}




def best_so_far(first: float, pop_loss: np.ndarray) -> np.ndarray:
    """Best loss evaluated so far after each generation (index 0: the start point)."""
    return np.minimum.accumulate(np.concatenate([[first], pop_loss.min(axis=1)]))


# ----------------------------------------------------------------------------------------- CMA-ES
def record_cma(problem: CurveFit, x0: np.ndarray, cfg: CMAConfig, seed: int, curve_x: torch.Tensor,
               progress=None) -> tuple[dict, dict[str, np.ndarray]]:
    """CMA-ES (pycma) from x0: mean, σ, covariance and every child of every generation."""
    import cma

    opts = {"seed": seed, "popsize": cfg.popsize, "verbose": -9, "verb_disp": 0, "verb_log": 0,
            "verb_filenameprefix": "", "maxiter": cfg.generations, "tolfun": 0, "tolx": 0, "tolfunhist": 0,
            "tolstagnation": 10**9, "tolflatfitness": 10**9}
    searcher = CMAES(torch.from_numpy(np.asarray(x0, dtype=float)), cfg.sigma0, opts)
    es = searcher.es
    g, lam, d = cfg.generations, cfg.popsize, len(x0)
    means = np.zeros((g + 1, d))
    means[0] = es.mean
    pop = np.zeros((g, lam, d))
    pop_loss = np.zeros((g, lam))
    cov = np.zeros((g, d, d))
    sigma = np.zeros(g)

    def state(t: int) -> None:   # σ and σ²C that generation t samples from (read before its ask, which
        sigma[t] = es.sigma      # may refresh pycma's eigendecomposition)
        cov[t] = es.sigma ** 2 * np.asarray(es.sm.covariance_matrix)

    def after(taken: int, asked: torch.Tensor, losses: torch.Tensor, *_) -> None:
        pop[taken - 1], pop_loss[taken - 1], means[taken] = asked.numpy(), losses.numpy(), es.mean
        if taken < g:
            state(taken)
        if progress:
            progress(1)

    state(0)
    record(problem, searcher, g, after_tell=after)
    with torch.no_grad():
        tm = torch.from_numpy(means)
        loss = problem.loss(tm).numpy()
        curve = problem.predict(tm, curve_x).numpy()
    first = float(loss[0])
    best = best_so_far(first, pop_loss)
    winner = pop_loss.argmin(axis=1)
    accepted = pop_loss.min(axis=1) < best[:-1]
    arrays = {"params": means, "loss": loss, "evals": 1.0 + np.arange(g + 1) * lam, "best_loss": best,
              "population": pop, "pop_loss": pop_loss, "winner": winner.astype(np.int64), "accepted": accepted,
              "sigma": sigma, "cov": cov, "curve": curve}
    weights = [float(w) for w in es.sp.weights[: es.sp.weights.mu]]
    meta = {"kind": "evolution", "optimizer": "cma-es", "label": "CMA-ES", "task": "tanh-2d", "population": lam,
            "sigma0": cfg.sigma0, "steps": g, "mu": int(es.sp.weights.mu), "weights": weights,
            "cmean": float(es.sp.cmean), "status": "ok" if best[-1] < best[0] else "stalled",
            "final_loss": float(loss[-1]), "best_loss": float(best[-1]), "cma_version": cma.__version__}
    return meta, arrays


# ------------------------------------------------------------------------------------------- SNES
def record_snes(problem: MLPProblem, x0: torch.Tensor, cfg: SNESConfig, budget: int, every: int,
                generator: torch.Generator, progress=None) -> tuple[dict, dict[str, np.ndarray]]:
    """Record SNES (sim.optimizers.SNES) from x0 for `budget` evaluations: μ at checkpoints, the loss of μ
    and the best child of every generation."""
    d, lam = x0.numel(), cfg.popsize
    gens = max(1, budget // lam)
    es = SNES(x0, cfg.sigma0, lam, cfg.lr_mean, cfg.lr_sigma, cfg.mirrored, generator)
    checkpoints = list(range(0, gens + 1, every)) + ([gens] if gens % every else [])
    params = torch.empty((len(checkpoints), d), dtype=x0.dtype, device=x0.device)
    params[0] = es.mu
    mean_loss = torch.empty(gens + 1, dtype=x0.dtype, device=x0.device)
    gen_best = torch.empty(gens, dtype=x0.dtype, device=x0.device)
    sigma_mean = np.zeros(gens)
    with torch.no_grad():
        mean_loss[0] = problem.loss(es.mu)
    c = 1

    def before(t: int, losses: torch.Tensor) -> None:
        sigma_mean[t] = float(es.sigma.mean())

    def after(taken: int, asked: torch.Tensor, losses: torch.Tensor, told, idx) -> None:
        nonlocal c
        gen_best[taken - 1] = losses[told.best]
        mean_loss[taken] = problem.loss(es.mu)
        if c < len(checkpoints) and checkpoints[c] == taken:
            params[c] = es.mu
            c += 1
        if progress:
            progress(1)

    record(problem, es, gens, before_tell=before, after_tell=after)
    loss_all = mean_loss.cpu().numpy()
    best = best_so_far(float(loss_all[0]), gen_best.cpu().numpy()[:, None])
    evals_all = 1.0 + np.arange(gens + 1) * lam
    idx = np.array(checkpoints)
    arrays = {"params": params.cpu().numpy(), "loss": loss_all[idx], "evals": evals_all[idx], "checkpoints": idx,
              "loss_all": loss_all, "best_all": best, "evals_all": evals_all, "sigma_mean": sigma_mean}
    meta = {"kind": "evolution", "optimizer": "snes", "label": "SNES", "task": "mlp", "population": lam,
            "sigma0": cfg.sigma0, "lr_mean": cfg.lr_mean, "lr_sigma": es.lr_sigma, "mirrored": cfg.mirrored,
            "steps": gens, "status": "ok" if loss_all[-1] < loss_all[0] else "stalled",
            "final_loss": float(loss_all[-1]), "best_loss": float(best[-1])}
    return meta, arrays


def record_local_mlp(problem: MLPProblem, x0: torch.Tensor, cfg: LocalConfig, budget: int, every: int,
                     generator: torch.Generator, progress=None) -> tuple[dict, dict[str, np.ndarray]]:
    """The video's local search on the MLP, at the same budget; params kept every `every` rounds."""
    rounds = max(1, budget // cfg.population)
    run = RunConfig(name="mlp-evolution", optimizer="evolution", population=cfg.population, sigma=cfg.sigma,
                    steps=rounds, label="Local search")
    rec = record_evolution(problem, x0, run, generator, record_population=False, progress=progress)
    idx = np.array(list(range(0, rounds + 1, every)) + ([rounds] if rounds % every else []))
    a = rec.arrays
    arrays = {"params": a["params"][idx], "loss": a["loss"][idx], "evals": a["evals"][idx], "checkpoints": idx,
              "loss_all": a["loss"], "best_all": a["loss"], "evals_all": a["evals"],
              "accepted_all": a["accepted"]}
    meta = dict(rec.meta, task="mlp", best_loss=float(a["loss"][-1]))
    return meta, arrays


# ------------------------------------------------------------------------------------------ driver
def simulate(cfg: StrongESConfig, name: str, device: str = "cpu",
             progress: ProgressFactory | None = None) -> Trace:
    torch.manual_seed(cfg.seed)
    arrays: dict[str, np.ndarray] = {}
    runs_meta: dict[str, dict] = {}
    summary: dict[str, dict[str, dict[str, list[float]]]] = {"tanh-2d": {}, "mlp": {}}

    # --- tanh-2d: CMA-ES vs local search on the sine-2d landscape (float64, CPU: 2 parameters). The
    # problem, start, local search and its random stream are sine-2d's (`like`), so seed 0's local
    # search is the run chapter 5 shows, bit for bit.
    sm = cfg.small
    x = torch.tensor(sm.x, dtype=torch.float64)
    target = parse_expression(sm.target, field="small.target")
    model = parse_expression(sm.model, variables=("a", "b", "x"), field="small.model")
    small = ExprCurve(model, x, target(x))
    arrays.update({"small/data/x": x.numpy(), "small/data/y": small.y.numpy()})
    grid = landscape_grid(small.loss, sm.landscape.a_range, sm.landscape.b_range, sm.landscape.resolution)
    arrays.update({f"small/{k}": v for k, v in grid.items()})
    span = max(sm.x) - min(sm.x) or 1.0
    curve_x = torch.linspace(min(sm.x) - 0.25 * span, max(sm.x) + 0.25 * span, sm.curve_points, dtype=torch.float64)
    arrays["small/data/curve_x"] = curve_x.numpy()
    arrays["small/data/curve_target"] = target(curve_x).numpy()
    x0 = np.array(sm.start, dtype=float)
    local_run = sm.search()
    first = cfg.seed if sm.seed is None else sm.seed
    for rep in range(cfg.seeds):
        seed = first + rep
        tick = progress(f"{name}: {repeat_name('cma-es', seed, first)}", sm.cma.generations) if progress else None
        meta, arr = record_cma(small, x0, sm.cma, seed * 1000 + 1, curve_x, tick)
        _add(arrays, runs_meta, summary["tanh-2d"], "cma-es", seed, first, meta, arr)
        gen = torch.Generator().manual_seed(seed * 1000 + sm.stream)
        tick = progress(f"{name}: {repeat_name('evolution', seed, first)}", local_run.steps) if progress else None
        rec = record_evolution(small, torch.from_numpy(x0), local_run, gen, record_population=True, progress=tick)
        with torch.no_grad():
            rec.arrays["curve"] = small.predict(torch.from_numpy(rec.arrays["params"]), curve_x).numpy()
        rec.arrays["best_loss"] = rec.arrays["loss"]
        meta = dict(rec.meta, task="tanh-2d", best_loss=float(rec.arrays["loss"][-1]))
        _add(arrays, runs_meta, summary["tanh-2d"], "evolution", seed, first, meta, rec.arrays)

    # --- mlp: SNES vs local search on the function-fit network (float32 like function-fit)
    lg = cfg.large
    spec = MLPSpec((1, *lg.hidden, 1), lg.activation)
    target = parse_expression(lg.target, field="large.target")
    xs = torch.linspace(lg.x_range[0], lg.x_range[1], lg.n, dtype=torch.float32, device=device)
    ys = target(xs)
    mlp = MLPProblem(spec, xs[:, None], ys[:, None])
    cx = torch.linspace(lg.x_range[0], lg.x_range[1], lg.curve_points, dtype=torch.float32, device=device)
    arrays.update({"large/data/x": xs.cpu().numpy(), "large/data/y": ys.cpu().numpy(),
                   "large/data/curve_x": cx.cpu().numpy(), "large/data/curve_target": target(cx).cpu().numpy()})
    for rep in range(cfg.seeds):
        seed = cfg.seed + rep
        w0 = init_params(spec, torch.Generator(device=device).manual_seed(seed), device=device)
        gens = max(1, lg.budget // lg.snes.popsize)
        tick = progress(f"{name}: {repeat_name('snes', seed, cfg.seed)}", gens) if progress else None
        gen = torch.Generator(device=device).manual_seed(seed * 1000 + 3)
        meta, arr = record_snes(mlp, w0, lg.snes, lg.budget, lg.record_every, gen, tick)
        if rep == 0:
            arr["curve"] = _curves(spec, arr["params"], cx)
        _add(arrays, runs_meta, summary["mlp"], "snes", seed, cfg.seed, meta, arr)
        rounds = max(1, lg.budget // lg.local.population)
        tick = progress(f"{name}: {repeat_name('mlp-evolution', seed, cfg.seed)}", rounds) if progress else None
        gen = torch.Generator(device=device).manual_seed(seed * 1000 + 4)
        meta, arr = record_local_mlp(mlp, w0, lg.local, lg.budget, lg.record_every, gen, tick)
        if rep == 0:
            arr["curve"] = _curves(spec, arr["params"], cx)
        _add(arrays, runs_meta, summary["mlp"], "mlp-evolution", seed, cfg.seed, meta, arr)
    trace = Trace(build_meta(name, cfg.model_dump(mode="json"), cfg.seed, runs_meta,
                             {"n_params": {"tanh-2d": 2, "mlp": spec.n_params}}), arrays, {})
    trace.meta["stats"] = es_stats(trace, summary, cfg.seeds)
    return trace


PAIRS = {"tanh-2d": ("cma-es", "evolution"), "mlp": ("snes", "mlp-evolution")}
"""Per task: the strong ES and the simple local search it is compared with."""


def es_stats(trace: Trace, summary: dict[str, dict[str, dict[str, list[float]]]], seeds: int) -> dict:
    """Spreads over seeds per task and method; per task, the evaluations the strong ES needed to
    reach the local search's final best loss of the same seed ("matched after N evaluations",
    `null` for a seed where it never did); on tanh-2d, the runs whose end left the plotted grid."""
    out: dict = {"seeds": seeds}
    for task, (strong, simple) in PAIRS.items():
        t = {base: {k: spread(v) for k, v in fields.items()} for base, fields in summary[task].items()}
        needed = []
        for run, level in zip(trace.repeats(strong), summary[task][simple]["best_loss"], strict=True):
            best = run["best_all"] if "best_all" in run else run["best_loss"]
            evals = run["evals_all"] if "evals_all" in run else run["evals"]
            needed.append(first_reach(best, evals, level))
        t["match"] = {"evals": spread(needed), "per_seed": needed}
        out[task] = t
    a, b = trace["small/landscape/a"], trace["small/landscape/b"]
    off: dict = {}
    for base in PAIRS["tanh-2d"]:
        outside = [r for r in trace.repeats(base)
                   if not (a[0] <= r["params"][-1][0] <= a[-1] and b[0] <= r["params"][-1][1] <= b[-1])]
        off[base] = {"seeds": [int(r.meta["seed"]) for r in outside],
                     "ends": [[float(v) for v in r["params"][-1]] for r in outside],
                     "best_loss": spread(float(r["best_loss"][-1]) for r in outside)}
    out["tanh-2d"]["off_grid"] = off
    return out


def _curves(spec: MLPSpec, params: np.ndarray, cx: torch.Tensor) -> np.ndarray:
    with torch.no_grad():
        p = torch.from_numpy(params).to(cx.device)
        return forward(spec, p, cx[:, None])[..., 0].cpu().numpy()


def _add(arrays, runs_meta, summary, base, seed, first_seed, meta, arr) -> None:
    key = repeat_name(base, seed, first_seed)
    meta = dict(meta, seed=seed, group=base)
    runs_meta[key] = meta
    arrays.update({f"runs/{key}/{k}": np.asarray(v) for k, v in arr.items()})
    evals = arr.get("evals_all", arr["evals"])
    best = arr.get("best_all", arr.get("best_loss"))
    s = summary.setdefault(base, {"start_loss": [], "best_loss": [], "final_loss": [], "evals": [],
                                  "half_budget_best": []})
    s["start_loss"].append(float(best[0]))
    s["best_loss"].append(float(best[-1]))
    s["final_loss"].append(float(meta["final_loss"]))
    s["evals"].append(float(evals[-1]))
    s["half_budget_best"].append(float(best[np.searchsorted(evals, evals[-1] / 2, side="right") - 1]))


# ----------------------------------------------------------------------------------------- report
def report(trace: Trace) -> str:
    """Best loss at half and full budget per method and task, mean ± sample sd over the seeds, and
    how many evaluations the strong ES needed to match the local search's final loss."""
    st = trace.stats
    n = st["seeds"]
    rows = [f"best loss found (mean ± sample sd over {n} seeds), same evaluation budget per task", "",
            "| task | method | params | evaluations | best at half budget | best at budget | "
            "loss of its mean/parent | evals to match local search |", "|---|---|---:|---:|---:|---:|---:|---:|"]
    for task, (strong, simple) in PAIRS.items():
        for base in (strong, simple):
            s = st[task][base]
            match = "–"
            if base == strong:
                m = st[task]["match"]["evals"]
                match = format_spread(m, ",.0f") if m["n"] else "never"
            label = trace.run(base).meta["label"]
            rows.append(f"| {task} | {label} | {trace.meta['n_params'][task]:,} | {s['evals']['mean']:,.0f} | "
                        + " | ".join(format_spread(s[k], ".4g", ".2g") for k in ("half_budget_best", "best_loss",
                                                                                "final_loss"))
                        + f" | {match} |")
    rows += ["", f"tanh-2d: grid minimum loss {float(trace['small/landscape/min_loss']):.3g} at "
             f"a={trace['small/landscape/min'][0]:.2f}, b={trace['small/landscape/min'][1]:.2f}."]
    for base, off in st["tanh-2d"]["off_grid"].items():
        if off["seeds"]:
            where = ", ".join(f"seed {s} (a={p[0]:.1f}, b={p[1]:.1f})" for s, p in zip(off["seeds"], off["ends"],
                                                                                      strict=True))
            rows.append(f"{trace.run(base).meta['label']} ended outside the plotted grid (the flat valley towards "
                        f"a → ∞, b = 0) in {len(off['seeds'])}/{n} seeds: {where}.")
    return "\n".join(rows)


EXPERIMENT = Experiment("strong-es", "CMA-ES (pycma) on the 2-parameter landscape and SNES on the function-fit "
                        "MLP, beside the simple local search at equal evaluations", StrongESConfig, simulate, report)

"""function-fit: the video's comparison on a real network — evolution vs SGD+momentum vs Adam.

An MLP with LeakyReLU and layer sizes (1, 20, 20, 20, 20, 20, 1) — five hidden layers of 20
units, i.e. four hidden-to-hidden weight layers, the video's "4 hidden layers of 20" — has
1,741 parameters. It is fitted by MSE to `data.n` evenly spaced samples of a target such as
sin(3x) on [−π, π].

Evolution is the video's local search (population 1000, 150 rounds, σ = 1 decaying ×0.98 per
round); its population is evaluated as one (P, D) tensor (`MLPProblem.loss`) in chunks of
`chunk` networks, and only per-round statistics are kept (never the whole population). With
`equal_budget` every gradient run gets exactly evolution's number of loss evaluations (one
full-batch step = one evaluation). Every optimizer is run for `seeds` seeds from the same
initial network per seed; the first seed keeps parameters and the network's curve at every
frame, the other seeds (runs `NAME@seedS`) keep their loss curves (kind "replicate"). The
numbers the race shows (loss at equal evaluations, at equal wall time, mean ± sd over seeds)
are computed here, at simulation time, into the trace's stats (sim/stats.py).
"""

from __future__ import annotations

import json
import math
from typing import Any, Literal

import numpy as np
import torch
from pydantic import Field, model_validator

from sim.config import Activation, RepeatedConfig, RunConfig, Strict
from sim.experiments import Experiment, ProgressFactory
from sim.expr import Expression, parse_expression
from sim.nets import MLPProblem, MLPSpec, init_params
from sim.recorder import RunRecord, optimizer_kind, record_evolution, record_gradient
from sim.stats import first_reach, format_spread, median_range, spread, value_at
from sim.trace import Trace, build_meta, repeat_name
from sim.tuning import (
    Tuning,
    check_grid,
    describe,
    run_grid,
    sweep,
    tuning_report,
    with_setting,
)


class Data(Strict):
    target: Expression = "sin(3*x)"
    n: int = Field(default=300, ge=2, le=100_000, description="evenly spaced samples of the target")
    x_range: tuple[float, float] = (-math.pi, math.pi)

    @model_validator(mode="after")
    def _ordered(self) -> Data:
        lo, hi = self.x_range
        if not lo < hi:
            raise ValueError(f"x_range must be [low, high] with low < high, got {[lo, hi]}")
        return self


class Model(Strict):
    sizes: tuple[int, ...] = (1, 20, 20, 20, 20, 20, 1)
    activation: Activation = "leaky_relu"

    @model_validator(mode="after")
    def _shape(self) -> Model:
        if len(self.sizes) < 2 or self.sizes[0] != 1 or self.sizes[-1] != 1:
            raise ValueError(f"sizes must start and end with 1 (one input x, one output), got {list(self.sizes)}")
        if any(not 1 <= s <= 4096 for s in self.sizes):
            raise ValueError(f"every layer size must be in 1..4096, got {list(self.sizes)}")
        return self


class FunctionFitConfig(RepeatedConfig):
    experiment: Literal["function-fit"] = "function-fit"
    data: Data = Data()
    model: Model = Model()
    chunk: int = Field(default=64, ge=1, le=100_000, description="networks per batched forward call")
    frames: int = Field(default=150, ge=2, le=5000, description="recorded frames per gradient run")
    curve_points: int = Field(default=200, ge=2, le=10_000)
    equal_budget: bool = Field(default=True, description="gradient runs get evolution's evaluation budget")
    escape: float = Field(default=1e6, gt=0, description="|θ| above this counts as diverged")
    runs: list[RunConfig] = Field(min_length=1)
    tuning: Tuning | None = Field(default=None, description="tune every run over a grid at the race's budget")

    def facts(self) -> dict[str, str]:
        out = super().facts() | {"n_params": f"{MLPSpec(tuple(self.model.sizes)).n_params:,}",
                                 "target": self.data.target.replace("*", "")}
        if self.equal_budget and any(r.optimizer == "evolution" for r in self.runs):
            out["budget"] = f"{evolution_budget(self):,}"
        return out

    @model_validator(mode="after")
    def _runs(self) -> FunctionFitConfig:
        names = [r.name for r in self.runs]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"run names must be unique, {dupes[0]!r} repeats")
        if self.equal_budget and sum(r.optimizer == "evolution" for r in self.runs) != 1:
            raise ValueError("equal_budget needs exactly one evolution run (its evaluations set the budget)")
        if self.tuning is not None:
            check_grid(self.tuning, self.runs)
        return self


def evolution_budget(cfg: FunctionFitConfig) -> int:
    """Loss evaluations of the evolution run: the initial parent plus population × rounds."""
    evo = next(r for r in cfg.runs if r.optimizer == "evolution")
    return 1 + evo.population * evo.steps


def planned_runs(cfg: FunctionFitConfig) -> list[tuple[RunConfig, int]]:
    """(run, record_every) as simulated: with equal_budget a gradient run's steps are set so its
    evaluations (steps × batch / n) equal evolution's budget exactly."""
    out = []
    budget = evolution_budget(cfg) if cfg.equal_budget else None
    for run in cfg.runs:
        if optimizer_kind(run.optimizer, run.name) == "evolution":
            out.append((run, 1))
            continue
        if budget is not None:
            batch = min(run.batch_size or cfg.data.n, cfg.data.n)
            steps = math.ceil(budget * cfg.data.n / batch)
            run = run.model_copy(update={"steps": steps})  # may exceed RunConfig's 100,000-step cap
        out.append((run, max(1, run.steps // cfg.frames)))
    return out


def build_problem(cfg: FunctionFitConfig, device: str = "cpu") -> tuple[MLPProblem, Any]:
    target = parse_expression(cfg.data.target, field="data.target")
    lo, hi = cfg.data.x_range
    x = torch.linspace(lo, hi, cfg.data.n, dtype=torch.float64)
    y = target(x)
    if not bool(torch.isfinite(y).all()):
        from sim.errors import ConfigError

        raise ConfigError(f"data.target: {cfg.data.target!r} is not finite on x_range {[lo, hi]}")
    spec = MLPSpec(tuple(cfg.model.sizes), cfg.model.activation)
    problem = MLPProblem(spec, x.to(torch.float32, copy=True).unsqueeze(1).to(device),
                         y.to(torch.float32).unsqueeze(1).to(device), chunk=cfg.chunk)
    return problem, target


def simulate(cfg: FunctionFitConfig, name: str, device: str = "cpu", progress: ProgressFactory | None = None
             ) -> Trace:
    """Record every run for every seed, then (with `[tuning]`) every run's grid and its tuned race;
    deterministic for a given seed (wall times go to the sidecar)."""
    torch.manual_seed(cfg.seed)
    problem, target = build_problem(cfg, device)
    lo, hi = cfg.data.x_range
    curve_x = torch.linspace(lo, hi, cfg.curve_points, dtype=torch.float64)
    arrays: dict[str, np.ndarray] = {
        "data/x": problem.x[:, 0].cpu().numpy(), "data/y": problem.y[:, 0].cpu().numpy(),
        "data/curve_x": curve_x.to(torch.float32).numpy(),
        "data/curve_target": target(curve_x).to(torch.float32).numpy(),
    }
    curve_x_dev = curve_x.to(torch.float32).unsqueeze(1).to(device)
    runs_meta: dict[str, dict[str, Any]] = {}
    timing: dict[str, list[float]] = {}
    done: dict[tuple[int, int, str], RunRecord] = {}   # (run index, seed, settings) -> record, for the grid

    def keep(rec: RunRecord, run_name: str, group: str, seed: int) -> None:
        rec.meta.update(group=group, seed=seed)
        if seed == cfg.seed:
            with torch.no_grad():
                params = torch.from_numpy(rec.arrays["params"]).to(device)
                rec.arrays["curve"] = problem.predict(params, curve_x_dev)[..., 0].cpu().numpy()
        else:
            rec.arrays = {k: rec.arrays[k] for k in ("loss", "evals", "step")}
            rec.meta["kind"] = "replicate"
        name_s = repeat_name(run_name, seed, cfg.seed)
        runs_meta[name_s] = rec.meta
        timing[name_s] = rec.wall
        arrays.update({f"runs/{name_s}/{k}": v for k, v in rec.arrays.items()})

    starts = {seed: init_params(problem.spec, torch.Generator(device=device).manual_seed(seed), device=device)
              for seed in range(cfg.seed, cfg.seed + cfg.seeds)}
    for seed, x0 in starts.items():
        for i, (run, every) in enumerate(planned_runs(cfg)):
            label = f"{name}: {run.name}" + (f" (seed {seed})" if cfg.seeds > 1 else "")
            rec = record_one(cfg, problem, x0, run, every, seed * 1000 + i, progress and progress(label, run.steps))
            done[(i, seed, run.model_dump_json())] = RunRecord(dict(rec.meta), dict(rec.arrays), list(rec.wall))
            keep(rec, run.name, run.name, seed)
    extra: dict[str, Any] = {"n_params": problem.spec.n_params,
                             "budget": evolution_budget(cfg) if cfg.equal_budget else None}
    if cfg.tuning is not None:
        # Judged on max(race seeds, tuning.seeds) seeds: the race's own, then the next ones.
        tuning_starts = {seed: starts.get(seed) if seed in starts else
                         init_params(problem.spec, torch.Generator(device=device).manual_seed(seed), device=device)
                         for seed in range(cfg.seed, cfg.seed + max(cfg.seeds, cfg.tuning.seeds))}
        extra["tuning"] = {"budget": tuning_budget(cfg), "seeds": list(tuning_starts), "runs": {}}
        for i, run in enumerate(cfg.runs):
            chosen, info, finals = tune_run(cfg, problem, tuning_starts, i, run, done, name, progress)
            extra["tuning"]["runs"][run.name] = info
            arrays[f"tuning/{run.name}/final_loss"] = finals
            for seed, rec in chosen.items():
                if seed not in starts:   # a tuning-only seed: judged the setting, not part of the race
                    continue
                rec.meta.update(tuned=True, tuned_from=run.name)
                keep(rec, info["tuned_run"], info["tuned_run"], seed)
    trace = Trace(build_meta(name, cfg.model_dump(mode="json"), cfg.seed, runs_meta, extra), arrays, timing)
    trace.meta["stats"], trace.wall_stats = race_stats(trace, [r.name for r in cfg.runs])
    if cfg.tuning is not None:
        tuned = [extra["tuning"]["runs"][r.name]["tuned_run"] for r in cfg.runs]
        trace.meta["stats"]["tuned"], tuned_wall = race_stats(trace, tuned)
        if tuned_wall:
            trace.wall_stats["tuned"] = tuned_wall
    return trace


def record_one(cfg: FunctionFitConfig, problem: MLPProblem, x0: torch.Tensor, run: RunConfig, every: int,
               gen_seed: int, tick: Any = None) -> RunRecord:
    """One run from x0, recorded as the race records it (evolution: per-round statistics, no population)."""
    gen = torch.Generator(device=x0.device).manual_seed(gen_seed)
    if optimizer_kind(run.optimizer, run.name) == "evolution":
        rec = record_evolution(problem, x0, run, gen, record_population=False, progress=tick)
        pop_loss = rec.arrays.pop("pop_loss")
        rec.arrays["child_best"] = pop_loss.min(axis=1)
        rec.arrays["child_median"] = np.median(pop_loss, axis=1)
        rec.arrays["step"] = np.arange(run.steps + 1, dtype=np.int64)
    else:
        rec = record_gradient(problem, x0, run, gen, escape=cfg.escape, progress=tick, record_every=every)
        rec.arrays["step"] = np.rint(rec.arrays["evals"] * cfg.data.n / rec.meta["batch_size"]).astype(np.int64)
    return rec


# ----------------------------------------------------------------------------- tuning

def tuning_budget(cfg: FunctionFitConfig) -> int:
    """Evaluations each tuning setting gets: `tuning.budget`, else the race's equal budget (the
    smallest planned evaluations of all runs, where the race compares them)."""
    if cfg.tuning is not None and cfg.tuning.budget is not None:
        return cfg.tuning.budget
    return min(math.floor(planned_evals(cfg, run)) for run, _ in planned_runs(cfg))


def planned_evals(cfg: FunctionFitConfig, run: RunConfig) -> float:
    if optimizer_kind(run.optimizer, run.name) == "evolution":
        return 1 + run.population * run.steps   # the local search; a project's searcher: assumed alike
    return run.steps * min(run.batch_size or cfg.data.n, cfg.data.n) / cfg.data.n


def at_budget(cfg: FunctionFitConfig, run: RunConfig, budget: int) -> tuple[RunConfig, int]:
    """RUN with its steps set to spend BUDGET evaluations (evolution: rounds of its population,
    the last may pass it; gradient: steps of its batch), and its record_every."""
    if optimizer_kind(run.optimizer, run.name) == "evolution":
        steps = max(1, math.ceil((budget - 1) / run.population))
        return run.model_copy(update={"steps": steps}), 1
    batch = min(run.batch_size or cfg.data.n, cfg.data.n)
    steps = math.ceil(budget * cfg.data.n / batch)
    return run.model_copy(update={"steps": steps}), max(1, steps // cfg.frames)


def tune_run(cfg: FunctionFitConfig, problem: MLPProblem, starts: dict[int, torch.Tensor], i: int, run: RunConfig,
             done: dict[tuple[int, int, str], RunRecord], name: str, progress: ProgressFactory | None
             ) -> tuple[dict[int, RunRecord], dict[str, Any], np.ndarray]:
    """Run every setting of RUN's grid for every seed at the tuning budget, growing the grid past
    an end its winner sits at (up to `tuning.widen` times); return the best setting's records
    (they are the tuned race: same seeds, same starts), the grid's description and every
    (setting, seed) final loss at the budget (+inf where it diverged)."""
    assert cfg.tuning is not None
    budget = tuning_budget(cfg)
    records: dict[str, dict[int, RunRecord]] = {}   # setting (JSON) -> its records, for the winner

    def score(setting: dict[str, float]) -> np.ndarray:
        finals, records[json.dumps(setting, sort_keys=True)] = score_setting(
            cfg, problem, starts, i, run, setting, budget, done, name, progress)
        return finals

    info, finals = sweep(run_grid(cfg.tuning, run), run, cfg.tuning.widen, score)
    return records[json.dumps(info["chosen_settings"], sort_keys=True)], info, finals


def score_setting(cfg: FunctionFitConfig, problem: MLPProblem, starts: dict[int, torch.Tensor], i: int,
                  run: RunConfig, setting: dict[str, float], budget: int,
                  done: dict[tuple[int, int, str], RunRecord], name: str, progress: ProgressFactory | None
                  ) -> tuple[np.ndarray, dict[int, RunRecord]]:
    """One grid cell: every seed's loss at the budget (+inf: diverged) and its records (a cell
    equal to a configured run reuses that run's records)."""
    cell, every = at_budget(cfg, with_setting(run, setting), budget)
    finals = np.full(len(starts), np.inf)
    records: dict[int, RunRecord] = {}
    for s, (seed, x0) in enumerate(starts.items()):
        rec = done.get((i, seed, cell.model_dump_json()))
        if rec is None:
            label = f"{name}: tuning {run.name} ({describe(setting)}, seed {seed})"
            rec = record_one(cfg, problem, x0, cell, every, seed * 1000 + i, progress and progress(label, cell.steps))
        else:
            rec = RunRecord(dict(rec.meta), dict(rec.arrays), list(rec.wall))
        if rec.meta.get("status") != "diverged":
            finals[s] = value_at(rec.arrays["loss"], rec.arrays["evals"], budget)
        records[seed] = rec
    return finals, records


# ----------------------------------------------------------------------------- summary and report

def race_stats(trace: Trace, order: list[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Per optimizer, over its seeds: the loss at equal evaluations (the smallest final budget of
    all runs, `e_star`) into the trace's stats, and the loss at equal wall time (the shortest total
    wall time of all runs, `t_star`) into the timing sidecar's stats (wall times are not reproducible)."""
    groups = {g: trace.repeats(g) for g in order}
    members = [r for rs in groups.values() for r in rs]
    e_star = min(float(r["evals"][-1]) for r in members)
    stats: dict[str, Any] = {"e_star": e_star, "seeds": max(len(rs) for rs in groups.values()), "order": order,
                             "groups": {}}
    for g, rs in groups.items():
        head = rs[0]
        stats["groups"][g] = {
            "label": head.meta.get("label", g), "optimizer": head.meta.get("optimizer"),
            "momentum": head.meta.get("momentum", 0.0), "evals": float(head["evals"][-1]),
            "status": sorted({str(r.meta.get("status", "?")) for r in rs}),
            "loss_at_e_star": spread(value_at(r["loss"], r["evals"], e_star) for r in rs),
        }
    # Progress per evaluation: how soon each optimizer reached the worst one's final loss (its mean at e*).
    level = max((s["loss_at_e_star"]["mean"] for s in stats["groups"].values()
                 if s["loss_at_e_star"]["mean"] is not None), default=None)
    stats["reach_level"] = level
    for g, rs in groups.items():
        stats["groups"][g]["evals_to_reach"] = median_range(
            first_reach(r["loss"][r["evals"] <= e_star], r["evals"][r["evals"] <= e_star], level)
            if level is not None else None for r in rs)
    if not all(r.wall is not None and len(r.wall) == len(r["loss"]) for r in members):
        return stats, {}
    t_star = min(float(r.wall[-1]) for r in members)
    wall = {"t_star": t_star, "groups": {
        g: {"loss_at_t_star": spread(value_at(r["loss"], r.wall, t_star) for r in rs),
            "wall": spread(float(r.wall[-1]) for r in rs)} for g, rs in groups.items()}}
    return stats, wall


def report(trace: Trace) -> str:
    """The race as configured; with tuning, every run's grid and the race of the tuned settings."""
    out = race_table(trace.stats, trace.wall_stats) + f"\n{trace.meta.get('n_params', '?')} parameters."
    tuning = trace.meta.get("tuning")
    if tuning:
        out += "\n\n" + tuning_report(tuning, lambda name: trace[f"tuning/{name}/final_loss"])
        out += "\n## The race of the tuned settings\n\n" + race_table(trace.stats["tuned"],
                                                                         trace.wall_stats.get("tuned", {}))
    return out


def fmt_reach(r: dict[str, Any] | None) -> str:
    """Median evaluations to reach a level over seeds, '(n/of)' when some seeds never did."""
    if not r or r["median"] is None:
        return "never"
    return f"{r['median']:,.0f}" + (f" ({r['n']}/{r['of']})" if r["n"] < r["of"] else "")


def race_table(st: dict[str, Any], ws: dict[str, Any]) -> str:
    t_star = ws.get("t_star")
    t_head = f"loss at equal wall time ({t_star:.2f} s)" if t_star is not None else "loss at equal wall time"
    rows = [f"| run | seeds | loss at equal evaluations ({st['e_star']:,.0f}) | {t_head} | "
            "evaluations to reach the worst's loss | evals | wall s | status |",
            "|---|---:|---:|---:|---:|---:|---:|---|"]
    for g in st["order"]:
        s, w = st["groups"][g], ws.get("groups", {}).get(g, {})
        rows.append(f"| {s['label']} | {s['loss_at_e_star']['of']} | {format_spread(s['loss_at_e_star'])} | "
                    f"{format_spread(w.get('loss_at_t_star'))} | {fmt_reach(s.get('evals_to_reach'))} | "
                    f"{s['evals']:,.0f} | {format_spread(w.get('wall'), '.2f')} | {', '.join(s['status'])} |")
    rows += ["", "mean ± sample sd over seeds; one evaluation = one full-data forward pass (backward passes not "
             "counted — that is what the wall-time column is for)."]
    return "\n".join(rows)


EXPERIMENT = Experiment("function-fit", "an MLP fitted to a 1-D target (the video's network): evolution vs "
                        "SGD+momentum vs Adam at equal evaluations and equal wall time", FunctionFitConfig,
                        simulate, report)

"""hyperparameters: grids of final loss for evolution (population × mutation scale, over rounds)
and for SGD (learning rate × batch size), every cell run for several seeds.

The task is a small MLP (default 1-16-1 tanh, 49 parameters) fitting a 1-D target (default
sin(2x) on 32 points of [-2, 2]). Seed k starts every cell from the same initial network
(common random numbers), so differences between cells come from the hyperparameters alone.
Every seed of every cell is stored; the mean grids, the best cells and their spreads (mean ±
sample sd, sim/stats.py) are computed here into the trace, for chapter 7 and the report.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import torch
from pydantic import Field, field_validator

from sim.config import RepeatedConfig, RunConfig, Strict
from sim.experiments import Experiment, ProgressFactory
from sim.nets import init_params
from sim.recorder import record_evolution, record_gradient
from sim.stats import best_cell, format_spread, seed_mean, spread
from sim.task1d import Net, Task1D
from sim.trace import Trace, build_meta


def _positive_sorted(values: list, name: str) -> list:
    if len(set(values)) != len(values):
        raise ValueError(f"{name} must not repeat values, got {values}")
    return sorted(values)


class EvolutionGrid(Strict):
    populations: list[int] = Field(default=[2, 8, 32], min_length=1, max_length=12)
    sigmas: list[float] = Field(default=[0.003, 0.01, 0.03, 0.1, 0.3], min_length=1, max_length=12)
    rounds: int = Field(default=300, ge=1, le=100_000)

    @field_validator("populations")
    @classmethod
    def _pops(cls, v: list[int]) -> list[int]:
        if any(p < 1 or p > 4096 for p in v):
            raise ValueError(f"populations must be in 1..4096, got {v}")
        return _positive_sorted(v, "populations")

    @field_validator("sigmas")
    @classmethod
    def _sigmas(cls, v: list[float]) -> list[float]:
        if any(not 0 < s <= 100 for s in v):
            raise ValueError(f"sigmas must be in (0, 100], got {v}")
        return _positive_sorted(v, "sigmas")


class SGDGrid(Strict):
    lrs: list[float] = Field(default=[0.01, 0.03, 0.1, 0.3, 1.0], min_length=1, max_length=12)
    batch_sizes: list[int] = Field(default=[1, 4, 8, 32], min_length=1, max_length=12)
    steps: int = Field(default=300, ge=1, le=100_000)
    momentum: float = Field(default=0.0, ge=0, lt=1)

    @field_validator("lrs")
    @classmethod
    def _lrs(cls, v: list[float]) -> list[float]:
        if any(not 0 < x <= 1e4 for x in v):
            raise ValueError(f"lrs must be in (0, 1e4], got {v}")
        return _positive_sorted(v, "lrs")

    @field_validator("batch_sizes")
    @classmethod
    def _batches(cls, v: list[int]) -> list[int]:
        if any(b < 1 for b in v):
            raise ValueError(f"batch_sizes must be >= 1, got {v}")
        return _positive_sorted(v, "batch_sizes")


class HyperparametersConfig(RepeatedConfig):
    experiment: Literal["hyperparameters"] = "hyperparameters"
    task: Task1D = Task1D(target="sin(2*x)")
    net: Net = Net(sizes=(1, 16, 1))
    escape: float = Field(default=1e3, gt=0, description="|θ| above this counts as diverged")
    evolution: EvolutionGrid = EvolutionGrid()
    sgd: SGDGrid = SGDGrid()

    def facts(self) -> dict[str, str]:
        return super().facts() | {"n_params": f"{self.net.spec.n_params:,}"}


def initial_params(cfg: HyperparametersConfig, k: int, device: str = "cpu") -> torch.Tensor:
    """The starting network of seed index k (shared by every cell of that seed)."""
    gen = torch.Generator(device="cpu").manual_seed(cfg.seed * 1000 + k)
    return init_params(cfg.net.spec, gen, torch.float64).to(device)


def evolution_cell(cfg: HyperparametersConfig, i: int, j: int, k: int) -> tuple[RunConfig, int]:
    """The run config and generator seed of evolution cell (population i, sigma j), seed index k."""
    run = RunConfig(name=f"evo-{i}-{j}", optimizer="evolution", steps=cfg.evolution.rounds,
                    population=cfg.evolution.populations[i], sigma=cfg.evolution.sigmas[j])
    return run, ((cfg.seed * 1000 + k) * 100 + i) * 100 + j + 1


def sgd_cell(cfg: HyperparametersConfig, i: int, j: int, k: int) -> tuple[RunConfig, int]:
    """The run config and generator seed of SGD cell (learning rate i, batch size j), seed index k."""
    run = RunConfig(name=f"sgd-{i}-{j}", optimizer="sgd", steps=cfg.sgd.steps, lr=cfg.sgd.lrs[i],
                    momentum=cfg.sgd.momentum, batch_size=cfg.sgd.batch_sizes[j])
    return run, ((cfg.seed * 1000 + k) * 100 + i) * 100 + j + 50_001


def simulate(cfg: HyperparametersConfig, name: str, device: str = "cpu",
             progress: ProgressFactory | None = None) -> Trace:
    torch.manual_seed(cfg.seed)
    problem = cfg.task.problem(cfg.net.spec, torch.float64, device)
    ev, sg, S = cfg.evolution, cfg.sgd, cfg.seeds
    n = problem.n_data
    evo_loss = np.full((len(ev.populations), len(ev.sigmas), S, ev.rounds + 1), np.nan)
    evo_accept = np.zeros((len(ev.populations), len(ev.sigmas), S), dtype=np.int64)
    sgd_loss = np.full((len(sg.lrs), len(sg.batch_sizes), S, sg.steps + 1), np.nan)
    sgd_diverged = np.zeros((len(sg.lrs), len(sg.batch_sizes), S), dtype=bool)
    init_loss = np.zeros(S)
    timing: dict[str, list[float]] = {"evolution": [], "sgd": []}

    tick = progress(f"{name}: evolution grid", evo_loss[..., 0].size) if progress else None
    for k in range(S):
        x0 = initial_params(cfg, k, device)
        with torch.no_grad():
            init_loss[k] = float(problem.loss(x0))
        for i in range(len(ev.populations)):
            for j in range(len(ev.sigmas)):
                run, gseed = evolution_cell(cfg, i, j, k)
                gen = torch.Generator(device=device).manual_seed(gseed)
                rec = record_evolution(problem, x0, run, gen, record_population=False)
                evo_loss[i, j, k] = rec.arrays["loss"]
                evo_accept[i, j, k] = rec.meta["accepted_rounds"]
                timing["evolution"].append(rec.wall[-1])
                if tick:
                    tick(1)
    tick = progress(f"{name}: SGD grid", sgd_loss[..., 0].size) if progress else None
    for k in range(S):
        x0 = initial_params(cfg, k, device)
        for i in range(len(sg.lrs)):
            for j in range(len(sg.batch_sizes)):
                run, gseed = sgd_cell(cfg, i, j, k)
                gen = torch.Generator(device=device).manual_seed(gseed)
                rec = record_gradient(problem, x0, run, gen, escape=cfg.escape)
                loss = rec.arrays["loss"]
                sgd_loss[i, j, k, : len(loss)] = loss
                # diverged = blew up (non-finite or left the |θ| < escape box, which stops the run);
                # ending above the start is kept as a (bad) loss, not called divergence
                sgd_diverged[i, j, k] = len(loss) < sg.steps + 1 or not bool(np.isfinite(loss).all())
                timing["sgd"].append(rec.wall[-1])
                if tick:
                    tick(1)
    with np.errstate(invalid="ignore"):
        sgd_final = np.where(sgd_diverged, np.nan, sgd_loss[..., -1])
    batch = np.minimum(np.array(sg.batch_sizes, dtype=np.int64), n)
    x, y = problem.x.cpu().numpy()[:, 0], problem.y.cpu().numpy()[:, 0]
    arrays = {
        "data/x": x, "data/y": y, "init/loss": init_loss,
        "evolution/populations": np.array(ev.populations, dtype=np.int64),
        "evolution/sigmas": np.array(ev.sigmas, dtype=np.float64),
        "evolution/loss": evo_loss, "evolution/final": evo_loss[..., -1].copy(),
        "evolution/accepted": evo_accept,
        "sgd/lrs": np.array(sg.lrs, dtype=np.float64), "sgd/batch_sizes": batch,
        "sgd/loss": sgd_loss, "sgd/final": sgd_final, "sgd/diverged": sgd_diverged,
    }
    extra = {"task": {"n_params": cfg.net.spec.n_params, "net": cfg.net.label, "target": cfg.task.target,
                      "points": n},
             "budget": {"evolution_evals": [int(1 + ev.rounds * p) for p in ev.populations],
                        "sgd_evals": [float(sg.steps * b / n) for b in batch]}}
    arrays["evolution/loss_mean"] = seed_mean(evo_loss, axis=2)
    arrays["sgd/final_mean"] = seed_mean(sgd_final)
    stats = grid_stats(arrays, extra["budget"], S)
    meta = build_meta(name, cfg.model_dump(mode="json"), cfg.seed, {}, extra, stats)
    return Trace(meta, arrays, timing)


def grid_stats(arrays: dict[str, np.ndarray], budget: dict[str, list], seeds: int) -> dict:
    """The best cell of each grid (smallest mean final loss over seeds; a cell where any seed
    diverged is never best), its spread over seeds and its evaluations; diverged SGD cells."""
    evo_final, sgd_final = arrays["evolution/loss"][..., -1], arrays["sgd/final"]
    bi = best_cell(arrays["evolution/loss_mean"][..., -1])
    bs = best_cell(arrays["sgd/final_mean"])
    return {
        "seeds": seeds, "init_loss": spread(arrays["init/loss"]),
        "evolution": None if bi is None else {
            "best": {"cell": list(bi), "population": int(arrays["evolution/populations"][bi[0]]),
                     "sigma": float(arrays["evolution/sigmas"][bi[1]]), "loss": spread(evo_final[bi]),
                     "evals": budget["evolution_evals"][bi[0]]}},
        "sgd": {"diverged_cells": int(arrays["sgd/diverged"].all(axis=-1).sum()),
                "best": None if bs is None else {
                    "cell": list(bs), "lr": float(arrays["sgd/lrs"][bs[0]]),
                    "batch_size": int(arrays["sgd/batch_sizes"][bs[1]]), "loss": spread(sgd_final[bs]),
                    "evals": budget["sgd_evals"][bs[1]]}},
    }


def _ms(values: np.ndarray) -> str:
    """'mean ± sd' over the finite seeds (sim/stats.py: sample sd), 'diverged' when none is finite."""
    s = spread(values)
    return "diverged" if s["n"] == 0 else format_spread(s, ".3g", ".2g")


def report(trace: Trace) -> str:
    m = trace.meta
    pops, sigmas = trace["evolution/populations"], trace["evolution/sigmas"]
    evo = trace["evolution/loss"]
    R = evo.shape[-1] - 1
    checkpoints = sorted({max(1, R // 10), R // 3 or 1, R})
    S = evo.shape[2]
    lines = [f"Task: MLP {m['task']['net']} ({m['task']['n_params']} parameters, tanh) fitting "
             f"y = {m['task']['target']} on {m['task']['points']} points; {S} seeds per cell; "
             f"initial loss {_ms(trace['init/loss'])}. Cells: final full-data MSE, mean ± sample sd over seeds "
             "((n/k): n of k seeds finite).", "",
             "**Evolution** (loss of the parent after r rounds; evaluations = 1 + r × population)", "",
             "| population | σ | " + " | ".join(f"r = {r}" for r in checkpoints) + " | accepted rounds |",
             "|---:|---:|" + "---:|" * (len(checkpoints) + 1)]
    for i, p in enumerate(pops):
        for j, s in enumerate(sigmas):
            cells = " | ".join(_ms(evo[i, j, :, r]) for r in checkpoints)
            lines.append(f"| {p} | {s:g} | {cells} | {trace['evolution/accepted'][i, j].mean():.0f} |")
    lrs, batches = trace["sgd/lrs"], trace["sgd/batch_sizes"]
    sgd = trace["sgd/final"]
    T = trace["sgd/loss"].shape[-1] - 1
    n = m["task"]["points"]
    lines += ["", f"**SGD** (loss after {T} steps; evaluations = steps × batch / {n}; 'div.' = diverged)", "",
              "| learning rate | " + " | ".join(f"batch {b}" for b in batches) + " |",
              "|---:|" + "---:|" * len(batches)]
    for i, lr in enumerate(lrs):
        lines.append(f"| {lr:g} | " + " | ".join(_ms(sgd[i, j]) for j in range(len(batches))) + " |")
    st = trace.stats
    if st["evolution"]:
        b = st["evolution"]["best"]
        lines += ["", f"Best evolution cell: population {b['population']}, σ {b['sigma']:g}: "
                  f"{format_spread(b['loss'], '.3g', '.2g')} after {R} rounds ({b['evals']} evaluations)."]
    if st["sgd"]["best"]:
        b = st["sgd"]["best"]
        lines += ["", f"Best SGD cell: lr {b['lr']:g}, batch {b['batch_size']}: "
                  f"{format_spread(b['loss'], '.3g', '.2g')} after {T} steps ({b['evals']:g} full-data evaluations)."]
    return "\n".join(lines)


EXPERIMENT = Experiment("hyperparameters", "grids of final loss: evolution (population × mutation scale, "
                        "rounds) and SGD (learning rate × batch size), several seeds each",
                        HyperparametersConfig, simulate, report)

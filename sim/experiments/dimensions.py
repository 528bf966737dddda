"""dimensions: the curse of dimensionality, measured on MLPs from 2 to ~10⁴ parameters.

Every network fits the same 1-D target (default sin(x) on 32 points of [-2, 2]). For each:

- **probe**: at points along a gradient-descent (Adam) run — the start, and the first step whose
  loss is at or below each `probe.levels` value — draw `probe.samples` Gaussian mutations
  θ + σ·N(0, I) for each per-coordinate scale σ and count how many lower the loss: the
  probability that a random mutation improves, with a 95 % Wilson interval;
- **evolution**: the local search (`sim.optimizers.LocalSearch`) with each configured σ, until
  the parent's loss reaches `target_loss` or `evolution.budget` loss evaluations are spent;
- **descent**: the same optimizer as the probe run (torch.optim), full batch, until the loss
  reaches `target_loss` or `descent.max_steps` steps are spent;
- **progress per evaluation**: at the same probe points, the expected relative loss decrease of
  one random mutation that is kept only if it improves (mean of max(0, L0 − L)/L0 over
  `progress.samples` draws, best σ of `progress.sigmas`; one loss evaluation each) against that
  of one plain gradient step θ − lr·∇L (best lr of `progress.lrs`; one forward + one backward pass);
- **slopes**: what all D slopes cost — one forward + one backward pass (backprop) or D one-parameter
  probes (finite differences, D forward passes). The counts and the agreement of the two gradients
  go into the trace; the measured wall times go into the timing sidecar (`wall_stats["slopes"]`).

A run that misses the target within its budget is recorded as not reached (NaN), never
extrapolated. Each seed draws a new initial network; all seeds are stored.
"""

from __future__ import annotations

from time import perf_counter
from typing import Literal

import numpy as np
import torch
from pydantic import Field, field_validator, model_validator
from scipy.stats import binomtest

from sim.config import GradientOptimizerName, RepeatedConfig, Strict
from sim.experiments import Experiment, ProgressFactory
from sim.nets import MLPProblem, init_params
from sim.optimizers import LocalSearch, TorchSearcher, make_gradient_optimizer
from sim.recorder import record
from sim.stats import median_range, seed_median
from sim.task1d import Net, Task1D
from sim.trace import Trace, build_meta

DTYPE = torch.float32  # enough for comparing losses of mutations; halves the cost of the 10⁴-parameter nets
DEFAULT_NETS = [Net(sizes=(1, 1), out_activation="tanh")] + [Net(sizes=s) for s in [
    (1, 2, 1), (1, 8, 1), (1, 32, 1), (1, 128, 1), (1, 32, 32, 1),
                                       (1, 64, 64, 1), (1, 96, 96, 1)]]


class Probe(Strict):
    sigmas: list[float] = Field(default=[0.01, 0.1], min_length=1, max_length=6)
    samples: int = Field(default=1000, ge=10, le=1_000_000)
    levels: list[float] = Field(default=[0.1, 0.02], max_length=6, description="probe where descent first "
                                "reaches these losses (besides the start)")

    @field_validator("sigmas")
    @classmethod
    def _s(cls, v: list[float]) -> list[float]:
        if any(not 0 < s <= 100 for s in v):
            raise ValueError(f"sigmas must be in (0, 100], got {v}")
        return sorted(set(v))

    @field_validator("levels")
    @classmethod
    def _l(cls, v: list[float]) -> list[float]:
        if any(not x > 0 for x in v):
            raise ValueError(f"levels must be > 0, got {v}")
        return sorted(set(v), reverse=True)


class Evolution(Strict):
    population: int = Field(default=16, ge=1, le=4096)
    sigmas: list[float] = Field(default=[0.003, 0.01, 0.03, 0.1], min_length=1, max_length=6)
    budget: int = Field(default=8000, ge=2, le=10_000_000, description="loss evaluations per run")

    @field_validator("sigmas")
    @classmethod
    def _s(cls, v: list[float]) -> list[float]:
        if any(not 0 < s <= 100 for s in v):
            raise ValueError(f"sigmas must be in (0, 100], got {v}")
        return sorted(set(v))


class Descent(Strict):
    optimizer: GradientOptimizerName = "adam"
    lr: float = Field(default=0.01, gt=0, le=100)
    max_steps: int = Field(default=2000, ge=1, le=1_000_000)


def _geometric(lo: float, hi: float, per_decade: int) -> list[float]:
    n = round(np.log10(hi / lo) * per_decade) + 1
    return [float(f"{v:.3g}") for v in np.geomspace(lo, hi, n)]


class Progress(Strict):
    sigmas: list[float] = Field(default=_geometric(1e-4, 1.0, 2), min_length=1, max_length=16,
                                description="mutation scales tried; each point's best counts")
    lrs: list[float] = Field(default=_geometric(1e-4, 10.0, 2), min_length=1, max_length=24,
                             description="learning rates tried for one gradient step; each point's best counts")
    samples: int = Field(default=500, ge=10, le=100_000, description="mutations per point (shared by every σ)")

    @field_validator("sigmas", "lrs")
    @classmethod
    def _pos(cls, v: list[float]) -> list[float]:
        if any(not 0 < s <= 100 for s in v):
            raise ValueError(f"values must be in (0, 100], got {v}")
        return sorted(set(v))


class DimensionsConfig(RepeatedConfig):
    experiment: Literal["dimensions"] = "dimensions"
    task: Task1D = Task1D(target="sin(x)")
    nets: list[Net] = Field(default=DEFAULT_NETS, min_length=2, max_length=16)
    target_loss: float = Field(default=0.005, gt=0)
    probe: Probe = Probe()
    evolution: Evolution = Evolution()
    descent: Descent = Descent()
    progress: Progress = Progress()

    def facts(self) -> dict[str, str]:
        sizes = [n.spec.n_params for n in self.nets]
        return super().facts() | {"nets": str(len(self.nets)), "min_params": f"{min(sizes):,}",
                                  "max_params": f"{max(sizes):,}", "target_loss": f"{self.target_loss:g}"}

    @model_validator(mode="after")
    def _levels_above_target(self) -> DimensionsConfig:
        low = [x for x in self.probe.levels if x <= self.target_loss]
        if low:
            raise ValueError(f"probe.levels must be above target_loss {self.target_loss} "
                             f"(descent stops there), got {low[0]}")
        return self


def initial_params(cfg: DimensionsConfig, net: int, k: int, device: str = "cpu") -> torch.Tensor:
    gen = torch.Generator(device="cpu").manual_seed((cfg.seed * 1000 + k) * 100 + net)
    return init_params(cfg.nets[net].spec, gen, DTYPE).to(device)


def descend(problem: MLPProblem, x0: torch.Tensor, cfg: DimensionsConfig
            ) -> tuple[np.ndarray, list[torch.Tensor | None], list[int]]:
    """Full-batch descent until loss ≤ target: (loss per step, probe points, their steps)."""
    d = cfg.descent
    params = x0.detach().clone().requires_grad_(True)
    searcher = TorchSearcher(make_gradient_optimizer(d.optimizer, [params], lr=d.lr), params)
    curve = np.full(d.max_steps + 1, np.nan)
    levels = cfg.probe.levels
    points: list[torch.Tensor | None] = [x0.detach().clone()] + [None] * len(levels)
    steps = [0] + [-1] * len(levels)

    def look(t: int, loss: torch.Tensor) -> bool:   # the loss at step t's parameters, before its step
        value = float(loss.detach())
        curve[t] = value
        for li, level in enumerate(levels):
            if points[li + 1] is None and value <= level:
                points[li + 1], steps[li + 1] = params.detach().clone(), t
        return value <= cfg.target_loss or not np.isfinite(value) or t == d.max_steps

    record(problem, searcher, d.max_steps + 1, before_tell=look)
    return curve, points, steps


def probe_point(problem: MLPProblem, theta: torch.Tensor, sigma: float, samples: int,
                generator: torch.Generator, chunk: int = 256) -> tuple[int, float]:
    """(number of improving mutations among `samples`, mean relative gain max(0, L0 - L)/L0)."""
    with torch.no_grad():
        base = problem.loss(theta)
        improved, gain = 0, 0.0
        for start in range(0, samples, chunk):
            n = min(chunk, samples - start)
            noise = torch.randn((n, theta.numel()), generator=generator, dtype=theta.dtype, device=theta.device)
            losses = problem.loss(theta + sigma * noise)
            improved += int((losses < base).sum())
            gain += float(torch.clamp(base - losses, min=0).sum() / base)
    return improved, gain / samples


def progress_at(problem: MLPProblem, theta: torch.Tensor, sigmas: list[float], lrs: list[float], samples: int,
                generator: torch.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Relative loss decrease per evaluation at `theta`: (per σ: mean of max(0, L0 − L)/L0 over the same
    `samples` Gaussian directions — a mutation kept only if it improves; per lr: (L0 − L(θ − lr·∇L))/L0)."""
    params = theta.detach().clone().requires_grad_(True)
    base = problem.loss(params)
    (grad,) = torch.autograd.grad(base, params)
    with torch.no_grad():
        l0 = float(base)
        steps = problem.loss(theta - torch.tensor(lrs, dtype=theta.dtype, device=theta.device)[:, None] * grad)
        step_gain = ((l0 - steps.double()) / l0).cpu().numpy()
        noise = torch.randn((samples, theta.numel()), generator=generator, dtype=theta.dtype, device=theta.device)
        mutation_gain = np.array([float(torch.clamp(l0 - problem.loss(theta + s * noise).double(), min=0).mean()) / l0
                                  for s in sigmas])
    return mutation_gain, step_gain


def slopes(problem: MLPProblem, theta: torch.Tensor, h: float = 1e-2) -> tuple[float, dict[str, float]]:
    """All D slopes two ways, at `theta`: (cosine between the backprop gradient and the finite-difference
    one, {wall seconds of: one forward pass, one forward + backward, D one-parameter probes})."""
    def backprop() -> torch.Tensor:
        params = theta.detach().clone().requires_grad_(True)
        problem.loss(params).backward()
        return params.grad

    def probes() -> torch.Tensor:          # D + 1 forward passes, batched as evolution evaluates its children
        d, chunk = theta.numel(), problem.chunk
        with torch.no_grad():
            base, out = problem.loss(theta), torch.empty(d, dtype=theta.dtype, device=theta.device)
            for start in range(0, d, chunk):
                idx = torch.arange(start, min(start + chunk, d), device=theta.device)
                moved = theta.repeat(len(idx), 1)
                moved[torch.arange(len(idx), device=theta.device), idx] += h
                out[idx] = (problem.loss(moved) - base) / h
            return out

    def forward() -> None:
        with torch.no_grad():
            problem.loss(theta)

    g, fd = backprop().double(), probes().double()
    cosine = float(g @ fd / max(float(g.norm() * fd.norm()), 1e-300))
    return cosine, {"forward_s": _seconds(forward), "backprop_s": _seconds(backprop), "probes_s": _seconds(probes)}


def _seconds(fn, repeats: int = 5, least: float = 0.02, most: float = 2.0) -> float:
    """Median wall time of one call over up to `repeats` repeats (each looping the call until it takes
    at least `least` seconds; no further repeat once `most` seconds are spent)."""
    calls = 1
    while True:
        t0 = perf_counter()
        for _ in range(calls):
            fn()
        took = perf_counter() - t0
        if took >= least or calls >= 1 << 16:
            break
        calls *= 2
    times, spent = [took / calls], took
    while len(times) < repeats and spent < most:
        t0 = perf_counter()
        for _ in range(calls):
            fn()
        took = perf_counter() - t0
        times.append(took / calls)
        spent += took
    return float(np.median(times))


def evolve(problem: MLPProblem, x0: torch.Tensor, population: int, sigma: float, budget: int, target: float,
           generator: torch.Generator) -> tuple[np.ndarray, float]:
    """Local search until the parent reaches `target` or the budget ends:
    (parent loss per round, evaluations used when the target was reached, NaN if never)."""
    rounds = (budget - 1) // population
    curve = np.full(rounds + 1, np.nan)
    with torch.no_grad():
        es = LocalSearch(x0, problem.loss(x0), population, sigma, 1.0, generator)
    curve[0] = float(es.parent_loss)
    if curve[0] <= target:
        return curve, 1.0
    reached = [float("nan")]

    def look(taken: int, *_) -> bool:
        curve[taken] = float(es.parent_loss)
        if curve[taken] <= target:
            reached[0] = float(1 + taken * population)
            return True
        return False

    record(problem, es, rounds, after_tell=look)
    return curve, reached[0]


def simulate(cfg: DimensionsConfig, name: str, device: str = "cpu",
             progress: ProgressFactory | None = None) -> Trace:
    torch.manual_seed(cfg.seed)
    K, S = len(cfg.nets), cfg.seeds
    pr, ev, de = cfg.probe, cfg.evolution, cfg.descent
    L, Ns, Ne = len(pr.levels) + 1, len(pr.sigmas), len(ev.sigmas)
    rounds = (ev.budget - 1) // ev.population
    probe_loss = np.full((K, S, L), np.nan)
    probe_step = np.full((K, S, L), -1, dtype=np.int64)
    improved = np.zeros((K, S, L, Ns), dtype=np.int64)
    gain = np.full((K, S, L, Ns), np.nan)
    evo_curve = np.full((K, Ne, S, rounds + 1), np.nan)
    evo_evals = np.full((K, Ne, S), np.nan)
    gd_curve = np.full((K, S, de.max_steps + 1), np.nan)
    gd_steps = np.full((K, S), np.nan)
    init_loss = np.zeros((K, S))
    timing: dict[str, list[float]] = {}
    pg = cfg.progress
    mutation_gain = np.full((K, S, L, len(pg.sigmas)), np.nan)
    step_gain = np.full((K, S, L, len(pg.lrs)), np.nan)
    cosine = np.full(K, np.nan)
    walls: dict[str, list[float]] = {"forward_s": [], "backprop_s": [], "probes_s": []}

    tick = progress(f"{name}: networks × seeds", K * S) if progress else None
    for i, net in enumerate(cfg.nets):
        problem = cfg.task.problem(net.spec, DTYPE, device)
        problem.chunk = 256
        t0 = perf_counter()
        for k in range(S):
            x0 = initial_params(cfg, i, k, device)
            curve, points, steps = descend(problem, x0, cfg)
            gd_curve[i, k] = curve
            init_loss[i, k] = curve[0]
            last = int(np.flatnonzero(np.isfinite(curve))[-1])
            if curve[last] <= cfg.target_loss:
                gd_steps[i, k] = last
            for li, (theta, step) in enumerate(zip(points, steps, strict=True)):
                if theta is None:
                    continue
                probe_step[i, k, li] = step
                probe_loss[i, k, li] = curve[step]
                for si, sigma in enumerate(pr.sigmas):
                    gen = torch.Generator(device=device).manual_seed(((cfg.seed * 1000 + k) * 100 + i) * 100
                                                                     + li * 10 + si)
                    improved[i, k, li, si], gain[i, k, li, si] = probe_point(problem, theta, sigma, pr.samples, gen)
                gen = torch.Generator(device=device).manual_seed(((cfg.seed * 1000 + k) * 100 + i) * 100 + 90 + li)
                mutation_gain[i, k, li], step_gain[i, k, li] = progress_at(problem, theta, pg.sigmas, pg.lrs,
                                                                           pg.samples, gen)
            for si, sigma in enumerate(ev.sigmas):
                gen = torch.Generator(device=device).manual_seed(((cfg.seed * 1000 + k) * 100 + i) * 100 + 50 + si)
                evo_curve[i, si, k], evo_evals[i, si, k] = evolve(problem, x0, ev.population, sigma, ev.budget,
                                                                  cfg.target_loss, gen)
            if tick:
                tick(1)
        timing[net.label] = [perf_counter() - t0]
        cosine[i], wall = slopes(problem, initial_params(cfg, i, 0, device))
        for key, value in wall.items():
            walls[key].append(value)
    reached = probe_step >= 0
    pooled = np.where(reached[..., None], improved, 0).sum(axis=1)        # (K, L, Ns)
    n_total = reached.sum(axis=1)[..., None] * pr.samples                  # (K, L, 1)
    p = np.where(n_total > 0, pooled / np.maximum(n_total, 1), np.nan)
    lo, hi = np.full(p.shape, np.nan), np.full(p.shape, np.nan)
    for idx in np.ndindex(p.shape):
        n = int(n_total[idx[0], idx[1], 0])
        if n:   # 95 % Wilson score interval (scipy)
            ci = binomtest(int(pooled[idx]), n).proportion_ci(confidence_level=0.95, method="wilson")
            lo[idx], hi[idx] = ci.low, ci.high
    x, y = cfg.task.data()
    arrays = {
        "data/x": x.numpy()[:, 0], "data/y": y.numpy()[:, 0],
        "nets/n_params": np.array([n.spec.n_params for n in cfg.nets], dtype=np.int64),
        "init/loss": init_loss, "target_loss": np.float64(cfg.target_loss),
        "probe/sigmas": np.array(pr.sigmas), "probe/levels": np.array([np.inf, *pr.levels]),
        "probe/loss": probe_loss, "probe/step": probe_step, "probe/improved": improved, "probe/gain": gain,
        "probe/p": p, "probe/ci_low": lo, "probe/ci_high": hi,
        "evolution/sigmas": np.array(ev.sigmas), "evolution/curve": evo_curve,
        "evolution/evals_to_target": evo_evals,
        "descent/curve": gd_curve, "descent/steps_to_target": gd_steps,
        # summaries over seeds (chapter 12): medians of the seeds that reached the target
        "evolution/evals_median": seed_median(evo_evals), "descent/steps_median": seed_median(gd_steps),
    }
    n_params = arrays["nets/n_params"]
    mut_best, step_best = np.nanmax(mutation_gain, axis=-1), np.nanmax(step_gain, axis=-1)
    ratio = np.where(mut_best > 0, step_best / np.where(mut_best > 0, mut_best, 1), np.nan)
    arrays |= {
        "progress/sigmas": np.array(pg.sigmas), "progress/lrs": np.array(pg.lrs),
        "progress/mutation": mutation_gain, "progress/step": step_gain,
        "progress/mutation_best": mut_best, "progress/step_best": step_best, "progress/ratio": ratio,
        "progress/mutation_median": seed_median(mut_best, axis=1),
        "progress/step_median": seed_median(step_best, axis=1),
        "progress/ratio_median": seed_median(ratio, axis=1),
        # counts, not times: evaluations for all D slopes of each network
        "slopes/backprop_passes": np.full(K, 2, dtype=np.int64),           # one forward + one backward
        "slopes/probe_passes": n_params + 1,                               # the base point + D probes
        "slopes/cosine": cosine,
    }
    em = arrays["evolution/evals_median"]
    arrays["evolution/best_median"] = np.where(np.isfinite(em).any(axis=1),
                                               np.min(np.where(np.isfinite(em), em, np.inf), axis=1), np.nan)
    extra = {"dtype": str(DTYPE).removeprefix("torch."),
             "nets": [{"label": n.label, "n_params": n.spec.n_params, "activation": n.activation}
                      for n in cfg.nets]}
    meta = build_meta(name, cfg.model_dump(mode="json"), cfg.seed, {}, extra)
    wall_stats = {"slopes": {"nets": [n.label for n in cfg.nets], **walls,
                             "ratio": [p / b for p, b in zip(walls["probes_s"], walls["backprop_s"], strict=True)]}}
    return Trace(meta, arrays, timing, wall_stats=wall_stats)


def _reach(values: np.ndarray) -> str:
    """'median [min–max] (r/n)' over the seeds that reached the target; '–' when none did."""
    m = median_range(values)
    if not m["n"]:
        return f"not reached (0/{m['of']})"
    return f"{m['median']:.0f} [{m['min']:.0f}–{m['max']:.0f}] ({m['n']}/{m['of']})"


def report(trace: Trace) -> str:
    cfg = trace.meta["config"]
    nets = trace.meta["nets"]
    ps, levels = trace["probe/sigmas"], trace["probe/levels"]
    p, lo, hi = trace["probe/p"], trace["probe/ci_low"], trace["probe/ci_high"]
    S = trace["init/loss"].shape[1]
    lines = [f"Task: MLPs ({nets[0]['activation']}) fitting y = {cfg['task']['target']} on "
             f"{cfg['task']['points']} points; target loss {cfg['target_loss']:g}; {S} seeds. "
             f"Probe: {cfg['probe']['samples']} Gaussian mutations θ + σ·N(0, I) per point and seed, at points "
             f"along the {cfg['descent']['optimizer']} run (start, then where it first reaches the loss level); "
             "P(improve) pooled over seeds with a 95 % Wilson interval.", "",
             "| network | parameters | " + " | ".join(
                 f"P(improve) σ={s:g} at {'start' if not np.isfinite(lv) else f'loss ≤ {lv:g}'}"
                 for lv in levels for s in ps) + " |",
             "|---|---:|" + "---:|" * (len(levels) * len(ps))]
    for i, net in enumerate(nets):
        cells = []
        for li in range(len(levels)):
            for si in range(len(ps)):
                cells.append("–" if not np.isfinite(p[i, li, si]) else
                             f"{p[i, li, si]:.3f} [{lo[i, li, si]:.3f}, {hi[i, li, si]:.3f}]")
        lines.append(f"| {net['label']} | {net['n_params']} | " + " | ".join(cells) + " |")
    es = trace["evolution/sigmas"]
    ev = cfg["evolution"]
    lines += ["", f"Cost to reach loss ≤ {cfg['target_loss']:g}: median [min–max] (seeds reached / seeds). "
              f"Evolution: loss evaluations (population {ev['population']}, budget {ev['budget']}); descent: "
              f"full-batch {cfg['descent']['optimizer']} (lr {cfg['descent']['lr']:g}) gradient steps, each one "
              f"forward + backward pass (budget {cfg['descent']['max_steps']}).", "",
              "| network | parameters | " + " | ".join(f"evolution σ={s:g}" for s in es)
              + " | descent steps |", "|---|---:|" + "---:|" * (len(es) + 1)]
    for i, net in enumerate(nets):
        cells = [_reach(trace["evolution/evals_to_target"][i, si]) for si in range(len(es))]
        lines.append(f"| {net['label']} | {net['n_params']} | " + " | ".join(cells)
                     + f" | {_reach(trace['descent/steps_to_target'][i])} |")
    return "\n".join(lines)


EXPERIMENT = Experiment("dimensions", "curse of dimensionality: probability that a random mutation improves, "
                        "and evaluations to a target loss, evolution vs descent, on MLPs of growing size",
                        DimensionsConfig, simulate, report)

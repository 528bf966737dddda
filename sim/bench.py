"""Speed measurements behind `gdevo bench`: always a ratio against a baseline timed in the same run.

1. One evolution round of the function-fit task (ask → loss of all P children → tell), batched as
   one (P, D) tensor in chunks of c networks, for a few chunk sizes; against the naive loop of
   the video's code: per child one `copy.deepcopy` of a torch.nn.Module, an in-place mutation of
   every parameter and a forward pass. The naive loop is timed on `naive_children` children and
   scaled to P (said so in the output). Beside it, the ceiling of that ratio on this machine: the
   round's matrix products alone (its forward without activations, mutation or loss) in float32
   and in bfloat16, and in how many rounds bfloat16 would have picked another best child.
2. Gradient training steps/s of `sim.recorder.record_gradient` (recording every step, and every
   k-th step as function-fit does) against a bare torch loop of the same model, optimizer and
   batch: the cost of recording. The bare loop is the one hand-written loop left on purpose: it is
   the baseline the recorder's loop (sim.recorder.record) is measured against.

Times are medians over `repeats`; the variants are interleaved within each repeat so that load
from other processes hits all of them alike, and the recording ratios are medians of per-repeat
ratios. On a CPU the recording overhead is also given in
process CPU time (time.process_time), which other processes' load does not inflate: on a shared
machine that is the steadier of the two ratios.
"""

from __future__ import annotations

import copy
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from time import perf_counter, process_time

import torch

from sim.config import RunConfig
from sim.experiments.function_fit import FunctionFitConfig, build_problem
from sim.nets import MLPProblem, MLPSpec, forward, init_params
from sim.optimizers import LocalSearch, make_gradient_optimizer
from sim.recorder import record, record_gradient
from sim.threads import torch_threads


@dataclass
class Timing:
    """Seconds per repeat of one benchmark variant."""

    group: str
    name: str
    times: list[float]
    ops: float = 1.0          # operations per timed call (rounds, steps), for ops/s
    unit: str = "round"
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def ops_per_s(self) -> float:
        return self.ops / self.median if self.median > 0 else float("inf")


@dataclass
class BenchResult:
    device: str
    threads: int
    timings: list[Timing] = field(default_factory=list)
    ratios: list[tuple[str, float, str]] = field(default_factory=list)  # (what, value, target)
    notes: list[str] = field(default_factory=list)


def _sync(device: str) -> None:
    if device == "cuda":
        torch.cuda.synchronize()


def _timed(fn: Callable[[], object], device: str) -> float:
    return _timed_both(fn, device)[0]


def _timed_both(fn: Callable[[], object], device: str) -> tuple[float, float]:
    """(wall seconds, process CPU seconds) of one call."""
    _sync(device)
    t, c = perf_counter(), process_time()
    fn()
    _sync(device)
    return perf_counter() - t, process_time() - c


def _paired_ratio(times: list[float], base: list[float]) -> float:
    """Median over repeats of time / baseline time of the same repeat (robust to load that varies
    between repeats; the variants of a repeat run back to back)."""
    return statistics.median(t / b for t, b in zip(times, base, strict=True) if b > 0)


def naive_module(spec: MLPSpec, params: torch.Tensor) -> torch.nn.Module:
    """The video's network as an nn.Sequential (Linear, LeakyReLU, ...), loaded with flat params."""
    layers: list[torch.nn.Module] = []
    for li, (i, o) in enumerate(spec.layers):
        layers.append(torch.nn.Linear(i, o))
        if li < len(spec.layers) - 1:
            layers.append(torch.nn.LeakyReLU(0.01))
    net = torch.nn.Sequential(*layers).to(params.device)
    torch.nn.utils.vector_to_parameters(params.detach().clone(), net.parameters())
    return net


def naive_round(net: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, children: int, sigma: float
                ) -> tuple[int, float]:
    """The video's loop: deepcopy, mutate, forward, per child; returns (best index, best loss)."""
    best, best_loss = -1, float("inf")
    with torch.no_grad():
        for i in range(children):
            child = copy.deepcopy(net)
            for p in child.parameters():
                p.add_(torch.randn_like(p) * sigma)
            loss = float(torch.nn.functional.mse_loss(child(x), y))
            if loss < best_loss:
                best, best_loss = i, loss
    return best, best_loss


def batched_round(problem: MLPProblem, es: LocalSearch) -> None:
    """One round through the recorder's loop (sim.recorder.record), as every experiment runs it."""
    record(problem, es, 1)


def products_only(spec: MLPSpec, population: torch.Tensor, x: torch.Tensor, chunk: int) -> None:
    """The round's matrix products alone: `sim.nets.forward` of every chunk with its activations
    made identities, and no mutation or loss. Its time is what the batched round cannot go below
    with these kernels on this machine, so naive / this is the ceiling of the round's ratio."""
    linear = MLPSpec(spec.sizes, "identity", "identity")
    for i in range(0, population.shape[0], chunk):
        forward(linear, population[i: i + chunk], x)


def best_child_changes(problem: MLPProblem, es: LocalSearch, rounds: int, dtype: torch.dtype) -> int:
    """Rounds (of ROUNDS, from ES's start) whose best child in DTYPE is not the float32 one: whether
    a lower precision would keep the ranking the search acts on. The search goes on by float32."""
    changed = 0
    x, y = problem.x.to(dtype), problem.y.to(dtype)
    with torch.no_grad():
        for _ in range(rounds):
            children = es.ask()
            losses = problem.loss(children)
            low = torch.cat([(forward(problem.spec, children[i: i + problem.chunk].to(dtype), x) - y)
                             .float().square().mean(dim=(1, 2)) for i in range(0, len(children), problem.chunk)])
            changed += int(torch.argmin(low)) != int(torch.argmin(losses))
            es.tell(losses)
    return changed


def bench_evolution(cfg: FunctionFitConfig, device: str, result: BenchResult, repeats: int,
                    chunks: list[int], naive_children: int) -> None:
    problem, _ = build_problem(cfg, device)
    evo = next(r for r in cfg.runs if r.optimizer == "evolution")
    pop = evo.population
    gen = torch.Generator(device=device).manual_seed(0)
    x0 = init_params(problem.spec, gen, device=device)
    chunks = sorted({min(c, pop) for c in chunks})
    with torch.no_grad():
        loss0 = problem.loss(x0)
    searches = {c: LocalSearch(x0, loss0, pop, evo.sigma, evo.sigma_decay, gen) for c in chunks}
    net = naive_module(problem.spec, x0)
    n_naive = min(naive_children, pop)
    times: dict[str, list[float]] = {f"chunk {c}": [] for c in chunks}
    times["naive"] = []
    with torch.no_grad():
        for c in chunks:  # warm-up
            problem.chunk = c
            batched_round(problem, searches[c])
    naive_round(net, problem.x, problem.y, min(3, n_naive), evo.sigma)
    for _ in range(repeats):
        for c in chunks:
            problem.chunk = c
            with torch.no_grad():
                times[f"chunk {c}"].append(_timed(lambda c=c: batched_round(problem, searches[c]), device))
        times["naive"].append(_timed(lambda: naive_round(net, problem.x, problem.y, n_naive, evo.sigma), device)
                              * pop / n_naive)
    group = f"evolution round, P={pop}, D={problem.spec.n_params}, N={problem.n_data}"
    batched = [Timing(group, f"batched (P, D) tensor, chunk {c}", times[f"chunk {c}"]) for c in chunks]
    best = min(batched, key=lambda t: t.median)
    best.note = "fastest chunk"
    naive = Timing(group, "naive loop: deepcopy + mutate + forward per child", times["naive"],
                   note=f"timed on {n_naive} of {pop} children, scaled ×{pop / n_naive:g}" if n_naive < pop else "")
    result.timings += [*batched, naive]
    chunk = int(best.name.rsplit(" ", 1)[-1])
    result.ratios.append((f"evolution round: naive / batched (best chunk {chunk})",
                          naive.median / best.median, "≥ 100×"))
    _bench_ceiling(problem, x0, evo, chunk, naive, group, device, result, repeats)


def _bench_ceiling(problem: MLPProblem, x0: torch.Tensor, evo: RunConfig, chunk: int, naive: Timing, group: str,
                   device: str, result: BenchResult, repeats: int) -> None:
    """How far the round's ratio can go here: its matrix products alone, in float32 and in bfloat16
    (timed like the round), and how often bfloat16 would pick another best child."""
    problem.chunk = chunk
    gen = torch.Generator(device=device).manual_seed(1)
    population = x0 + evo.sigma * torch.randn((evo.population, x0.numel()), generator=gen, device=device)
    x = problem.x
    variants = {"float32": (population, x), "bfloat16": (population.bfloat16(), x.bfloat16())}
    times: dict[str, list[float]] = {name: [] for name in variants}
    with torch.no_grad():
        for pop_, x_ in variants.values():   # warm-up
            products_only(problem.spec, pop_, x_, chunk)
        for _ in range(repeats):
            for name, (pop_, x_) in variants.items():
                times[name].append(_timed(lambda p=pop_, xx=x_: products_only(problem.spec, p, xx, chunk), device))
    rounds = 20
    with torch.no_grad():
        es = LocalSearch(x0, problem.loss(x0), evo.population, evo.sigma, evo.sigma_decay,
                         torch.Generator(device=device).manual_seed(2))
    changed = best_child_changes(problem, es, rounds, torch.bfloat16)
    for name in variants:
        note = "no activations, mutation or loss: the round's floor"
        if name == "bfloat16":
            note += f"; its best child differs from float32's in {changed} of {rounds} rounds"
        t = Timing(group, f"matrix products alone, {name}, chunk {chunk}", times[name], note=note)
        result.timings.append(t)
        result.ratios.append((f"evolution round: naive / its matrix products alone ({name}): the ceiling here",
                              naive.median / t.median, "≥ 100× for the target to be reachable"))


def bench_recording(cfg: FunctionFitConfig, device: str, result: BenchResult, repeats: int, steps: int,
                    every: int) -> None:
    problem, _ = build_problem(cfg, device)
    x0 = init_params(problem.spec, torch.Generator(device=device).manual_seed(0), device=device)
    runs = [r for r in cfg.runs if r.optimizer != "evolution"] or [
        RunConfig(name="adam", optimizer="adam", lr=1e-3)]
    for run in runs:
        run = run.model_copy(update={"steps": steps})
        batch = min(run.batch_size or problem.n_data, problem.n_data)

        def bare(run=run, batch=batch) -> None:
            params = x0.detach().clone().requires_grad_(True)
            opt = make_gradient_optimizer(run.optimizer, [params], lr=run.lr, momentum=run.momentum)
            gen = torch.Generator(device=device).manual_seed(0)
            n = problem.n_data
            for _ in range(run.steps):
                idx = None if batch >= n else torch.randperm(n, generator=gen, device=device)[:batch]
                opt.zero_grad(set_to_none=True)
                problem.loss(params, idx).backward()
                opt.step()

        variants: dict[str, Callable[[], object]] = {
            "bare torch loop": bare,
            "recorded, every step": lambda run=run: record_gradient(
                problem, x0, run, torch.Generator(device=device).manual_seed(0), record_every=1),
            f"recorded, every {every} steps": lambda run=run: record_gradient(
                problem, x0, run, torch.Generator(device=device).manual_seed(0), record_every=every),
        }
        for fn in variants.values():  # warm-up
            _timed(fn, device)
        times: dict[str, list[float]] = {k: [] for k in variants}
        cpu: dict[str, list[float]] = {k: [] for k in variants}
        for _ in range(repeats):
            for k, fn in variants.items():
                wall, used = _timed_both(fn, device)
                times[k].append(wall)
                cpu[k].append(used)
        label = run.label or run.name
        group = f"{label} training, {steps} steps, batch {batch}"
        timings = [Timing(group, k, v, ops=steps, unit="step") for k, v in times.items()]
        result.timings += timings
        bare = "bare torch loop"
        for t in timings[1:]:   # the median of per-repeat ratios: each pair ran back to back, under the same load
            result.ratios.append((f"{label}: {t.name} / bare (recording overhead)",
                                  _paired_ratio(times[t.name], times[bare]), "≤ 1.10×"))
            if device == "cpu":
                result.ratios.append((f"{label}: {t.name} / bare (recording overhead, CPU time)",
                                      _paired_ratio(cpu[t.name], cpu[bare]), "≤ 1.10×"))


def run_bench(cfg: FunctionFitConfig, device: str = "cpu", repeats: int = 5, chunks: list[int] | None = None,
              naive_children: int = 50, steps: int = 1000, every: int = 100, threads: int | None = None
              ) -> BenchResult:
    """Both benchmarks on the function-fit task of `cfg` (threads: torch CPU threads, default the config's)."""
    threads = cfg.threads if threads is None else threads
    with torch_threads(threads):
        result = BenchResult(device, torch.get_num_threads() if device == "cpu" else 0)
        bench_evolution(cfg, device, result, repeats, chunks or [16, 32, 64, 128, 256, 1024], naive_children)
        bench_recording(cfg, device, result, repeats, steps, every)
    return result


def to_markdown(result: BenchResult) -> str:
    lines = [f"# gdevo bench ({result.device}" + (f", {result.threads} CPU threads" if result.threads else "") + ")",
             "", "| benchmark | variant | median ms | min ms | max ms | per second | repeats | note |",
             "|---|---|---:|---:|---:|---:|---:|---|"]
    for t in result.timings:
        lines.append(f"| {t.group} | {t.name} | {t.median * 1e3:.3f} | {min(t.times) * 1e3:.3f} | "
                     f"{max(t.times) * 1e3:.3f} | {t.ops_per_s:,.1f} {t.unit}s | {len(t.times)} | {t.note} |")
    lines += ["", "| ratio | measured | target |", "|---|---:|---|"]
    lines += [f"| {what} | {value:.2f}× | {target} |" for what, value, target in result.ratios]
    if result.notes:
        lines += [""] + [f"- {n}" for n in result.notes]
    return "\n".join(lines) + "\n"

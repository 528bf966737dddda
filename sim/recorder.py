"""Record optimizer runs step by step: parameters, loss, evaluations, wall time, populations.

`record` is the one optimization loop (ask → loss → tell, with a batch drawn first when the run
uses mini-batches); every experiment and the benchmark drive their searchers through it and say
what to keep in two hooks. `record_gradient` and `record_evolution` are the recorders most runs use.

Inside the timed loop the recorder only copies the parameters into a preallocated tensor (and,
for a full-batch gradient run, keeps the loss its own forward pass already computed: that is the
full-data loss at the recorded parameters); everything else (mini-batch runs' full-data losses,
network curves) is computed afterwards in one batched call, so recording costs almost nothing
next to the optimizer's own work.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from time import perf_counter
from typing import Any, Protocol

import numpy as np
import torch

from sim import user_optimizer
from sim.config import OptimizerSettings, RunConfig
from sim.optimizers import LocalSearch, Searcher, Told, TorchSearcher, make_gradient_optimizer, optimizer_entry

Progress = Callable[[int], None]
CHECK_EVERY = 128  # recorded steps between divergence checks in record_gradient (~0.3% of a small step)


class Problem(Protocol):
    """What a recorder needs: a batched, differentiable loss over parameter vectors."""

    dim: int

    @property
    def n_data(self) -> int: ...

    def loss(self, params: torch.Tensor, idx: torch.Tensor | None = None) -> torch.Tensor: ...


@dataclass
class RunRecord:
    """One recorded run: arrays (leading axis = step), JSON metadata and wall-clock seconds."""

    meta: dict[str, Any]
    arrays: dict[str, np.ndarray]
    wall: list[float] = field(default_factory=list)


def classify(loss: np.ndarray, params: np.ndarray, escape: float) -> str:
    """'diverged' when the run blew up (non-finite, left the |θ| < escape box, or ended worse
    than it started); otherwise 'ok'. A divergence is a result, never a crash."""
    if not np.all(np.isfinite(loss)) or not np.all(np.isfinite(params)):
        return "diverged"
    if np.abs(params).max() > escape or loss[-1] > loss[0]:
        return "diverged"
    return "ok"


def _batched(fn: Callable[[torch.Tensor], torch.Tensor], params: torch.Tensor, chunk: int = 4096) -> torch.Tensor:
    with torch.no_grad():
        return torch.cat([fn(params[i:i + chunk]) for i in range(0, len(params), chunk)])


BeforeTell = Callable[[int, torch.Tensor], bool | None]
AfterTell = Callable[[int, torch.Tensor, torch.Tensor, Told, torch.Tensor | None], bool | None]


def record(problem: Problem, searcher: Searcher, steps: int, generator: torch.Generator | None = None,
           batch: int | None = None, before_tell: BeforeTell | None = None,
           after_tell: AfterTell | None = None) -> int:
    """Run SEARCHER on PROBLEM for up to STEPS rounds; return the rounds completed.

    Each round: draw the round's batch (`batch` of the n data points, from GENERATOR; all of them
    when batch is None or ≥ n), ask for candidates, score them, tell the losses. `before_tell(t,
    losses)` sees round t's losses before the searcher does (a gradient run's forward pass: the loss
    at its current parameters) and `after_tell(taken, asked, losses, told, idx)` sees the round's outcome;
    either returns True to stop. Searchers without gradients run under torch.no_grad().
    """
    n = problem.n_data
    sample = batch is not None and batch < n
    device = searcher.center.device if sample else None
    uses_gradient = getattr(searcher, "uses_gradient", False)
    with nullcontext() if uses_gradient else torch.no_grad():
        for t in range(steps):
            idx = torch.randperm(n, generator=generator, device=device)[:batch] if sample else None
            asked = searcher.ask()
            losses = problem.loss(asked, idx)
            if before_tell is not None and before_tell(t, losses):
                return t
            told = searcher.tell(losses)
            if after_tell is not None and after_tell(t + 1, asked, losses, told, idx):
                return t + 1
    return steps


def optimizer_kind(name: str, run: str = "?") -> str:
    """'gradient' or 'evolution': what kind of optimizer a run's `optimizer` names."""
    if user_optimizer.is_spec(name):
        return user_optimizer.load(name, run).kind
    return optimizer_entry(name).kind


def make_searcher(run: OptimizerSettings, x0: torch.Tensor, problem: Problem | None = None,
                  generator: torch.Generator | None = None, rescore_parent: bool = False,
                  on_gradient: Callable[[torch.Tensor], None] | None = None) -> Searcher:
    """The searcher a run's settings name, starting at x0: a TorchSearcher over a fresh leaf copy of
    x0 (gradient optimizers), the local search (given x0's loss on PROBLEM), or the project's own class."""
    if user_optimizer.is_spec(run.optimizer):
        return _user_searcher(run, x0, generator, on_gradient)
    if optimizer_kind(run.optimizer) == "gradient":
        params = x0.detach().clone().requires_grad_(True)
        opt = make_gradient_optimizer(run.optimizer, [params], lr=run.lr, momentum=run.momentum)
        return TorchSearcher(opt, params, on_gradient)
    with torch.no_grad():
        loss0 = problem.loss(x0) if problem is not None else float("nan")
    return LocalSearch(x0, loss0, run.population, run.sigma, run.sigma_decay, generator, rescore_parent)


def _user_searcher(run: OptimizerSettings, x0: torch.Tensor, generator: torch.Generator | None,
                   on_gradient: Callable[[torch.Tensor], None] | None) -> Searcher:
    found = user_optimizer.load(run.optimizer, run.name)
    where = f"{found.file}: run {run.name!r}"
    options = user_optimizer.options_of(run)
    make = user_optimizer.guarded(found.cls, where)
    if found.kind == "gradient":
        params = x0.detach().clone().requires_grad_(True)
        opt = make([params], **options)
        opt.step = user_optimizer.guarded(opt.step, where)   # type: ignore[method-assign]
        return TorchSearcher(opt, params, on_gradient)
    searcher = make(x0.detach().clone(), generator=generator, **options)
    return _Guarded(searcher, where)


class _Guarded:
    """A project's ask/tell searcher whose exceptions become one line; tell() always reports a Told."""

    uses_gradient = False

    def __init__(self, inner: Any, where: str) -> None:
        self.inner, self.where = inner, where
        self._ask = user_optimizer.guarded(inner.ask, where)
        self._tell = user_optimizer.guarded(inner.tell, where)

    @property
    def center(self) -> torch.Tensor:
        try:
            return torch.as_tensor(self.inner.center).detach().reshape(-1)
        except Exception as exc:   # the user's code (a missing attribute included)
            raise user_optimizer.OptimizerError(f"{self.where}: center: {user_optimizer.one_line(exc)}") from None

    def ask(self) -> torch.Tensor:
        return self._ask()

    def tell(self, losses: torch.Tensor) -> Told:
        told = self._tell(losses)
        return told if isinstance(told, Told) else Told(int(torch.argmin(losses)))


def run_source(run: OptimizerSettings) -> dict[str, Any]:
    """The `source` block of a run made by a project's own optimizer (empty for the registry's)."""
    if not user_optimizer.is_spec(run.optimizer):
        return {}
    return {"source": user_optimizer.load(run.optimizer, run.name).source(user_optimizer.options_of(run))}


def record_gradient(problem: Problem, x0: torch.Tensor, run: RunConfig, generator: torch.Generator,
                    escape: float = 1e6, progress: Progress | None = None, record_grad: bool = False,
                    record_grad_norm: bool = False, record_every: int = 1) -> RunRecord:
    """Run a torch.optim optimizer from x0 and record its steps (full or mini-batch).

    Options (all off by default, so plain runs record only params/loss/evals):
    - `record_grad`: the gradient each step used (`grad`, (T, d), taken at params[t] on that
      step's batch), the batch's point indices (`batch`, (T, b), mini-batch runs only) and the
      full-data gradient at the same params (`full_grad`, (T, d)).
    - `record_grad_norm`: `grad_norm` (T,), the L2 norm of the gradient each step used.
    - `record_every=k > 1`: only steps 0, k, 2k, ... and the last step are recorded (params, wall
      time, divergence check), so long runs keep small traces; `meta["record_every"]` says so.
    """
    k = max(1, int(record_every))
    if record_grad and k > 1:
        raise ValueError("record_grad needs every step recorded (record_every=1)")
    n = problem.n_data
    batch = min(run.batch_size or n, n)
    full_batch = batch >= n
    grads = torch.empty((run.steps, x0.numel()), dtype=x0.dtype, device=x0.device) if record_grad else None
    batches = torch.empty((run.steps, batch), dtype=torch.int64, device=x0.device) \
        if record_grad and batch < n else None
    grad_norm = torch.zeros(run.steps, dtype=x0.dtype, device=x0.device) if record_grad_norm else None
    step = [0]   # the step being taken, for the gradient hook

    def on_gradient(p: torch.Tensor) -> None:
        if grads is not None:
            grads[step[0]] = p.grad
        if grad_norm is not None:
            grad_norm[step[0]] = p.grad.detach().norm()

    watch = grads is not None or grad_norm is not None
    searcher = make_searcher(run, x0, on_gradient=on_gradient if watch else None)
    history = torch.empty((run.steps // k + 2, x0.numel()), dtype=x0.dtype, device=x0.device)
    rows = history.unbind(0)        # one view per row: a recorded step is one copy_, no indexing
    current = searcher.center       # an alias of the parameters (the optimizer updates them in place)
    rows[0].copy_(current)
    step_loss: list[torch.Tensor] = []  # full batch: the loss each recorded step's forward pass gave
    wall, rec_steps = [0.0], [0]
    state = {"checked": 1, "progressed": 0}

    def before_tell(t: int, out: torch.Tensor) -> None:
        step[0] = t
        if full_batch and t % k == 0:  # t is a recorded step: this is the full-data loss at its params
            step_loss.append(out.detach())

    def after_tell(taken: int, asked: torch.Tensor, out: torch.Tensor, told: Told, idx: torch.Tensor | None) -> bool:
        nonlocal rec_steps, wall
        if batches is not None:
            batches[taken - 1] = idx
        if taken % k and taken != run.steps:
            return False
        rows[len(rec_steps)].copy_(current)
        wall.append(perf_counter() - start)
        rec_steps.append(taken)
        checked = state["checked"]
        if len(rec_steps) - checked >= CHECK_EVERY or taken == run.steps:
            # The divergence check (a reduction and a sync) runs on blocks of recorded steps, not
            # on every step: it would cost ~10% of a small network's step. The first recorded step
            # that left the |θ| <= escape box ends the record, exactly as a per-step check would.
            if progress:
                progress(taken - state["progressed"])
                state["progressed"] = taken
            bad = ~(history[checked:len(rec_steps)].abs().amax(dim=1) <= escape)  # NaN/inf are bad too
            if bool(bad.any()):
                first = checked + int(bad.nonzero()[0])
                rec_steps, wall = rec_steps[: first + 1], wall[: first + 1]
                return True
            state["checked"] = len(rec_steps)
        return False

    start = perf_counter()
    record(problem, searcher, run.steps, generator, batch, before_tell if full_batch or watch else None, after_tell)
    last = rec_steps[-1]
    history = history[: len(rec_steps)]
    known = torch.stack(step_loss[: len(rec_steps)]) if step_loss else history.new_empty(0)
    rest = _batched(problem.loss, history[len(known):]) if len(known) < len(history) else known[:0]
    loss = torch.cat([known, rest]).cpu().numpy()
    hist = history.cpu().numpy()
    evals = np.asarray(rec_steps, dtype=np.float64) * (batch / n)
    status = classify(loss, hist[-1:], escape)  # every earlier row passed the in-loop check
    meta = {"kind": "gradient", "optimizer": run.optimizer, "label": run.display, "lr": run.lr,
            "momentum": run.momentum, "batch_size": batch, "steps": last, "status": status,
            "final_loss": float(loss[-1]) if math.isfinite(loss[-1]) else None, **run_source(run)}
    if k > 1:
        meta["record_every"] = k
    arrays = {"params": hist, "loss": loss, "evals": evals}
    if grads is not None:
        arrays["grad"] = grads[:last].cpu().numpy()
        if batches is not None:
            arrays["batch"] = batches[:last].cpu().numpy()
            arrays["full_grad"] = _full_gradient(problem, history[:last]).cpu().numpy()
    if grad_norm is not None:
        arrays["grad_norm"] = grad_norm[:last].cpu().numpy()
    return RunRecord(meta, arrays, wall)


def _full_gradient(problem: Problem, params: torch.Tensor) -> torch.Tensor:
    """The full-data gradient at each row of params (T, d), in one batched backward pass."""
    p = params.detach().clone().requires_grad_(True)
    with torch.enable_grad():
        problem.loss(p).sum().backward()
    return p.grad.detach()


def record_evolution(problem: Problem, x0: torch.Tensor, run: RunConfig, generator: torch.Generator,
                     record_population: bool = True, progress: Progress | None = None) -> RunRecord:
    """Run a population searcher from x0 (the local search, or a project's ask/tell class); record
    its point each round, and optionally every child of every round.

    The local search knows its parent's loss; another searcher's point is scored afterwards, in
    one batched call (those scores are not counted as evaluations: `evals` counts the children)."""
    rounds, d = run.steps, x0.numel()
    es = make_searcher(run, x0, problem, generator)
    elitist = isinstance(es, LocalSearch)
    parents = torch.empty((rounds + 1, d), dtype=x0.dtype, device=x0.device)
    parent_loss = torch.empty(rounds + 1, dtype=x0.dtype, device=x0.device)
    parents[0] = x0
    if elitist:
        parent_loss[0] = es.parent_loss
    winner = np.zeros(rounds, dtype=np.int64)
    accepted = np.zeros(rounds, dtype=bool)
    sigma = np.zeros(rounds, dtype=np.float64)
    children = np.zeros(rounds + 1, dtype=np.int64)   # candidates scored so far
    kept: dict[str, torch.Tensor] = {}
    wall = [0.0]

    def before_tell(t: int, losses: torch.Tensor) -> None:
        sigma[t] = es.sigma

    def after_tell(taken: int, asked: torch.Tensor, losses: torch.Tensor, told: Told, idx: torch.Tensor | None
                   ) -> None:
        r = taken - 1
        if not kept:   # the population's size is known once the searcher has asked
            kept["pop_loss"] = torch.empty((rounds, len(losses)), dtype=x0.dtype, device=x0.device)
            if record_population:
                kept["population"] = torch.empty((rounds, len(losses), d), dtype=x0.dtype, device=x0.device)
        winner[r], accepted[r] = told.best, told.accepted
        parents[taken] = es.center
        if elitist:
            parent_loss[taken] = es.parent_loss
        kept["pop_loss"][r] = losses
        if record_population:
            kept["population"][r] = asked
        children[taken] = children[r] + len(losses)
        wall.append(perf_counter() - start)
        if progress:
            progress(1)

    start = perf_counter()
    record(problem, es, rounds, before_tell=before_tell if elitist else None, after_tell=after_tell)
    if not elitist:
        parent_loss = _batched(problem.loss, parents)
    loss = parent_loss.cpu().numpy()
    evals = 1.0 + np.arange(rounds + 1, dtype=np.float64) * run.population if elitist else 1.0 + children
    arrays: dict[str, np.ndarray] = {
        "params": parents.cpu().numpy(), "loss": loss, "evals": evals,
        "winner": winner, "accepted": accepted, "pop_loss": kept["pop_loss"].cpu().numpy(),
    }
    if elitist:
        arrays["sigma"] = sigma
    if record_population:
        arrays["population"] = kept["population"].cpu().numpy()
    if elitist:
        meta = {"kind": "evolution", "optimizer": "evolution", "label": run.display, "population": run.population,
                "sigma": run.sigma, "sigma_decay": run.sigma_decay, "steps": rounds,
                "status": "ok" if loss[-1] < loss[0] else "stalled", "final_loss": float(loss[-1]),
                "accepted_rounds": int(accepted.sum())}
    else:
        meta = {"kind": "evolution", "optimizer": run.optimizer, "label": run.display,
                "population": int(kept["pop_loss"].shape[1]), "steps": rounds,
                "status": "ok" if loss[-1] < loss[0] else "stalled",
                "final_loss": float(loss[-1]) if math.isfinite(loss[-1]) else None,
                "accepted_rounds": int(accepted.sum()), **run_source(run)}
    return RunRecord(meta, arrays, wall)


def record_run(problem: Problem, x0: torch.Tensor, run: RunConfig, generator: torch.Generator,
               record_population: bool = True, escape: float = 1e6,
               progress: Progress | None = None, record_grad: bool = False) -> RunRecord:
    """Record a run with the recorder of its optimizer's kind."""
    if optimizer_kind(run.optimizer, run.name) == "evolution":
        return record_evolution(problem, x0, run, generator, record_population, progress)
    return record_gradient(problem, x0, run, generator, escape, progress, record_grad=record_grad)

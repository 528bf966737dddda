"""Record optimizer runs step by step: parameters, loss, evaluations, wall time, populations.

Inside the timed loop the recorder only copies the parameters into a preallocated tensor (and,
for a full-batch gradient run, keeps the loss its own forward pass already computed: that is the
full-data loss at the recorded parameters); everything else (mini-batch runs' full-data losses,
network curves) is computed afterwards in one batched call, so recording costs almost nothing
next to the optimizer's own work.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from time import perf_counter
from typing import Any, Protocol

import numpy as np
import torch

from sim.config import RunConfig
from sim.optimizers import LocalSearch, make_gradient_optimizer

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
    params = x0.detach().clone().requires_grad_(True)
    opt = make_gradient_optimizer(run.optimizer, [params], lr=run.lr, momentum=run.momentum)
    n = problem.n_data
    batch = min(run.batch_size or n, n)
    history = torch.empty((run.steps // k + 2, x0.numel()), dtype=x0.dtype, device=x0.device)
    rows = history.unbind(0)        # one view per row: a recorded step is one copy_, no indexing
    current = params.detach()       # an alias of params (the optimizer updates them in place)
    rows[0].copy_(current)
    full_batch = batch >= n
    step_loss: list[torch.Tensor] = []  # full batch: the loss each recorded step's forward pass gave
    grads = torch.empty((run.steps, x0.numel()), dtype=x0.dtype, device=x0.device) if record_grad else None
    batches = torch.empty((run.steps, batch), dtype=torch.int64, device=x0.device) \
        if record_grad and batch < n else None
    grad_norm = torch.zeros(run.steps, dtype=x0.dtype, device=x0.device) if record_grad_norm else None
    wall, rec_steps = [0.0], [0]
    taken, checked, progressed = 0, 1, 0
    start = perf_counter()
    for t in range(run.steps):
        idx = None if batch >= n else torch.randperm(n, generator=generator, device=x0.device)[:batch]
        opt.zero_grad(set_to_none=True)
        out = problem.loss(params, idx)
        out.backward()
        if full_batch and t % k == 0:  # t is a recorded step: this is the full-data loss at its params
            step_loss.append(out.detach())
        if grads is not None:
            grads[t] = params.grad
            if batches is not None:
                batches[t] = idx
        if grad_norm is not None:
            grad_norm[t] = params.grad.detach().norm()
        opt.step()
        taken = t + 1
        if taken % k and taken != run.steps:
            continue
        rows[len(rec_steps)].copy_(current)
        wall.append(perf_counter() - start)
        rec_steps.append(taken)
        if len(rec_steps) - checked >= CHECK_EVERY or taken == run.steps:
            # The divergence check (a reduction and a sync) runs on blocks of recorded steps, not
            # on every step: it would cost ~10% of a small network's step. The first recorded step
            # that left the |θ| <= escape box ends the record, exactly as a per-step check would.
            if progress:
                progress(taken - progressed)
                progressed = taken
            bad = ~(history[checked:len(rec_steps)].abs().amax(dim=1) <= escape)  # NaN/inf are bad too
            if bool(bad.any()):
                first = checked + int(bad.nonzero()[0])
                rec_steps, wall = rec_steps[: first + 1], wall[: first + 1]
                break
            checked = len(rec_steps)
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
            "final_loss": float(loss[-1]) if math.isfinite(loss[-1]) else None}
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
    """Run the local search from x0; record parents, and optionally every child of every round."""
    rounds, d = run.steps, x0.numel()
    with torch.no_grad():
        es = LocalSearch(x0, problem.loss(x0), run.population, run.sigma, run.sigma_decay, generator)
    parents = torch.empty((rounds + 1, d), dtype=x0.dtype, device=x0.device)
    parent_loss = torch.empty(rounds + 1, dtype=x0.dtype, device=x0.device)
    parents[0], parent_loss[0] = x0, es.parent_loss
    winner = np.zeros(rounds, dtype=np.int64)
    accepted = np.zeros(rounds, dtype=bool)
    sigma = np.zeros(rounds, dtype=np.float64)
    pop = torch.empty((rounds, run.population, d), dtype=x0.dtype, device=x0.device) if record_population else None
    pop_loss = torch.empty((rounds, run.population), dtype=x0.dtype, device=x0.device)
    wall = [0.0]
    start = perf_counter()
    with torch.no_grad():
        for r in range(rounds):
            sigma[r] = es.sigma
            children = es.ask()
            losses = problem.loss(children)
            winner[r], accepted[r] = es.tell(losses)
            parents[r + 1], parent_loss[r + 1] = es.parent, es.parent_loss
            pop_loss[r] = losses
            if pop is not None:
                pop[r] = children
            wall.append(perf_counter() - start)
            if progress:
                progress(1)
    loss = parent_loss.cpu().numpy()
    arrays: dict[str, np.ndarray] = {
        "params": parents.cpu().numpy(), "loss": loss,
        "evals": 1.0 + np.arange(rounds + 1, dtype=np.float64) * run.population,
        "winner": winner, "accepted": accepted, "sigma": sigma, "pop_loss": pop_loss.cpu().numpy(),
    }
    if pop is not None:
        arrays["population"] = pop.cpu().numpy()
    meta = {"kind": "evolution", "optimizer": "evolution", "label": run.display, "population": run.population,
            "sigma": run.sigma, "sigma_decay": run.sigma_decay, "steps": rounds,
            "status": "ok" if loss[-1] < loss[0] else "stalled", "final_loss": float(loss[-1]),
            "accepted_rounds": int(accepted.sum())}
    return RunRecord(meta, arrays, wall)


def record_run(problem: Problem, x0: torch.Tensor, run: RunConfig, generator: torch.Generator,
               record_population: bool = True, escape: float = 1e6,
               progress: Progress | None = None, record_grad: bool = False) -> RunRecord:
    """Dispatch on the run's optimizer."""
    if run.optimizer == "evolution":
        return record_evolution(problem, x0, run, generator, record_population, progress)
    return record_gradient(problem, x0, run, generator, escape, progress, record_grad=record_grad)

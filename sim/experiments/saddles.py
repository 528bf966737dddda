"""saddles: Hessian spectra at the critical points of small networks of growing size.

Critical points (∇L = 0) are found by Levenberg–Marquardt steps on the gradient norm:
minimise ½‖∇L(θ)‖² with Δ = −(H² + λI)⁻¹ H ∇L (H the exact Hessian, λ adapted each step).
Unlike descent on L, this converges to saddles as readily as to minima. It is started from
points along full-batch descent (Adam) runs of several initialisations — the start and after
each of `start_steps` steps — so it finds the critical points a descent run passes near.
A point counts as critical when ‖∇L‖ < `grad_tol`; the full spectrum of the exact Hessian
(torch.func.hessian, float64) is recorded there with the loss and the fraction of negative
eigenvalues (below −`eig_tol`·max|λ|). Starts that do not converge are recorded as such.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import torch
from pydantic import Field, field_validator

from sim.config import ExperimentConfig, GradientOptimizerName, Strict
from sim.experiments import Experiment, ProgressFactory
from sim.nets import MLPProblem, init_params
from sim.optimizers import TorchSearcher, make_gradient_optimizer
from sim.recorder import record
from sim.task1d import Net, Task1D
from sim.trace import Trace, build_meta

DEFAULT_NETS = [Net(sizes=s) for s in [(1, 2, 1), (1, 4, 1), (1, 8, 1), (1, 16, 1), (1, 6, 6, 1)]]


class Search(Strict):
    inits: int = Field(default=4, ge=1, le=100, description="descent runs (initial networks) per network")
    optimizer: GradientOptimizerName = "adam"
    lr: float = Field(default=0.02, gt=0, le=100)
    start_steps: list[int] = Field(default=[0, 20, 200, 1000], min_length=1, max_length=20)
    max_iter: int = Field(default=40, ge=1, le=10_000, description="Levenberg–Marquardt iterations per start")
    grad_tol: float = Field(default=1e-6, gt=0, description="‖∇L‖ below this is a critical point")
    eig_tol: float = Field(default=1e-7, ge=0, description="|λ| ≤ eig_tol·max|λ| counts as zero")

    @field_validator("start_steps")
    @classmethod
    def _steps(cls, v: list[int]) -> list[int]:
        if any(s < 0 or s > 1_000_000 for s in v):
            raise ValueError(f"start_steps must be in 0..1000000, got {v}")
        return sorted(set(v))


class SaddlesConfig(ExperimentConfig):
    experiment: Literal["saddles"] = "saddles"
    task: Task1D = Task1D(target="sin(2*x)", points=16)
    nets: list[Net] = Field(default=DEFAULT_NETS, min_length=1, max_length=12)
    search: Search = Search()

    def facts(self) -> dict[str, str]:
        sizes = [n.spec.n_params for n in self.nets]
        return super().facts() | {"min_params": f"{min(sizes):,}", "max_params": f"{max(sizes):,}"}

    @field_validator("nets")
    @classmethod
    def _small(cls, v: list[Net]) -> list[Net]:
        big = [n for n in v if n.spec.n_params > 400]
        if big:
            raise ValueError(f"nets: full Hessians are for small networks (≤ 400 parameters), "
                             f"{big[0].label} has {big[0].spec.n_params}")
        return v


def loss_fn(problem: MLPProblem):
    return lambda theta: problem.loss(theta)


def hessian(problem: MLPProblem, theta: torch.Tensor) -> torch.Tensor:
    """The exact Hessian of the full-data loss at theta (D, D), by torch.func (forward over reverse)."""
    return torch.func.hessian(loss_fn(problem))(theta)


def gradient(problem: MLPProblem, theta: torch.Tensor) -> torch.Tensor:
    return torch.func.grad(loss_fn(problem))(theta)


def find_critical(problem: MLPProblem, theta: torch.Tensor, max_iter: int, grad_tol: float,
                  radius: float = 1.0) -> tuple[torch.Tensor, float, int]:
    """Damped Newton steps on ∇L = 0 (Levenberg–Marquardt on ½‖∇L‖², in the Hessian's eigenbasis):
    Δ = −Σᵢ λᵢ/(λᵢ² + δ²) (vᵢ·∇L) vᵢ, with δ = μ·max|λ| adapted (÷10 after a step that lowers ‖∇L‖,
    ×10 after one that does not), ‖Δ‖ ≤ radius, and a short backtracking line search on ‖∇L‖.
    Returns (point, its gradient norm, iterations used)."""
    g = gradient(problem, theta)
    gn = float(g.norm())
    mu = 1e-3
    it = 0
    for it in range(1, max_iter + 1):
        if gn < grad_tol or not np.isfinite(gn):
            return theta, gn, it - 1
        lam, vecs = torch.linalg.eigh(hessian(problem, theta))
        delta = mu * float(lam.abs().max())
        step = -vecs @ ((vecs.T @ g) * lam / (lam.square() + delta * delta + 1e-300))
        norm = float(step.norm())
        if norm > radius:
            step = step * (radius / norm)
        for scale in (1.0, 0.5, 0.25, 0.125):
            cand = theta + scale * step
            g_new = gradient(problem, cand)
            gn_new = float(g_new.norm())
            if np.isfinite(gn_new) and gn_new < gn:
                theta, g, gn = cand, g_new, gn_new
                mu = max(mu / 10, 1e-12)
                break
        else:
            mu = min(mu * 10, 1e6)
    return theta, gn, it


def descent_points(problem: MLPProblem, x0: torch.Tensor, cfg: SaddlesConfig) -> list[torch.Tensor]:
    """Parameters of a full-batch descent run at each of `start_steps`."""
    s = cfg.search
    params = x0.detach().clone().requires_grad_(True)
    searcher = TorchSearcher(make_gradient_optimizer(s.optimizer, [params], lr=s.lr), params)
    points = [params.detach().clone()] if 0 in s.start_steps else []

    def keep(taken: int, *_) -> None:
        if taken in s.start_steps:
            points.append(params.detach().clone())

    record(problem, searcher, max(s.start_steps), after_tell=keep)
    return points


def classify(eigvals: np.ndarray, eig_tol: float) -> tuple[int, int, int]:
    """(negative, zero, positive) eigenvalue counts with tolerance eig_tol·max|λ|."""
    tol = eig_tol * float(np.abs(eigvals).max(initial=0.0))
    return int((eigvals < -tol).sum()), int((np.abs(eigvals) <= tol).sum()), int((eigvals > tol).sum())


def simulate(cfg: SaddlesConfig, name: str, device: str = "cpu",
             progress: ProgressFactory | None = None) -> Trace:
    from time import perf_counter

    torch.manual_seed(cfg.seed)
    s = cfg.search
    n_starts = s.inits * len(s.start_steps)
    arrays: dict[str, np.ndarray] = {}
    runs_meta: dict = {}
    timing: dict[str, list[float]] = {}
    summary = []
    tick = progress(f"{name}: networks × starts", len(cfg.nets) * n_starts) if progress else None
    for i, net in enumerate(cfg.nets):
        problem = cfg.task.problem(net.spec, torch.float64, device)
        D = net.spec.n_params
        t0 = perf_counter()
        found, start_loss, start_gn, end_gn, iters, start_init, start_step = [], [], [], [], [], [], []
        for k in range(s.inits):
            gen = torch.Generator(device="cpu").manual_seed((cfg.seed * 1000 + k) * 100 + i)
            x0 = init_params(net.spec, gen, torch.float64).to(device)
            for step, theta in zip(s.start_steps, descent_points(problem, x0, cfg), strict=True):
                with torch.no_grad():
                    start_loss.append(float(problem.loss(theta)))
                start_gn.append(float(gradient(problem, theta).norm()))
                point, gn, used = find_critical(problem, theta, s.max_iter, s.grad_tol)
                end_gn.append(gn)
                iters.append(used)
                start_init.append(k)
                start_step.append(step)
                if gn < s.grad_tol:
                    found.append((len(end_gn) - 1, point))
                if tick:
                    tick(1)
        C = len(found)
        params = np.zeros((C, D))
        eig = np.zeros((C, D))
        loss = np.zeros(C)
        gnorm = np.zeros(C)
        counts = np.zeros((C, 3), dtype=np.int64)
        start_idx = np.zeros(C, dtype=np.int64)
        unique = np.ones(C, dtype=bool)
        for c, (si, point) in enumerate(found):
            H = hessian(problem, point)
            ev = torch.linalg.eigvalsh(0.5 * (H + H.T)).cpu().numpy()
            params[c], eig[c], start_idx[c] = point.cpu().numpy(), ev, si
            with torch.no_grad():
                loss[c] = float(problem.loss(point))
            gnorm[c] = end_gn[si]
            counts[c] = classify(ev, s.eig_tol)
            for prev in range(c):
                if unique[prev] and abs(loss[prev] - loss[c]) <= 1e-9 * max(1.0, loss[c]) and \
                        np.allclose(eig[prev], ev, rtol=1e-5, atol=1e-8 * max(1.0, np.abs(ev).max())):
                    unique[c] = False  # the same critical point (up to a symmetry of the network)
                    break
        timing[net.label] = [perf_counter() - t0]
        pre = f"nets/{i}/"
        arrays.update({
            pre + "params": params, pre + "eigvals": eig, pre + "loss": loss, pre + "grad_norm": gnorm,
            pre + "counts": counts, pre + "frac_negative": counts[:, 0] / D, pre + "start": start_idx,
            pre + "unique": unique,
            pre + "starts/loss": np.array(start_loss), pre + "starts/grad_norm": np.array(start_gn),
            pre + "starts/final_grad_norm": np.array(end_gn), pre + "starts/iterations": np.array(iters),
            pre + "starts/init": np.array(start_init, dtype=np.int64),
            pre + "starts/step": np.array(start_step, dtype=np.int64),
        })
        u = unique
        summary.append({"label": net.label, "n_params": D, "starts": n_starts, "converged": C,
                        "unique": int(u.sum()), "saddles": int((counts[u, 0] > 0).sum()),
                        "minima": int((counts[u, 0] == 0).sum())})
    x, y = cfg.task.data()
    arrays["data/x"], arrays["data/y"] = x.numpy()[:, 0], y.numpy()[:, 0]
    arrays["nets/n_params"] = np.array([n.spec.n_params for n in cfg.nets], dtype=np.int64)
    meta = build_meta(name, cfg.model_dump(mode="json"), cfg.seed, runs_meta, {"nets": summary},
                      critical_point_stats(arrays, len(cfg.nets)))
    return Trace(meta, arrays, timing)


def critical_point_stats(arrays: dict[str, np.ndarray], n_nets: int) -> dict:
    """What chapter 13 says about the distinct critical points: per network the mean fraction of
    negative eigenvalues (null when none was found), and the loss range at saddles and at minima."""
    def loss_range(values: np.ndarray) -> dict:
        return {"min": float(values.min()) if len(values) else None,
                "max": float(values.max()) if len(values) else None, "n": len(values)}

    per_net, at_saddles, at_minima = [], [], []
    for i in range(n_nets):
        u = arrays[f"nets/{i}/unique"]
        frac = arrays[f"nets/{i}/frac_negative"][u]
        saddle = arrays[f"nets/{i}/counts"][u, 0] > 0
        per_net.append({"negative_fraction_mean": float(frac.mean()) if len(frac) else None})
        at_saddles.append(arrays[f"nets/{i}/loss"][u][saddle])
        at_minima.append(arrays[f"nets/{i}/loss"][u][~saddle])
    return {"nets": per_net, "loss_at_saddles": loss_range(np.concatenate(at_saddles)),
            "loss_at_minima": loss_range(np.concatenate(at_minima))}


def report(trace: Trace) -> str:
    cfg = trace.meta["config"]
    s = cfg["search"]
    lines = [f"Task: MLPs (tanh) fitting y = {cfg['task']['target']} on {cfg['task']['points']} points. "
             f"Critical points by Levenberg–Marquardt on ‖∇L‖², started from {s['inits']} {s['optimizer']} runs "
             f"at steps {s['start_steps']}; critical = ‖∇L‖ < {s['grad_tol']:g}. Eigenvalues of the exact Hessian; "
             f"negative = below −{s['eig_tol']:g}·max|λ|. Distinct points only (same loss and spectrum = the same "
             "point up to a symmetry).", "",
             "| network | parameters | converged / starts | distinct | saddles | minima | with zero eigenvalues | "
             "negative eigenvalues, mean fraction (min–max) | loss at saddles (min–max) | loss at minima (min–max) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for i, net in enumerate(trace.meta["nets"]):
        u = trace[f"nets/{i}/unique"]
        frac = trace[f"nets/{i}/frac_negative"][u]
        loss = trace[f"nets/{i}/loss"][u]
        neg = trace[f"nets/{i}/counts"][u, 0] > 0

        def rng(v: np.ndarray) -> str:
            return "–" if not len(v) else f"{v.min():.3g}–{v.max():.3g}"

        zero = int((trace[f"nets/{i}/counts"][u, 1] > 0).sum())
        fr = "–" if not len(frac) else f"{frac.mean():.3f} ({frac.min():.3f}–{frac.max():.3f})"
        lines.append(f"| {net['label']} | {net['n_params']} | {net['converged']} / {net['starts']} | {net['unique']} | "
                     f"{net['saddles']} | {net['minima']} | {zero} | {fr} | {rng(loss[neg])} | {rng(loss[~neg])} |")
    return "\n".join(lines)


EXPERIMENT = Experiment("saddles", "Hessian spectra at critical points (found by Newton-type steps on the "
                        "gradient norm) of small tanh MLPs of growing size", SaddlesConfig, simulate, report)

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
from scipy.stats import binomtest

from sim.config import ExperimentConfig, GradientOptimizerName, Strict
from sim.experiments import Experiment, ProgressFactory
from sim.nets import MLPProblem, init_params
from sim.optimizers import Told, TorchSearcher, make_gradient_optimizer
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
    eig_tol: float = Field(default=1e-4, ge=0, description="|λ| ≤ eig_tol·max|λ| counts as zero")

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
    showcase_points: int = Field(default=41, ge=5, le=1001,
                                 description="points of each loss slice through the shown saddle")

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


def find_critical(problem: MLPProblem, thetas: torch.Tensor, max_iter: int, grad_tol: float,
                  radius: float = 1.0) -> tuple[torch.Tensor, torch.Tensor, np.ndarray]:
    """Damped Newton steps on ∇L = 0 (Levenberg–Marquardt on ½‖∇L‖², in the Hessian's eigenbasis)
    from every row of thetas (S, D) at once: Δ = −Σᵢ λᵢ/(λᵢ² + δ²) (vᵢ·∇L) vᵢ, with δ = μ·max|λ|
    adapted per start (÷10 after a step that lowers ‖∇L‖, ×10 after one that does not), ‖Δ‖ ≤ radius,
    and a backtracking line search on ‖∇L‖ over four step scales. Batched with torch.func.vmap: small
    networks cost per call, not per flop. Returns (points, their gradient norms, iterations used)."""
    hess, grad = torch.func.vmap(torch.func.hessian(loss_fn(problem))), torch.func.vmap(gradient_fn(problem))
    theta = thetas.clone()
    g = grad(theta)
    gn = g.norm(dim=1)
    mu = torch.full_like(gn, 1e-3)
    iters = np.zeros(len(theta), dtype=np.int64)
    scales = torch.tensor([1.0, 0.5, 0.25, 0.125], dtype=theta.dtype, device=theta.device)
    for it in range(1, max_iter + 1):
        active = torch.nonzero((gn >= grad_tol) & torch.isfinite(gn)).flatten()
        if not len(active):
            break
        iters[active.cpu().numpy()] = it
        th, ga = theta[active], g[active]
        lam, vecs = torch.linalg.eigh(hess(th))
        delta = mu[active] * lam.abs().amax(dim=1)
        coef = torch.einsum("sdk,sd->sk", vecs, ga) * lam / (lam.square() + delta[:, None].square() + 1e-300)
        step = -torch.einsum("sdk,sk->sd", vecs, coef)
        step = step * (radius / step.norm(dim=1).clamp(min=radius))[:, None]
        cand = th[None] + scales[:, None, None] * step[None]                  # (4, A, D)
        g_new = grad(cand.reshape(-1, th.shape[1])).reshape(cand.shape)
        gn_new = g_new.norm(dim=2)
        better = torch.isfinite(gn_new) & (gn_new < gn[active][None])        # (4, A)
        took = better.any(dim=0)
        first = torch.argmax(better.to(torch.int8), dim=0)                   # the largest scale that helps
        pick = torch.arange(len(active), device=theta.device)
        theta[active[took]] = cand[first, pick][took]
        g[active[took]] = g_new[first, pick][took]
        gn[active[took]] = gn_new[first, pick][took]
        mu[active] = torch.where(took, (mu[active] / 10).clamp(min=1e-12), (mu[active] * 10).clamp(max=1e6))
    return theta, gn, iters


def gradient_fn(problem: MLPProblem):
    return torch.func.grad(loss_fn(problem))


class SummedRuns(TorchSearcher):
    """R full-batch runs as the rows of one (R, D) tensor under one optimizer: tell() steps on the sum
    of their losses. The supported optimizers act coordinate-wise, so each row steps as its own run."""

    def tell(self, losses: torch.Tensor) -> Told:
        return super().tell(losses.sum())


def descent_points(problem: MLPProblem, x0: torch.Tensor, cfg: SaddlesConfig) -> torch.Tensor:
    """Parameters of full-batch descent runs from every row of x0 (R, D) at each of `start_steps`:
    (R, len(start_steps), D), the runs driven by the recorder's one loop."""
    s = cfg.search
    params = x0.detach().clone().requires_grad_(True)
    searcher = SummedRuns(make_gradient_optimizer(s.optimizer, [params], lr=s.lr), params)
    points = [params.detach().clone()] if 0 in s.start_steps else []

    def keep(taken: int, asked: torch.Tensor, losses: torch.Tensor, told: Told, idx: torch.Tensor | None) -> None:
        if taken in s.start_steps:
            points.append(params.detach().clone())

    record(problem, searcher, max(s.start_steps), after_tell=keep)
    return torch.stack(points, dim=1)


def classify(eigvals: np.ndarray, eig_tol: float) -> tuple[int, int, int]:
    """(negative, zero, positive) eigenvalue counts with tolerance eig_tol·max|λ|."""
    tol = eig_tol * float(np.abs(eigvals).max(initial=0.0))
    return int((eigvals < -tol).sum()), int((np.abs(eigvals) <= tol).sum()), int((eigvals > tol).sum())


def simulate(cfg: SaddlesConfig, name: str, device: str = "cpu",
             progress: ProgressFactory | None = None) -> Trace:
    from time import perf_counter

    torch.manual_seed(cfg.seed)
    s = cfg.search
    n_steps = len(s.start_steps)
    n_starts = s.inits * n_steps
    arrays: dict[str, np.ndarray] = {}
    timing: dict[str, list[float]] = {}
    summary = []
    tick = progress(f"{name}: networks", len(cfg.nets)) if progress else None
    for i, net in enumerate(cfg.nets):
        problem = cfg.task.problem(net.spec, torch.float64, device)
        D = net.spec.n_params
        t0 = perf_counter()
        x0 = torch.stack([init_params(net.spec, torch.Generator(device="cpu").manual_seed(
            (cfg.seed * 1000 + k) * 100 + i), torch.float64) for k in range(s.inits)]).to(device)
        starts = descent_points(problem, x0, cfg).reshape(n_starts, D)    # start j: init j // n_steps
        with torch.no_grad():
            start_loss = problem.loss(starts).cpu().numpy()
        start_gn = torch.func.vmap(gradient_fn(problem))(starts).norm(dim=1).cpu().numpy()
        points, end_gn_t, iters = find_critical(problem, starts, s.max_iter, s.grad_tol)
        end_gn = end_gn_t.cpu().numpy()
        found = np.flatnonzero(end_gn < s.grad_tol)
        C = len(found)
        params = points[found].cpu().numpy().reshape(C, D)
        eig = np.zeros((C, D))
        loss = np.zeros(C)
        counts = np.zeros((C, 3), dtype=np.int64)
        unique = np.ones(C, dtype=bool)
        for c, si in enumerate(found):
            H = hessian(problem, points[si])
            ev = torch.linalg.eigvalsh(0.5 * (H + H.T)).cpu().numpy()
            eig[c] = ev
            with torch.no_grad():
                loss[c] = float(problem.loss(points[si]))
            counts[c] = classify(ev, s.eig_tol)
            for prev in range(c):
                if unique[prev] and abs(loss[prev] - loss[c]) <= 1e-9 * max(1.0, loss[c]) and \
                        np.allclose(eig[prev], ev, rtol=1e-5, atol=1e-8 * max(1.0, np.abs(ev).max())):
                    unique[c] = False  # the same critical point (up to a symmetry of the network)
                    break
        timing[net.label] = [perf_counter() - t0]
        pre = f"nets/{i}/"
        arrays.update({
            pre + "params": params, pre + "eigvals": eig, pre + "loss": loss, pre + "grad_norm": end_gn[found],
            pre + "counts": counts, pre + "frac_negative": counts[:, 0] / D, pre + "start": found.astype(np.int64),
            pre + "unique": unique,
            pre + "starts/loss": start_loss, pre + "starts/grad_norm": start_gn,
            pre + "starts/final_grad_norm": end_gn, pre + "starts/iterations": iters,
            pre + "starts/init": np.repeat(np.arange(s.inits, dtype=np.int64), n_steps),
            pre + "starts/step": np.tile(np.array(s.start_steps, dtype=np.int64), s.inits),
        })
        u = unique
        summary.append({"label": net.label, "n_params": D, "starts": n_starts, "converged": C,
                        "unique": int(u.sum()), "saddles": int((counts[u, 0] > 0).sum()),
                        "minima": int((counts[u, 0] == 0).sum())})
        if tick:
            tick(1)
    x, y = cfg.task.data()
    arrays["data/x"], arrays["data/y"] = x.numpy()[:, 0], y.numpy()[:, 0]
    arrays["nets/n_params"] = np.array([n.spec.n_params for n in cfg.nets], dtype=np.int64)
    stats = critical_point_stats(arrays, len(cfg.nets))
    show = showcase_saddle(arrays, len(cfg.nets))
    if show is not None:
        i, c = show
        problem = cfg.task.problem(cfg.nets[i].spec, torch.float64, device)
        stats["showcase"], slices = saddle_slices(problem, arrays, i, c, cfg.showcase_points)
        arrays.update(slices)
    else:
        stats["showcase"] = None
    meta = build_meta(name, cfg.model_dump(mode="json"), cfg.seed, {}, {"nets": summary}, stats)
    return Trace(meta, arrays, timing)


def wilson(k: int, n: int) -> tuple[float | None, float | None]:
    """The 95 % Wilson score interval of k successes in n trials (scipy); (None, None) when n = 0."""
    if not n:
        return None, None
    ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    return float(ci.low), float(ci.high)


def size_trend(per_net: list[dict], n_params: list[int]) -> dict:
    """Whether the saddle fraction grows with network size, judged on the intervals: "more" when the
    largest network with a critical point has its 95 % interval entirely above the smallest one's,
    "fewer" when entirely below, "unclear" otherwise (or when fewer than two sizes have a point)."""
    have = [k for k, st in enumerate(per_net) if st["distinct"]]
    if len(have) < 2:
        return {"verdict": "unclear", "smallest": have[0] if have else None, "largest": None}
    small, large = min(have, key=lambda k: n_params[k]), max(have, key=lambda k: n_params[k])
    a, b = per_net[small], per_net[large]
    verdict = ("more" if b["ci_low"] > a["ci_high"] else "fewer" if b["ci_high"] < a["ci_low"] else "unclear")
    return {"verdict": verdict, "smallest": small, "largest": large}


def critical_point_stats(arrays: dict[str, np.ndarray], n_nets: int) -> dict:
    """What chapter 13 says about the distinct critical points: per network how many are saddles,
    the fraction with its 95 % Wilson interval and the mean fraction of negative eigenvalues (null
    when none was found); the loss range at saddles and at minima; the size trend's verdict."""
    def loss_range(values: np.ndarray) -> dict:
        return {"min": float(values.min()) if len(values) else None,
                "max": float(values.max()) if len(values) else None, "n": len(values)}

    per_net, at_saddles, at_minima = [], [], []
    for i in range(n_nets):
        u = arrays[f"nets/{i}/unique"]
        frac = arrays[f"nets/{i}/frac_negative"][u]
        saddle = arrays[f"nets/{i}/counts"][u, 0] > 0
        n, k = len(saddle), int(saddle.sum())
        lo, hi = wilson(k, n)
        per_net.append({"negative_fraction_mean": float(frac.mean()) if len(frac) else None,
                        "distinct": n, "saddles": k, "saddle_fraction": k / n if n else None,
                        "ci_low": lo, "ci_high": hi})
        at_saddles.append(arrays[f"nets/{i}/loss"][u][saddle])
        at_minima.append(arrays[f"nets/{i}/loss"][u][~saddle])
    return {"nets": per_net, "loss_at_saddles": loss_range(np.concatenate(at_saddles)),
            "loss_at_minima": loss_range(np.concatenate(at_minima)),
            "trend": size_trend(per_net, [int(v) for v in arrays["nets/n_params"]])}


def showcase_saddle(arrays: dict[str, np.ndarray], n_nets: int) -> tuple[int, int] | None:
    """The saddle chapter 13 shows: among distinct saddles reached from a point of a descent run
    (step > 0: where the run itself had got to), else among all distinct saddles, the one whose most
    negative eigenvalue is largest relative to its largest |λ| (the clearest way down). None if none."""
    best: tuple[bool, float, int, int] | None = None
    for i in range(n_nets):
        steps = arrays[f"nets/{i}/starts/step"]
        for c in np.flatnonzero(arrays[f"nets/{i}/unique"] & (arrays[f"nets/{i}/counts"][:, 0] > 0)):
            ev = arrays[f"nets/{i}/eigvals"][c]
            key = (bool(steps[arrays[f"nets/{i}/start"][c]] > 0), float(-ev[0] / np.abs(ev).max()), i, int(c))
            if best is None or key[:2] > best[:2]:
                best = key
    return None if best is None else (best[2], best[3])


def oriented(v: torch.Tensor) -> torch.Tensor:
    """An eigenvector with its largest-magnitude component positive (eigh's sign is arbitrary)."""
    return v * torch.sign(v[torch.argmax(v.abs())])


def saddle_slices(problem: MLPProblem, arrays: dict[str, np.ndarray], i: int, c: int,
                  points: int) -> tuple[dict, dict[str, np.ndarray]]:
    """The loss along two Hessian eigenvectors through saddle c of network i: the most negative
    eigenvalue's (the loss falls either side) and the largest one's (it rises), t ∈ [−r, r], the same
    r for both: r = 0.5·√(loss/|λ_min|) (where the quadratic model would lower the loss by an eighth),
    halved until the loss at both ends along the negative direction is below the saddle's (higher-order
    terms rule further out). Returns (facts, arrays)."""
    theta = torch.tensor(arrays[f"nets/{i}/params"][c], dtype=torch.float64)
    H = hessian(problem, theta)
    lam, vecs = torch.linalg.eigh(0.5 * (H + H.T))
    v_down, v_up = oriented(vecs[:, 0]), oriented(vecs[:, -1])
    loss0 = float(arrays[f"nets/{i}/loss"][c])

    def along(v: torch.Tensor, t: torch.Tensor) -> np.ndarray:
        with torch.no_grad():
            return problem.loss(theta[None] + t[:, None] * v[None]).cpu().numpy()

    r = 0.5 * float(np.sqrt(max(loss0, 1e-12) / abs(float(lam[0]))))
    for _ in range(30):   # shrink to where the quadratic term rules: the loss lower at both ends
        if (along(v_down, torch.tensor([-r, r], dtype=torch.float64)) < loss0).all():
            break
        r /= 2
    t = torch.linspace(-r, r, points, dtype=torch.float64)
    down, up = along(v_down, t), along(v_up, t)
    ev = arrays[f"nets/{i}/eigvals"][c]
    start = int(arrays[f"nets/{i}/start"][c])
    neg, zero, pos = (int(v) for v in arrays[f"nets/{i}/counts"][c])
    facts = {"net": i, "index": c, "n_params": len(ev), "loss": loss0,
             "grad_norm": float(arrays[f"nets/{i}/grad_norm"][c]),
             "negative": neg, "zero": zero, "positive": pos,
             "lambda_min": float(ev[0]), "lambda_max": float(ev[-1]),
             "start_step": int(arrays[f"nets/{i}/starts/step"][start]),
             "start_grad_norm": float(arrays[f"nets/{i}/starts/grad_norm"][start]),
             "start_loss": float(arrays[f"nets/{i}/starts/loss"][start]),
             "radius": r, "down_min": float(down.min()), "up_max": float(up.max())}
    return facts, {"showcase/eigvals": ev, "showcase/t": t.numpy(), "showcase/down": down, "showcase/up": up}


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

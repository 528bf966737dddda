"""step-activation: a network of sign/step units, where backprop's gradient is exactly zero.

The derivative of a step is zero everywhere except at the jump, so for a network built only
from sign/step units the gradient of the loss with respect to every parameter is exactly 0.
SGD and Adam therefore never move (recorded: `grad_norm` is 0 at every step, `params` never
change), while the evolutionary local search, which only compares losses, fits the target.
Every run is repeated over `seeds` seeds (a fresh initial network per seed, shared by all
optimizers of that seed); the numbers shown (mean ± sample sd over seeds) are computed here into
the trace's stats (sim/stats.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import torch
from pydantic import Field, model_validator

from sim.config import Activation, LayerSize, RepeatedConfig, RunConfig, Strict
from sim.experiments import Experiment, ProgressFactory
from sim.expr import Expression, parse_expression
from sim.nets import MLPProblem, MLPSpec, init_params
from sim.recorder import optimizer_kind, record_evolution, record_gradient
from sim.stats import format_spread, spread
from sim.trace import Trace, build_meta, repeat_name


class Data(Strict):
    x_range: tuple[float, float] = (-3.0, 3.0)
    n: int = Field(default=60, ge=2, le=100_000)
    target: Expression = "sign(sin(2*x))"

    @model_validator(mode="after")
    def _ordered(self) -> Data:
        if not self.x_range[0] < self.x_range[1]:
            raise ValueError(f"x_range must be [low, high] with low < high, got {list(self.x_range)}")
        return self


class Net(Strict):
    hidden: tuple[LayerSize, ...] = Field(default=(8, 8), min_length=1, max_length=8)
    activation: Activation = "sign"
    out_activation: Activation = "sign"
    init_scale: float = Field(default=1.0, gt=0, le=100, description="multiplies torch.nn.Linear's init")

    def spec(self) -> MLPSpec:
        return MLPSpec((1, *self.hidden, 1), self.activation, self.out_activation)


class StepActivationConfig(RepeatedConfig):
    experiment: Literal["step-activation"] = "step-activation"
    data: Data = Data()
    net: Net = Net()
    curve_points: int = Field(default=241, ge=2, le=10_000)
    runs: list[RunConfig] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_names(self) -> StepActivationConfig:
        names = [r.name for r in self.runs]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"run names must be unique, {dupes[0]!r} repeats")
        return self


@dataclass
class ZeroSafeProblem:
    """An MLPProblem whose loss stays in the autograd graph even when a step output cuts it.

    `(h > 0)` has no derivative at all in torch; its true derivative is 0 almost everywhere,
    so a loss that no longer depends on params differentiably gets `+ 0·Σθ` (gradient exactly 0).
    """

    inner: MLPProblem

    @property
    def dim(self) -> int:
        return self.inner.dim

    @property
    def n_data(self) -> int:
        return self.inner.n_data

    def loss(self, params: torch.Tensor, idx: torch.Tensor | None = None) -> torch.Tensor:
        out = self.inner.loss(params, idx)
        if params.requires_grad and not out.requires_grad:
            out = out + 0.0 * params.sum()
        return out


def simulate(cfg: StepActivationConfig, name: str, device: str = "cpu",
             progress: ProgressFactory | None = None) -> Trace:
    """Every configured run on every repeat; deterministic for a given seed."""
    torch.manual_seed(cfg.seed)
    dtype = torch.float64
    spec = cfg.net.spec()
    target = parse_expression(cfg.data.target, field="data.target")
    x = torch.linspace(cfg.data.x_range[0], cfg.data.x_range[1], cfg.data.n, dtype=dtype, device=device)
    y = target(x)
    problem = ZeroSafeProblem(MLPProblem(spec, x[:, None], y[:, None]))
    curve_x = torch.linspace(cfg.data.x_range[0], cfg.data.x_range[1], cfg.curve_points, dtype=dtype, device=device)
    arrays: dict[str, np.ndarray] = {
        "data/x": x.cpu().numpy(), "data/y": y.cpu().numpy(),
        "data/curve_x": curve_x.cpu().numpy(), "data/curve_target": target(curve_x).cpu().numpy(),
    }
    runs_meta, timing = {}, {}
    summary: dict[str, dict[str, list[float]]] = {}
    for rep in range(cfg.seeds):
        seed = cfg.seed + rep
        init_gen = torch.Generator(device=device).manual_seed(seed)
        x0 = init_params(spec, init_gen, dtype=dtype, device=device) * cfg.net.init_scale
        for i, run in enumerate(cfg.runs):
            key = repeat_name(run.name, seed, cfg.seed)
            gen = torch.Generator(device=device).manual_seed(seed * 1000 + i + 1)
            tick = progress(f"{name}: {key}", run.steps) if progress else None
            if optimizer_kind(run.optimizer, run.name) == "evolution":
                rec = record_evolution(problem, x0, run, gen, record_population=False, progress=tick)
            else:
                rec = record_gradient(problem, x0, run, gen, escape=1e6, progress=tick, record_grad_norm=True)
            moved = np.abs(rec.arrays["params"] - rec.arrays["params"][0]).max(axis=1)
            rec.arrays["param_change"] = moved  # max |θ_t − θ_0| per step: 0 means the network never moved
            if rep == 0:
                with torch.no_grad():
                    curve = forward_curve(spec, torch.from_numpy(rec.arrays["params"]).to(device), curve_x)
                rec.arrays["curve"] = curve.astype(np.float32)
            with torch.no_grad():   # the data points the final network gets wrong (what ch14 counts)
                final = forward_curve(spec, torch.from_numpy(rec.arrays["params"][-1:]).to(device), x)[0]
            tol = 1e-6 * max(1.0, float(y.abs().max()))
            rec.meta["points_missed"] = int((np.abs(final - y.cpu().numpy()) > tol).sum())
            if moved.max() == 0.0:
                rec.meta["status"] = "stalled"  # not one parameter changed
            rec.meta.update({"group": run.name, "seed": seed, "n_params": spec.n_params})
            gn = rec.arrays.get("grad_norm")
            stats = summary.setdefault(run.name, {"start_loss": [], "final_loss": [], "evals": [],
                                                  "max_grad_norm": [], "max_param_change": []})
            stats["start_loss"].append(float(rec.arrays["loss"][0]))
            stats["final_loss"].append(float(rec.arrays["loss"][-1]))
            stats["evals"].append(float(rec.arrays["evals"][-1]))
            stats["max_grad_norm"].append(float(gn.max()) if gn is not None and len(gn) else math.nan)
            stats["max_param_change"].append(float(moved.max()))
            runs_meta[key] = rec.meta
            timing[key] = rec.wall
            arrays.update({f"runs/{key}/{k}": v for k, v in rec.arrays.items()})
    stats = {"seeds": cfg.seeds, "order": [r.name for r in cfg.runs],
             "runs": {base: {k: spread(v) for k, v in fields.items()} for base, fields in summary.items()}}
    meta = build_meta(name, cfg.model_dump(mode="json"), cfg.seed, runs_meta, {"n_params": spec.n_params}, stats)
    return Trace(meta, arrays, timing)


def forward_curve(spec: MLPSpec, params: torch.Tensor, curve_x: torch.Tensor) -> np.ndarray:
    """The network's output at curve_x for every recorded parameter vector: (T+1, m)."""
    from sim.nets import forward

    out = torch.cat([forward(spec, params[i: i + 256], curve_x[:, None])[..., 0] for i in range(0, len(params), 256)])
    return out.cpu().numpy()


def report(trace: Trace) -> str:
    """Per optimizer, over the seeds: start and final loss, max gradient norm, how far θ moved."""
    st = trace.stats
    cfg = trace.meta["config"]
    rows = [f"network {cfg['net']['activation']}/{cfg['net']['out_activation']} "
            f"activations, {trace.meta['n_params']} parameters, target `{cfg['data']['target']}`; "
            f"mean ± sample sd over {st['seeds']} seeds", "",
            "| run | start loss | final loss | evaluations | max ‖∇L‖ | max abs(θ − θ₀) |",
            "|---|---:|---:|---:|---:|---:|"]
    for base in st["order"]:
        s = st["runs"][base]
        label = trace.run(base).meta.get("label", base)
        rows.append(f"| {label} | {format_spread(s['start_loss'], '.4g', '.2g')} | "
                    f"{format_spread(s['final_loss'], '.4g', '.2g')} | {format_spread(s['evals'], ',.0f')} | "
                    f"{format_spread(s['max_grad_norm'], '.4g', '.2g')} | "
                    f"{format_spread(s['max_param_change'], '.4g', '.2g')} |")
    return "\n".join(rows)


EXPERIMENT = Experiment("step-activation", "a network of sign/step units: backprop's gradient is exactly zero, "
                        "SGD/Adam stand still, evolution fits it", StepActivationConfig, simulate, report)

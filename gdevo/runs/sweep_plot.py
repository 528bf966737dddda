"""The plot of a sweep's chosen metric over its grid (matplotlib, written atomically).

One grid key: a line per run, mean ± sample sd over seeds as error bars. Two or more keys: a
heatmap of the mean over the first two keys, one panel per run and per combination of the
other keys. No grid (seeds only): one bar per run. Axes whose values are positive numbers
spanning more than a decade are drawn on a log scale; heatmap colours use a log norm when the
metric is positive and spans more than a decade.
"""

from __future__ import annotations

import io
import itertools
import math
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sim.trace import atomic_write_bytes

if TYPE_CHECKING:
    from gdevo.runs.sweep import SweepResult

MAX_PANELS = 24


def _numeric(values: list) -> bool:
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)


def _log_axis(values: list) -> bool:
    return _numeric(values) and min(values) > 0 and max(values) / min(values) > 10


def _label(v) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def plot_metric(result: SweepResult, out: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sim.stats import spread

    plan, metric = result.plan, result.plan.spec.metric
    runs = result.runs()
    keys = plan.keys
    stats = {}   # (point, run) -> (mean, sd); NaN where undefined
    for p in plan.points:
        for r in runs:
            s = spread(result.values(p, r, metric))
            stats[(p, r)] = (math.nan if s["mean"] is None else s["mean"], math.nan if s["sd"] is None else s["sd"])
    n_seeds = len(plan.spec.seed_list)
    title = f"sweep {plan.name}: {metric} (mean over {n_seeds} seed{'s' * (n_seeds != 1)})"
    if len(keys) <= 1:
        fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
        if not keys:
            means = [stats[((), r)][0] for r in runs]
            sds = [np.nan_to_num(stats[((), r)][1]) for r in runs]
            ax.bar(runs, means, yerr=sds, capsize=4, color=plt.cm.viridis(np.linspace(0.1, 0.9, len(runs))))
            ax.set_xlabel("run")
        else:
            xs_raw = [p[0] for p in plan.points]
            xs = xs_raw if _numeric(xs_raw) else list(range(len(xs_raw)))
            for r in runs:
                m = [stats[(p, r)][0] for p in plan.points]
                s = [np.nan_to_num(stats[(p, r)][1]) for p in plan.points]
                ax.errorbar(xs, m, yerr=s, marker="o", capsize=3, label=r)
            if _log_axis(xs_raw):
                ax.set_xscale("log")
            if not _numeric(xs_raw):
                ax.set_xticks(xs, [_label(v) for v in xs_raw])
            ax.set_xlabel(keys[0])
            ax.legend(title="run", fontsize="small")
        vals = [v[0] for v in stats.values() if math.isfinite(v[0])]
        if vals and min(vals) > 0 and max(vals) / min(vals) > 10:
            ax.set_yscale("log")
        ax.set_ylabel(metric)
        ax.set_title(title)
        ax.grid(alpha=0.3)
    else:
        fig = _heatmaps(plt, result, stats, runs, title)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    atomic_write_bytes(out, lambda fh: fh.write(buf.getvalue()))
    return out


def _heatmaps(plt, result: SweepResult, stats: dict, runs: list[str], title: str):
    from matplotlib.colors import LogNorm, Normalize

    plan, metric = result.plan, result.plan.spec.metric
    ky, kx = plan.keys[0], plan.keys[1]
    ys, xs = plan.spec.grid[ky], plan.spec.grid[kx]
    rest_keys = plan.keys[2:]
    rests = list(itertools.product(*(plan.spec.grid[k] for k in rest_keys))) if rest_keys else [()]
    panels = [(r, rest) for r in runs for rest in rests][:MAX_PANELS]
    finite = [v[0] for v in stats.values() if math.isfinite(v[0])]
    lo, hi = (min(finite), max(finite)) if finite else (0.0, 1.0)
    norm = LogNorm(lo, hi) if finite and lo > 0 and hi / lo > 10 else Normalize(lo, hi if hi > lo else lo + 1)
    cols = min(len(panels), 3)
    rows = math.ceil(len(panels) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols + 1, 3.6 * rows + 0.6), layout="constrained",
                             squeeze=False)
    image = None
    for ax, (run, rest) in zip(axes.flat, panels, strict=False):
        grid = np.full((len(ys), len(xs)), np.nan)
        for i, yv in enumerate(ys):
            for j, xv in enumerate(xs):
                grid[i, j] = stats[((yv, xv, *rest), run)][0]
        image = ax.imshow(np.ma.masked_invalid(grid), origin="lower", aspect="auto", cmap="viridis", norm=norm)
        for i in range(len(ys)):
            for j in range(len(xs)):
                v = grid[i, j]
                text = f"{v:.2g}" if math.isfinite(v) else "–"
                shade = norm(v) if math.isfinite(v) else 0.0
                ax.text(j, i, text, ha="center", va="center", fontsize=8,
                        color="black" if shade > 0.6 else "white")
        ax.set_xticks(range(len(xs)), [_label(v) for v in xs])
        ax.set_yticks(range(len(ys)), [_label(v) for v in ys])
        ax.set_xlabel(kx)
        ax.set_ylabel(ky)
        extra = ", ".join(f"{k}={_label(v)}" for k, v in zip(rest_keys, rest, strict=True))
        ax.set_title(run + (f" ({extra})" if extra else ""), fontsize=10)
    for ax in list(axes.flat)[len(panels):]:
        ax.set_visible(False)
    if image is not None:
        fig.colorbar(image, ax=axes, label=metric, shrink=0.9)
    shown = "" if len(panels) == len(runs) * len(rests) else f" (first {len(panels)} panels)"
    fig.suptitle(title + shown)
    return fig

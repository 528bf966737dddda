"""The explorer: an offline web page where a reader drives the 2-parameter network themselves.

`build_explorer` reads a 2-parameter landscape trace (sine-2d, local-minimum) through the normal
resolver (cache or simulate), plus the recorded sweeps (hyperparameters grid, function-fit race)
when their traces exist, and writes renders/explorer/: the page's static files (gdevo/web/
explorer/, plain JS + canvas, no library, no network) and data.js with the trace's numbers.
The folder is written under a temporary name and swapped in, so a failed build never leaves a
half-written page.
"""

from __future__ import annotations

import base64
import json
import math
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from gdevo.settings import Settings
from sim.errors import GdevoError

WEB_DIR = Path(__file__).resolve().parent / "explorer"
STATIC = ("index.html", "style.css", "expr.js", "optim.js", "plot.js",   # the page's parts, in load order:
          "state.js", "landscape.js", "charts.js", "live.js", "replays.js", "sweeps.js", "page.js")
KINDS = ("sine-2d", "local-minimum")   # traces with a landscape grid and 2-parameter runs
HYPERPARAMETERS, RACE = "hyperparameters", "function-fit"
SIZE_BUDGET = 2_000_000   # bytes, the whole folder
COLORMAP = "viridis"


@dataclass(frozen=True)
class Explorer:
    """What `build_explorer` wrote."""

    index: Path
    size: int
    sweeps: tuple[str, ...]     # the sweep traces the page shows
    missing: tuple[str, ...]    # sweep traces not simulated yet


def explorer_dir(renders: Path) -> Path:
    return renders / "explorer"


def explorer_page(renders: Path) -> Path:
    """The page `gdevo explore` writes (the deck links to it when it exists)."""
    return explorer_dir(renders) / "index.html"


def _f32(values: np.ndarray) -> str:
    """float32 little-endian, base64: the landscape and sweep curves (display only)."""
    return base64.b64encode(np.ascontiguousarray(values, dtype="<f4").tobytes()).decode("ascii")


def _list(values: np.ndarray, digits: int | None = None) -> Any:
    """JSON-ready nested lists; non-finite values become null; digits rounds for display-only data."""
    arr = np.asarray(values)
    if arr.dtype.kind in "iub":
        return arr.tolist()

    def conv(v: float) -> float | None:
        if not math.isfinite(v):
            return None
        return float(f"{v:.{digits}g}") if digits else float(v)

    return np.vectorize(conv, otypes=[object])(arr.astype(np.float64)).tolist() if arr.ndim else conv(float(arr))


def _colors() -> dict[str, dict[str, str]]:
    """The video's colours for both themes (scenes/kit/palette.py): one per optimizer, plus the theme's own."""
    from scenes.kit.palette import PALETTES

    return {name: {**p.optimizers, "background": p.background, "text": p.text, "muted": p.muted, "data": p.data,
                   "target": p.target}
            for name, p in PALETTES.items()}


def _colormap(name: str = COLORMAP) -> list[list[int]]:
    """matplotlib's perceptual colormap as a 256-entry RGB table, computed at build time."""
    from matplotlib import colormaps

    rgb = colormaps[name](np.linspace(0.0, 1.0, 256))[:, :3]
    return np.round(rgb * 255).astype(int).tolist()


def _variant_colors(names: list[str], colors: dict[str, dict[str, str]]) -> None:
    """Runs that are variants of an optimizer (lr-small, batch-1, ...) shown together get the palette's
    series colours, skipping the four optimizers' own, so replays of one kind stay apart."""
    from scenes.kit.palette import PALETTES

    variants = [n for n in names if n not in colors["dark"]]
    for theme, palette in PALETTES.items():
        main = {colors[theme].get(k, "").upper() for k in ("sgd", "momentum", "adam", "evolution")}
        pool = [c for c in palette.series if c.upper() not in main] + [c for c in palette.series if c.upper() in main]
        for i, name in enumerate(variants):
            colors[theme][name] = pool[i % len(pool)]


def _run_data(run, colors: dict[str, dict[str, str]]) -> dict[str, Any]:
    m = run.meta
    out: dict[str, Any] = {
        "name": run.name, "label": m.get("label", run.name), "kind": run.kind, "optimizer": m["optimizer"],
        "status": m.get("status"), "params": _list(run["params"]), "loss": _list(run["loss"], 8),
        "evals": _list(run["evals"]),
        "source": m.get("source"),   # a project's own optimizer (file, class, sha256, options): no JS twin to replay
    }
    if run.kind == "gradient":
        out.update(lr=m["lr"], momentum=m.get("momentum", 0.0), batch_size=m.get("batch_size"),
                   batch=_list(run["batch"]) if "batch" in run else None)
        kind = "momentum" if m.get("momentum") else m["optimizer"]   # momentum runs share momentum's colour
        for theme in colors.values():
            theme.setdefault(run.name, theme.get(kind, theme["text"]))
    else:
        out.update(sigma_init=m.get("sigma"), sigma_decay=m.get("sigma_decay", 1.0),
                   population_size=m.get("population"))
        if "population" in run:
            out.update(population=_list(run["population"]), winner=_list(run["winner"]),
                       accepted=_list(run["accepted"]))
        for theme in colors.values():
            theme.setdefault(run.name, theme.get("evolution", theme["text"]))
    return out


def _hyperparameters(trace) -> dict[str, Any]:
    task = trace.meta["task"]
    evo_final = np.asarray(trace["evolution/final"], dtype=np.float64)
    sgd_final = np.asarray(trace["sgd/final"], dtype=np.float64)
    sgd_div = np.asarray(trace["sgd/diverged"], dtype=bool)
    finite = np.where(sgd_div | ~np.isfinite(sgd_final), np.nan, sgd_final)
    counts = np.sum(np.isfinite(finite), axis=-1)
    # the mean over the seeds that did not diverge (a cell where all diverged shows "diverged")
    sgd_mean = np.where(counts > 0, np.nansum(finite, axis=-1) / np.maximum(counts, 1), np.nan)
    return {
        "task": task, "seeds": int(evo_final.shape[-1]),
        "evolution": {"rows": _list(trace["evolution/populations"]), "cols": _list(trace["evolution/sigmas"]),
                      "shape": list(trace["evolution/loss"].shape), "loss": _f32(trace["evolution/loss"]),
                      "final": _list(evo_final.mean(axis=-1), 6)},
        "sgd": {"rows": _list(trace["sgd/lrs"]), "cols": _list(trace["sgd/batch_sizes"]),
                "shape": list(trace["sgd/loss"].shape), "loss": _f32(trace["sgd/loss"]),
                "final": _list(sgd_mean, 6), "diverged": _list(sgd_div.any(axis=-1))},
    }


def _race(trace) -> dict[str, Any]:
    """The race's loss curves (every seed) and its numbers at equal evaluations, from the trace's stats."""
    from sim.stats import format_spread

    stats = trace.stats
    runs, groups = [], []
    for group in stats["order"]:
        for r in trace.repeats(group):
            runs.append({"name": r.name, "group": group, "seed": int(r.meta.get("seed", 0)) - int(trace.meta["seed"]),
                         "evals": _list(r["evals"], 6), "loss": _list(r["loss"], 6)})
        g = stats["groups"][group]
        groups.append({"name": group, "label": g["label"],
                       "summary": f"loss {format_spread(g['loss_at_e_star'])} at {stats['e_star']:,.0f} evaluations "
                                  f"(over {g['loss_at_e_star']['of']} seeds; this run: {g['evals']:,.0f} evaluations)"})
    n_params = trace.meta.get("n_params")
    note = (f"A {n_params:,}-parameter MLP fitting {trace.meta['config']['data']['target']}: the same network, "
            "start and data for every optimizer; thick line = first seed.") if n_params else ""
    return {"runs": runs, "groups": groups, "note": note}


def _sweep(name: str, simulate: bool, builder, overrides: list[str],
           settings: Settings) -> tuple[dict[str, Any] | None, str | None]:
    """A sweep's page data when its trace is cached (or `simulate`), else why not."""
    from sim.cache import config_names, ensure_trace, resolve

    where = {"cache": settings.cache, "project": settings.project}
    if name not in config_names():
        return None, f"no {name} experiment in this project's configs"
    if not simulate and not resolve(name, overrides, **where).path.is_file():
        return None, f"not simulated yet: run `gdevo sim {name}`, then `gdevo explore` again"
    return builder(ensure_trace(name, overrides, quiet=True, **where)), None


def _run_order(trace) -> list[str]:
    """Run names in the config's order (meta.json keeps them sorted by name)."""
    order = [r["name"] for r in trace.meta["config"].get("runs", [])]
    return sorted(trace.run_names, key=lambda n: order.index(n) if n in order else len(order))


def explorer_data(trace, settings: Settings, sweeps: bool = True, simulate_sweeps: bool = False,
                  sweep_overrides: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """Everything the page shows, from the trace (and the sweeps' traces)."""
    cfg = trace.meta["config"]
    colors = _colors()
    names = _run_order(trace)
    _variant_colors(names, colors)
    a, b = np.asarray(trace["landscape/a"]), np.asarray(trace["landscape/b"])
    curve_x = np.asarray(trace["data/curve_x"])
    data: dict[str, Any] = {
        "version": 1, "name": trace.meta["experiment"], "model": cfg["model"], "start": list(cfg["start"]),
        "versions": trace.meta.get("versions", {}),
        "data": {"x": _list(trace["data/x"]), "y": _list(trace["data/y"]), "target": cfg["data"]["target"],
                 "curve_x": [float(curve_x[0]), float(curve_x[-1])]},
        "landscape": {"a": _list(a), "b": _list(b), "loss": _f32(trace["landscape/loss"]),
                      "min": _list(trace["landscape/min"]), "min_loss": float(trace["landscape/min_loss"]),
                      "minima": _list(trace.arrays.get("landscape/minima", np.zeros((0, 2))))},
        "colormap": _colormap(),
        # a project's title and theme (gdevo --project DIR sets these); else the page's defaults
        "project": ({"title": settings.title, "theme": settings.theme} if settings.project is not None
                    else {"title": "", "theme": ""}),
        "runs": [_run_data(trace.run(n), colors) for n in names],
        "sweeps": {"hyperparameters": None, "race": None, "missing": {}},
    }
    if sweeps:
        for key, name, builder in (("hyperparameters", HYPERPARAMETERS, _hyperparameters), ("race", RACE, _race)):
            data["sweeps"][key], why = _sweep(name, simulate_sweeps, builder, (sweep_overrides or {}).get(name, []),
                                              settings)
            if why:
                data["sweeps"]["missing"][key] = why
    else:
        data["sweeps"]["missing"] = dict.fromkeys(("hyperparameters", "race"), "sweeps left out (--no-sweeps)")
    data["colors"] = colors
    return data


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def build_explorer(settings: Settings, name: str = "sine-2d", overrides: list[str] | None = None,
                   sweeps: bool = True, simulate_sweeps: bool = False, quiet: bool = True,
                   sweep_overrides: dict[str, list[str]] | None = None) -> Explorer:
    """Write renders/explorer/ (index.html, its scripts and data.js) for the trace NAME.
    `sweep_overrides` ({experiment: ["key=value", ...]}) picks other sweep configs (smaller ones in tests)."""
    from sim.cache import ensure_trace, resolve

    where = {"cache": settings.cache, "project": settings.project}
    kind = resolve(name, overrides, settings.device, **where).kind
    if kind not in KINDS:
        raise GdevoError(f"explore: {name!r} is a {kind} experiment; the explorer needs a 2-parameter landscape "
                         f"({', '.join(KINDS)})")
    trace = ensure_trace(name, overrides, device=settings.device, quiet=quiet, **where)
    data = explorer_data(trace, settings, sweeps=sweeps, simulate_sweeps=simulate_sweeps,
                         sweep_overrides=sweep_overrides)
    out = explorer_dir(settings.renders)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".explorer-", dir=out.parent))
    try:
        tmp.chmod(0o755)   # mkdtemp's 0700 would hide the page from a web server's user
        for f in STATIC:
            shutil.copyfile(WEB_DIR / f, tmp / f)
        payload = json.dumps(data, separators=(",", ":"), allow_nan=False, ensure_ascii=False)
        (tmp / "data.js").write_text(f"window.GDEVO_EXPLORER = {payload};\n", encoding="utf-8")
        size = folder_size(tmp)
        if size > SIZE_BUDGET:
            raise GdevoError(f"explore: the page would be {size / 1e6:.2f} MB, "
                             f"over its {SIZE_BUDGET / 1e6:.0f} MB budget")
        old = out.with_name(f".explorer-old-{tmp.name}")
        if out.exists():
            out.rename(old)
        tmp.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    shown = tuple(k for k in ("hyperparameters", "race") if data["sweeps"][k])
    return Explorer(out / "index.html", size, shown, tuple(data["sweeps"]["missing"]))


def add_deck_slide(deck_html: Path, settings: Settings, deck_dir: Path | None = None) -> bool:
    """Append a "Try it yourself" slide that opens the local explorer to a reveal.js deck, when an
    explorer was written beside the deck (renders/explorer/ next to renders/slides/). `deck_dir`
    is where the deck will finally live (the deck may be written in a staging folder first).
    Returns whether the slide was added."""
    page = explorer_page(settings.renders)
    if not page.is_file():
        return False
    text = deck_html.read_text(encoding="utf-8")
    end = text.rfind("</section>")
    if end < 0:
        return False
    from html import escape

    palette = settings.scene().palette
    link = escape(Path(os.path.relpath(page, deck_dir or deck_html.parent)).as_posix())
    section = (
        f'\n        <section data-gdevo="explorer" data-background-color="{palette.background}" '
        f'style="color: {palette.text}">\n'
        '          <h2 style="color: inherit">Try it yourself</h2>\n'
        '          <p>The 2-parameter landscape of this talk as a web page: click to start SGD, momentum, Adam or '
        'the local search anywhere, change the learning rate, the batch, the target function; the recorded '
        'torch runs replay beside yours.</p>\n'
        f'          <p><a href="{link}" target="_blank" rel="noopener">Open the explorer</a></p>\n'
        f'          <p><small>{link} (works offline)</small></p>\n'
        '          <aside class="notes" data-markdown>Open the explorer and let the audience pick a start point '
        'and a learning rate.</aside>\n'
        '        </section>')
    cut = end + len("</section>")
    deck_html.write_text(text[:cut] + section + text[cut:], encoding="utf-8")
    return True

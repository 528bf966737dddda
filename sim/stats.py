"""Summaries over seeds, computed once at simulation time and stored in the trace.

Scenes and reports show these numbers; they never recompute them, so a number on screen and
the same number in `gdevo report` cannot disagree. One definition of spread everywhere:
the mean and the *sample* standard deviation (ddof = 1) of the finite values, with how many
values were finite (`n`) out of how many there were (`of`). A diverged seed is counted, not
averaged in.

A spread is stored as a JSON object `{"mean", "sd", "n", "of"}` (docs/trace-schema.md);
`sd` is null below two finite values, `mean` is null when none is finite.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

Spread = dict[str, Any]
SPREAD_KEYS = frozenset({"mean", "sd", "n", "of"})


class SpreadModel(BaseModel):
    """The schema of a stored spread (validated when a trace is loaded)."""

    model_config = ConfigDict(extra="forbid")

    mean: float | None
    sd: float | None
    n: int = Field(ge=0)
    of: int = Field(ge=0)

    @model_validator(mode="after")
    def _consistent(self) -> SpreadModel:
        if self.n > self.of:
            raise ValueError(f"n = {self.n} finite values out of of = {self.of}")
        if (self.mean is None) != (self.n == 0):
            raise ValueError("mean must be null exactly when no value is finite")
        if (self.sd is None) != (self.n < 2):
            raise ValueError("sd (sample, ddof=1) must be null exactly when fewer than two values are finite")
        if self.sd is not None and self.sd < 0:
            raise ValueError("sd must be >= 0")
        return self


def _floats(values: Iterable[float | None]) -> np.ndarray:
    return np.asarray([np.nan if v is None else float(v) for v in values], dtype=np.float64)


def spread(values: Iterable[float | None]) -> Spread:
    """Mean and sample sd (ddof=1) of the finite values; None/NaN/inf count in `of` only."""
    a = _floats(values)
    ok = a[np.isfinite(a)]
    return {"mean": float(ok.mean()) if len(ok) else None,
            "sd": float(ok.std(ddof=1)) if len(ok) > 1 else None,
            "n": len(ok), "of": len(a)}


def median_range(values: Iterable[float | None]) -> dict[str, Any]:
    """Median, min and max of the finite values (for counts such as evaluations to a target)."""
    a = _floats(values)
    ok = a[np.isfinite(a)]
    if not len(ok):
        return {"median": None, "min": None, "max": None, "n": 0, "of": len(a)}
    return {"median": float(np.median(ok)), "min": float(ok.min()), "max": float(ok.max()),
            "n": len(ok), "of": len(a)}


def seed_mean(values: np.ndarray, axis: int = -1) -> np.ndarray:
    """Mean over the seed axis; NaN where any seed is non-finite (a cell that diverged once is
    shown as diverged, not as the mean of the seeds that survived)."""
    values = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(values).all(axis=axis)
    with np.errstate(invalid="ignore"):
        return np.where(finite, np.where(np.isfinite(values), values, 0.0).mean(axis=axis), np.nan)


def seed_median(values: np.ndarray, axis: int = -1) -> np.ndarray:
    """Median over the seed axis of the finite values (e.g. the seeds that reached a target);
    NaN where none is finite."""
    values = np.asarray(values, dtype=np.float64)
    finite = np.where(np.isfinite(values), values, np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)   # an all-NaN slice gives NaN, as wanted
        return np.nanmedian(finite, axis=axis)


def best_cell(grid: np.ndarray) -> tuple[int, ...] | None:
    """Index of the smallest finite cell (the first in C order on ties); None when none is finite."""
    grid = np.asarray(grid, dtype=np.float64)
    if not np.isfinite(grid).any():
        return None
    flat = int(np.argmin(np.where(np.isfinite(grid), grid, np.inf)))
    return tuple(int(i) for i in np.unravel_index(flat, grid.shape))


def value_at(values: np.ndarray, xs: np.ndarray, x: float) -> float:
    """The value at the last recorded point with xs <= x: a run's state once it has spent x
    (evaluations, seconds). Before the first point, the first value."""
    i = int(np.searchsorted(np.asarray(xs, dtype=np.float64), x + 1e-9 * max(1.0, abs(x)), side="right")) - 1
    return float(np.asarray(values)[max(i, 0)])


def first_reach(values: np.ndarray, xs: np.ndarray, level: float) -> float | None:
    """xs at the first point where values <= level ("matched after N evaluations"); None: never."""
    hit = np.flatnonzero(np.asarray(values, dtype=np.float64) <= level)
    return float(np.asarray(xs)[hit[0]]) if len(hit) else None


def json_number(v: float | None) -> float | None:
    """A float for meta.json: None where not finite (JSON has no NaN)."""
    return None if v is None or not math.isfinite(v) else float(v)


def format_spread(s: Spread | None, fmt: str | Callable[[float], str] = ".3g",
                  sd_fmt: str | Callable[[float], str] | None = None, count: bool = True) -> str:
    """'mean ± sd' (just 'mean' for one value, '–' for none), with '(n/of)' when some were not finite."""
    if not s or s.get("mean") is None:
        return "–"

    def f(v: float, how) -> str:
        return how(v) if callable(how) else format(v, how)

    text = f(s["mean"], fmt)
    if s.get("sd") is not None:
        text += f" ± {f(s['sd'], sd_fmt or fmt)}"
    if count and s["n"] < s["of"]:
        text += f" ({s['n']}/{s['of']})"
    return text


def check_stats(stats: Any, where: str) -> str | None:
    """The first schema problem in a stats tree (None when fine): every object that has the keys of
    a spread must be a valid spread; everything else must be JSON data."""
    def walk(node: Any, path: str) -> str | None:
        if isinstance(node, dict):
            if SPREAD_KEYS <= node.keys():
                try:
                    SpreadModel.model_validate(node)
                except ValidationError as exc:
                    return f"{where}: stats.{path}: {exc.errors()[0]['msg'].removeprefix('Value error, ')}"
                return None
            for k, v in node.items():
                if not isinstance(k, str):
                    return f"{where}: stats.{path}: keys must be strings"
                bad = walk(v, f"{path}.{k}" if path else k)
                if bad:
                    return bad
            return None
        if isinstance(node, list):
            for i, v in enumerate(node):
                bad = walk(v, f"{path}[{i}]")
                if bad:
                    return bad
            return None
        if node is None or isinstance(node, (str, bool, int)):
            return None
        if isinstance(node, float):
            return None if math.isfinite(node) else f"{where}: stats.{path}: {node} is not a finite number"
        return f"{where}: stats.{path}: {type(node).__name__} is not JSON data"

    if not isinstance(stats, dict):
        return f"{where}: stats must be an object"
    return walk(stats, "")

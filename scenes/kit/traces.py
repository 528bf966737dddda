"""How scenes get their data: the trace for an experiment, from the cache or simulated once.

Scenes never train: they ask sim's trace cache (sim.cache) for the trace and only read it, so a
chapter rendered by plain `manim -ql scenes/X.py Scene` works without gdevo.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.cache import ensure_trace
from sim.stats import Spread, format_spread
from sim.trace import Trace

if TYPE_CHECKING:
    from scenes.kit.settings import SceneSettings


def trace_for(name: str, settings: SceneSettings) -> Trace:
    """The trace of experiment NAME, with the device, cache and project of the scene's SETTINGS."""
    return ensure_trace(name, device=settings.device, quiet=True, cache=settings.cache, project=settings.project)


def pm(stat: Spread | None, fmt=".3g", sd_fmt=None) -> str:
    """A summary stored in the trace (sim/stats.py) as 'mean ± sd' — scenes format, never compute, it."""
    return format_spread(stat, fmt, sd_fmt)


def shown_race(tr: Trace) -> tuple[dict, dict]:
    """A function-fit trace's race as the film shows it, (stats, wall stats): the tuned race when the
    trace was tuned, so chapter 11 and the summary read one number per run."""
    if tr.meta.get("tuning") and "tuned" in tr.stats:
        return tr.stats["tuned"], tr.wall_stats.get("tuned", {})
    return tr.stats, tr.wall_stats

"""How scenes get their data: the trace for an experiment, from the cache or simulated once.

Scenes never train: they ask sim's trace cache (sim.cache) for the trace and only read it, so a
chapter rendered by plain `manim -ql scenes/X.py Scene` works without gdevo.
"""

from __future__ import annotations

import os

from sim.cache import ensure_trace
from sim.stats import Spread, format_spread
from sim.trace import Trace


def trace_for(name: str) -> Trace:
    """The trace of experiment NAME (GDEVO_DEVICE selects the device, as `gdevo render --device`)."""
    return ensure_trace(name, device=os.environ.get("GDEVO_DEVICE") or None, quiet=True)


def pm(stat: Spread | None, fmt=".3g") -> str:
    """A summary stored in the trace (sim/stats.py) as 'mean ± sd' — scenes format, never compute, it."""
    return format_spread(stat, fmt)

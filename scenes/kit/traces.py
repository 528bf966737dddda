"""How scenes get their data: the trace for an experiment, from the cache or simulated once.

Scenes never train: they ask sim's trace cache (sim.cache) for the trace and only read it, so a
chapter rendered by plain `manim -ql scenes/X.py Scene` works without gdevo.
"""

from __future__ import annotations

import os

from sim.cache import ensure_trace
from sim.trace import Trace


def trace_for(name: str) -> Trace:
    """The trace of experiment NAME (GDEVO_DEVICE selects the device, as `gdevo render --device`)."""
    return ensure_trace(name, device=os.environ.get("GDEVO_DEVICE") or None, quiet=True)

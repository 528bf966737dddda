"""How scenes get their data: the trace for an experiment, from the cache or simulated once.

Scenes never train: they ask gdevo's orchestration for the trace and only read it.
"""

from __future__ import annotations

import os

from sim.trace import Trace


def trace_for(name: str) -> Trace:
    """The trace of experiment NAME (GDEVO_DEVICE selects the device, as `gdevo render --device`)."""
    from gdevo.traces import ensure_trace

    return ensure_trace(name, device=os.environ.get("GDEVO_DEVICE") or None, quiet=True)

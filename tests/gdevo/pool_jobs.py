"""Jobs for the local-pool tests: importable by name, as a pool worker needs them."""

from __future__ import annotations

import time


def big_result(index: int, size: int) -> bytes:
    """A result large enough that sending it back takes a while (a trace's bytes, writ large)."""
    time.sleep(0.05)
    return bytes(size)


def endless_simulation(task, expected) -> None:
    """Stands in for gdevo.runs.jobs.simulate_cell: a simulation that never ends, whose process id is
    written to $GDEVO_TEST_SIM_PID (so a test can check the process is gone after Ctrl-C)."""
    import os
    from pathlib import Path

    Path(os.environ["GDEVO_TEST_SIM_PID"]).write_text(str(os.getpid()))
    while True:
        time.sleep(0.05)

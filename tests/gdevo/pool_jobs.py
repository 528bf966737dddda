"""Jobs for the local-pool tests: importable by name, as a pool worker needs them."""

from __future__ import annotations

import time


def big_result(index: int, size: int) -> bytes:
    """A result large enough that sending it back takes a while (a trace's bytes, writ large)."""
    time.sleep(0.05)
    return bytes(size)

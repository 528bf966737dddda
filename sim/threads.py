"""How many CPU threads torch uses while simulating: tiny networks run faster on one thread
than with threads handing work back and forth (measured: up to 20x on a loaded 2-core machine)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch


@contextmanager
def torch_threads(n: int) -> Iterator[None]:
    """Run with n CPU threads (0 = leave torch's default), restoring the previous count after."""
    before = torch.get_num_threads()
    if n:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


"""A simulation asked to stop (ensure_trace's cancel) stops at its next progress tick and caches
nothing; a cancel that is never set changes no byte of the trace."""

from __future__ import annotations

import threading

import pytest

from sim.cache import ensure_trace, resolve
from sim.errors import Cancelled

SMALL = ["landscape.resolution=21"]


class SetAfter(threading.Event):
    """An event that reads as set from its Nth check on: a stop requested mid-run."""

    def __init__(self, n: int) -> None:
        super().__init__()
        self.checks, self.n = 0, n

    def is_set(self) -> bool:
        self.checks += 1
        return self.checks >= self.n


@pytest.mark.parametrize("after", [1, 3])
def test_a_cancelled_simulation_stops_and_caches_nothing(after):
    cancel = SetAfter(after)
    with pytest.raises(Cancelled, match=r"sine-2d: .*stopped"):
        ensure_trace("sine-2d", SMALL, quiet=True, cancel=cancel)
    assert cancel.checks == after   # it stopped at the tick where the stop was seen, not at the end
    assert not resolve("sine-2d", SMALL).path.exists()


def test_a_cancel_never_set_changes_no_byte():
    path = resolve("sine-2d", SMALL).path
    ensure_trace("sine-2d", SMALL, quiet=True)
    plain = path.read_bytes()
    ensure_trace("sine-2d", SMALL, quiet=True, force=True, cancel=threading.Event())
    assert path.read_bytes() == plain

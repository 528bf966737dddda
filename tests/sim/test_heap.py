"""sim/heap.py: a simulating process keeps big freed blocks in its heap instead of unmapping them."""

from __future__ import annotations

import subprocess
import sys

import pytest

PROBE = """
import ctypes, sys
import numpy as np
from sim.heap import keep_freed_memory

class Info(ctypes.Structure):   # glibc's struct mallinfo2
    _fields_ = [(n, ctypes.c_size_t) for n in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
                                               "fsmblks", "uordblks", "fordblks", "keepcost")]

libc = ctypes.CDLL("libc.so.6")
libc.mallinfo2.restype = Info
if sys.argv[1] == "kept":
    assert keep_freed_memory() and keep_freed_memory()   # idempotent
for _ in range(1):   # the first time: glibc then raises its own threshold to the block (its dynamic rule)
    block = np.ones(16 << 20, dtype=np.uint8)   # 16 MB, as an evolution chunk's activations
    del block
print(libc.mallinfo2().arena)
"""


def heap_after(mode: str) -> int:
    """Bytes in the main heap after a 16 MB block was taken and freed once, in a fresh process."""
    out = subprocess.run([sys.executable, "-c", PROBE, mode], capture_output=True, text=True, check=True)
    return int(out.stdout.split()[-1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc")
def test_a_freed_block_stays_in_the_heap_only_when_kept() -> None:
    # by default a 16 MB block is a mapping of its own, returned on free: the heap never holds it
    assert heap_after("default") < 16 << 20
    assert heap_after("kept") >= 16 << 20

"""Keep freed memory in the process while simulating, so big tensors are not paged in again each step.

glibc's malloc serves a block above its mmap threshold with a fresh mapping and unmaps it on free;
below the threshold it trims the top of the heap back to the system once more than the trim threshold
lies free there. An evolution round of image-fit frees and takes back tens of MB of activations per
chunk of children, so every round paid page faults and zeroing for memory it had just returned:
the portrait's local search (one run, 64 rounds of 16 children, one thread) took 7.3–8.6 s by
default and 4.5–4.8 s with both thresholds raised (docs/render-speed.md, "Freed memory kept"),
with the same final loss to the last bit. Raising only one of them did not help (trim alone: 15 s).
Gradient steps and function-fit's small tensors are unchanged. The cost: a simulating process keeps
its peak heap until it exits.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 << 20   # glibc's largest (DEFAULT_MMAP_THRESHOLD_MAX on 64-bit); fixing it ends the dynamic one
TRIM_THRESHOLD = 1 << 30

_done = False


def keep_freed_memory() -> bool:
    """Raise glibc's mmap and trim thresholds for this process, once; False where libc is not glibc."""
    global _done
    if _done:
        return True
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):   # musl and others have no mallopt
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    _done = bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
    return _done

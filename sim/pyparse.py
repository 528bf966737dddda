"""`ast.parse` behind one lock, for every caller in a process.

CPython 3.11's AST constructor keeps its recursion depth in state shared by all threads; two
threads parsing at once can fail with "SystemError: AST constructor recursion depth mismatch"
(python/cpython#106905, fixed in 3.12). gdevo parses on several threads at once: a local pool's
inline jobs validate configs (target expressions) while the render planner reads scene sources.
Seen once in the test suite: a chapter failed on a pool with that SystemError.
"""

from __future__ import annotations

import ast
import threading

_LOCK = threading.Lock()


def parse(source: str, mode: str = "exec") -> ast.AST:
    """ast.parse(SOURCE, mode=MODE), one thread at a time."""
    with _LOCK:
        return ast.parse(source, mode=mode)

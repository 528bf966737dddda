"""Start a client as a terminal would, so a test can Ctrl-C it, and collect it without hanging.

The client gets its own process group (Ctrl-C in a terminal reaches the whole group:
os.killpg(proc.pid, SIGINT)), Python's usual SIGINT handling, and faulthandler on, so that a
client that hangs can be made to print every thread's stack.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def start(args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
    """`python ARGS` in the repository, in a process group of its own, with ENV added."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONFAULTHANDLER": "1", **(env or {})}
    return subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def finish(proc: subprocess.Popen, timeout: float = 60) -> tuple[str, str]:
    """The client's stdout and stderr once it exits; if it hangs, fail with where its threads wait
    (SIGABRT makes faulthandler print every thread's stack)."""
    try:
        return proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGABRT)
        try:
            _, err = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            err = "(no stacks)"
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail(f"the client did not stop within {timeout:.0f} s of Ctrl-C; its threads:\n{err[-6000:]}")

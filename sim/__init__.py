"""gdevo's simulation layer: torch only, never manim.

Runs real optimizers on real tasks and records what they do into traces (see docs/trace-schema.md).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

SIM_DIR = Path(__file__).resolve().parent


@lru_cache(maxsize=1)
def sim_code_version() -> str:
    """Hash of every source file under sim/: a cached trace is stale as soon as sim code changes.

    Hashing the sources (rather than a hand-bumped constant) means nobody can forget to bump it.
    """
    h = hashlib.sha256()
    for path in sorted(SIM_DIR.rglob("*.py")):
        h.update(path.relative_to(SIM_DIR).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def package_version() -> str:
    """The installed gdevo distribution's version, read from its metadata (sim never imports gdevo)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("gdevo")
    except PackageNotFoundError:
        return "unknown"

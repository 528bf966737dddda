"""The registry of experiment kinds. Each module here defines one `EXPERIMENT`.

Adding an experiment is adding a module: it is discovered, no central list to edit.
A config file in configs/ names its kind with `experiment = "..."`.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from pydantic import BaseModel

from sim.trace import Trace

ProgressFactory = Callable[[str, int], Callable[[int], None]]


@dataclass(frozen=True)
class Experiment:
    """An experiment kind: its config model and the function that simulates it into a trace."""

    kind: str
    description: str
    config_model: type[BaseModel]
    simulate: Callable[..., Trace]  # simulate(cfg, name, device, progress) -> Trace
    report: Callable[[Trace], str] | None = None  # Markdown table for `gdevo report` (default: per-run table)


@lru_cache(maxsize=1)
def registry() -> dict[str, Experiment]:
    found: dict[str, Experiment] = {}
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        exp = getattr(module, "EXPERIMENT", None)
        if isinstance(exp, Experiment):
            found[exp.kind] = exp
    return dict(sorted(found.items()))

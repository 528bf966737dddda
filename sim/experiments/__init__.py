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

    def run(self, cfg: BaseModel, name: str, device: str, progress: ProgressFactory | None = None) -> Trace:
        """Simulate with the config's torch thread count (every caller goes through here).

        One thread is the default: these networks are small, and a second thread fighting a
        render for the other core made image-fit 3x slower (`gdevo render all` on 2 cores). Freed
        memory stays in the process (sim/heap.py: image-fit's local search 1.6x faster)."""
        from sim.heap import keep_freed_memory
        from sim.threads import torch_threads

        keep_freed_memory()
        with torch_threads(int(getattr(cfg, "threads", 1))):
            return self.simulate(cfg, name, device, progress)


@lru_cache(maxsize=1)
def registry() -> dict[str, Experiment]:
    found: dict[str, Experiment] = {}
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        exp = getattr(module, "EXPERIMENT", None)
        if isinstance(exp, Experiment):
            found[exp.kind] = exp
    return dict(sorted(found.items()))

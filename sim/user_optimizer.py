"""A project's own optimizer: `optimizer = "lion.py:Lion"` in a run names a Python file (relative to
the project folder) and a class in it -- a torch.optim.Optimizer subclass or an ask/tell searcher.

The file is the user's own code and runs as such (imported from its path with importlib, like a
manim scene file). Whatever goes wrong with it -- no file, no such class, a class that is neither
kind, an exception in its constructor, step, ask or tell -- is one OptimizerError line naming the
file and the run. The file's bytes are part of the trace's cache key (`spec_digests`), so editing
it re-simulates.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.errors import GdevoError, reason

SPEC = re.compile(r"^(?P<file>[^:]+\.py):(?P<cls>[A-Za-z_][A-Za-z0-9_]*)$")
STRUCTURAL = frozenset({"name", "label", "optimizer", "steps", "batch_size", "batch_pixels"})
"""Run keys that shape the run rather than the optimizer: never passed to a user's constructor."""


class OptimizerError(GdevoError):
    """A project's optimizer file cannot be used, or its code raised while optimizing."""


def is_spec(name: str) -> bool:
    """Whether an `optimizer` value names a file and class (FILE.py:CLASS) rather than a registry entry."""
    return bool(SPEC.match(name))


@dataclass(frozen=True)
class UserOptimizer:
    """A loaded class from a project's file: its kind ('gradient' or 'evolution') and where it came from."""

    file: Path
    name: str
    cls: type
    kind: str
    sha256: str

    def source(self, options: dict[str, Any]) -> dict[str, Any]:
        """What a run's trace metadata says about the code that made it."""
        return {"file": str(self.file), "class": self.name, "sha256": self.sha256, "options": options}


_loaded: dict[tuple[str, str], UserOptimizer] = {}


def load(spec: str, run: str = "?") -> UserOptimizer:
    """Import FILE.py and take CLASS (cached by the file's contents); OptimizerError otherwise."""
    m = SPEC.match(spec)
    if m is None:
        raise OptimizerError(f"run {run!r}: optimizer {spec!r} is not FILE.py:CLASS")
    path = Path(m["file"]).expanduser()
    if not path.is_file():
        raise OptimizerError(f"{path}: no such file (optimizer of run {run!r}; a path relative to the project folder)")
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    key = (str(path.resolve()), m["cls"])
    hit = _loaded.get(key)
    if hit is not None and hit.sha256 == digest:
        return hit
    module_name = f"gdevo_user_optimizer_{digest[:12]}"
    try:
        loader_spec = importlib.util.spec_from_file_location(module_name, path)
        module = importlib.util.module_from_spec(loader_spec)   # type: ignore[arg-type]
        sys.modules[module_name] = module   # dataclasses and pickling look classes up by module
        loader_spec.loader.exec_module(module)   # type: ignore[union-attr]
    except Exception as exc:   # the user's code: any failure is their file's, said in one line
        sys.modules.pop(module_name, None)
        raise OptimizerError(f"{path}: importing it failed for run {run!r} ({one_line(exc)})") from None
    cls = getattr(module, m["cls"], None)
    if not isinstance(cls, type):
        found = sorted(n for n, v in vars(module).items() if isinstance(v, type) and v.__module__ == module_name)
        raise OptimizerError(f"{path}: no class {m['cls']!r} for run {run!r} (classes there: "
                             f"{', '.join(found) or 'none'})")
    import torch  # here, not at import: resolving a config must not load torch

    if issubclass(cls, torch.optim.Optimizer):
        kind = "gradient"
    elif callable(getattr(cls, "ask", None)) and callable(getattr(cls, "tell", None)):
        kind = "evolution"
    else:
        raise OptimizerError(f"{path}: {m['cls']} (run {run!r}) is neither a torch.optim.Optimizer subclass nor "
                             "an ask/tell searcher")
    found_opt = UserOptimizer(path.resolve(), m["cls"], cls, kind, digest)
    _loaded[key] = found_opt
    return found_opt


def one_line(exc: BaseException) -> str:
    return " ".join(reason(exc).split())


def options_of(run: Any) -> dict[str, Any]:
    """The keys a run set for its own optimizer's constructor: everything but the structural ones."""
    extra = dict(getattr(run, "model_extra", None) or {})
    chosen = {k: getattr(run, k) for k in sorted(run.model_fields_set) if k not in STRUCTURAL}
    return dict(sorted({**chosen, **extra}.items()))


def guarded(fn: Callable[..., Any], where: str) -> Callable[..., Any]:
    """FN, with any exception it raises turned into one OptimizerError line saying WHERE."""
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except GdevoError:
            raise
        except Exception as exc:   # the user's code
            raise OptimizerError(f"{where}: {fn.__name__}() raised {one_line(exc)}") from None
    return call


def spec_digests(data: Any) -> list[str]:
    """sha256 of every optimizer file a validated config's runs name (for the cache key)."""
    found: list[str] = []
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "optimizer" and isinstance(value, str) and is_spec(value):
                path = Path(SPEC.match(value)["file"])   # type: ignore[index]
                found.append(hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "missing")
            else:
                found += spec_digests(value)
    elif isinstance(data, list):
        for item in data:
            found += spec_digests(item)
    return found

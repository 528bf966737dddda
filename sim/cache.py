"""Resolve a named experiment to its trace: load it from the cache or simulate it once.

This sits in sim/ (below scenes and gdevo) so a scene rendered by plain `manim` gets its trace
the same way `gdevo` does. Names are the config files in configs/ (`configs/NAME.toml`). The
cache key hashes the validated config, the sim code version and the device, so an unchanged run
is never simulated twice and a changed one is never served stale (a project's own optimizer file
is hashed into the key too: editing it re-simulates).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel

from sim import SIM_DIR, sim_code_version
from sim.config import apply_overrides, config_hash, read_toml, validate_config
from sim.errors import Cancelled, ConfigError, TraceError
from sim.linked import link
from sim.overrides import apply_project_overrides
from sim.trace import Trace, atomic_write_bytes, load_trace, save_trace
from sim.user_optimizer import spec_digests

ROOT = SIM_DIR.parent
"""The tree that holds sim/, configs/ and assets/ (a source checkout or an editable install)."""
CONFIG_DIR = ROOT / "configs"

ProgressFactory = Callable[[str, int], Callable[..., None]]
"""A factory of progress callbacks: (label, total) -> advance(n=1)."""


DEFAULT_CACHE = ROOT / ".cache" / "traces"
"""Where traces are cached unless a caller names another folder (gdevo's settings, a scene's)."""


def config_names() -> list[str]:
    return sorted(p.stem for p in CONFIG_DIR.glob("*.toml"))


def config_path(name: str) -> Path:
    """The config file of experiment NAME (the one place a name becomes a file)."""
    return CONFIG_DIR / f"{name}.toml"


def preset_device(name: str) -> str:
    """The device NAME's config asks for, read without validating (so a cuda preset on a machine
    without CUDA can be skipped by `sim --all` / `report` instead of stopping them)."""
    path = config_path(name)
    return str(read_toml(path).get("device", "cpu")) if path.is_file() else "cpu"


@dataclass(frozen=True)
class Resolved:
    """A named, validated config and where its trace lives."""

    name: str
    kind: str
    config: BaseModel
    path: Path


def config_data(name: str, overrides: list[str] | None = None, device: str | None = None,
                config_file: Path | None = None, project: Path | None = None) -> tuple[dict, str]:
    """NAME's raw config (PROJECT's overrides file, OVERRIDES and DEVICE applied, not validated) and
    its source."""
    source = str(config_file)
    if config_file is None:
        config_file = config_path(name)
        if not config_file.is_file():
            raise ConfigError(f"unknown experiment {name!r}; known: {', '.join(config_names()) or 'none'}")
        data, source = apply_project_overrides(name, read_toml(config_file), str(config_file), project)
    else:
        data = read_toml(config_file)
    data = apply_overrides(data, list(overrides or []))
    if device is not None:
        data["device"] = device

    def read(other: str) -> dict:
        if other == name:
            raise ConfigError(f"{source}: like = {other!r} names this experiment itself")
        return config_data(other, project=project)[0]

    return link(data, read, source), source


def resolve(name: str, overrides: list[str] | None = None, device: str | None = None,
            config_file: Path | None = None, here: bool = True, cache: Path | None = None,
            project: Path | None = None) -> Resolved:
    """Validate NAME's config (plus PROJECT's overrides file, OVERRIDES, DEVICE) and compute its
    path in the CACHE folder (default DEFAULT_CACHE).

    HERE=False resolves a run meant for another machine (a Dask worker with a GPU), so a cuda
    config is not refused because this machine has no CUDA."""
    from sim.experiments import registry

    data, source = config_data(name, overrides, device, config_file, project)
    kind = data.get("experiment")
    experiments = registry()
    if kind not in experiments:
        raise ConfigError(f"{source}: experiment = {kind!r} is not a known kind "
                          f"({', '.join(experiments)})")
    cfg = validate_config(experiments[kind].config_model, data, source)
    dev = getattr(cfg, "device", "cpu")
    if dev == "cuda" and here:
        import torch

        if not torch.cuda.is_available():
            raise ConfigError(f"{name}: device 'cuda' requested but torch sees no CUDA device here; use --device cpu")
    key = config_hash(cfg, sim_code_version(), dev, *spec_digests(cfg.model_dump(mode="json")))
    return Resolved(name, kind, cfg, Path(cache or DEFAULT_CACHE) / f"{name}-{key}.npz")


def ensure_trace(name: str, overrides: list[str] | None = None, device: str | None = None,
                 force: bool = False, config_file: Path | None = None, quiet: bool = False,
                 cancel: threading.Event | None = None, cache: Path | None = None,
                 project: Path | None = None) -> Trace:
    """The trace for NAME: from the cache when valid, otherwise simulated and cached.

    CANCEL, when set, stops a simulation at its next progress tick (raising Cancelled, nothing
    cached): a simulation in a thread cannot be interrupted otherwise, and an interpreter that
    exits while torch runs in a thread aborts.
    """
    cache = Path(cache or DEFAULT_CACHE)
    data = config_data(name, overrides, device, config_file, project)[0]
    if not force:
        known = indexed_trace(cache, name, data)
        if known is not None:
            return known
    res = resolve(name, overrides, device, config_file, cache=cache, project=project)
    if res.path.is_file() and not force:
        try:
            trace = load_trace(res.path)
            remember(data, res)
            return trace
        except TraceError:
            pass  # a damaged cache entry is simply re-simulated (and replaced atomically)
    from sim.experiments import registry

    exp = registry()[res.kind]
    with progress_bars(quiet) as progress:
        trace = exp.run(res.config, name, getattr(res.config, "device", "cpu"), cancellable(progress, cancel))
    save_trace(trace, res.path)
    remember(data, res)
    return trace


# ---------------------------------------------------------------- the index: raw config -> trace file
# Validating a config imports torch (expressions and activations are checked by evaluating them),
# which costs a scene process 1.4 s of its start-up when all it does is read a cached trace. The
# index maps the *raw* config (the TOML with project overrides, overrides and device applied) plus
# the sim code version to the trace file that resolve() named for it, so a cached trace loads
# without validating again. That is exact because a validated config is a function of its raw
# data and the sim code, except where validation reads something else: a computed field (such as
# image-fit's image digest, which changes when the image file does), a project's own optimizer
# file (its bytes are part of the key) or the CUDA check. Configs with any of these are never
# indexed; they always go through resolve().

def index_path(cache: Path, name: str, data: dict) -> Path:
    """Where the index entry of NAME's raw config DATA lives in the CACHE folder."""
    blob = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str) + "|" + sim_code_version()
    return cache / "index" / f"{name}-{hashlib.sha256(blob.encode()).hexdigest()[:16]}.json"


def indexed_trace(cache: Path, name: str, data: dict) -> Trace | None:
    """The trace in CACHE the index names for this raw config, or None (not indexed, gone, damaged)."""
    try:
        entry = json.loads(index_path(cache, name, data).read_text(encoding="utf-8"))
        path = cache / Path(str(entry["trace"])).name
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not path.is_file():
        return None
    try:
        return load_trace(path)
    except TraceError:
        return None


def remember(data: dict, res: Resolved) -> None:
    """Index RES's trace under its raw config DATA (atomically; see above for what is never indexed)."""
    if (getattr(res.config, "device", "cpu") != "cpu" or _has_computed_fields(res.config)
            or spec_digests(res.config.model_dump(mode="json"))):
        return
    body = json.dumps({"trace": res.path.name}).encode()
    atomic_write_bytes(index_path(res.path.parent, res.name, data), lambda fh: fh.write(body))


def _has_computed_fields(value) -> bool:
    if isinstance(value, BaseModel):
        return bool(type(value).model_computed_fields) or any(
            _has_computed_fields(getattr(value, f)) for f in type(value).model_fields)
    if isinstance(value, (list, tuple)):
        return any(_has_computed_fields(v) for v in value)
    if isinstance(value, dict):
        return any(_has_computed_fields(v) for v in value.values())
    return False


def cancellable(progress: ProgressFactory | None, cancel: threading.Event | None) -> ProgressFactory | None:
    """PROGRESS whose ticks raise Cancelled once CANCEL is set (PROGRESS unchanged without CANCEL)."""
    if cancel is None:
        return progress

    def factory(label: str, total: int) -> Callable[..., None]:
        advance = progress(label, total) if progress else None

        def tick(n: int = 1) -> None:
            if cancel.is_set():
                raise Cancelled(f"{label}: stopped")
            if advance:
                advance(n)
        return tick
    return factory


@contextmanager
def progress_bars(quiet: bool = False) -> Iterator[ProgressFactory | None]:
    """A factory of rich progress bars, one per run, shown on stderr (None when quiet)."""
    if quiet:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=Console(stderr=True), transient=False) as bar:
        def factory(label: str, total: int):
            task = bar.add_task(label, total=total)
            return lambda n=1: bar.advance(task, n)

        yield factory

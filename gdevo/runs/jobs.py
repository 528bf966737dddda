"""What runs on a worker (a local pool process or a Dask worker): pure functions in, bytes out.

A worker shares no filesystem with the client. It gets a validated config, simulates it in a
scratch folder of its own, and returns the trace file's bytes; the client writes them into its
cache atomically. Every job carries the client's identity (gdevo version + sim code hash) and
the worker refuses work when its own differs, so no trace is ever cached under a key that the
worker's code did not produce.
"""

from __future__ import annotations

import os
import platform
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.errors import GdevoError, reason

# What a worker imports before its first job: the local pool's forkserver imports these once for
# every process it forks, and `dask worker --preload gdevo.runs.jobs` at start-up (dask_setup below).
# torch._dynamo is what the first torch.optim optimizer imports lazily (measured: 5 of a cold
# cell's 6 s on a loaded machine).
PRELOAD = ["torch", "torch._dynamo", "sim.experiments", "gdevo.runs.jobs"]
_scratch: str | None = None   # a local pool's scratch folder (set in each pool process)


def dask_setup(worker) -> None:
    """Dask's preload hook (`dask worker --preload gdevo.runs.jobs`): import PRELOAD at start-up."""
    import importlib

    for name in PRELOAD:
        importlib.import_module(name)


class VersionMismatch(GdevoError):
    """A worker runs other gdevo code than the client."""


def identity() -> dict[str, str]:
    """What must match between client and workers: the gdevo version and the sim code hash."""
    from sim import package_version, sim_code_version

    return {"gdevo": package_version(), "sim": sim_code_version()}


def describe(ident: dict[str, str]) -> str:
    return f"gdevo {ident.get('gdevo', '?')} (sim code {ident.get('sim', '?')})"


def check_identity(expected: dict[str, str]) -> None:
    mine = identity()
    if mine != expected:
        raise VersionMismatch(f"worker {platform.node()} runs {describe(mine)}, the client {describe(expected)}; "
                              "install the client's gdevo on every worker (see README: Sweeps on a cluster)")


def worker_name() -> str:
    """Which worker ran a job: the Dask worker's name, else host and process id."""
    try:
        from distributed import get_worker

        return str(get_worker().name)
    except (ImportError, ValueError):
        return f"{platform.node()}:{os.getpid()}"


@dataclass(frozen=True)
class Failed:
    """A job's own failure, sent back as a value instead of raised, so the other jobs of its batch
    still run (a chapter that does not render, a trace that does not simulate)."""

    message: str
    worker: str


def failure_as_value(fn: Callable[..., Any], *args: Any) -> Any:
    """Worker side: FN(*ARGS), or Failed when it raises (a lost worker still stops the batch)."""
    try:
        return fn(*args)
    except Exception as exc:   # any failure of this one job
        return Failed(reason(exc), worker_name())


def set_scratch(folder: str | None) -> None:
    global _scratch
    _scratch = folder


def scratch_root() -> str | None:
    """Where a worker keeps its temporary files: the Dask worker's own directory (Dask purges a
    killed worker's directory on the next start), else the local pool's folder, else the system's."""
    try:
        from distributed import get_worker

        return get_worker().local_directory
    except (ImportError, ValueError):
        return _scratch


@dataclass(frozen=True)
class CellTask:
    """One trace to simulate: everything a worker needs, nothing that names a client path."""

    name: str
    kind: str
    config: dict[str, Any]      # the validated config, as JSON data
    device: str
    key: str                    # the client's cache key; the worker must arrive at the same one


def task_for(res) -> CellTask:
    """The task that simulates a resolved config (sim.cache.Resolved) into its cached trace."""
    device = str(getattr(res.config, "device", "cpu"))
    return CellTask(res.name, res.kind, res.config.model_dump(mode="json", exclude_computed_fields=True), device,
                    res.path.name.removeprefix(f"{res.name}-").removesuffix(".npz"))


@dataclass(frozen=True)
class CellResult:
    key: str
    trace: bytes
    timing: bytes | None        # the wall-time sidecar (not part of the byte-identical trace)
    seconds: float
    worker: str


def simulate_cell(task: CellTask, expected: dict[str, str]) -> CellResult:
    """Simulate TASK and return its trace file's bytes (written by the same save_trace as `gdevo sim`)."""
    from sim import sim_code_version
    from sim.config import config_hash, validate_config
    from sim.experiments import registry
    from sim.trace import save_trace, timing_path

    check_identity(expected)
    t0 = time.perf_counter()
    cfg = validate_config(registry()[task.kind].config_model, task.config, f"{task.name} (sent to worker)")
    key = config_hash(cfg, sim_code_version(), task.device)
    if key != task.key:
        raise VersionMismatch(f"{task.name}: worker {platform.node()} computes cache key {key}, the client "
                              f"{task.key}; install the client's gdevo on every worker")
    trace = registry()[task.kind].run(cfg, task.name, task.device)
    with tempfile.TemporaryDirectory(prefix="gdevo-cell-", dir=scratch_root()) as tmp:
        path = Path(tmp) / f"{task.name}-{key}.npz"
        save_trace(trace, path)
        timing = timing_path(path)
        return CellResult(key, path.read_bytes(), timing.read_bytes() if timing.is_file() else None,
                          time.perf_counter() - t0, worker_name())

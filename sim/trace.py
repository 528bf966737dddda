"""The trace: the one contract between the simulation and the scenes (docs/trace-schema.md).

A trace is a zip of `.npy` members plus `meta.json` (so `numpy.load` opens it too), written
byte-for-byte deterministically: fixed member timestamps, sorted members, sorted JSON keys.
Measured wall-clock times are not reproducible, so they live in a sidecar `*.timing.json`
(with the summaries derived from them, e.g. losses at equal wall time) that `load_trace`
merges back in; the trace file itself is identical for the same config.

Schema version 2 adds `meta["stats"]`: the summaries over seeds that scenes and reports show
(sim/stats.py), and one naming of repeat runs (`repeat_name`).
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.errors import TraceError
from sim.stats import check_stats

SCHEMA_VERSION = 2
_EPOCH = (1980, 1, 1, 0, 0, 0)

# Arrays every run of a kind must have; all share the leading "step" axis of length T+1
# (index 0 is the start). Evolution adds per-round (R = T) arrays when its population is recorded.
RUN_REQUIRED: dict[str, tuple[str, ...]] = {
    "gradient": ("params", "loss", "evals"),
    "evolution": ("params", "loss", "evals"),
}
EVOLUTION_POPULATION = ("population", "pop_loss", "winner", "accepted")
META_REQUIRED = ("schema_version", "experiment", "config", "seed", "sim_version", "versions", "runs", "arrays",
                 "stats")


def seed_name(name: str, seed: int) -> str:
    """NAME@seedS: run NAME with seed S ('@' never occurs in a configured run name, so no clash)."""
    return f"{name}@seed{seed}"


def repeat_name(name: str, seed: int, first_seed: int) -> str:
    """The trace name of run NAME repeated with `seed`: NAME itself for the first seed, else NAME@seedS."""
    return name if seed == first_seed else seed_name(name, seed)


@dataclass
class Run:
    """A read-only view of one recorded optimizer run inside a trace."""

    name: str
    meta: dict[str, Any]
    arrays: dict[str, np.ndarray]
    wall: np.ndarray | None = None

    @property
    def kind(self) -> str:
        return str(self.meta["kind"])

    def __getitem__(self, key: str) -> np.ndarray:
        return self.arrays[key]

    def get(self, key: str) -> np.ndarray | None:
        return self.arrays.get(key)

    def __contains__(self, key: str) -> bool:
        return key in self.arrays

    @property
    def steps(self) -> int:
        return len(self.arrays["loss"]) - 1


@dataclass
class Trace:
    """A loaded (or freshly simulated) trace: metadata, named arrays, optional wall-clock times."""

    meta: dict[str, Any]
    arrays: dict[str, np.ndarray]
    timing: dict[str, list[float]] = field(default_factory=dict)
    path: Path | None = None
    wall_stats: dict[str, Any] = field(default_factory=dict)
    """Summaries derived from wall times (sim/stats.py); in the timing sidecar, not the trace bytes."""

    @property
    def experiment(self) -> str:
        return str(self.meta["experiment"])

    @property
    def run_names(self) -> list[str]:
        return list(self.meta["runs"])

    def run(self, name: str) -> Run:
        if name not in self.meta["runs"]:
            raise TraceError(f"{self._where()}: no run named {name!r} (runs: {', '.join(self.run_names)})")
        prefix = f"runs/{name}/"
        arrays = {k[len(prefix):]: v for k, v in self.arrays.items() if k.startswith(prefix)}
        wall = self.timing.get(name)
        return Run(name, self.meta["runs"][name], arrays, None if wall is None else np.asarray(wall))

    def runs(self) -> list[Run]:
        return [self.run(n) for n in self.run_names]

    def repeats(self, group: str) -> list[Run]:
        """Every seed's run of GROUP (run meta `group`), in seed order; the first seed's run is GROUP."""
        found = [self.run(n) for n, m in self.meta["runs"].items() if m.get("group", n) == group]
        if not found:
            raise TraceError(f"{self._where()}: no runs of {group!r} (runs: {', '.join(self.run_names)})")
        return sorted(found, key=lambda r: int(r.meta.get("seed", 0)))

    @property
    def stats(self) -> dict[str, Any]:
        """The summaries computed at simulation time (sim/stats.py; docs/trace-schema.md)."""
        return self.meta["stats"]

    def __getitem__(self, key: str) -> np.ndarray:
        return self.arrays[key]

    def _where(self) -> str:
        return str(self.path) if self.path else f"trace {self.meta.get('experiment', '?')}"


def build_meta(experiment: str, config: dict[str, Any], seed: int, runs: dict[str, dict[str, Any]],
               extra: dict[str, Any] | None = None, stats: dict[str, Any] | None = None) -> dict[str, Any]:
    """The metadata block every trace carries: what ran, with which code and libraries."""
    import torch

    from sim import package_version, sim_code_version

    meta = {
        "schema_version": SCHEMA_VERSION,
        "experiment": experiment,
        "config": config,
        "seed": seed,
        "sim_version": sim_code_version(),
        "versions": {"gdevo": package_version(), "torch": torch.__version__, "numpy": np.__version__},
        "runs": runs,
        "stats": stats or {},
    }
    if extra:
        meta.update(extra)
    return meta


def _npy_bytes(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, np.asarray(arr, order="C"), allow_pickle=False)
    return buf.getvalue()


def _member(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_EPOCH)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def atomic_write_bytes(path: Path, write) -> None:
    """Write via `write(file)` to a temporary name beside `path`, then rename over it.

    A crash or a bad input never leaves a half-written file under the real name.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; outputs get the usual permissions
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_trace(trace: Trace, path: Path) -> Path:
    """Validate and write `trace` atomically; the timing sidecar is written beside it."""
    path = Path(path)
    meta = dict(trace.meta)
    meta["arrays"] = {k: {"shape": list(v.shape), "dtype": v.dtype.str} for k, v in sorted(trace.arrays.items())}
    validate(meta, trace.arrays, str(path))
    bad = check_stats(trace.wall_stats, f"{timing_path(path)}")   # checked before anything is written
    if bad:
        raise TraceError(bad)

    def write(fh) -> None:
        with zipfile.ZipFile(fh, "w") as zf:
            zf.writestr(_member("meta.json"), json.dumps(meta, sort_keys=True, indent=1))
            for name in sorted(trace.arrays):
                zf.writestr(_member(name + ".npy"), _npy_bytes(trace.arrays[name]))

    atomic_write_bytes(path, write)
    if trace.timing or trace.wall_stats:
        body = json.dumps({"wall_s": trace.timing, "stats": trace.wall_stats}, sort_keys=True).encode()
        atomic_write_bytes(timing_path(path), lambda fh: fh.write(body))
    trace.meta, trace.path = meta, path
    return path


def timing_path(path: Path) -> Path:
    return path.with_name(path.name.removesuffix(".npz") + ".timing.json")


def load_trace(path: Path) -> Trace:
    """Load and validate a trace; any problem is one TraceError sentence naming the file."""
    path = Path(path)
    if not path.is_file():
        raise TraceError(f"{path}: no such trace file")
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            if "meta.json" not in names:
                raise TraceError(f"{path}: not a gdevo trace (no meta.json inside)")
            meta = json.loads(zf.read("meta.json"))
            if not isinstance(meta, dict):
                raise TraceError(f"{path}: meta.json is not an object")
            version = meta.get("schema_version")
            if version != SCHEMA_VERSION:
                raise TraceError(
                    f"{path}: trace schema version {version!r}, this gdevo reads version {SCHEMA_VERSION}; "
                    "re-run `gdevo sim` to regenerate it"
                )
            manifest = meta.get("arrays")
            if not isinstance(manifest, dict):
                raise TraceError(f"{path}: meta.json has no 'arrays' manifest")
            arrays = {}
            for name in manifest:
                if name + ".npy" not in names:
                    raise TraceError(f"{path}: array {name!r} is listed but missing")
                arrays[name] = np.lib.format.read_array(io.BytesIO(zf.read(name + ".npy")), allow_pickle=False)
    except TraceError:
        raise
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError, json.JSONDecodeError) as exc:
        raise TraceError(f"{path}: corrupt or truncated trace ({type(exc).__name__}: {exc})") from None
    validate(meta, arrays, str(path))
    timing: dict[str, list[float]] = {}
    wall_stats: dict[str, Any] = {}
    tpath = timing_path(path)
    if tpath.is_file():
        try:
            side = json.loads(tpath.read_text())
            timing = side["wall_s"]
            wall_stats = side.get("stats", {})
            if not isinstance(timing, dict) or check_stats(wall_stats, str(tpath)):
                raise TypeError
        except (ValueError, KeyError, TypeError, AttributeError):
            timing, wall_stats = {}, {}  # timing is advisory; a damaged sidecar never blocks the trace
    return Trace(meta, arrays, timing, path, wall_stats)


def validate(meta: dict[str, Any], arrays: dict[str, np.ndarray], where: str) -> None:
    """Check the schema: required metadata, the manifest, and each run's arrays and shapes."""
    missing = [k for k in META_REQUIRED if k not in meta]
    if missing:
        raise TraceError(f"{where}: missing field {missing[0]!r} in meta.json")
    bad = check_stats(meta["stats"], where)
    if bad:
        raise TraceError(bad)
    for name, spec in meta["arrays"].items():
        arr = arrays.get(name)
        if arr is None:
            raise TraceError(f"{where}: array {name!r} is listed but missing")
        if list(arr.shape) != list(spec["shape"]) or arr.dtype.str != spec["dtype"]:
            raise TraceError(f"{where}: array {name!r} has shape {arr.shape} {arr.dtype}, manifest says "
                             f"{tuple(spec['shape'])} {spec['dtype']}")
    for run, rmeta in meta["runs"].items():
        kind = rmeta.get("kind")
        for key in RUN_REQUIRED.get(kind, ()):
            if f"runs/{run}/{key}" not in arrays:
                raise TraceError(f"{where}: run {run!r} ({kind}) lacks required array {key!r}")
        if kind in RUN_REQUIRED:
            n = len(arrays[f"runs/{run}/loss"])
            for key in ("params", "evals", "curve"):
                a = arrays.get(f"runs/{run}/{key}")
                if a is not None and len(a) != n:
                    raise TraceError(f"{where}: run {run!r}: {key!r} has {len(a)} steps, loss has {n}")
        if kind == "evolution" and f"runs/{run}/population" in arrays:
            rounds = len(arrays[f"runs/{run}/loss"]) - 1
            for key in EVOLUTION_POPULATION:
                a = arrays.get(f"runs/{run}/{key}")
                if a is None or len(a) != rounds:
                    raise TraceError(f"{where}: run {run!r}: {key!r} must have one entry per round ({rounds})")

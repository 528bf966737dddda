"""gdevo sim NAME | --all: simulate experiments into cached traces.

`--all` runs the experiments that are not cached yet on an executor: a local process pool (one
process per core) or, with --scheduler, a Dask cluster (cuda presets then go to GPU workers).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from gdevo.commands.sweep import add_executor_args
from sim.errors import GdevoError

if TYPE_CHECKING:
    from gdevo.settings import Settings

NAME = "sim"


def register(sub) -> None:
    p = sub.add_parser(NAME, help="simulate an experiment into a cached trace")
    p.add_argument("name", nargs="?", help="experiment (a config in configs/)")
    p.add_argument("--all", action="store_true",
                   help="simulate every experiment, in parallel (cuda presets only where a GPU is: here, or a "
                        "Dask worker with a GPU resource)")
    p.add_argument("--config", type=Path, help="a TOML config file to use instead of configs/NAME.toml")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a config value, e.g. --set seed=3 or --set runs.0.lr=0.1 (repeatable)")
    p.add_argument("--device", choices=["cpu", "cuda"], help="torch device (default: the config's)")
    p.add_argument("--force", action="store_true", help="re-simulate even if a cached trace exists")
    add_executor_args(p)


def _summary(name: str, path: Path, trace) -> str:
    summary = ", ".join(f"{r.name}: {r.meta.get('status', '?')}" for r in trace.runs())
    return f"{name}: {path}" + (f"  ({summary})" if summary else "")


def run(args: argparse.Namespace, settings: Settings) -> int:
    from sim.cache import ensure_trace, resolve

    if args.all == bool(args.name):
        raise GdevoError("give one experiment NAME or --all (see `gdevo list`)")
    if args.all:
        if args.config:
            raise GdevoError("--config names one experiment's file; it cannot be used with --all")
        return run_all(args, settings)
    where = {"cache": settings.cache, "project": settings.project}
    trace = ensure_trace(args.name, args.overrides, args.device, args.force, args.config, **where)
    print(_summary(args.name, resolve(args.name, args.overrides, args.device, args.config, **where).path, trace))
    return 0


def run_all(args: argparse.Namespace, settings: Settings) -> int:
    from gdevo.runs.cells import run_cells
    from gdevo.runs.executors import open_executor
    from gdevo.runs.jobs import task_for
    from sim.cache import config_names, preset_device, resolve
    from sim.trace import load_trace

    with open_executor(settings.scheduler, args.workers, settings.connect_timeout) as executor:
        items = []
        for name in config_names():
            if args.device is None and preset_device(name) == "cuda" and not executor.has_gpu():
                print(f"{name}: skipped (a cuda preset; run `gdevo sim {name}` where a GPU exists, "
                      "or --scheduler with a GPU worker)")
                continue
            res = resolve(name, args.overrides, args.device, here=False, cache=settings.cache,
                          project=settings.project)
            items.append((name, res.path, task_for(res)))
        run_cells(items, executor, force=args.force, what="experiments")
    for name, path, _ in items:
        print(_summary(name, path, load_trace(path)))
    return 0

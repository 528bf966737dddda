"""gdevo sweep SPEC.toml: one experiment over a grid of overrides and seeds, on a pool or a Dask cluster."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gdevo.settings import Settings

NAME = "sweep"


def add_executor_args(p: argparse.ArgumentParser) -> None:
    """--scheduler / --workers: shared by every command that runs work on an executor."""
    p.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                   help="run on a dask.distributed scheduler (default: $DASK_SCHEDULER_ADDRESS, else a local pool)")
    p.add_argument("--workers", type=int, default=None,
                   help="local pool size (default: one process per CPU core)")


def register(sub) -> None:
    p = sub.add_parser(NAME, help="run an experiment over a grid of config overrides and seeds",
                       description="Simulate every cell (grid point x seed) of a sweep file into the trace cache "
                                   "(finished cells are never recomputed), then write renders/sweeps/NAME.md "
                                   "(mean ± sd over seeds per metric) and a plot of the chosen metric.")
    p.add_argument("spec", type=Path, help="a sweep file (TOML): experiment, [grid], seeds, metric")
    add_executor_args(p)
    p.add_argument("--force", action="store_true", help="re-simulate every cell even if cached")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace, settings: Settings) -> int:
    from gdevo.runs.executors import open_executor
    from gdevo.runs.sweep import plan_sweep, run_sweep

    plan = plan_sweep(args.spec, settings)   # validate every cell before connecting anywhere
    print(f"sweep {plan.name}: {len(plan.points)} grid points × {len(plan.spec.seed_list)} seeds = "
          f"{len(plan.cells)} cells of {plan.experiment}")
    with open_executor(settings.scheduler, args.workers, settings.connect_timeout) as executor:
        result = run_sweep(args.spec, executor, settings, force=args.force, quiet=args.quiet)
    print(f"{result.computed} cells simulated on {executor.description}, {result.cached} cached")
    for path in result.outputs:
        print(f"written {path}")
    return 0

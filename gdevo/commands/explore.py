"""gdevo explore: the offline web explorer (renders/explorer/index.html) from a 2-parameter trace.

The page shows the trace's loss landscape and recorded runs, runs SGD / momentum / Adam / local
search live where a reader clicks, and shows the recorded sweeps (hyperparameters, the race)
when their traces are cached (`--simulate-sweeps` simulates them first).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gdevo.settings import Settings

NAME = "explore"


def register(sub) -> None:
    p = sub.add_parser(NAME, help="write the offline web explorer (renders/explorer/index.html)")
    p.add_argument("name", nargs="?", default="sine-2d", help="a 2-parameter landscape experiment (default: sine-2d)")
    p.add_argument("--device", choices=["cpu", "cuda"])
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="config overrides, as given to `gdevo sim`")
    sweeps = p.add_mutually_exclusive_group()
    sweeps.add_argument("--simulate-sweeps", action="store_true",
                        help="simulate the hyperparameters and function-fit traces if they are not cached")
    sweeps.add_argument("--no-sweeps", action="store_true", help="leave the recorded sweeps panel empty")


def run(args: argparse.Namespace, settings: Settings) -> int:
    from gdevo.web.page import build_explorer

    built = build_explorer(settings, args.name, args.overrides, sweeps=not args.no_sweeps,
                           simulate_sweeps=args.simulate_sweeps, quiet=False)
    shown = ", ".join(built.sweeps) or "none"
    print(f"explorer: {built.index} ({built.size / 1e6:.2f} MB; sweeps: {shown}"
          + (f"; not simulated: {', '.join(built.missing)}" if built.missing else "") + ")")
    return 0

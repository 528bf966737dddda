"""gdevo sim NAME | --all: simulate experiments into cached traces."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.errors import GdevoError

NAME = "sim"


def register(sub) -> None:
    p = sub.add_parser(NAME, help="simulate an experiment into a cached trace")
    p.add_argument("name", nargs="?", help="experiment (a config in configs/)")
    p.add_argument("--all", action="store_true", help="simulate every experiment (CPU presets; skips cuda ones)")
    p.add_argument("--config", type=Path, help="a TOML config file to use instead of configs/NAME.toml")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a config value, e.g. --set seed=3 or --set runs.0.lr=0.1 (repeatable)")
    p.add_argument("--device", choices=["cpu", "cuda"], help="torch device (default: the config's)")
    p.add_argument("--force", action="store_true", help="re-simulate even if a cached trace exists")


def run(args: argparse.Namespace) -> int:
    from sim.cache import config_names, ensure_trace, preset_device, resolve

    if args.all == bool(args.name):
        raise GdevoError("give one experiment NAME or --all (see `gdevo list`)")
    names = config_names() if args.all else [args.name]
    for name in names:
        if args.all and args.device is None and preset_device(name) == "cuda":
            print(f"{name}: skipped (a cuda preset; run `gdevo sim {name}` where a GPU exists)")
            continue
        trace = ensure_trace(name, args.overrides, args.device, args.force, args.config)
        path = resolve(name, args.overrides, args.device, args.config).path
        summary = ", ".join(f"{r.name}: {r.meta.get('status', '?')}" for r in trace.runs())
        print(f"{name}: {path}" + (f"  ({summary})" if summary else ""))
    return 0

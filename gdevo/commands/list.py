"""gdevo list: experiments (configs) and scenes."""

from __future__ import annotations

import argparse

from sim.errors import GdevoError

NAME = "list"


def register(sub) -> None:
    sub.add_parser(NAME, help="list experiments and scenes")


def run(args: argparse.Namespace) -> int:
    from gdevo.traces import config_names, resolve
    from scenes.storyboard import SCENES, is_available

    print("experiments (gdevo sim NAME):")
    for name in config_names():
        try:
            res = resolve(name)
            cached = "cached" if res.path.is_file() else "not simulated"
            desc = getattr(res.config, "description", "")
            print(f"  {name:<22} {res.kind:<16} {cached:<14} {desc}")
        except GdevoError as exc:
            print(f"  {name:<22} invalid config: {exc}")
    print("scenes (gdevo render NAME), in storyboard order:")
    for s in SCENES:
        if is_available(s):
            print(f"  {s.name:<22} {s.title}  [traces: {', '.join(s.traces)}]")
    return 0

"""The gdevo command line: list, sim, render.

A user mistake prints one line (what is wrong, what is accepted) and exits 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.errors import GdevoError

EXIT_USAGE = 2


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit 2 (no usage dump)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        print(f"gdevo: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    from gdevo.render import QUALITIES

    parser = OneLineParser(prog="gdevo", description="Real optimizer runs turned into explainer animations.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)

    sub.add_parser("list", help="list experiments and scenes")

    p = sub.add_parser("sim", help="simulate an experiment into a cached trace")
    p.add_argument("name", nargs="?", help="experiment (a config in configs/)")
    p.add_argument("--all", action="store_true", help="simulate every experiment")
    p.add_argument("--config", type=Path, help="a TOML config file to use instead of configs/NAME.toml")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a config value, e.g. --set seed=3 (repeatable)")
    p.add_argument("--device", choices=["cpu", "cuda"], help="torch device (default: the config's)")
    p.add_argument("--force", action="store_true", help="re-simulate even if a cached trace exists")

    p = sub.add_parser("render", help="render a scene to renders/NAME.mp4")
    p.add_argument("name", help="scene name (see `gdevo list`)")
    p.add_argument("--quality", choices=list(QUALITIES), default="low")
    p.add_argument("--device", choices=["cpu", "cuda"], help="device for any simulation needed")
    p.add_argument("--force", action="store_true", help="render even if nothing changed")
    return parser


def cmd_list(args: argparse.Namespace) -> int:
    from gdevo.traces import config_names, resolve
    from scenes.storyboard import SCENES

    print("experiments (gdevo sim NAME):")
    for name in config_names():
        try:
            res = resolve(name)
            cached = "cached" if res.path.is_file() else "not simulated"
            desc = getattr(res.config, "description", "")
            print(f"  {name:<22} {res.kind:<16} {cached:<14} {desc}")
        except GdevoError as exc:
            print(f"  {name:<22} invalid config: {exc}")
    print("scenes (gdevo render NAME):")
    for s in SCENES:
        print(f"  {s.name:<22} {s.title}  [traces: {', '.join(s.traces)}]")
    return 0


def cmd_sim(args: argparse.Namespace) -> int:
    from gdevo.traces import config_names, ensure_trace, resolve

    if args.all == bool(args.name):
        raise GdevoError("give one experiment NAME or --all (see `gdevo list`)")
    names = config_names() if args.all else [args.name]
    for name in names:
        trace = ensure_trace(name, args.overrides, args.device, args.force, args.config)
        path = resolve(name, args.overrides, args.device, args.config).path
        summary = ", ".join(f"{r.name}: {r.meta.get('status', '?')}" for r in trace.runs())
        print(f"{name}: {path}  ({summary})")
    return 0


def cmd_render(args: argparse.Namespace) -> int:
    from gdevo.render import render_scene
    from scenes.storyboard import get_scene, scene_names

    entry = get_scene(args.name)
    if entry is None:
        raise GdevoError(f"unknown scene {args.name!r}; known: {', '.join(scene_names())}")
    out = render_scene(entry, args.quality, args.device, args.force)
    print(out)
    return 0


COMMANDS = {"list": cmd_list, "sim": cmd_sim, "render": cmd_render}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except GdevoError as exc:
        print(f"gdevo: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("gdevo: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())

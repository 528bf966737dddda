"""gdevo gif NAME: a looping, palette-optimized docs GIF cut from a scene's render (renders/NAME.gif)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from sim.errors import GdevoError

if TYPE_CHECKING:
    from gdevo.settings import Settings

NAME = "gif"


def register(sub) -> None:
    p = sub.add_parser(NAME, help="cut a looping docs GIF from a scene or preset (renders/NAME.gif)")
    p.add_argument("name", nargs="?", help="a preset (see --list) or a scene name")
    p.add_argument("--width", type=int, default=480, help="width in pixels (default 480)")
    p.add_argument("--fps", type=int, default=15, help="frames per second (default 15)")
    p.add_argument("--start", type=float, help="window start in seconds (default: the preset's, else 0)")
    p.add_argument("--end", type=float, help="window end in seconds (default: the preset's, else the end)")
    p.add_argument("--max-mb", type=float, default=4.0, help="size budget in MB (default 4); colours, fps, "
                   "then width are lowered until the GIF fits")
    p.add_argument("--list", action="store_true", help="list the presets (and which are available)")
    p.add_argument("--all", action="store_true", help="make every available preset")
    p.add_argument("--device", choices=["cpu", "cuda"], help="device for any simulation needed")


def make_one(name: str, args: argparse.Namespace, settings: Settings, quiet: bool = False) -> int:
    from gdevo.outputs.export import (
        AfterBeat,
        make_gif_once,
        rendered_video,
        resolve_name,
        seconds,
        validate_gif_request,
    )

    validate_gif_request(args.width, args.fps, args.max_mb, args.start, args.end)  # before any rendering
    entry, start, end, preset = resolve_name(name)
    if args.start is not None or args.end is not None:
        start, end = args.start, args.end
        if preset is not None and args.start is None:
            start = None
    validate_gif_request(args.width, args.fps, args.max_mb, *(t if not isinstance(t, AfterBeat) else None
                                                                for t in (start, end)))
    src = rendered_video(entry, args.width, settings, quiet=quiet)
    start, end = seconds(start, src), seconds(end, src)
    result, cached = make_gif_once(src, settings.renders / f"{name}.gif", start=start, end=end, width=args.width,
                                   fps=args.fps, max_mb=args.max_mb)
    print(result.summary() + (" (up to date)" if cached else ""))
    if len(result.tried) > 1:
        print(f"  (did not fit at {result.tried[0]}; chose {result.width}px/{result.fps}fps/{result.colors} colours)",
              file=sys.stderr)
    return 0


def run(args: argparse.Namespace, settings: Settings) -> int:
    from gdevo.outputs.export import PRESETS, describe_presets, preset_choice, unavailable_reason

    if args.list:
        print("GIF presets (gdevo gif NAME):")
        print("\n".join(describe_presets()))
        return 0
    if args.all:
        if args.name:
            raise GdevoError("give either a NAME or --all, not both")
        for preset in PRESETS:
            if preset_choice(preset) is None:
                print(f"skipping {unavailable_reason(preset)}", file=sys.stderr)
                continue
            make_one(preset.name, args, settings)
        return 0
    if not args.name:
        raise GdevoError("name a preset or scene (see `gdevo gif --list`), or use --all")
    return make_one(args.name, args, settings)

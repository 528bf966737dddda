"""gdevo still NAME: one key frame of a scene's render as renders/NAME.png."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gdevo.settings import Settings

NAME = "still"


def register(sub) -> None:
    p = sub.add_parser(NAME, help="save one frame of a scene or GIF preset as renders/NAME.png")
    p.add_argument("name", help="a scene name or a GIF preset (see `gdevo gif --list`)")
    p.add_argument("--at", type=float, help="time in seconds (default: the preset's key moment, else the last frame)")
    from gdevo.rendering.manim_run import QUALITIES

    p.add_argument("--quality", choices=list(QUALITIES), default="low",
                   help="render quality to cut from (default low; a better up-to-date render is reused)")
    p.add_argument("--device", choices=["cpu", "cuda"], help="device for any simulation needed")


def run(args: argparse.Namespace, settings: Settings) -> int:
    from gdevo.outputs.export import make_still_once, rendered_video, resolve_name, seconds
    from gdevo.rendering.manim_run import QUALITIES
    from sim.errors import GdevoError

    if args.at is not None and not args.at >= 0:
        raise GdevoError(f"--at must be ≥ 0 s (got {args.at:g})")
    entry, _, _, preset = resolve_name(args.name)
    at = args.at if args.at is not None else (preset.still_at if preset is not None else None)
    src = rendered_video(entry, QUALITIES[args.quality].width, settings)
    dst = settings.renders / f"{args.name}.png"
    t, _ = make_still_once(src, dst, seconds(at, src))
    print(f"{dst}: frame at {t:.2f} s of {src.name}")
    return 0

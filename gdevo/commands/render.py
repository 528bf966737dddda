"""gdevo render NAME: render a scene to renders/NAME.mp4."""

from __future__ import annotations

import argparse

from sim.errors import GdevoError

NAME = "render"


def register(sub) -> None:
    from gdevo.render import QUALITIES

    p = sub.add_parser(NAME, help="render a scene to renders/NAME.mp4")
    p.add_argument("name", help="scene name (see `gdevo list`)")
    p.add_argument("--quality", choices=list(QUALITIES), default="low")
    p.add_argument("--device", choices=["cpu", "cuda"], help="device for any simulation needed")
    p.add_argument("--force", action="store_true", help="render even if nothing changed")


def run(args: argparse.Namespace) -> int:
    from gdevo.render import render_scene
    from scenes.storyboard import get_scene, scene_names

    entry = get_scene(args.name)
    if entry is None:
        raise GdevoError(f"unknown scene {args.name!r}; known: {', '.join(scene_names())}")
    print(render_scene(entry, args.quality, args.device, args.force))
    return 0

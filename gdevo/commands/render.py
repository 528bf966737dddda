"""gdevo render NAME: render a scene to renders/NAME.mp4; `gdevo render explainer` joins all chapters;
`gdevo render all` makes every output of `make render` (explainer, GIFs, stills, deck) in one process."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from sim.errors import GdevoError

if TYPE_CHECKING:
    from gdevo.settings import Settings

NAME = "render"
ALL = "all"


def register(sub) -> None:
    from gdevo.rendering.manim_run import QUALITIES
    from gdevo.voice_options import add_voice_arguments

    p = sub.add_parser(NAME, help="render a scene to renders/NAME.mp4, every chapter into renders/explainer.mp4, "
                       "or 'all' outputs",
                       description="Render one scene (see `gdevo list`), or `explainer`: every available chapter "
                                   "rendered in parallel and joined into renders/explainer.mp4 with chapter markers "
                                   "and a thumbnail renders/explainer.png, or `all`: the explainer, the GIF presets, "
                                   "their stills and the lecture deck, with a table of the time each phase took. "
                                   "Every scene is rendered once per quality (its movie and its slides); unchanged "
                                   "parts are not re-rendered.")
    p.add_argument("name", help="scene name (see `gdevo list`), 'explainer', or 'all'")
    p.add_argument("--quality", choices=list(QUALITIES), default="low")
    p.add_argument("--device", choices=["cpu", "cuda"], help="device for any simulation needed")
    p.add_argument("--force", action="store_true", help="render even if nothing changed")
    p.add_argument("--jobs", type=int, default=None,
                   help="explainer: chapters rendered at once (default: one per CPU core)")
    add_voice_arguments(p)
    p.add_argument("--thumbnail-at", type=float, default=None, metavar="SECONDS",
                   help="explainer: time of the thumbnail frame (default: 1 s before the end of chapter 1)")
    p.add_argument("--no-pptx", action="store_true", help="all: skip the deck's PowerPoint file")
    p.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                   help="render the scenes on a Dask cluster (default: $DASK_SCHEDULER_ADDRESS, else here); "
                        "their files come back, and everything else is made here")
    p.add_argument("--setup-seconds", type=float, default=None, help=argparse.SUPPRESS)   # `make render` times setup


def run(args: argparse.Namespace, settings: Settings) -> int:
    from gdevo.media.audio import check_voice
    from gdevo.rendering.chapters import EXPLAINER, render_explainer, render_scene
    from scenes.storyboard import get_scene, scene_names

    if args.jobs is not None and args.jobs < 1:
        raise GdevoError(f"--jobs must be at least 1, got {args.jobs}")
    check_voice(settings)
    if args.name == ALL:
        from gdevo.outputs.pipeline import print_phases, run_all

        phases = run_all(settings, args.force, jobs=args.jobs, setup_seconds=args.setup_seconds,
                         pptx=not args.no_pptx, thumbnail_at=args.thumbnail_at)
        print_phases(phases)
        return 0
    if args.name == EXPLAINER:
        from gdevo.project import explainer_entries

        print(render_explainer(settings, args.force, jobs=args.jobs, thumbnail_at=args.thumbnail_at,
                               entries=explainer_entries(settings)))
        return 0
    entry = get_scene(args.name)
    if entry is None:
        raise GdevoError(f"unknown scene {args.name!r}; known: {', '.join([EXPLAINER, ALL, *scene_names()])}")
    print(render_scene(entry, settings, args.force))
    return 0

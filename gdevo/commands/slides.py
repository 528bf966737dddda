"""gdevo slides: the lecture deck (reveal.js HTML that works offline, PDF, PPTX) in renders/slides/."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from sim.errors import GdevoError

if TYPE_CHECKING:
    from gdevo.settings import Settings

NAME = "slides"


def register(sub) -> None:
    from gdevo.rendering.manim_run import QUALITIES

    p = sub.add_parser(NAME, help="build the lecture deck from the chapters (renders/slides/gdevo-deck.html, .pdf, "
                       ".pptx)")
    p.add_argument("names", nargs="*", help="scenes to include, in this order (default: every chapter that "
                   "exists, in storyboard order)")
    p.add_argument("--quality", choices=list(QUALITIES), default="low")
    p.add_argument("--device", choices=["cpu", "cuda"], help="device for any simulation needed")
    p.add_argument("--force", action="store_true", help="re-render every scene (its movie and slides)")
    p.add_argument("--no-pptx", action="store_true", help="skip the PowerPoint file")
    p.add_argument("--jobs", type=int, default=None,
                   help="scenes rendered at the same time (default: one per CPU core, as the explainer)")


def run(args: argparse.Namespace, settings: Settings) -> int:
    from gdevo.outputs.slides import DeckScene, build_deck
    from scenes.storyboard import SCENES, chapters, get_scene, scene_names

    if args.jobs is None:
        import os

        args.jobs = max(1, os.cpu_count() or 1)
    if args.jobs < 1:
        raise GdevoError(f"--jobs must be at least 1 (got {args.jobs})")
    if args.names:
        entries = []
        for name in args.names:
            entry = get_scene(name)
            if entry is None:
                state = "does not exist yet" if any(s.name == name for s in SCENES) else "is unknown"
                raise GdevoError(f"scene {name!r} {state}; available: {', '.join(scene_names())}")
            entries.append(entry)
    else:
        from gdevo.project import explainer_entries

        entries = explainer_entries(settings) or chapters()
        if not entries:
            entries = [get_scene(n) for n in scene_names()]
            print(f"no chapters exist yet; the deck shows the standalone scenes: {', '.join(scene_names())}",
                  file=sys.stderr)
    deck = build_deck([DeckScene.from_entry(e) for e in entries], settings, force=args.force,
                      pptx=not args.no_pptx, jobs=args.jobs)
    print(f"{deck.html}  ({deck.slides} slides: {', '.join(f'{n} {k}' for n, k in deck.per_scene)})")
    print(deck.pdf)
    if deck.pptx:
        print(deck.pptx)
    return 0

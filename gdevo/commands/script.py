"""gdevo script: the narration script as Markdown and a recording sheet (one line per beat ID)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from sim.errors import GdevoError

if TYPE_CHECKING:
    from gdevo.settings import Settings

NAME = "script"


def register(sub) -> None:
    from gdevo.rendering.chapters import QUALITIES

    p = sub.add_parser(NAME, help="write the narration script: renders/script.md and renders/recording-sheet.tsv",
                       description="Collect every beat's narration line (from the last renders' beats, or by running "
                                   "the scenes with animations skipped) into renders/script.md and "
                                   "renders/recording-sheet.tsv (ID, tab, line), e.g. to record the lines yourself.")
    p.add_argument("names", nargs="*", help="scenes (default: the explainer's chapters)")
    p.add_argument("--quality", choices=list(QUALITIES), default="low",
                   help="which renders' beats count as up to date (default: low)")
    p.add_argument("--device", choices=["cpu", "cuda"], help="device for any simulation needed")
    from gdevo.voice_options import add_voice_arguments

    add_voice_arguments(p)   # the voice times the beats; --voice-dir also marks which lines are recorded


def run(args: argparse.Namespace, settings: Settings) -> int:
    from gdevo.media.audio import check_voice
    from gdevo.outputs.script import write_script
    from scenes.storyboard import chapters, get_scene, scene_names

    if args.names:
        entries = []
        for name in args.names:
            entry = get_scene(name)
            if entry is None:
                raise GdevoError(f"unknown scene {name!r}; known: {', '.join(scene_names())}")
            entries.append(entry)
    else:
        from gdevo.project import explainer_entries

        entries = explainer_entries(settings) or chapters()
    check_voice(settings)
    recorded = settings.voice_dir
    if recorded is not None and not recorded.is_dir():
        raise GdevoError(f"recordings folder {str(recorded)!r} does not exist")
    md, sheet, scripts = write_script(entries, settings, recorded)
    n = sum(1 for c in scripts for ln in c.lines if ln.text.strip())
    print(f"{n} lines from {len(scripts)} scenes: {md} and {sheet}")
    return 0

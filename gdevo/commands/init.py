"""gdevo init DIR: start a project of one's own (gdevo.toml, overrides/), outside the repository."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gdevo.settings import Settings

NAME = "init"


def register(sub) -> None:
    from gdevo.rendering.manim_run import QUALITIES

    p = sub.add_parser(NAME, help="start a project: DIR/gdevo.toml (title card, chapters, theme) and DIR/overrides/",
                       description="Write a new project folder: gdevo.toml (title, subtitle, chapters, theme, "
                                   "quality) and overrides/ for your own function, photo and settings. Then run "
                                   "`gdevo render explainer --project DIR` (or any command from inside DIR).")
    p.add_argument("dir", type=Path, help="the project folder (created if missing)")
    p.add_argument("--title", help="the title card's title (default: from the folder name)")
    p.add_argument("--subtitle", default="", help="the line under the title: a subtitle or a credit")
    p.add_argument("--theme", choices=["dark", "light"], default="dark")
    p.add_argument("--quality", choices=list(QUALITIES), default="low",
                   help="the project's default render quality")


def run(args: argparse.Namespace, settings: Settings) -> int:
    from gdevo.project import init_project

    written = init_project(args.dir, args.title, args.subtitle, args.theme, args.quality)
    for path in written:
        print(f"wrote {path}")
    print(f"next: put your photo and function in {args.dir / 'overrides'}/, edit {args.dir / 'gdevo.toml'}, then "
          f"`gdevo render explainer --project {args.dir}`")
    return 0

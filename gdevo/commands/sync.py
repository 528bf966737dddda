"""gdevo sync: is the joined explainer in sync at every chapter boundary? (gdevo/media/sync_check.py)

Each chapter of renders/explainer.mp4 (the chapters it was joined from, as its stamp lists them)
is found again in the joined file, and its picture, sound, captions and chapter mark are measured
against where the chapters before it end. Prints one row per chapter; exits 1 when any of them is
more than one frame off (or its picture was not found), 2 when there is no explainer to check.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from sim.errors import GdevoError

if TYPE_CHECKING:
    from gdevo.settings import Settings

NAME = "sync"


def register(sub) -> None:
    p = sub.add_parser(NAME, help="measure picture, sound, captions and chapter marks at every chapter boundary "
                                  "of the joined explainer")
    p.add_argument("movie", nargs="?", type=Path,
                   help="the joined explainer (default: renders/explainer.mp4, with the chapters it was joined from)")
    p.add_argument("--chapters", nargs="+", type=Path, metavar="MP4",
                   help="the chapter files MOVIE was joined from, in order (default: as its stamp lists them)")


def chapter_files(movie: Path, renders: Path) -> list[Path]:
    """The chapter files the explainer in RENDERS was joined from (its stamp), each beside it."""
    from gdevo.rendering import stamps
    from gdevo.rendering.chapters import EXPLAINER

    names = stamps.read(renders, "explainer", EXPLAINER).get("chapters")
    if not isinstance(names, list) or not names:
        raise GdevoError(f"no record of the chapters {movie} was joined from; run `gdevo render explainer` "
                         "or name them with --chapters")
    return [movie.parent / f"{name}.mp4" for name in names]


def fmt_ms(value: float | None, signed: bool = True) -> str:
    """Milliseconds to a tenth ('–': not measured); never '-0.0'."""
    if value is None:
        return "–"
    value = round(value, 1) + 0.0
    return f"{value:+.1f}" if signed and value else f"{value:.1f}"


def run(args: argparse.Namespace, settings: Settings) -> int:
    from rich.console import Console
    from rich.table import Table

    from gdevo.media.sync_check import measure
    from gdevo.rendering.chapters import EXPLAINER

    movie = args.movie or settings.renders / f"{EXPLAINER}.mp4"
    if not movie.is_file():
        raise GdevoError(f"no explainer at {movie}; run `make render` (or `gdevo render explainer`) first")
    parts = args.chapters or chapter_files(movie, movie.parent)
    missing = [p for p in parts if not p.is_file()]
    if missing:
        raise GdevoError(f"chapter file missing: {missing[0]}")
    found = measure(movie, parts)
    table = Table(title=f"{movie.name}: each chapter's start, measured (ms; one frame is "
                        f"{found[0].frame * 1000:.1f} ms)", title_justify="left")
    for name, justify in (("chapter", "left"), ("starts at s", "right"), ("picture frames", "right"),
                          ("picture", "right"), ("sound", "right"), ("captions (largest)", "right"), ("mark", "right"),
                          ("", "left")):
        table.add_column(name, justify=justify)
    for b in found:
        frames = "–" if b.picture_frames is None else f"{b.picture_frames:+d}"
        verdict = "in sync" if b.in_sync else ("off " + b.picture_note if b.picture_note else "off")
        table.add_row(b.chapter, f"{b.expected:.3f}", frames, fmt_ms(b.picture_ms), fmt_ms(b.sound_ms),
                      fmt_ms(b.captions_ms, signed=False), fmt_ms(b.mark_ms), verdict)
    Console(width=140).print(table)
    worst = max((abs(v) for b in found for v in (b.picture_ms, b.sound_ms, b.captions_ms, b.mark_ms)
                 if v is not None), default=0.0)
    off = [b.chapter for b in found if not b.in_sync]
    print(f"{len(found)} chapters, {len(found) - len(off)} in sync; the largest offset is {worst:.2f} ms"
          + (f"; off: {', '.join(off)}" if off else ""))
    return 1 if off else 0

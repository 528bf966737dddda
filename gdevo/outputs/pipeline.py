"""`gdevo render all`: every output of `make render` from one process, then a table of where the time went.

Outputs: renders/explainer.mp4 (+ .png, each chapter's MP4), the GIF presets and their stills,
the lecture deck (HTML, PDF, PPTX) and the web explorer.

One command instead of three (explainer, GIFs, deck) pays python/torch/manim imports once, and
the phases share one batch: missing traces are simulated while ready scenes render, every
scene (the chapters and the scenes GIF presets cut from) is rendered once per quality, each
chapter's narrated file and each GIF and still is made as soon as its scene is rendered, and
the explainer join runs beside the explorer and the deck (converted from those renders
without starting manim). Each step is skipped when its outputs are up to date, so a second
run only checks stamps.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from gdevo.settings import Settings


@dataclass
class Phase:
    name: str
    seconds: float
    note: str = ""


def plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def process_age() -> float:
    """Seconds since this process started (interpreter start-up and imports included); 0 if unknown."""
    try:
        start_ticks = float(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        boot = next(float(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines()
                    if line.startswith("btime"))
        return max(0.0, time.time() - (boot + start_ticks / os.sysconf("SC_CLK_TCK")))
    except (OSError, ValueError, IndexError, StopIteration):
        return 0.0


def run_all(settings: Settings, force: bool = False, jobs: int | None = None,
            setup_seconds: float | None = None, pptx: bool = True, thumbnail_at: float | None = None,
            quiet: bool = False) -> list[Phase]:
    """Simulate, render, join, cut GIFs and stills, convert the deck; returns the phases (with totals).

    Scenes and simulations are jobs of the render engine (gdevo.rendering.engine): here, or on the
    Dask cluster at the settings' scheduler (--scheduler or DASK_SCHEDULER_ADDRESS), whose renders
    come back here. What is made from one scene (its finished chapter file, its GIFs and stills) is
    made here as soon as it is rendered, while other scenes still render; the explainer join (ffmpeg)
    and the explorer and deck (Python) run side by side at the end, one core each.
    """
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from gdevo.outputs.export import PRESETS, make_gif_once, make_still_once, preset_choice, seconds
    from gdevo.rendering.chapters import join_explainer, publish_chapter
    from gdevo.rendering.engine import render_batch
    from gdevo.rendering.manim_run import Format, Rendered, SceneJob
    from scenes.storyboard import chapters
    from sim.errors import GdevoError

    say = (lambda msg: None) if quiet else (lambda msg: print(msg, file=sys.stderr, flush=True))
    phases: list[Phase] = []
    if setup_seconds is not None:
        phases.append(Phase("setup (scripts/setup.sh)", setup_seconds))
    phases.append(Phase("start-up (python, imports)", process_age()))
    fmt = Format(settings.quality)
    from gdevo.project import explainer_entries

    entries = explainer_entries(settings) or chapters()   # a project's title card + chosen chapters, else every chapter
    if not entries:
        raise GdevoError("no chapters exist yet (scenes/storyboard.py lists them; none of their modules is there)")
    presets = [(p, preset_choice(p)) for p in PRESETS]
    presets = [(p, c) for p, c in presets if c is not None]
    extra = [c[0] for _, c in presets if c[0] not in entries]
    scene_jobs = [SceneJob.from_entry(e) for e in [*entries, *dict.fromkeys(extra)]]
    chapter_of = {e.name: e for e in entries}
    cuts: dict[str, list] = {}
    for preset, (entry, start, end) in presets:
        cuts.setdefault(entry.name, []).append((preset, start, end))
    spent = {"finish": 0.0, "gifs": 0.0}
    made = {"gifs": [], "stills": []}
    lock = threading.Lock()

    def after(job: SceneJob, r: Rendered) -> None:
        """Here, once the scene is rendered: its chapter file, then the GIFs and stills cut from it."""
        t0 = time.perf_counter()
        if job.name in chapter_of:
            publish_chapter(chapter_of[job.name], r, settings.renders)   # narration + captions, skipped when up to date
        t1 = time.perf_counter()
        gifs, stills = [], []
        for preset, start, end in cuts.get(job.name, []):
            result, cached = make_gif_once(r.movie, settings.renders / f"{preset.name}.gif",
                                           start=seconds(start, r.movie), end=seconds(end, r.movie))
            say(f"  {result.summary()}" + (" (up to date)" if cached else ""))
            gifs.append(cached)
            if preset.still_at is not None:
                stills.append(make_still_once(r.movie, settings.renders / f"{preset.name}.png",
                                              seconds(preset.still_at, r.movie))[1])
        with lock:
            spent["finish"] += t1 - t0
            spent["gifs"] += time.perf_counter() - t1
            made["gifs"] += gifs
            made["stills"] += stills

    say(f"gdevo render all ({fmt.folder}): {len(entries)} chapters + {len(scene_jobs) - len(entries)} scene(s) "
        "for GIFs; simulations overlap renders")
    batch = render_batch(scene_jobs, fmt, settings, force=force, workers=jobs, say=say, after=after)
    ran = batch.ran
    phases.append(Phase("simulations", batch.sim_seconds,
                        f"{len(batch.simulated)} traces simulated (jobs beside the renders)"
                        if batch.simulated else "all traces cached"))
    gif_note = (f"{plural(made['gifs'].count(False), 'GIF')} and {plural(made['stills'].count(False), 'still')} "
                f"made, {made['gifs'].count(True) + made['stills'].count(True)} up to date")
    phases.append(Phase("scene renders (manim, one pass each)", batch.seconds - batch.sim_seconds,
                        f"{len(ran)} rendered ({sum(r.seconds for r in ran):.0f} s in manim processes, "
                        f"{len(scene_jobs) - len(ran)} up to date)"
                        + ("; wall time after the simulations (renders start alongside them)" if batch.simulated
                           else "")))
    phases.append(Phase("  chapter audio + captions (beside the renders)", spent["finish"],
                        "as each chapter finished rendering; not in the total twice"))
    phases.append(Phase("  GIFs + stills (beside the renders)", spent["gifs"], gif_note + "; not in the total twice"))

    def timed(fn):
        t0 = time.perf_counter()
        out = fn()
        return out, time.perf_counter() - t0

    def explorer_then_deck():
        from gdevo.outputs.slides import build_deck
        from gdevo.web.page import build_explorer

        explorer, t_explorer = timed(lambda: build_explorer(settings, quiet=True))   # the deck links to it
        deck, t_deck = timed(lambda: build_deck(scene_jobs[:len(entries)], settings, quiet=True,
                                                pptx=pptx, jobs=max(1, jobs or os.cpu_count() or 1)))
        return explorer, t_explorer, deck, t_deck

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="gdevo-end") as pool:
        joined = pool.submit(timed, lambda: join_explainer(entries, batch.rendered, fmt, settings,
                                                           thumbnail_at=thumbnail_at, force=force, say=say))
        rest = pool.submit(explorer_then_deck)
        out, t_join = joined.result()
        explorer, t_explorer, deck, t_deck = rest.result()
    both = time.perf_counter() - t0
    phases.append(Phase("explainer join + thumbnail ∥ explorer + deck", both,
                        "side by side, one core each (their own times below; not in the total twice)"))
    phases.append(Phase("  explainer join + thumbnail", t_join, str(out)))
    phases.append(Phase("  web explorer", t_explorer, str(explorer.index)))
    phases.append(Phase("  deck (HTML, PDF, PPTX; no manim)", t_deck, f"{deck.slides} slides: {deck.html.name}"))
    wall = process_age() or sum(p.seconds for p in phases if not p.name.startswith(" ") and "setup" not in p.name)
    phases.append(Phase("total", (setup_seconds or 0.0) + wall,
                        "wall time" + (", setup included" if setup_seconds is not None else "")))
    return phases


def print_phases(phases: list[Phase]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(stderr=True) if Console(stderr=True).is_terminal else Console(stderr=True, width=140)
    table = Table(title="gdevo render all: where the time went", title_justify="left")
    table.add_column("phase")
    table.add_column("seconds", justify="right")
    table.add_column("")
    for p in phases:
        if p.name == "total":
            table.add_section()
        table.add_row(p.name, f"{p.seconds:.1f}", p.note)
    console.print(table)

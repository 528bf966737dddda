"""`gdevo render all`: every output of `make render` from one process, then a table of where the time went.

Outputs: renders/explainer.mp4 (+ .png, each chapter's MP4), the GIF presets and their stills,
the lecture deck (HTML, PDF, PPTX) and the web explorer.

One command instead of three (explainer, GIFs, deck) pays python/torch/manim imports once, and
the phases share one batch: missing traces are simulated while ready scenes render, every
scene (the chapters and the scenes GIF presets cut from) is rendered once per quality, and
the GIFs, stills and the deck are cut or converted from those renders without starting manim.
Each phase is skipped when its outputs are up to date, so a second run only checks stamps.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Phase:
    name: str
    seconds: float
    note: str = ""


def process_age() -> float:
    """Seconds since this process started (interpreter start-up and imports included); 0 if unknown."""
    try:
        start_ticks = float(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        boot = next(float(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines()
                    if line.startswith("btime"))
        return max(0.0, time.time() - (boot + start_ticks / os.sysconf("SC_CLK_TCK")))
    except (OSError, ValueError, IndexError, StopIteration):
        return 0.0


def run_all(quality: str = "low", device: str | None = None, force: bool = False, jobs: int | None = None,
            setup_seconds: float | None = None, pptx: bool = True, thumbnail_at: float | None = None,
            quiet: bool = False) -> list[Phase]:
    """Simulate, render, join, cut GIFs and stills, convert the deck; returns the phases (with totals)."""
    from gdevo.export import PRESETS, make_gif_once, make_still_once, preset_choice, seconds
    from gdevo.manim_run import Format, SceneJob, render_many
    from gdevo.render import join_explainer
    from gdevo.slides import build_deck
    from gdevo.stamps import renders_dir
    from scenes.storyboard import chapters
    from sim.errors import GdevoError

    say = (lambda msg: None) if quiet else (lambda msg: print(msg, file=sys.stderr, flush=True))
    phases: list[Phase] = []
    if setup_seconds is not None:
        phases.append(Phase("setup (scripts/setup.sh)", setup_seconds))
    phases.append(Phase("start-up (python, imports)", process_age()))
    fmt = Format(quality)
    from gdevo.project import explainer_entries

    entries = explainer_entries() or chapters()   # a project's title card + chosen chapters, else every chapter
    if not entries:
        raise GdevoError("no chapters exist yet (scenes/storyboard.py lists them; none of their modules is there)")
    presets = [(p, preset_choice(p)) for p in PRESETS]
    presets = [(p, c) for p, c in presets if c is not None]
    extra = [c[0] for _, c in presets if c[0] not in entries]
    scene_jobs = [SceneJob.from_entry(e) for e in [*entries, *dict.fromkeys(extra)]]

    say(f"gdevo render all ({fmt.folder}): {len(entries)} chapters + {len(scene_jobs) - len(entries)} scene(s) "
        "for GIFs; simulations overlap renders")
    batch = render_many(scene_jobs, fmt, device, force=force, workers=jobs, say=say)
    ran = batch.ran
    phases.append(Phase("simulations", batch.sim_seconds,
                        f"{len(batch.simulated)} traces simulated" if batch.simulated else "all traces cached"))
    phases.append(Phase("scene renders (manim, one pass each)", batch.seconds - batch.sim_seconds,
                        f"{len(ran)} rendered ({sum(r.seconds for r in ran):.0f} s in manim processes, "
                        f"{len(scene_jobs) - len(ran)} up to date)"
                        + ("; wall time after the simulations (renders start alongside them)" if batch.simulated
                           else "")))

    t0 = time.perf_counter()
    out = join_explainer(entries, batch.rendered, fmt, thumbnail_at=thumbnail_at, force=force, say=say)
    phases.append(Phase("explainer join + thumbnail", time.perf_counter() - t0, str(out)))

    t0 = time.perf_counter()
    made = []
    for preset, (entry, start, end) in presets:
        src = batch.rendered[entry.name].movie
        result, cached = make_gif_once(src, renders_dir() / f"{preset.name}.gif", start=seconds(start, src),
                                       end=seconds(end, src))
        say(f"  {result.summary()}" + (" (up to date)" if cached else ""))
        made.append(cached)
    phases.append(Phase("GIFs", time.perf_counter() - t0, f"{made.count(False)} made, {made.count(True)} up to date"))

    t0 = time.perf_counter()
    stills = []
    for preset, (entry, _, _) in presets:
        if preset.still_at is not None:
            dst = renders_dir() / f"{preset.name}.png"
            src = batch.rendered[entry.name].movie
            _, cached = make_still_once(src, dst, seconds(preset.still_at, src))
            stills.append(cached)
    phases.append(Phase("stills", time.perf_counter() - t0,
                        f"{stills.count(False)} made, {stills.count(True)} up to date"))

    t0 = time.perf_counter()   # before the deck: its last slide opens the explorer
    from gdevo.explorer import build_explorer

    explorer = build_explorer(device=device, quiet=True)
    phases.append(Phase("web explorer", time.perf_counter() - t0, str(explorer.index)))

    t0 = time.perf_counter()
    deck = build_deck(scene_jobs[:len(entries)], quality, device=device, quiet=True, pptx=pptx,
                      jobs=max(1, jobs or os.cpu_count() or 1))
    phases.append(Phase("deck (HTML, PDF, PPTX; no manim)", time.perf_counter() - t0,
                        f"{deck.slides} slides: {deck.html.name}"))

    phases.append(Phase("total", sum(p.seconds for p in phases)))
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

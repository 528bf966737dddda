"""gdevo bench: measured speed ratios (batched evolution vs the naive loop; recording overhead);
`gdevo bench --render`: a chapter's manim render rate against ffmpeg encoding the same frames;
`gdevo bench --narration [VIDEO ...]`: a narrated video's speech, stills and pace per chapter.

A benchmark, not a test: it prints what it measures on this machine, in a table, and writes
renders/bench.md. Every speed claim is a ratio against a baseline timed in the same run.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from sim.errors import GdevoError

if TYPE_CHECKING:
    from gdevo.settings import Settings

NAME = "bench"

TINY = ["seeds=1", "data.n=40", "model.sizes=[1, 8, 8, 1]", "runs.0.population=64", "runs.0.steps=2"]


def register(sub) -> None:
    from gdevo.rendering.manim_run import QUALITIES

    p = sub.add_parser(NAME, help="measure speed: batched evolution vs naive loop, recording overhead")
    p.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    p.add_argument("--repeats", type=int, default=None,
                   help="repeats per variant; the median is reported (default 5; 1 with --render)")
    p.add_argument("--chunks", default="16,32,64,128,256,1024",
                   help="comma-separated chunk sizes (networks per batched call) to try")
    p.add_argument("--naive-children", type=int, default=50,
                   help="children timed in the naive loop (scaled to the population)")
    p.add_argument("--steps", type=int, default=1000, help="training steps per timed gradient run")
    p.add_argument("--every", type=int, default=100, help="k for the 'recorded every k-th step' variant")
    p.add_argument("--threads", type=int, help="torch CPU threads (default: function-fit's `threads`)")
    p.add_argument("--tiny", action="store_true", help="a tiny network and population (for tests; fast)")
    p.add_argument("--render", metavar="SCENE", nargs="?", const="loss", default=None,
                   help="instead: render SCENE (default loss) and compare its frames/s with ffmpeg encoding the same "
                        "frames; writes renders/bench-render.md")
    p.add_argument("--narration", metavar="VIDEO", nargs="*", default=None,
                   help="instead: measure narrated VIDEO(s) per chapter (default renders/explainer.mp4): word error "
                        "rate of the speech against the captions (offline Whisper tiny.en), still fraction, words per "
                        "minute, number lag; writes renders/bench-narration.json (needs scripts/setup.sh --asr)")
    p.add_argument("--quality", choices=list(QUALITIES), default="low", help="--render: quality")
    p.add_argument("--encoders", default="1,4",
                   help="--render: comma-separated manim --max-inflight-encoders values to compare (default 1,4)")
    p.add_argument("--presets", default=None,
                   help="--render: comma-separated x264 presets for manim's partial movies (default: the "
                        "quality's own; `manim`: manim's own encoder, as before gdevo/rendering/encoding.py)")
    p.add_argument("--keep", metavar="DIR", default=None, help="--render: copy each variant's movie into DIR")
    p.add_argument("--fps", type=int, default=None, help="--render: frame rate instead of the quality's (e.g. 30)")


def _positive(name: str, value: int) -> int:
    if value < 1:
        raise GdevoError(f"--{name} must be >= 1, got {value}")
    return value


def run_render(args: argparse.Namespace, settings: Settings) -> int:
    import sys
    from pathlib import Path

    from gdevo.rendering.bench import bench_render
    from sim.trace import atomic_write_bytes

    try:
        encoders = [_positive("encoders", int(c)) for c in args.encoders.split(",") if c.strip()]
    except ValueError:
        raise GdevoError(f"--encoders: expected comma-separated integers, got {args.encoders!r}") from None
    args.repeats = 1 if args.repeats is None else _positive("repeats", args.repeats)
    presets = [p.strip() for p in (args.presets or "").split(",") if p.strip()] or None
    if args.fps is not None:
        _positive("fps", args.fps)
    result = bench_render(settings, args.render, encoders or [1], repeats=args.repeats,
                          say=lambda msg: print(msg, file=sys.stderr, flush=True), presets=presets, fps=args.fps,
                          keep=Path(args.keep) if args.keep else None)
    text = result.markdown()
    print(text)
    out = settings.renders / "bench-render.md"
    atomic_write_bytes(out, lambda fh: fh.write(text.encode()))
    print(f"written to {out}")
    return 0


def run_narration(args: argparse.Namespace, settings: Settings) -> int:
    import sys
    from pathlib import Path

    from gdevo.rendering.narration_bench import measure, print_table, write_json

    videos = [Path(v) for v in args.narration] or [settings.renders / "explainer.mp4"]
    bench = measure(videos, settings.renders, threads=args.threads or 0,
                    say=lambda msg: print(msg, file=sys.stderr, flush=True))
    print_table(bench)
    out = write_json(bench, settings.renders / "bench-narration.json")
    print(f"written to {out}")
    return 0


def run(args: argparse.Namespace, settings: Settings) -> int:
    from sim.bench import run_bench, to_markdown
    from sim.cache import resolve
    from sim.trace import atomic_write_bytes

    if args.narration is not None:
        return run_narration(args, settings)
    if args.render is not None:
        return run_render(args, settings)
    args.repeats = 5 if args.repeats is None else args.repeats
    try:
        chunks = [_positive("chunks", int(c)) for c in args.chunks.split(",") if c.strip()]
    except ValueError:
        raise GdevoError(f"--chunks: expected comma-separated integers, got {args.chunks!r}") from None
    for name in ("repeats", "naive_children", "steps", "every"):
        _positive(name.replace("_", "-"), getattr(args, name))
    if args.threads is not None and args.threads < 0:
        raise GdevoError(f"--threads must be >= 0, got {args.threads}")
    cfg = resolve("function-fit", TINY if args.tiny else [], device=args.device, cache=settings.cache,
                  project=settings.project).config
    result = run_bench(cfg, args.device, args.repeats, chunks or None, args.naive_children, args.steps,
                       args.every, args.threads)
    if args.tiny:
        result.notes.append("--tiny: a tiny network and population; numbers say nothing about the real task")
    _print(result)
    out = settings.renders / "bench.md"
    text = to_markdown(result)
    atomic_write_bytes(out, lambda fh: fh.write(text.encode()))
    print(f"written to {out}")
    return 0


def _print(result) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console() if Console().is_terminal else Console(width=150)
    table = Table(title=f"gdevo bench — {result.device}"
                  + (f", {result.threads} CPU threads" if result.threads else ""), title_justify="left")
    for col in ("Name", "Min (ms)", "Max (ms)", "Median (ms)", "OPS", "Rounds"):
        table.add_column(col, justify="left" if col == "Name" else "right")
    group = None
    for t in result.timings:
        if t.group != group:
            table.add_section() if group is not None else None
            table.add_row(f"[bold]{t.group}[/bold]", "", "", "", "", "")
            group = t.group
        name = f"  {t.name}" + (f" [dim]({t.note})[/dim]" if t.note else "")
        table.add_row(name, f"{min(t.times) * 1e3:.3f}", f"{max(t.times) * 1e3:.3f}", f"{t.median * 1e3:.3f}",
                      f"{t.ops_per_s:,.1f} {t.unit}s/s", str(len(t.times)))
    console.print(table)
    ratios = Table(title="ratios (medians, measured in this run)", title_justify="left")
    for col in ("what", "measured", "target"):
        ratios.add_column(col, justify="left" if col == "what" else "right")
    for what, value, target in result.ratios:
        ratios.add_row(what, f"{value:.2f}×", target)
    console.print(ratios)
    for note in result.notes:
        console.print(f"note: {note}")

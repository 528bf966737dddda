"""gdevo report: a table of numbers per experiment, printed and written to renders/report.md.

A name that is a sweep file (SPEC.toml) reports that sweep (its missing cells are simulated first);
without names, the report ends with every sweep already written to renders/sweeps/.

Each experiment kind may define `report(trace) -> str` (Markdown) on its Experiment; the
default table lists every run's final loss, evaluations, status and wall time.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from sim.errors import GdevoError

if TYPE_CHECKING:
    from gdevo.settings import Settings

NAME = "report"


def register(sub) -> None:
    p = sub.add_parser(NAME, help="print the numbers of every experiment (and write renders/report.md)")
    from gdevo.commands.sweep import add_executor_args

    p.add_argument("names", nargs="*", help="experiments or sweep files (default: all CPU presets and the sweeps "
                                            "in renders/sweeps)")
    p.add_argument("--device", choices=["cpu", "cuda"])
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="config overrides, as given to `gdevo sim` (applied to every named experiment)")
    add_executor_args(p)


def default_table(trace) -> str:
    rows = ["| run | status | final loss | evaluations | wall s |", "|---|---|---:|---:|---:|"]
    for r in trace.runs():
        wall = f"{r.wall[-1]:.3f}" if r.wall is not None and len(r.wall) else "–"
        evals = f"{r['evals'][-1]:.0f}" if "evals" in r else "–"
        final = r.meta.get("final_loss")
        final_s = f"{final:.4g}" if isinstance(final, (int, float)) else "–"
        rows.append(f"| {r.meta.get('label', r.name)} | {r.meta.get('status', '?')} | {final_s} | {evals} | {wall} |")
    return "\n".join(rows)


def demote(markdown: str) -> str:
    """A sweep's own Markdown one heading level down, to sit under the report's title."""
    return "\n".join("#" + line if line.startswith("#") else line for line in markdown.splitlines()) + "\n"


def sweep_section(spec: Path, args: argparse.Namespace, settings: Settings) -> str:
    from gdevo.runs.executors import open_executor
    from gdevo.runs.sweep import run_sweep

    if not spec.is_file():
        raise GdevoError(f"{spec}: no such sweep file")
    with open_executor(settings.scheduler, args.workers, settings.connect_timeout) as executor:
        result = run_sweep(spec, executor, settings)
    return result.outputs[0].read_text(encoding="utf-8")


def run(args: argparse.Namespace, settings: Settings) -> int:
    from sim.cache import config_names, ensure_trace, preset_device, resolve
    from sim.experiments import registry
    from sim.trace import atomic_write_bytes

    names = args.names or [n for n in config_names()
                           if args.device == "cuda" or preset_device(n) != "cuda"]
    parts = ["# gdevo report", ""]
    sweeps = []
    for name in names:
        if name.endswith(".toml"):
            sweeps.append(sweep_section(Path(name), args, settings))
            continue
        where = {"cache": settings.cache, "project": settings.project}
        trace = ensure_trace(name, args.overrides, device=args.device, **where)
        exp = registry()[resolve(name, args.overrides, device=args.device, **where).kind]
        table = exp.report(trace) if exp.report else default_table(trace)
        parts += [f"## {name}", "", f"seed {trace.meta['seed']}, sim {trace.meta['sim_version']}", "", table, ""]
    if not args.names:
        from gdevo.runs.sweep import sweep_reports

        sweeps = [p.read_text(encoding="utf-8") for p in sweep_reports(settings.renders)]
    parts += [demote(md) for md in sweeps]
    text = "\n".join(parts)
    print(text)
    out = settings.renders / "report.md"
    atomic_write_bytes(out, lambda fh: fh.write(text.encode()))
    print(f"written to {out}")
    return 0

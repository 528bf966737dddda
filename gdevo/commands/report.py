"""gdevo report: a table of numbers per experiment, printed and written to renders/report.md.

Each experiment kind may define `report(trace) -> str` (Markdown) on its Experiment; the
default table lists every run's final loss, evaluations, status and wall time.
"""

from __future__ import annotations

import argparse

NAME = "report"


def register(sub) -> None:
    p = sub.add_parser(NAME, help="print the numbers of every experiment (and write renders/report.md)")
    p.add_argument("names", nargs="*", help="experiments (default: all CPU presets)")
    p.add_argument("--device", choices=["cpu", "cuda"])
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="config overrides, as given to `gdevo sim` (applied to every named experiment)")


def default_table(trace) -> str:
    rows = ["| run | status | final loss | evaluations | wall s |", "|---|---|---:|---:|---:|"]
    for r in trace.runs():
        wall = f"{r.wall[-1]:.3f}" if r.wall is not None and len(r.wall) else "–"
        evals = f"{r['evals'][-1]:.0f}" if "evals" in r else "–"
        final = r.meta.get("final_loss")
        final_s = f"{final:.4g}" if isinstance(final, (int, float)) else "–"
        rows.append(f"| {r.meta.get('label', r.name)} | {r.meta.get('status', '?')} | {final_s} | {evals} | {wall} |")
    return "\n".join(rows)


def run(args: argparse.Namespace) -> int:
    from gdevo.render import renders_dir
    from sim.cache import config_names, ensure_trace, preset_device, resolve
    from sim.experiments import registry
    from sim.trace import atomic_write_bytes

    names = args.names or [n for n in config_names()
                           if args.device == "cuda" or preset_device(n) != "cuda"]
    parts = ["# gdevo report", ""]
    for name in names:
        trace = ensure_trace(name, args.overrides, device=args.device)
        exp = registry()[resolve(name, args.overrides, device=args.device).kind]
        table = exp.report(trace) if exp.report else default_table(trace)
        parts += [f"## {name}", "", f"seed {trace.meta['seed']}, sim {trace.meta['sim_version']}", "", table, ""]
    text = "\n".join(parts)
    print(text)
    out = renders_dir() / "report.md"
    atomic_write_bytes(out, lambda fh: fh.write(text.encode()))
    print(f"written to {out}")
    return 0

"""Benchmark: a sweep of 16 cells on Dask with 1 worker vs 2 workers (speedup), and the Dask path
against the local process pool for the same work (overhead). Ratios, measured in one run.

    .venv/bin/python scripts/bench_sweep.py [--seeds 4] [--rounds 2] [--out renders/bench-sweep.md]

Every measurement simulates every cell afresh (its own empty cache) and is timed from planning
to the last result written on the client; starting the clusters is not counted (both are started
first, like clusters already running). Rounds alternate the order to cancel a drifting load.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SPEC = """
experiment = "sine-2d"
seeds = {seeds}
set = ["landscape.resolution=101"]
runs = ["evolution"]
[grid]
"runs.3.population" = [4, 16]
"runs.3.sigma" = [0.1, 0.3]
"""


def timed_sweep(spec: Path, executor, cache: Path, renders: Path) -> float:
    from gdevo.runs.sweep import run_sweep
    from gdevo.settings import Settings

    t0 = time.perf_counter()
    result = run_sweep(spec, executor, Settings(cache=cache, renders=renders), quiet=True)
    seconds = time.perf_counter() - t0
    assert result.computed == len(result.plan.cells), "every cell must be simulated afresh"
    return seconds


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=4, help="seeds per grid point (4 grid points; default 16 cells)")
    ap.add_argument("--rounds", type=int, default=2,
                    help="measurement rounds, in the order A B C, then C B A, ... (cancels a drifting load)")
    ap.add_argument("--out", type=Path, default=ROOT / "renders" / "bench-sweep.md")
    args = ap.parse_args()

    from contextlib import ExitStack

    from gdevo.runs.dask_local import local_cluster
    from gdevo.runs.executors import DaskExecutor, LocalExecutor
    from sim.trace import atomic_write_bytes

    cells = 4 * args.seeds
    times: dict[str, list[float]] = {"local pool, 2 processes": [], "dask, 1 worker": [], "dask, 2 workers": []}
    with tempfile.TemporaryDirectory(prefix="gdevo-bench-sweep-") as tmp, ExitStack() as stack:
        tmp = Path(tmp)
        spec = tmp / "bench.toml"
        spec.write_text(SPEC.format(seeds=args.seeds))
        pool = LocalExecutor(workers=2)
        stack.callback(pool.close)
        executors = {"local pool, 2 processes": pool}
        for n, label in ((1, "dask, 1 worker"), (2, "dask, 2 workers")):
            cluster = stack.enter_context(local_cluster(tmp / f"cluster{n}", n_workers=n))
            executors[label] = DaskExecutor(cluster.address)
            stack.callback(executors[label].close)
        order = list(executors)
        for r in range(args.rounds):
            for label in order if r % 2 == 0 else order[::-1]:
                times[label].append(timed_sweep(spec, executors[label], tmp / f"cache-{len(times[label])}-{label}",
                                                tmp / "renders"))
                print(f"{label}: {times[label][-1]:.1f} s", flush=True)
    mean = {k: sum(v) / len(v) for k, v in times.items()}
    speedup = mean["dask, 1 worker"] / mean["dask, 2 workers"]
    overhead = mean["dask, 2 workers"] / mean["local pool, 2 processes"]
    load = os.getloadavg()
    lines = ["# Sweep benchmark", "",
             f"{cells} cells of sine-2d (evolution grid, landscape 101²), each simulated afresh; "
             f"{os.cpu_count()} CPU cores; {args.rounds} rounds (ABC CBA ...); load average at the end "
             f"{load[0]:.1f} (1 min), {load[1]:.1f} (5 min).", "",
             "| executor | mean s | rounds (s) | per cell s |", "|---|---:|---|---:|"]
    lines += [f"| {k} | {mean[k]:.1f} | {', '.join(f'{t:.1f}' for t in v)} | {mean[k] / cells:.2f} |"
              for k, v in times.items()]
    lines += ["", f"- speedup, dask 2 workers vs 1: **{speedup:.2f}x**",
              f"- overhead, dask 2 workers vs local pool of 2: **{overhead:.2f}x** the local time", ""]
    text = "\n".join(lines)
    print(text)
    atomic_write_bytes(args.out, lambda fh: fh.write(text.encode()))
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

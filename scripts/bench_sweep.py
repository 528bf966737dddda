"""Benchmark: a sweep of 16 cells on Dask with 1 worker vs 2 workers (speedup), and the Dask path
against the local process pool for the same work (overhead). Ratios, measured in one run.

    .venv/bin/python scripts/bench_sweep.py [--cells-seeds 4] [--out renders/bench-sweep.md]

Every measurement simulates every cell afresh (its own empty cache) and is timed from submitting
to the last trace written on the client; starting the cluster is not counted (it is started once
per worker count, like a cluster that is already running).
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


def timed_sweep(spec: Path, executor, cache: Path) -> float:
    from gdevo.sweep import run_sweep

    os.environ["GDEVO_CACHE"] = str(cache)
    t0 = time.perf_counter()
    result = run_sweep(spec, executor, quiet=True)
    seconds = time.perf_counter() - t0
    assert result.computed == len(result.plan.cells), "every cell must be simulated afresh"
    return seconds


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=4, help="seeds per grid point (4 grid points; default 16 cells)")
    ap.add_argument("--out", type=Path, default=ROOT / "renders" / "bench-sweep.md")
    args = ap.parse_args()

    from gdevo.dask_local import local_cluster
    from gdevo.executors import DaskExecutor, LocalExecutor
    from sim.trace import atomic_write_bytes

    with tempfile.TemporaryDirectory(prefix="gdevo-bench-sweep-") as tmp:
        tmp = Path(tmp)
        os.environ["GDEVO_RENDERS"] = str(tmp / "renders")
        spec = tmp / "bench.toml"
        spec.write_text(SPEC.format(seeds=args.seeds))
        cells = 4 * args.seeds
        times: dict[str, float] = {}
        pool = LocalExecutor(workers=2)
        try:
            times["local pool, 2 processes"] = timed_sweep(spec, pool, tmp / "c-local2")
        finally:
            pool.close()
        for n in (1, 2):
            with local_cluster(tmp / f"cluster{n}", n_workers=n) as cluster:
                dask = DaskExecutor(cluster.address)
                try:
                    times[f"dask, {n} worker{'s' * (n > 1)}"] = timed_sweep(spec, dask, tmp / f"c-dask{n}")
                finally:
                    dask.close()
    speedup = times["dask, 1 worker"] / times["dask, 2 workers"]
    overhead = times["dask, 2 workers"] / times["local pool, 2 processes"]
    load = os.getloadavg()
    lines = ["# Sweep benchmark", "",
             f"{cells} cells of sine-2d (evolution grid, landscape 101²), each simulated afresh; "
             f"{os.cpu_count()} CPU cores; load average at the end {load[0]:.1f}.", "",
             "| executor | seconds | per cell |", "|---|---:|---:|"]
    lines += [f"| {k} | {v:.1f} | {v / cells:.2f} |" for k, v in times.items()]
    lines += ["", f"- speedup, dask 2 workers vs 1: **{speedup:.2f}x**",
              f"- overhead, dask 2 workers vs local pool of 2: **{overhead:.2f}x** the local time", ""]
    text = "\n".join(lines)
    print(text)
    atomic_write_bytes(args.out, lambda fh: fh.write(text.encode()))
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`gdevo bench --tiny`: the output's shape (variants, ratios, renders/bench.md), never its timings."""

from __future__ import annotations

import os
from pathlib import Path

from gdevo.cli import main


def test_bench_tiny_prints_every_variant_and_ratio_and_writes_markdown(capsys):
    rc = main(["bench", "--tiny", "--repeats", "2", "--steps", "4", "--every", "2", "--naive-children", "4",
               "--chunks", "8,64"])
    out = capsys.readouterr().out
    assert rc == 0
    for text in ("chunk 8", "chunk 64", "naive loop", "bare torch loop", "recorded, every step",
                 "recorded, every 2 steps", "naive / batched", "recording overhead", "scaled ×16"):
        assert text in out, text
    md = (Path(os.environ["GDEVO_RENDERS"]) / "bench.md").read_text()
    rows = [line for line in md.splitlines() if line.startswith("| ") and "---" not in line]
    # header + (2 chunks + naive) + 2 optimizers × 3 variants; ratio header + 1 + 2 × 2 × (wall, CPU time)
    assert len(rows) == 1 + 3 + 6 + 1 + 1 + 8
    assert out.count("recording overhead, CPU time") == 4
    evo_rows = [r for r in rows if r.startswith("| evolution round, P=64")]
    assert len(evo_rows) == 3 and sum("fastest chunk" in r for r in evo_rows) == 1
    ratio_rows = [r for r in rows if "×" in r.split("|")[2]]
    assert all(float(r.split("|")[2].strip().rstrip("×")) > 0 for r in ratio_rows)


def test_bench_rejects_bad_arguments_in_one_line(capsys):
    assert main(["bench", "--tiny", "--repeats", "0"]) == 2
    err = capsys.readouterr().err
    assert "--repeats must be >= 1" in err and err.count("\n") == 1
    assert main(["bench", "--tiny", "--chunks", "8,x"]) == 2
    assert "--chunks" in capsys.readouterr().err

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
                 "recorded, every 2 steps", "naive / batched", "recording overhead", "scaled ×16",
                 "matrix products alone, float32", "matrix products alone, bfloat16", "the ceiling here"):
        assert text in out, text
    md = (Path(os.environ["GDEVO_RENDERS"]) / "bench.md").read_text()
    rows = [line for line in md.splitlines() if line.startswith("| ") and "---" not in line]
    # header + (2 chunks + naive + 2 ceilings) + 2 optimizers × 3 variants; ratio header + 1 + 2 ceilings
    # + 2 × 2 × (wall, CPU time)
    assert len(rows) == 1 + 5 + 6 + 1 + 1 + 2 + 8
    assert out.count("recording overhead, CPU time") == 4
    evo_rows = [r for r in rows if r.startswith("| evolution round, P=64")]
    assert len(evo_rows) == 5 and sum("fastest chunk" in r for r in evo_rows) == 1
    assert sum("best child differs from float32's in " in r for r in evo_rows) == 1
    ratio_rows = [r for r in rows if "×" in r.split("|")[2]]
    assert all(float(r.split("|")[2].strip().rstrip("×")) > 0 for r in ratio_rows)


def test_bench_rejects_bad_arguments_in_one_line(capsys):
    assert main(["bench", "--tiny", "--repeats", "0"]) == 2
    err = capsys.readouterr().err
    assert "--repeats must be >= 1" in err and err.count("\n") == 1
    assert main(["bench", "--tiny", "--chunks", "8,x"]) == 2
    assert "--chunks" in capsys.readouterr().err


def test_the_ceiling_times_the_rounds_own_products_and_counts_changed_winners():
    """products_only is forward with identity activations (so for a linear network it is forward);
    best_child_changes counts nothing when the lower precision is float32 itself."""
    import torch

    from sim.bench import best_child_changes, products_only
    from sim.nets import MLPProblem, MLPSpec, forward, init_params
    from sim.optimizers import LocalSearch

    gen = torch.Generator().manual_seed(0)
    spec = MLPSpec((1, 6, 6, 1), "identity")
    pop = torch.stack([init_params(spec, gen) for _ in range(10)])
    x = torch.linspace(-1, 1, 9).unsqueeze(1)
    seen: list[torch.Tensor] = []
    import sim.bench as bench

    real = bench.forward
    bench.forward = lambda s, p, xx: seen.append(real(s, p, xx)) or seen[-1]
    try:
        products_only(MLPSpec((1, 6, 6, 1), "tanh"), pop, x, chunk=4)
    finally:
        bench.forward = real
    assert [len(t) for t in seen] == [4, 4, 2]
    assert torch.equal(torch.cat(seen), forward(spec, pop, x))
    y = torch.sin(3 * x)
    problem = MLPProblem(MLPSpec((1, 6, 6, 1), "tanh"), x, y, chunk=4)
    x0 = init_params(problem.spec, gen)
    es = LocalSearch(x0, problem.loss(x0), 10, 0.5, 1.0, torch.Generator().manual_seed(1))
    assert best_child_changes(problem, es, 12, torch.float32) == 0
    es = LocalSearch(x0, problem.loss(x0), 10, 1e-4, 1.0, torch.Generator().manual_seed(1))
    assert 0 < best_child_changes(problem, es, 12, torch.bfloat16) <= 12   # children closer than bf16 can tell

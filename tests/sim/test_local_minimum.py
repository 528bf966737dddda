"""local-minimum: evolution stalls in a shallow local minimum, momentum and Adam get out."""

from __future__ import annotations

import numpy as np
import pytest

from sim.experiments.local_minimum import LocalMinimumConfig
from sim.experiments.sine2d import report, simulate


def _config(**kw) -> LocalMinimumConfig:
    runs = [
        dict(name="evolution", optimizer="evolution", population=8, sigma=0.1, steps=60),
        dict(name="sgd", optimizer="sgd", lr=0.3, steps=60),
        dict(name="momentum", optimizer="sgd", lr=0.3, momentum=0.8, steps=60),
        dict(name="adam", optimizer="adam", lr=0.15, steps=60),
        dict(name="momentum-deep", optimizer="sgd", lr=0.3, momentum=0.8, steps=60),
    ]
    data = dict(seed=0, model="sin(a*x + b)", start=(-0.25, 1.75), starts={"momentum-deep": (-1.0, 0.5)},
                data=dict(x=list(np.linspace(-2, 2, 9)), target="sin(2.5*x + 0.5)"),
                landscape=dict(resolution=81), runs=runs)
    data.update(kw)
    return LocalMinimumConfig.model_validate(data)


@pytest.fixture(scope="module")
def trace():
    return simulate(_config(), "local-minimum")


def test_landscape_marks_several_local_minima_sorted_by_loss(trace):
    minima, loss = trace["landscape/minima"], trace["landscape/minima_loss"]
    assert len(minima) >= 3 and np.all(np.diff(loss) >= 0)
    assert loss[0] == pytest.approx(float(trace["landscape/min_loss"]))
    grid, a, b = trace["landscape/loss"], trace["landscape/a"], trace["landscape/b"]
    for (ma, mb), ml in zip(minima, loss, strict=True):  # each is polished below the grid cells around it
        i, j = int(np.argmin(np.abs(b - mb))), int(np.argmin(np.abs(a - ma)))
        assert ml <= grid[max(i - 2, 0):i + 3, max(j - 2, 0):j + 3].min() + 1e-15


def test_no_run_ends_below_the_global_minimum():
    """The grid only samples the landscape: its lowest cell read 2.7e-4 while momentum reached 1e-6,
    and ch10 said 'the best network has loss 0.00027'. The polished global minimum is below every run.
    (A grid whose points miss the exact fits: 77 points over [-4, 4] do not hold a = 2.5 or b = 0.5.)"""
    trace = simulate(_config(landscape=dict(resolution=77)), "local-minimum")
    assert trace["landscape/loss"].min() > 1e-4          # the grid alone would say 'best loss 1e-4 or more'
    best = float(trace["landscape/min_loss"])
    assert best < 1e-12   # sin(a*x + b) fits sin(2.5x + 0.5) exactly
    for name in trace.run_names:
        assert float(np.nanmin(trace.run(name)["loss"])) >= best, name
    glob = trace["landscape/minima_global"]
    assert glob[0] and glob.sum() == 3   # exact fits: (2.5, 0.5) and (−2.5, π − 0.5 − 2πk)
    assert not glob[3:].any()


def test_evolution_stalls_in_a_local_minimum(trace):
    evo = trace.run("evolution")
    loss = evo["loss"]
    assert loss[-1] > trace["landscape/minima_loss"][0] + 0.5, "stuck well above the global minimum"
    assert loss[-31] - loss[-1] < 1e-3, "no real improvement in the last 30 rounds"
    assert evo.meta["trapped"] and evo.meta["status"] == "stalled"
    k = evo.meta["ends_in_minimum"]
    assert np.linalg.norm(trace["landscape/minima"][k] - evo["params"][-1]) < 0.3
    assert evo.meta["plateau_step"] < 30


def test_momentum_and_adam_get_out(trace):
    evo = trace.run("evolution")["loss"][-1]
    for name in ("momentum", "adam"):
        run = trace.run(name)
        assert run["loss"][-1] < 0.01 < evo - 0.5, name
        assert not run.meta["trapped"] and run.meta["status"] == "ok"


def test_honest_failure_a_deep_minimum_holds_momentum(trace):
    run = trace.run("momentum-deep")
    assert np.allclose(run["params"][0], (-1.0, 0.5))
    assert run["loss"][-1] > 0.4 and run.meta["trapped"]


def test_report_says_where_runs_end(trace):
    text = report(trace)
    evo = next(line for line in text.splitlines() if line.startswith("| evolution"))
    assert "local min" in evo and "stalled" in evo
    mom = next(line for line in text.splitlines() if line.startswith("| momentum |"))
    assert "global min" in mom


def test_local_minima_match_a_brute_force_scan():
    """sine2d.local_minima (scipy.ndimage filters) against a plain 5×5 scan of a random landscape."""
    import numpy as np

    from sim.experiments.sine2d import local_minima

    rng = np.random.default_rng(3)
    loss = rng.random((30, 40))
    a, b = np.linspace(-2, 2, 40), np.linspace(-1, 1, 30)
    want = []
    for i in range(2, 28):
        for j in range(2, 38):
            w = loss[i - 2:i + 3, j - 2:j + 3]
            if loss[i, j] <= w.min() and w.max() - loss[i, j] > 0.05:
                want.append((loss[i, j], a[j], b[i]))
    want.sort()
    got_xy, got_loss = local_minima(a, b, loss, 0.05, limit=1000)
    spacing = 3 * max(a[1] - a[0], b[1] - b[0])
    kept = []
    for f in want:
        if all(np.hypot(f[1] - k[1], f[2] - k[2]) > spacing for k in kept):
            kept.append(f)
    np.testing.assert_allclose(got_loss, [k[0] for k in kept])
    np.testing.assert_allclose(got_xy, [[k[1], k[2]] for k in kept])

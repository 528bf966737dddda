"""strong-es: CMA-ES's recorded generations are consistent, SNES and local search are recorded at equal
budgets, and the same seed gives the same bytes."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from sim.errors import ConfigError
from sim.experiments.strong_es import StrongESConfig, report, simulate
from sim.problems import TanhCurve
from sim.trace import load_trace, save_trace


def tiny(**kw) -> StrongESConfig:
    data = dict(seed=0, seeds=3,
                small=dict(landscape=dict(resolution=21), curve_points=11, cma=dict(popsize=6, generations=15),
                           local=dict(population=6, sigma=0.3)),
                large=dict(hidden=[8, 8], n=40, budget=600, record_every=5, curve_points=11,
                           snes=dict(popsize=20, sigma0=0.05), local=dict(population=20, sigma=0.02)))
    data.update(kw)
    return StrongESConfig.model_validate(data)


@pytest.fixture(scope="module")
def trace():
    return simulate(tiny(), "strong-es")


def test_cma_es_reduces_the_loss_on_every_seed(trace):
    for key in ("cma-es", "cma-es@seed1", "cma-es@seed2"):
        run = trace.run(key)
        assert run["best_loss"][-1] < 0.01 * run["best_loss"][0], key
        assert run["loss"][-1] < run["loss"][0], key


def test_cma_population_losses_and_means_are_consistent(trace):
    problem = TanhCurve(torch.from_numpy(trace["small/data/x"]), torch.from_numpy(trace["small/data/y"]))
    run = trace.run("cma-es")
    pop, pop_loss, means = run["population"], run["pop_loss"], run["params"]
    assert pop.shape == (15, 6, 2) and means.shape == (16, 2)
    np.testing.assert_allclose(problem.loss(torch.from_numpy(pop)).numpy(), pop_loss, rtol=1e-12)
    np.testing.assert_allclose(problem.loss(torch.from_numpy(means)).numpy(), run["loss"], rtol=1e-12)
    np.testing.assert_array_equal(run["winner"], pop_loss.argmin(axis=1))
    # CMA-ES's mean update: the new mean is the weighted mean of the best mu children
    w = np.array(run.meta["weights"])
    assert run.meta["cmean"] == 1.0 and w.sum() == pytest.approx(1.0)
    for t in range(len(pop)):
        best = pop[t][np.argsort(pop_loss[t], kind="stable")[: len(w)]]
        np.testing.assert_allclose(means[t + 1], w @ best, atol=1e-10)
    # the population was drawn around the previous mean with the recorded covariance (loose check
    # over all generations: whitened offsets have unit scale)
    z = []
    for t in range(len(pop)):
        chol = np.linalg.cholesky(run["cov"][t])
        z.append(np.linalg.solve(chol, (pop[t] - means[t]).T).T)
    z = np.concatenate(z)
    assert 0.6 < z.std() < 1.5 and abs(z.mean()) < 0.3
    best = np.minimum.accumulate(np.concatenate([[run["loss"][0]], pop_loss.min(axis=1)]))
    np.testing.assert_allclose(run["best_loss"], best)


def test_equal_budgets_and_recorded_shapes(trace):
    assert trace.run("cma-es")["evals"][-1] == trace.run("evolution")["evals"][-1] == 1 + 15 * 6
    snes, ls = trace.run("snes"), trace.run("mlp-evolution")
    assert snes["evals_all"][-1] == ls["evals_all"][-1] == 1 + 600
    assert snes["params"].shape == (len(snes["checkpoints"]), trace.meta["n_params"]["mlp"])
    assert list(snes["checkpoints"]) == [0, 5, 10, 15, 20, 25, 30]
    np.testing.assert_array_equal(snes["loss"], snes["loss_all"][snes["checkpoints"]])
    assert snes["best_all"][-1] <= snes["best_all"][0]
    assert np.all(np.diff(snes["best_all"]) <= 0)
    assert "curve" in snes and "curve" not in trace.run("snes@seed1")


def test_snes_recorded_loss_is_the_loss_of_its_recorded_mean(trace):
    from sim.nets import MLPProblem, MLPSpec

    problem = MLPProblem(MLPSpec((1, 8, 8, 1), "leaky_relu"), torch.from_numpy(trace["large/data/x"])[:, None],
                         torch.from_numpy(trace["large/data/y"])[:, None])
    snes = trace.run("snes")
    with torch.no_grad():
        got = problem.loss(torch.from_numpy(snes["params"])).numpy()
    np.testing.assert_allclose(got, snes["loss"], rtol=1e-5)
    assert snes["loss"][-1] < snes["loss"][0]


def test_same_seed_identical_bytes(tmp_path):
    cfg = tiny(seeds=1)
    pa = save_trace(simulate(cfg, "s"), tmp_path / "a.npz")
    pb = save_trace(simulate(cfg, "s"), tmp_path / "b.npz")
    assert pa.read_bytes() == pb.read_bytes()
    pc = save_trace(simulate(tiny(seeds=1, seed=3), "s"), tmp_path / "c.npz")
    assert pc.read_bytes() != pa.read_bytes()
    table = report(load_trace(pa))
    assert "| tanh-2d | CMA-ES |" in table and "| mlp | SNES |" in table


def test_stats_spreads_matches_and_runs_off_the_grid(trace):
    """Recomputed by hand from the runs' arrays: sample sd, first evaluation at or below the level."""
    import statistics

    st = trace.stats
    assert st["seeds"] == 3
    for task, strong, simple in (("tanh-2d", "cma-es", "evolution"), ("mlp", "snes", "mlp-evolution")):
        seeds = [trace.run(strong), *(trace.run(f"{strong}@seed{k}") for k in (1, 2))]
        simples = [trace.run(simple), *(trace.run(f"{simple}@seed{k}") for k in (1, 2))]
        best = [float((r["best_all"] if "best_all" in r else r["best_loss"])[-1]) for r in seeds]
        assert st[task][strong]["best_loss"]["sd"] == pytest.approx(statistics.stdev(best))
        needed = []
        for r, s in zip(seeds, simples, strict=True):
            level = float((s["best_all"] if "best_all" in s else s["best_loss"])[-1])
            curve = r["best_all"] if "best_all" in r else r["best_loss"]
            evals = r["evals_all"] if "evals_all" in r else r["evals"]
            hit = [float(e) for v, e in zip(curve, evals, strict=True) if v <= level]
            needed.append(hit[0] if hit else None)
        assert st[task]["match"]["per_seed"] == needed
        got = [v for v in needed if v is not None]
        assert st[task]["match"]["evals"]["n"] == len(got)
        if got:
            assert st[task]["match"]["evals"]["mean"] == pytest.approx(statistics.mean(got))
    a, b = trace["small/landscape/a"], trace["small/landscape/b"]
    for base in ("cma-es", "evolution"):
        ends = {int(r.meta["seed"]): r["params"][-1] for r in trace.repeats(base)}
        outside = [s for s, p in ends.items() if not (a.min() <= p[0] <= a.max() and b.min() <= p[1] <= b.max())]
        assert st["tanh-2d"]["off_grid"][base]["seeds"] == outside


def test_bad_values_are_one_line_config_errors():
    from sim.config import validate_config

    with pytest.raises(ConfigError, match=r"large\.snes"):
        validate_config(StrongESConfig, {"large": {"snes": {"popsize": 7}}}, "c.toml")
    with pytest.raises(ConfigError, match=r"small\.cma\.sigma0"):
        validate_config(StrongESConfig, {"small": {"cma": {"sigma0": -1}}}, "c.toml")


# ------------------------------------------------------- one task, one run: chapter 15 is chapter 5's

TINY_LARGE = ["seeds=1", "large.budget=80", "large.record_every=1"]


def test_the_local_search_is_chapter_5s_run_bit_for_bit():
    """The same local search ended at 1.7e-8 in chapter 5 and 1.2e-5 in chapter 15 (#17): strong-es
    now takes sine-2d's task, start and run (`[small] like = "sine-2d"`), and its first seed of the
    local search is that run, with the same random stream."""
    from sim.cache import resolve
    from sim.experiments import registry

    sine = resolve("sine-2d")
    sine_trace = registry()["sine-2d"].run(sine.config, "sine-2d", "cpu")
    mine = sine_trace.run("evolution")
    es = resolve("strong-es", overrides=TINY_LARGE)
    trace = registry()["strong-es"].run(es.config, "strong-es", "cpu")
    theirs = trace.run("evolution")
    for key in ("params", "loss", "population", "pop_loss"):
        np.testing.assert_array_equal(theirs[key], mine[key])
    np.testing.assert_array_equal(trace["small/landscape/loss"], sine_trace["landscape/loss"])
    assert trace.run("cma-es")["evals"][-1] == mine["evals"][-1]   # the same budget: 1 + 40 × 8


def test_a_projects_sine_2d_and_function_fit_reach_chapter_15(tmp_path):
    """A project that changes chapter 5's function or chapter 6's network changes chapter 15's too."""
    from sim.cache import resolve

    (tmp_path / "overrides").mkdir()
    (tmp_path / "gdevo.toml").write_text('title = "mine"\n')
    before = resolve("strong-es")
    (tmp_path / "overrides" / "sine-2d.toml").write_text(
        '[data]\nx = [-2.0, 1.0]\ntarget = "0.5*x"\n\n[runs.evolution]\nsigma = 0.2\nsteps = 10\n')
    (tmp_path / "overrides" / "function-fit.toml").write_text('[data]\ntarget = "abs(x)"\n[model]\nsizes = [1, 7, 1]\n')
    after = resolve("strong-es", project=tmp_path)
    small, large = after.config.small, after.config.large
    assert (small.x, small.target, small.search().sigma, small.search().steps) == ([-2.0, 1.0], "0.5*x", 0.2, 10)
    assert small.cma.generations == 10 * small.search().population // small.cma.popsize
    assert (large.target, large.hidden) == ("abs(x)", (7,))
    assert after.path != before.path
    # a key strong-es gives itself wins
    (tmp_path / "overrides" / "strong-es.toml").write_text('[small]\ntarget = "cos(x)"\n')
    assert resolve("strong-es", project=tmp_path).config.small.target == "cos(x)"


@pytest.mark.parametrize("like, says", [("nope", "unknown experiment 'nope'"), ("dimensions", "not a 2-parameter"),
                                        ("strong-es", "names this experiment itself")])
def test_a_bad_like_is_one_line(like, says):
    from sim.cache import resolve

    with pytest.raises(ConfigError, match=says) as exc:
        resolve("strong-es", overrides=[f"small.like={like}"])
    assert "\n" not in str(exc.value)

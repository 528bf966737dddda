"""function-fit: equal budgets, elitist evolution, recorded curves, determinism, the report."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

from sim.config import validate_config
from sim.errors import ConfigError
from sim.experiments.function_fit import FunctionFitConfig, build_problem, report, simulate
from sim.nets import forward, init_params
from sim.stats import value_at
from sim.trace import load_trace, save_trace


def small_config(**kw) -> FunctionFitConfig:
    data = dict(
        seed=3, seeds=3, frames=6, curve_points=40, chunk=8,
        data=dict(target="sin(3*x)", n=40),
        model=dict(sizes=[1, 8, 8, 1], activation="leaky_relu"),
        runs=[dict(name="evolution", optimizer="evolution", population=12, steps=8, sigma=0.5, sigma_decay=0.9),
              dict(name="momentum", optimizer="sgd", lr=0.01, momentum=0.9),
              dict(name="adam", optimizer="adam", lr=0.01)],
    )
    data.update(kw)
    return FunctionFitConfig.model_validate(data)


@pytest.fixture(scope="module")
def trace():
    return simulate(small_config(), "function-fit")


def test_gradient_runs_get_exactly_evolutions_evaluation_budget(trace):
    cfg = small_config()
    budget = 1 + 12 * 8
    assert trace.meta["budget"] == budget
    for seed_suffix in ("", "@seed4", "@seed5"):
        for name in ("evolution", "momentum", "adam"):
            assert trace.run(name + seed_suffix)["evals"][-1] == budget, name + seed_suffix
    # full batch: one step = one evaluation, and the recorded steps say so
    mom = trace.run("momentum")
    assert mom.meta["steps"] == budget
    np.testing.assert_array_equal(mom["step"], mom["evals"])
    assert mom["step"][0] == 0 and mom["step"][-1] == budget
    assert len(mom["loss"]) <= cfg.frames + 2


def test_minibatch_runs_take_more_steps_for_the_same_budget():
    cfg = small_config(runs=[dict(name="evolution", optimizer="evolution", population=5, steps=3),
                             dict(name="sgd", optimizer="sgd", lr=0.01, batch_size=10)], seeds=1)
    tr = simulate(cfg, "function-fit")
    sgd = tr.run("sgd")
    assert sgd["evals"][-1] == pytest.approx(tr.run("evolution")["evals"][-1])
    assert sgd["step"][-1] == 16 * 4  # 16 evaluations × (40 points / batch of 10)


def test_evolution_parent_loss_never_increases_and_uses_decayed_sigma(trace):
    for name in ("evolution", "evolution@seed4", "evolution@seed5"):
        loss = trace.run(name)["loss"]
        assert np.all(np.diff(loss) <= 0), name
    evo = trace.run("evolution")
    np.testing.assert_allclose(evo["sigma"], 0.5 * 0.9 ** np.arange(8))
    assert "population" not in evo and "pop_loss" not in evo
    # the best child of an accepted round is the new parent
    acc = evo["accepted"]
    np.testing.assert_allclose(evo["child_best"][acc], evo["loss"][1:][acc], rtol=1e-6)


def test_recorded_curve_is_the_network_output_at_the_recorded_params(trace):
    cfg = small_config()
    problem, _ = build_problem(cfg)
    xs = torch.from_numpy(trace["data/curve_x"]).unsqueeze(1)
    for name in ("evolution", "momentum", "adam"):
        run = trace.run(name)
        params = torch.from_numpy(run["params"])
        for k in (0, len(params) // 2, len(params) - 1):
            direct = forward(problem.spec, params[k], xs)[:, 0].detach().numpy()
            np.testing.assert_allclose(run["curve"][k], direct, rtol=1e-5, atol=1e-6)
        # and the recorded loss is the full-data MSE at those params
        k = len(params) - 1
        mse = float(((forward(problem.spec, params[k], problem.x) - problem.y) ** 2).mean())
        assert run["loss"][k] == pytest.approx(mse, rel=1e-5)


def test_all_runs_of_a_seed_start_from_the_same_network(trace):
    cfg = small_config()
    problem, _ = build_problem(cfg)
    x0 = init_params(problem.spec, torch.Generator().manual_seed(cfg.seed))
    for name in ("evolution", "momentum", "adam"):
        np.testing.assert_array_equal(trace.run(name)["params"][0], x0.numpy())
    assert trace.run("momentum@seed4")["loss"][0] == trace.run("adam@seed4")["loss"][0]
    assert trace.run("momentum@seed4")["loss"][0] != trace.run("momentum")["loss"][0]
    assert [r.name for r in trace.repeats("adam")] == ["adam", "adam@seed4", "adam@seed5"]


def test_same_seed_gives_identical_trace_bytes(tmp_path, trace):
    again = simulate(small_config(), "function-fit")
    a, b = tmp_path / "a.npz", tmp_path / "b.npz"
    save_trace(trace, a)
    save_trace(again, b)
    assert a.read_bytes() == b.read_bytes()
    other = simulate(small_config(seed=4), "function-fit")
    save_trace(other, c := tmp_path / "c.npz")
    assert c.read_bytes() != a.read_bytes()
    loaded = load_trace(a)
    assert loaded.run("adam").wall is not None


def test_summary_compares_at_equal_evaluations_and_equal_wall_time(trace):
    """The stored summaries against statistics.stdev (sample sd) over the runs' own arrays."""
    import statistics

    st, ws = trace.stats, trace.wall_stats
    assert st["order"] == ["evolution", "momentum", "adam"] and st["seeds"] == 3
    names = {g: [g, f"{g}@seed4", f"{g}@seed5"] for g in st["order"]}
    assert st["e_star"] == 1 + 12 * 8   # every run has exactly the budget
    t_star = min(float(trace.timing[n][-1]) for ns in names.values() for n in ns)
    assert ws["t_star"] == t_star
    for group, ns in names.items():
        finals = [float(trace.run(n)["loss"][-1]) for n in ns]
        got = st["groups"][group]["loss_at_e_star"]
        assert got["n"] == got["of"] == 3
        assert got["mean"] == pytest.approx(sum(finals) / 3)
        assert got["sd"] == pytest.approx(statistics.stdev(finals))
        # at equal wall time each seed is at its last recorded frame reached no later than t*
        at_t = []
        for n in ns:
            wall, loss = trace.timing[n], trace.run(n)["loss"]
            at_t.append(float(loss[max(k for k in range(len(wall)) if wall[k] <= t_star)]))
        assert ws["groups"][group]["loss_at_t_star"]["mean"] == pytest.approx(sum(at_t) / 3)
        assert ws["groups"][group]["loss_at_t_star"]["sd"] == pytest.approx(statistics.stdev(at_t))
    text = report(trace)
    assert text.count("\n|") >= 4 and "±" in text and f"{trace.meta['budget']:,}" in text


def test_report_without_timing_sidecar(trace):
    from sim.trace import Trace

    bare = Trace(trace.meta, trace.arrays, {})
    assert "–" in report(bare)


@pytest.mark.parametrize("patch, field", [
    ({"data": {"target": "__import__('os')"}}, "data.target"),
    ({"model": {"sizes": [2, 8, 1]}}, "model"),
    ({"data": {"x_range": [1.0, -1.0]}}, "data"),
    ({"runs": [{"name": "sgd", "optimizer": "sgd"}]}, "equal_budget"),
    ({"seeds": 0}, "seeds"),
])
def test_bad_config_values_are_one_line_errors(patch, field):
    data = small_config().model_dump(mode="json")
    data.update(patch)
    with pytest.raises(ConfigError) as exc:
        cfg = validate_config(FunctionFitConfig, data, "function-fit.toml")
        build_problem(cfg)
    assert field in str(exc.value) and "\n" not in str(exc.value)


@pytest.mark.parametrize("name, gradient_steps", [("function-fit", 15_000), ("function-fit-video", 150_001)])
def test_presets_are_the_videos_setting(name, gradient_steps):
    """Both presets run the video's evolution; the GPU preset gives the gradient runs its whole
    budget, the CPU preset a tenth of it (compared at equal evaluations in the report)."""
    from sim.cache import resolve
    from sim.experiments.function_fit import planned_runs

    cfg = resolve(name, device="cpu").config
    problem, _ = build_problem(cfg)
    assert problem.spec.n_params == 1741 and cfg.data.n == 300 and cfg.seeds >= 3
    evo = next(r for r in cfg.runs if r.optimizer == "evolution")
    assert (evo.population, evo.steps, evo.sigma, evo.sigma_decay) == (1000, 150, 1.0, 0.98)
    steps = {r.name: r.steps for r, _ in planned_runs(cfg)}
    assert steps["adam"] == steps["momentum"] == gradient_steps
    assert cfg.tuning is not None   # ... and the race is between tuned runs (#17)


def tuned_config(**kw) -> FunctionFitConfig:
    """Two settings per optimizer, tuned at the race's budget (97 evaluations) on its three seeds."""
    return small_config(tuning=dict(grid=dict(evolution=dict(population=[4, 12], sigma=[0.05, 0.5]),
                                              momentum=dict(lr=[0.001, 0.01]), adam=dict(lr=[0.001, 0.03]))), **kw)


@pytest.fixture(scope="module")
def tuned():
    return simulate(tuned_config(), "function-fit")


def test_tuning_picks_the_grids_best_mean_and_races_it(tuned):
    from sim.tuning import choose

    info = tuned.meta["tuning"]
    assert info["budget"] == 1 + 12 * 8 and info["seeds"] == [3, 4, 5]
    for name, n_cells in (("evolution", 4), ("momentum", 2), ("adam", 2)):
        run = info["runs"][name]
        finals = tuned[f"tuning/{name}/final_loss"]
        assert finals.shape == (len(run["settings"]), 3) and len(run["settings"]) >= n_cells
        means = finals.mean(axis=1)
        assert run["chosen"] == int(np.argmin(means)) == choose(finals)
        assert run["chosen_settings"] == run["settings"][run["chosen"]]
        assert run["at_edge"] == [k for k, vs in run["values"].items()
                                  if len(vs) > 1 and run["chosen_settings"][k] in (min(vs), max(vs))]
        # the grid grew past every end its winner sat at, up to `widen` (2) times, and only then stops
        for grown in run["widened"]:
            for k, v in grown.items():
                assert v in run["values"][k]
        assert len(run["widened"]) == 2 or not run["at_edge"]
        assert run["settings"] == [dict(zip(run["keys"], c, strict=True))
                                   for c in itertools.product(*run["values"].values())]
        # the tuned race is the chosen setting's runs: same seeds, same final loss at the budget
        reps = tuned.repeats(f"{name}-tuned")
        assert [r.meta["seed"] for r in reps] == [3, 4, 5]
        for r, f in zip(reps, finals[run["chosen"]], strict=True):
            assert value_at(r["loss"], r["evals"], info["budget"]) == pytest.approx(f)
        head = reps[0].meta
        for key, value in run["chosen_settings"].items():
            assert head[key] == value
        # every tuned run spends the tuning budget
        assert reps[0]["evals"][-1] >= info["budget"]
    # the configured lr 0.01 is a grid cell: its finals are the configured race's
    cell = info["runs"]["momentum"]["settings"].index({"lr": 0.01})
    np.testing.assert_allclose(tuned["tuning/momentum/final_loss"][cell],
                               [float(r["loss"][-1]) for r in tuned.repeats("momentum")])
    st = tuned.stats["tuned"]
    assert st["order"] == ["evolution-tuned", "momentum-tuned", "adam-tuned"]
    worst = max(g["loss_at_e_star"]["mean"] for g in st["groups"].values())
    assert st["reach_level"] == worst
    for g in st["groups"].values():   # everyone reaches the worst's mean loss (the worst itself: some seeds)
        assert g["evals_to_reach"]["n"] >= 1 and g["evals_to_reach"]["median"] <= st["e_star"]


def test_diverged_settings_count_as_infinite_and_never_win():
    from sim.tuning import choose

    finals = np.array([[0.1, np.inf, 0.1], [0.3, 0.3, 0.3], [np.nan, 0.01, 0.01]])
    assert choose(finals) == 1
    assert choose(np.array([[0.2, 0.2, 0.2], [0.1, 0.1, 0.1]])) == 1


def test_tuning_judges_on_three_seeds_even_when_the_race_has_fewer():
    one = simulate(tuned_config(seeds=1), "function-fit")
    info = one.meta["tuning"]
    assert info["seeds"] == [3, 4, 5] and one["tuning/adam/final_loss"].shape[1] == 3
    assert [r.meta["seed"] for r in one.repeats("adam-tuned")] == [3]      # only the race's seed is raced
    full = simulate(tuned_config(), "function-fit")                          # the same seeds, the same choice
    for name in ("evolution", "momentum", "adam"):
        np.testing.assert_array_equal(one[f"tuning/{name}/final_loss"], full[f"tuning/{name}/final_loss"])


def test_tuning_needs_three_seeds_and_known_settings():
    with pytest.raises(ConfigError, match=r"tuning\.seeds"):
        validate_config(FunctionFitConfig, small_config().model_dump(mode="json") | {"tuning": {"seeds": 2}}, "f.toml")
    bad = small_config().model_dump(mode="json") | {"tuning": {"grid": {"adam": {"population": [3]}}}}
    with pytest.raises(ConfigError, match="adam does not take 'population'"):
        validate_config(FunctionFitConfig, bad, "f.toml")
    bad = small_config().model_dump(mode="json") | {"tuning": {"grid": {"nope": {"lr": [0.1]}}}}
    with pytest.raises(ConfigError, match="no run named 'nope'"):
        validate_config(FunctionFitConfig, bad, "f.toml")


def test_default_grids_per_optimizer():
    from sim.config import RunConfig
    from sim.tuning import Tuning, run_grid, settings

    evo = RunConfig(name="evolution", optimizer="evolution", population=1000, sigma=1.0, sigma_decay=0.98)
    grid = run_grid(Tuning(), evo)
    assert grid == {"population": [4, 10, 40], "sigma": [0.003, 0.01, 0.03], "sigma_decay": [1.0]}
    assert len(settings(grid)) == 9
    assert run_grid(Tuning(), RunConfig(name="adam", optimizer="adam")) == {"lr": [3e-4, 1e-3, 3e-3]}


def test_a_grid_grows_geometrically_past_the_end_its_winner_sits_at():
    from sim.config import RunConfig
    from sim.tuning import at_edge, widened

    evo = RunConfig(name="evolution", optimizer="evolution", population=1000, sigma=1.0)
    grid = {"population": [4, 10, 40], "sigma": [0.003, 0.01, 0.03], "sigma_decay": [1.0]}
    corner = {"population": 4, "sigma": 0.003, "sigma_decay": 1.0}
    assert at_edge(grid, corner) == ["population", "sigma"]
    grown, added = widened(grid, corner, evo)
    assert added == {"population": 2, "sigma": pytest.approx(0.0009)}
    assert grown["population"] == [2, 4, 10, 40] and grown["sigma"][1:] == [0.003, 0.01, 0.03]
    assert widened(grid, {"population": 10, "sigma": 0.01, "sigma_decay": 1.0}, evo) == (grid, {})  # inside
    top = widened(grid, {"population": 40, "sigma": 0.03, "sigma_decay": 1.0}, evo)[1]
    assert top == {"population": 160, "sigma": pytest.approx(0.09)}
    # a population of 1 cannot go lower, and an lr its run refuses (> 1e4) is not added: that end stays
    assert widened({"population": [1, 2]}, {"population": 1}, evo) == ({"population": [1, 2]}, {})
    adam = RunConfig(name="adam", optimizer="adam")
    assert widened({"lr": [1e2, 5e3]}, {"lr": 5e3}, adam)[1] == {}


def test_tuning_stops_widening_at_its_cap():
    cfg = small_config(tuning=dict(widen=0, grid=dict(momentum=dict(lr=[0.001, 0.01]))))
    info = simulate(cfg, "function-fit").meta["tuning"]["runs"]["momentum"]
    assert info["values"] == {"lr": [0.001, 0.01]} and info["widened"] == [] and info["at_edge"] == ["lr"]

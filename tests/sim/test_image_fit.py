"""image-fit: the trace says what the networks drew, and the numbers are the metrics of those frames."""

from __future__ import annotations

import statistics
import tomllib
from pathlib import Path

import numpy as np
import pytest
import torch
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from sim.config import apply_overrides
from sim.coordnet import forward, to_uint8
from sim.experiments.image_fit import ImageFitConfig, build_problem, report, simulate, spec_of
from sim.trace import load_trace, save_trace

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread():
    """Tiny tensors: a second intra-op thread only adds contention on a busy machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def tiny_config(seed: int = 0, **kw) -> ImageFitConfig:
    """16² smiley, a 2-hidden-layer net with Fourier features, 3 seeds, 32 evaluations per run."""
    data = dict(
        seed=seed, seeds=3, image="assets/smiley.png", resolution=16, color="grey", budget_evals=32, frames=5,
        model=dict(width=8, depth=2, fourier=dict(enabled=True, features=4, scale=2.0)),
        runs=[dict(name="evolution", optimizer="evolution", population=4, sigma=0.05),
              dict(name="momentum", optimizer="sgd", lr=0.5, momentum=0.9),
              dict(name="adam", optimizer="adam", lr=0.01)],
    )
    data.update(kw)
    return ImageFitConfig.model_validate(data)


@pytest.fixture(scope="module")
def trace():
    return simulate(tiny_config(), "image-fit-tiny")


@pytest.fixture(scope="module")
def rgb_trace():
    cfg = tiny_config(image="skimage:astronaut", color="rgb", seeds=1, budget_evals=10,
                      runs=[dict(name="evolution", optimizer="evolution", population=4, sigma=0.05,
                                 batch_pixels=64),
                            dict(name="adam", optimizer="adam", lr=0.01, batch_pixels=64)])
    return simulate(cfg, "image-fit-rgb")


def test_contract_arrays_and_meta(trace):
    assert trace["image/target"].dtype == np.uint8 and trace["image/target"].shape == (16, 16)
    for r in trace.runs():
        f = len(r["step"])
        assert r["frames"].shape == (f, 16, 16) and r["frames"].dtype == np.uint8
        for key in ("loss", "evals", "psnr", "ssim"):
            assert r[key].shape == (f,)
        assert r["params"].shape == (f, spec_of(tiny_config()).n_params) and r["params"].dtype == np.float32
        assert r["seed_psnr"].shape == (3, f)
        for key in ("kind", "label", "optimizer", "status", "final_loss", "final_psnr", "final_ssim"):
            assert key in r.meta
        assert r.meta["kind"] == ("evolution" if r.name == "evolution" else "gradient")
        assert r["seed_psnr"][0, -1] == pytest.approx(r.meta["final_psnr"])
        finals = r["seed_psnr"][:, -1]   # the stored spread is the sample mean ± sd of the seeds' finals
        got = trace.stats["runs"][r.name]["psnr"]
        assert got["n"] == 3 and got["mean"] == pytest.approx(sum(finals) / 3)
        assert got["sd"] == pytest.approx(statistics.stdev(map(float, finals)))
        assert r.wall is not None and len(r.wall) == f  # wall time per frame, in the sidecar only
        assert not any("wall" in k for k in trace.arrays)


def test_psnr_and_ssim_are_skimage_metrics_of_the_recorded_frames(trace, rgb_trace):
    for tr in (trace, rgb_trace):
        target = tr["image/target"]
        rgb = target.ndim == 3
        for r in tr.runs():
            for k in (0, len(r["step"]) // 2, len(r["step"]) - 1):
                frame = r["frames"][k]
                assert r["psnr"][k] == pytest.approx(peak_signal_noise_ratio(target, frame, data_range=255), abs=1e-9)
                ssim = structural_similarity(target, frame, data_range=255, win_size=7,
                                             channel_axis=-1 if rgb else None)
                assert r["ssim"][k] == pytest.approx(ssim, abs=1e-9)


def test_frames_are_the_network_output_at_the_recorded_params(trace, rgb_trace):
    for tr in (trace, rgb_trace):
        cfg = ImageFitConfig.model_validate({k: v for k, v in tr.meta["config"].items() if k != "image_digest"})
        fourier = torch.from_numpy(tr["model/fourier"])
        problem, _ = build_problem(cfg, tr["image/target"], "cpu", fourier)
        h, w = tr["image/target"].shape[:2]
        for r in tr.runs():
            with torch.no_grad():
                for k in (0, len(r["step"]) - 1):
                    out = forward(spec_of(cfg), torch.from_numpy(r["params"][k]), problem.x)
                    img = to_uint8(out).reshape(tr["image/target"].shape)
                    diff = np.abs(img.astype(int) - r["frames"][k].astype(int))
                    assert diff.max() <= 1 and (diff == 0).mean() > 0.99, f"{r.name} frame {k} is not its params"
                    mse = float(((out - problem.y) ** 2).mean())
                    assert r["loss"][k] == pytest.approx(mse, rel=1e-4), f"{r.name} loss {k}"
    assert h == w == 16


def test_full_batch_evolution_loss_never_increases(trace):
    r = trace.run("evolution")
    assert np.all(np.diff(r["loss"]) <= 0)
    assert np.all(np.diff(r["seed_loss"], axis=1) <= 0)
    assert r["loss"][-1] < r["loss"][0]


def test_every_run_spends_the_same_evaluations(trace, rgb_trace):
    for tr in (trace, rgb_trace):
        finals = {r.name: float(r["evals"][-1]) for r in tr.runs()}
        assert len(set(finals.values())) == 1 and finals["evolution"] == tr.meta["budget_evals"], finals
        assert all(r["evals"][0] == 0 for r in tr.runs())
    evo = trace.run("evolution")
    assert evo.meta["steps"] == 32 // 4 and trace.run("adam").meta["steps"] == 32
    # mini-batched evolution pays for its parent re-check: (4 + 1) × 64/256 per round
    assert rgb_trace.run("evolution").meta["evals_per_step"] == pytest.approx(5 * 64 / 256)


def test_gradient_descent_improves_the_image(trace):
    for name in ("momentum", "adam"):
        r = trace.run(name)
        assert r["psnr"][-1] > r["psnr"][0] + 1, name


def test_same_seed_gives_identical_trace_bytes(tmp_path, trace):
    one, two = (simulate(tiny_config(seeds=2, budget_evals=16), "image-fit-tiny") for _ in range(2))
    a, b = save_trace(one, tmp_path / "a.npz"), save_trace(two, tmp_path / "b.npz")
    assert a.read_bytes() == b.read_bytes()
    other = save_trace(simulate(tiny_config(seed=1, seeds=2, budget_evals=16), "image-fit-tiny"), tmp_path / "c.npz")
    assert other.read_bytes() != a.read_bytes()  # the seed matters
    a = save_trace(trace, tmp_path / "full.npz")
    assert a.stat().st_size < 200_000
    loaded = load_trace(a)
    assert loaded.run("adam").wall is not None


def test_unequal_budget_is_refused_with_the_field():
    from sim.config import validate_config
    from sim.errors import ConfigError

    data = tiny_config().model_dump(mode="json")
    data.pop("image_digest")
    data["budget_evals"] = 30  # not a multiple of the population of 4
    with pytest.raises(ConfigError, match="budget_evals 30 is not a whole number of run 'evolution'"):
        validate_config(ImageFitConfig, data, "t.toml")


def test_report_has_both_comparisons(trace):
    text = report(trace)
    assert "Equal evaluations" in text and "Equal wall time" in text
    psnr = [float(v) for v in trace.run("adam")["seed_psnr"][:, -1]]
    assert f"{statistics.mean(psnr):.2f} ± {statistics.stdev(psnr):.2f}" in text


def test_video_preset_code_path_runs_tiny_on_cpu():
    """The GPU preset's config, shrunk: 16² image, batched evolution with its parent re-check."""
    data = tomllib.loads((ROOT / "configs/image-fit-video.toml").read_text())
    data = apply_overrides(data, ["device=cpu", "seeds=1", "resolution=16", "model.width=4", "model.depth=2",
                                  "model.fourier.features=2", "runs.0.population=7", "runs.0.batch_pixels=32",
                                  "runs.1.batch_pixels=32", "runs.2.batch_pixels=32", "budget_evals=2", "frames=3"])
    cfg = ImageFitConfig.model_validate(data)
    tr = simulate(cfg, "image-fit-video")
    assert tr.run("evolution").meta["steps"] == 2 and tr.run("adam").meta["steps"] == 16
    assert tr["runs/adam/frames"].shape == (3, 16, 16)
    # the video's race is tuned too (#17): its winners raced beside the configured runs
    assert set(tr.meta["tuning"]["runs"]) == {"evolution", "momentum", "adam"}
    assert tr.run("adam-tuned").meta["steps"] == 16


def test_the_picture_is_named_for_its_own_image_not_the_experiment(trace):
    """A project's photo under image-fit-smiley is not 'the smiley': the trace names what was fitted."""
    from sim.experiments.image_fit import subject_of

    assert trace.meta["image"]["subject"] == "the smiley"
    assert subject_of(tiny_config(image="skimage:astronaut")) == "the astronaut"
    assert subject_of(tiny_config(image="skimage:chelsea")) == "the cat"
    assert subject_of(tiny_config(image="skimage:astronaut", subject="my portrait")) == "my portrait"
    with pytest.raises(ValueError):
        tiny_config(subject="two\nlines")


# ----------------------------------------------------------------------------- tuning

@pytest.fixture(scope="module")
def tuned_trace():
    return simulate(tiny_config(tuning=dict(widen=1)), "image-fit-tuned")


def test_tuning_picks_each_runs_best_mean_final_loss_and_races_it(tuned_trace):
    tuning = tuned_trace.meta["tuning"]
    assert tuning["budget"] == 32 and tuning["seeds"] == [0, 1, 2]
    for name in ("evolution", "momentum", "adam"):
        info = tuning["runs"][name]
        finals = tuned_trace[f"tuning/{name}/final_loss"]
        assert finals.shape == (len(info["settings"]), 3)
        means = np.where(np.isfinite(finals), finals, np.inf).mean(axis=1)
        assert info["chosen"] == int(np.argmin(means))
        key = "sigma" if name == "evolution" else "lr"
        assert info["keys"] == [key] and len(info["settings"]) >= 3       # ÷3, ×1, ×3 around its own setting
        tuned = tuned_trace.run(info["tuned_run"])
        assert tuned.meta["tuned"] and tuned.meta["tuned_from"] == name
        assert tuned.meta[key] == info["chosen_settings"][key]
        # the tuned race's seeds are the grid winner's runs: its final losses are the winner's row
        np.testing.assert_allclose(tuned_trace[f"runs/{info['tuned_run']}/seed_loss"][:, -1],
                                   finals[info["chosen"]])
    assert set(tuned_trace.stats["tuned"]["runs"]) == {f"{n}-tuned" for n in ("evolution", "momentum", "adam")}


def test_the_configured_run_is_a_cell_of_its_grid_and_not_run_again(tuned_trace):
    info = tuned_trace.meta["tuning"]["runs"]["adam"]
    row = info["settings"].index({"lr": 0.01})
    np.testing.assert_array_equal(tuned_trace["tuning/adam/final_loss"][row], tuned_trace["runs/adam/seed_loss"][:, -1])


def test_report_shows_every_grid_and_the_tuned_race(tuned_trace):
    text = report(tuned_trace)
    assert "## Tuning: every setting at 32 evaluations" in text and "## The race of the tuned settings" in text
    assert text.count(" * |") == 3


@pytest.mark.parametrize("tuning, words", [
    (dict(grid=dict(evolution=dict(population=[3, 4]))),
     "tuning.grid.evolution (population 3): budget_evals 32 is not a whole number"),
    (dict(budget=64), "tuning.budget"),
    (dict(grid=dict(adam=dict(sigma=[0.1]))), "adam does not take 'sigma'"),
])
def test_a_grid_that_cannot_race_is_refused_in_one_line(tuning, words):
    from pydantic import ValidationError

    with pytest.raises(ValidationError) as err:
        tiny_config(tuning=tuning)
    assert words in str(err.value)


def test_progress_per_evaluation_is_the_first_frame_at_the_worst_final_psnr(tuned_trace):
    st = tuned_trace.stats["tuned"]
    level = min(s["psnr"]["mean"] for s in st["runs"].values())
    assert st["reach_psnr"] == level
    for name in st["order"]:
        evals, rows = tuned_trace[f"runs/{name}/evals"], tuned_trace[f"runs/{name}/seed_psnr"]
        firsts = [float(evals[np.flatnonzero(row >= level)[0]]) for row in rows if (row >= level).any()]
        got = st["runs"][name]["evals_to_reach"]
        assert got["n"] == len(firsts) and (not firsts or got["median"] == statistics.median(firsts))


@pytest.mark.parametrize("tile_elems", [1, 8 * 37, 8 * 256, 8 * 4096, 1 << 22])
@pytest.mark.parametrize("color", ["grey", "rgb"])
def test_a_population_scored_in_tiles_has_each_networks_own_loss(tile_elems, color):
    """Tiles split the networks and the pixels (37 does not divide 256 pixels): each child's loss
    is its own whole-image MSE, to float rounding, whatever the tile."""
    cfg = tiny_config(color=color)
    target = np.asarray(np.random.default_rng(0).integers(0, 256, (16, 16, 3) if color == "rgb" else (16, 16)),
                        dtype=np.uint8)
    problem, _ = build_problem(cfg, target, "cpu")
    problem.tile_elems = tile_elems
    pop = torch.randn(7, problem.dim, generator=torch.Generator().manual_seed(1)) * 0.5
    idx = torch.arange(0, 256, 3)
    for which in (None, idx):
        want = torch.stack([problem.loss(p, which) for p in pop])
        got = problem.loss(pop, which)
        assert got.shape == (7,)
        torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-7)

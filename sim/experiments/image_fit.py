"""image-fit: a coordinate network (x, y) -> intensity reconstructs an image.

Evolution (the video's local search over the whole (P, D) population at once) races SGD(+momentum)
and Adam on the same network, from the same start, with the same budget of loss evaluations
(one evaluation = the network's forward pass over every pixel once; a mini-batch of b of the n
pixels counts b/n; backward passes are not counted, wall time shows their cost). Each run is
repeated over `seeds` seeds; the first seed's network output is recorded as uint8 frames.
See docs/traces/image-fit.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from time import perf_counter
from typing import Any, Literal

import numpy as np
import torch
from pydantic import Field, ValidationError, computed_field, field_validator, model_validator
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from sim.config import Activation, OptimizerSettings, RepeatedConfig, Strict
from sim.coordnet import CPU_TILE, GPU_TILE, CoordNetSpec, ImageProblem, features, fourier_matrix, pixel_grid
from sim.experiments import Experiment, ProgressFactory
from sim.images import ImageError, image_digest, load_image, open_image, parse_background
from sim.nets import init_params
from sim.recorder import make_searcher, optimizer_kind, record, run_source
from sim.stats import first_reach, format_spread, median_range, spread
from sim.trace import Trace, build_meta, seed_name
from sim.tuning import (
    Tuning,
    check_grid,
    describe,
    relative_grid,
    run_grid,
    settings,
    sweep,
    tuning_report,
    with_setting,
)


class Fourier(Strict):
    enabled: bool = False
    features: int = Field(default=16, ge=1, le=1024, description="number of random frequencies")
    scale: float = Field(default=4.0, gt=0, le=1000, description="std of the frequencies (cycles per image half-width)")


class Model(Strict):
    width: int = Field(default=32, ge=1, le=4096)
    depth: int = Field(default=3, ge=1, le=64, description="hidden layers")
    activation: Activation = "relu"
    skip: bool = Field(default=True, description="residual connections between hidden layers")
    fourier: Fourier = Fourier()


class ImageRun(OptimizerSettings):
    """A run of the image race: its budget is the experiment's, so no `steps` of its own."""

    lr: float = Field(default=0.01, gt=0, le=1e4)
    batch_pixels: int | None = Field(default=None, ge=1, description="pixels per step/round; None = all")
    population: int = Field(default=32, ge=1, le=100_000)
    sigma: float = Field(default=0.02, gt=0, le=100)


class ImageFitConfig(RepeatedConfig):
    experiment: Literal["image-fit"] = "image-fit"
    image: str = Field(min_length=1, description="a file Pillow reads, or skimage:NAME")
    resolution: int = Field(default=64, ge=8, le=2048, description="the image is fitted inside resolution²")
    color: Literal["grey", "rgb"] = "grey"
    background: str = Field(default="white", description="what transparent pixels are flattened onto")
    subject: str | None = Field(default=None, min_length=1, max_length=40, pattern=r"^[^\n\r{}<>]+$",
                                description="what the picture shows, as captions and narration name it "
                                            "('my portrait'; default: the image's name, 'the astronaut')")
    model: Model = Model()
    budget_evals: float = Field(gt=0, le=1e9, description="loss evaluations every run may use")
    frames: int = Field(default=41, ge=2, le=2000, description="recorded snapshots, evenly spaced in steps")
    runs: list[ImageRun] = Field(min_length=1)
    tuning: Tuning | None = Field(default=None, description="tune every run over a grid at budget_evals first")

    @field_validator("background")
    @classmethod
    def _colour(cls, v: str) -> str:
        parse_background(v)
        return v

    @field_validator("image")
    @classmethod
    def _readable(cls, v: str) -> str:
        open_image(v)  # ImageError (a ValueError) -> one ConfigError line naming `image`
        return v

    def facts(self) -> dict[str, str]:
        n = spec_of(self).n_params
        return super().facts() | {"resolution": str(self.resolution), "color": self.color,
                                  "n_params": f"{n:,}" if n < 10_000 else f"{n / 1000:.1f}k"}

    @computed_field  # type: ignore[prop-decorator]
    @property
    def image_digest(self) -> str:
        """Hash of the image's bytes: part of the cache key, so an edited file is re-simulated."""
        return image_digest(self.image)

    @model_validator(mode="after")
    def _unique_names_and_whole_budgets(self) -> ImageFitConfig:
        names = [r.name for r in self.runs]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"run names must be unique, {dupes[0]!r} repeats")
        target = load_image(self.image, self.resolution, self.color, self.background)
        if min(target.shape[:2]) < 7:
            raise ValueError(f"image {self.image!r} is {target.shape[1]}×{target.shape[0]} after fitting into "
                             f"resolution {self.resolution}²; SSIM needs at least 7 pixels a side (raise resolution)")
        for run in self.runs:
            steps_for(run, self.budget_evals, target.shape[0] * target.shape[1])
        if self.tuning is not None:
            self._tunable(target.shape[0] * target.shape[1])
        return self

    def _tunable(self, n: int) -> None:
        """Every grid cell must be a valid run that spends exactly budget_evals (a population that
        does not divide it is refused here, not after minutes of simulation)."""
        assert self.tuning is not None
        if self.tuning.budget is not None and self.tuning.budget != self.budget_evals:
            raise ValueError("tuning.budget: image-fit tunes at budget_evals (its winners are the race); "
                             "leave tuning.budget unset")
        check_grid(self.tuning, self.runs)
        for run in self.runs:
            for setting in settings(run_grid(self.tuning, run, relative_grid)):
                try:
                    steps_for(with_setting(run, setting), self.budget_evals, n)
                except ValidationError as exc:
                    err = exc.errors()[0]
                    raise ValueError(f"tuning.grid.{run.name}.{'.'.join(map(str, err['loc']))}: "
                                     f"{err['msg']}") from None
                except ImageError as exc:
                    raise ValueError(f"tuning.grid.{run.name} ({describe(setting)}): {exc}") from None


def spec_of(cfg: ImageFitConfig) -> CoordNetSpec:
    m = cfg.model
    return CoordNetSpec(width=m.width, depth=m.depth, channels=1 if cfg.color == "grey" else 3,
                        activation=m.activation, skip=m.skip, n_fourier=m.fourier.features if m.fourier.enabled else 0)


def build_problem(cfg: ImageFitConfig, target: np.ndarray, device: str,
                  fourier: torch.Tensor | None = None) -> tuple[ImageProblem, torch.Tensor | None]:
    """The problem for `target` (uint8); Fourier frequencies are drawn from the seed unless given."""
    spec = spec_of(cfg)
    h, w = target.shape[:2]
    if spec.n_fourier and fourier is None:
        gen = torch.Generator(device="cpu").manual_seed(cfg.seed * 7919 + 17)
        fourier = fourier_matrix(spec.n_fourier, cfg.model.fourier.scale, gen)
    fourier_dev = None if fourier is None else fourier.to(device)
    x = features(pixel_grid(h, w, device=device), fourier_dev)
    y = torch.from_numpy(target.reshape(h * w, -1).astype(np.float32) / 255.0).to(device)
    return ImageProblem(spec, x, y, tile_elems=CPU_TILE if device == "cpu" else GPU_TILE), fourier


def steps_for(run: ImageRun, budget: float, n: int) -> tuple[int, float]:
    """(steps or rounds, evaluations per step) so that steps · per_step == budget exactly."""
    batch = min(run.batch_pixels or n, n)
    if run.optimizer != "evolution" and optimizer_kind(run.optimizer, run.name) == "evolution":
        raise ImageError(f"run {run.name!r}: image-fit budgets ask/tell searchers by the local search's population; "
                         "race your own searcher in function-fit or sine-2d (a torch.optim optimizer works here)")
    calls = run.population + (1 if batch < n else 0) if run.optimizer == "evolution" else 1
    per_step = calls * batch / n
    steps = round(budget / per_step)
    if steps < 1 or not math.isclose(steps * per_step, budget, rel_tol=1e-9, abs_tol=1e-9):
        what = (f"({run.population} children + 1 parent re-check)" if calls > run.population
                else f"{run.population} children") if run.optimizer == "evolution" else "1 network"
        raise ImageError(f"budget_evals {budget:g} is not a whole number of run {run.name!r}'s steps "
                         f"({what} × {batch}/{n} pixels = {per_step:.12g} evaluations each); "
                         f"use a multiple, e.g. {max(1, steps) * per_step:.12g}")
    return steps, per_step


def frame_steps(steps: int, frames: int) -> np.ndarray:
    """Steps at which frames are recorded: evenly spaced from 0 to `steps` (fewer if steps < frames)."""
    return np.unique(np.rint(np.linspace(0, steps, min(frames, steps + 1))).astype(np.int64))


def _sync(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def run_searcher(problem: ImageProblem, x0: torch.Tensor, run: ImageRun, steps: int, at: np.ndarray,
                 gen: torch.Generator, tick=None) -> tuple[torch.Tensor, torch.Tensor | None, list[float]]:
    """Record a run (torch.optim, the local search or a project's own optimizer) through sim.recorder.record:
    its point and wall time at steps `at`. The local search on pixel mini-batches re-scores its
    parent on each round's batch; its full-batch parent losses are returned (None otherwise)."""
    n = problem.n_data
    batch = min(run.batch_pixels or n, n)
    evolution = optimizer_kind(run.optimizer, run.name) == "evolution"
    searcher = make_searcher(run, x0, problem, gen, rescore_parent=evolution and batch < n)
    want = set(int(s) for s in at)
    snaps, wall = [x0.detach().clone()], [0.0]
    losses = [searcher.parent_loss.clone()] if evolution else []
    dev = str(x0.device)
    every = max(1, steps // 100)

    def keep(t: int, *_) -> None:
        if t in want:
            snaps.append(searcher.center.clone())
            if evolution:
                losses.append(searcher.parent_loss.clone())
            _sync(dev)
            wall.append(perf_counter() - start)
        if tick and (t % every == 0 or t == steps):
            tick(every if t % every == 0 else t % every)

    _sync(dev)
    start = perf_counter()
    record(problem, searcher, steps, gen, batch, after_tell=keep)
    return torch.stack(snaps), (torch.stack(losses) if evolution and batch >= n else None), wall


def metrics(frames: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """PSNR (dB) and SSIM of every uint8 frame against the uint8 target (scikit-image)."""
    rgb = target.ndim == 3
    win = 7  # scikit-image's default; configs refuse images under 7 pixels a side
    psnr = np.empty(len(frames))
    ssim = np.empty(len(frames))
    for k, f in enumerate(frames):
        psnr[k] = peak_signal_noise_ratio(target, f, data_range=255) if np.any(f != target) else np.inf
        ssim[k] = structural_similarity(target, f, data_range=255, win_size=win, channel_axis=-1 if rgb else None)
    return psnr, ssim


@dataclass
class SeedRun:
    """One seed of one run: its points at the frame steps, their full-image losses, wall times."""

    snaps: torch.Tensor
    loss: np.ndarray
    wall: list[float]
    _shown: tuple[np.ndarray, np.ndarray, np.ndarray] | None = field(default=None, repr=False)

    def pictures(self, problem: ImageProblem, target: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Its frames (uint8) and their PSNR and SSIM against TARGET, computed once: a winner that is
        also the configured run is written into the trace twice (NAME and NAME-tuned)."""
        if self._shown is None:
            frames = problem.images(torch.nan_to_num(self.snaps), *target.shape[:2])
            self._shown = (frames, *metrics(frames, target))
        return self._shown

    @property
    def final(self) -> float:
        """The loss at the budget, +inf where the run left the finite numbers (a diverged seed)."""
        ok = bool(np.all(np.isfinite(self.loss))) and bool(torch.isfinite(self.snaps).all())
        return float(self.loss[-1]) if ok else math.inf


def run_seed(problem: ImageProblem, run: ImageRun, i: int, seed: int, steps: int, at: np.ndarray,
             device: str, tick=None) -> SeedRun:
    """RUN (the config's i-th) from seed SEED's start; its mini-batches come from (seed, i), so every
    grid cell of one run sees the same batches as the run it tunes."""
    x0 = init_params(problem.spec, torch.Generator(device="cpu").manual_seed(seed)).to(device)  # same start for all
    gen = torch.Generator(device=device).manual_seed(seed * 1000 + i)
    snaps, es_loss, wall = run_searcher(problem, x0, run, steps, at, gen, tick)
    with torch.no_grad():
        loss = es_loss if es_loss is not None else problem.loss(snaps)
    return SeedRun(snaps, loss.double().cpu().numpy(), wall)


Done = dict[tuple[str, int], SeedRun]
"""(a run's settings as JSON, seed) -> its record: a grid cell equal to a run already recorded reuses it."""


def run_seeds(cfg: ImageFitConfig, problem: ImageProblem, run: ImageRun, i: int, seeds: list[int], done: Done,
              device: str, label: str, progress: ProgressFactory | None) -> dict[int, SeedRun]:
    """RUN for every seed of SEEDS at the config's budget, reusing what DONE holds (and adding to it)."""
    steps, _ = steps_for(run, cfg.budget_evals, problem.n_data)
    at = frame_steps(steps, cfg.frames)
    key = run.model_dump_json()
    todo = [s for s in seeds if (key, s) not in done]
    tick = progress(label, steps * len(todo)) if progress and todo else None
    for seed in todo:
        done[(key, seed)] = run_seed(problem, run, i, seed, steps, at, device, tick)
    return {s: done[(key, s)] for s in seeds}


def simulate(cfg: ImageFitConfig, name: str, device: str = "cpu", progress: ProgressFactory | None = None) -> Trace:
    """Every run over every seed; frames, params and per-frame metrics of the first seed. With
    `[tuning]`, every run's grid at the same budget, and the winners raced as runs NAME-tuned."""
    try:
        target = load_image(cfg.image, cfg.resolution, cfg.color, cfg.background)
    except ImageError as exc:
        from sim.errors import ConfigError

        raise ConfigError(f"image: {exc}") from None
    problem, fourier = build_problem(cfg, target, device)
    n = problem.n_data
    try:
        for run in cfg.runs:
            steps_for(run, cfg.budget_evals, n)
    except ImageError as exc:
        from sim.errors import ConfigError

        raise ConfigError(str(exc)) from None
    arrays: dict[str, np.ndarray] = {"image/target": target}
    if fourier is not None:
        arrays["model/fourier"] = fourier.numpy().astype(np.float32)
    runs_meta: dict[str, dict] = {}
    timing: dict[str, list[float]] = {}
    seeds = [cfg.seed + k for k in range(cfg.seeds)]
    done: Done = {}
    for i, run in enumerate(cfg.runs):
        recs = run_seeds(cfg, problem, run, i, seeds, done, device, f"{name}: {run.name} × {len(seeds)} seeds",
                         progress)
        keep_race(cfg, problem, target, run, run.name, recs, arrays, runs_meta, timing)
    extra: dict[str, Any] = {
        "image": {"height": target.shape[0], "width": target.shape[1], "channels": 1 if target.ndim == 2 else 3,
                  "pixels": n, "source": cfg.image, "subject": subject_of(cfg)},
        "model": {"n_params": problem.spec.n_params, "width": problem.spec.width, "depth": problem.spec.depth,
                  "skip": problem.spec.skip, "n_fourier": problem.spec.n_fourier,
                  "activation": problem.spec.activation},
        "budget_evals": cfg.budget_evals}
    tuned: list[str] = []
    if cfg.tuning is not None:
        judged = [cfg.seed + k for k in range(max(cfg.seeds, cfg.tuning.seeds))]
        budget = int(cfg.budget_evals) if float(cfg.budget_evals).is_integer() else cfg.budget_evals
        extra["tuning"] = {"budget": budget, "seeds": judged, "runs": {}}
        for i, run in enumerate(cfg.runs):
            best, info, finals = tune_run(cfg, problem, run, i, judged, done, device, name, progress)
            extra["tuning"]["runs"][run.name] = info
            arrays[f"tuning/{run.name}/final_loss"] = finals
            recs = run_seeds(cfg, problem, best, i, seeds, done, device, f"{name}: {info['tuned_run']}", progress)
            keep_race(cfg, problem, target, best, info["tuned_run"], recs, arrays, runs_meta, timing,
                      tuned=True, tuned_from=run.name)
            tuned.append(info["tuned_run"])
    trace = Trace(build_meta(name, cfg.model_dump(mode="json"), cfg.seed, runs_meta, extra), arrays, timing)
    trace.meta["stats"], trace.wall_stats = image_stats(trace, [r.name for r in cfg.runs])
    if tuned:
        trace.meta["stats"]["tuned"], tuned_wall = image_stats(trace, tuned)
        if tuned_wall:
            trace.wall_stats["tuned"] = tuned_wall
    return trace


def keep_race(cfg: ImageFitConfig, problem: ImageProblem, target: np.ndarray, run: ImageRun, run_name: str,
              recs: dict[int, SeedRun], arrays: dict[str, np.ndarray], runs_meta: dict[str, dict],
              timing: dict[str, list[float]], **meta: Any) -> None:
    """Write one raced run into the trace: the first seed's frames, points and per-frame metrics, every
    seed's loss / PSNR / SSIM curves and wall times, and its meta (status over seeds)."""
    n = problem.n_data
    steps, per_step = steps_for(run, cfg.budget_evals, n)
    at = frame_steps(steps, cfg.frames)
    per_seed: dict[str, list] = {"loss": [], "psnr": [], "ssim": []}
    status = "ok"
    prefix = f"runs/{run_name}/"
    for si, (seed, rec) in enumerate(recs.items()):
        frames, psnr, ssim = rec.pictures(problem, target)
        for key, v in (("loss", rec.loss), ("psnr", psnr), ("ssim", ssim)):
            per_seed[key].append(v)
        timing[seed_name(run_name, seed)] = rec.wall
        if si == 0:
            timing[run_name] = rec.wall
            arrays.update({prefix + "frames": frames, prefix + "params": rec.snaps.float().cpu().numpy(),
                           prefix + "loss": rec.loss, prefix + "psnr": psnr, prefix + "ssim": ssim,
                           prefix + "step": at.copy(), prefix + "evals": at.astype(np.float64) * per_step})
        if not math.isfinite(rec.final):
            status = "diverged"
        elif run.optimizer == "evolution" and status == "ok" and not rec.loss[-1] < rec.loss[0]:
            status = "stalled"
    for key in ("loss", "psnr", "ssim"):
        arrays[prefix + f"seed_{key}"] = np.stack(per_seed[key])
    fin = {k: [float(v[-1]) for v in per_seed[k]] for k in per_seed}
    runs_meta[run_name] = {
        "kind": optimizer_kind(run.optimizer, run.name),
        "optimizer": run.optimizer, "label": run.display, "status": status,
        "lr": run.lr, "momentum": run.momentum, "population": run.population, "sigma": run.sigma,
        "sigma_decay": run.sigma_decay, "batch_pixels": min(run.batch_pixels or n, n), **run_source(run),
        "steps": steps, "evals_per_step": per_step, "frames": len(at),
        "final_loss": _num(fin["loss"][0]), "final_psnr": _num(fin["psnr"][0]), "final_ssim": _num(fin["ssim"][0]),
        "seeds": list(recs), **meta,
    }


def tune_run(cfg: ImageFitConfig, problem: ImageProblem, run: ImageRun, i: int, seeds: list[int], done: Done,
             device: str, name: str, progress: ProgressFactory | None
             ) -> tuple[ImageRun, dict[str, Any], np.ndarray]:
    """Every setting of RUN's grid (the config's, else ÷3 ×1 ×3 around its own lr or sigma) on every
    seed at the race's budget, the grid growing past an end its winner sits at (up to `tuning.widen`
    times); return the winning run, the grid's description and every (setting, seed) final loss."""
    assert cfg.tuning is not None

    def whole(cell: ImageRun) -> bool:
        try:
            steps_for(cell, cfg.budget_evals, problem.n_data)
        except ImageError:
            return False
        return True

    def score(setting: dict[str, float]) -> np.ndarray:
        recs = run_seeds(cfg, problem, with_setting(run, setting), i, seeds, done, device,
                         f"{name}: tuning {run.name} ({describe(setting)})", progress)
        return np.array([recs[s].final for s in seeds])

    info, finals = sweep(run_grid(cfg.tuning, run, relative_grid), run, cfg.tuning.widen, score, whole)
    return with_setting(run, info["chosen_settings"]), info, finals


def subject_of(cfg: ImageFitConfig) -> str:
    """What the picture is called in captions and speech: the config's `subject`, else 'the' and the
    image's name ('skimage:astronaut' -> 'the astronaut', 'assets/smiley.png' -> 'the smiley'), so a
    project's own picture is never called by the name of the one it replaced."""
    if cfg.subject:
        return cfg.subject.strip()
    if cfg.image.startswith("skimage:"):
        name = cfg.image.removeprefix("skimage:")
        if name in SKIMAGE_SUBJECTS:
            return SKIMAGE_SUBJECTS[name]
    else:
        name = Path(cfg.image).stem
    return "the " + " ".join(name.replace("_", " ").replace("-", " ").split())


SKIMAGE_SUBJECTS = {
    "camera": "the cameraman", "chelsea": "the cat", "cat": "the cat", "coffee": "the coffee cup",
    "hubble_deep_field": "the Hubble deep field", "shepp_logan_phantom": "the phantom", "lfw_subset": "the faces",
    "stereo_motorcycle": "the motorcycle", "binary_blobs": "the blobs",
}
"""What scikit-image's samples show, where their names do not say it ('chelsea' is a cat)."""


def _num(v: float) -> float | None:
    return float(v) if math.isfinite(v) else None


def image_stats(trace: Trace, order: list[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Per run, over its seeds: final PSNR / SSIM / MSE (equal evaluations) and the evaluations it
    took to reach the worst run's mean final PSNR (progress per evaluation) into the trace's stats;
    the same at equal wall time into the timing sidecar's stats. t* is the fastest run's median total
    time over seeds; each seed is taken at the last frame it reached within t*."""
    stats: dict[str, Any] = {"order": order, "runs": {
        n: {key: spread(trace[f"runs/{n}/seed_{key}"][:, -1]) for key in METRICS} for n in order}}
    finals = [s["psnr"]["mean"] for s in stats["runs"].values()
              if s["psnr"]["mean"] is not None and math.isfinite(s["psnr"]["mean"])]
    stats["reach_psnr"] = level = min(finals) if finals else None
    for n in order:   # frames are snapshots: the first frame at or past the level, an upper bound
        evals = trace[f"runs/{n}/evals"]   # first_reach finds values <= a level; PSNR rises, so both are negated
        stats["runs"][n]["evals_to_reach"] = median_range(
            first_reach(-np.nan_to_num(row, nan=-np.inf), evals, -level) if level is not None else None
            for row in trace[f"runs/{n}/seed_psnr"])
    walls = {n: [trace.timing.get(seed_name(n, s)) for s in trace.run(n).meta["seeds"]] for n in order}
    if any(w is None or len(w) != len(trace[f"runs/{n}/step"]) for n in order for w in walls[n]):
        return stats, {}
    t_star = min(float(np.median([w[-1] for w in walls[n]])) for n in order)
    wall: dict[str, Any] = {"t_star": t_star, "runs": {}}
    for n in order:
        ks = [int(np.searchsorted(np.asarray(w), t_star, side="right") - 1) for w in walls[n]]
        run = trace.run(n)
        wall["runs"][n] = {"wall": spread(w[-1] for w in walls[n]),
                           "step": spread(float(run["step"][max(k, 0)]) for k in ks),
                           "evals": spread(float(run["evals"][max(k, 0)]) for k in ks),
                           **{key: spread(float(run[f"seed_{key}"][si, max(k, 0)]) for si, k in enumerate(ks))
                              for key in METRICS}}
    return stats, wall


METRICS = ("psnr", "ssim", "loss")
DIGITS = {"psnr": ".2f", "ssim": ".3f", "loss": ".5f", "wall": ".2f", "step": ".0f", "evals": ".0f"}


def report(trace: Trace) -> str:
    """PSNR / SSIM / loss (mean ± sample sd over seeds) at equal evaluations and at equal wall time;
    with tuning, every run's grid and the same tables for the tuned race."""
    seeds = trace.run(trace.stats["order"][0]).meta["seeds"]
    img = trace.meta["image"]
    head = (f"{img['width']}×{img['height']} {'grey' if img['channels'] == 1 else 'RGB'} image, "
            f"{trace.meta['model']['n_params']:,}-parameter network, {len(seeds)} seeds "
            f"({', '.join(map(str, seeds))}); mean ± sample sd.")
    out = head + "\n\n" + race_tables(trace, trace.stats, trace.wall_stats)
    tuning = trace.meta.get("tuning")
    if tuning:
        out += ("\n\n" + tuning_report(tuning, lambda name: trace[f"tuning/{name}/final_loss"])
                + "\n## The race of the tuned settings\n\n"
                + race_tables(trace, trace.stats["tuned"], trace.wall_stats.get("tuned", {})))
    return out


def race_tables(trace: Trace, st: dict[str, Any], ws: dict[str, Any]) -> str:
    """The race's tables at equal evaluations and at equal wall time (stats ST, wall stats WS)."""
    runs = [trace.run(n) for n in st["order"]]
    rows = [f"**Equal evaluations** ({trace.meta['budget_evals']:g} full-image forward passes each)", "",
            "| run | settings | status | steps | PSNR dB | SSIM | MSE | wall s |",
            "|---|---|---|---:|---:|---:|---:|---:|"]
    for r in runs:
        s, w = st["runs"][r.name], ws.get("runs", {}).get(r.name, {})
        rows.append(f"| {r.meta['label']} | {settings_of(r.meta)} | {r.meta['status']} | {r.meta['steps']} | "
                    + " | ".join(format_spread(s[k], DIGITS[k]) for k in METRICS)
                    + f" | {format_spread(w.get('wall'), DIGITS['wall'])} |")
    rows.append("")
    if not ws:
        rows.append("**Equal wall time**: no timing sidecar beside the trace, so no wall-time comparison.")
        return "\n".join(rows)
    rows += [f"**Equal wall time** ({ws['t_star']:.2f} s, the fastest run's median total; the last frame reached "
             "within it — frames are snapshots, so this is a lower bound for each run; wall times are as measured "
             "on the machine that simulated, noisy where it is shared)", "",
             "| run | steps reached | evals | PSNR dB | SSIM | MSE |", "|---|---:|---:|---:|---:|---:|"]
    for r in runs:
        w = ws["runs"][r.name]
        rows.append(f"| {r.meta['label']} | "
                    + " | ".join(format_spread(w[k], DIGITS[k]) for k in ("step", "evals", *METRICS)) + " |")
    return "\n".join(rows)


def settings_of(meta: dict[str, Any]) -> str:
    """A run's hyperparameters as the report lists them: 'population 16, sigma 0.02' / 'lr 0.5, momentum 0.9'."""
    if meta.get("kind") == "evolution":
        keys = ("population", "sigma") + (("sigma_decay",) if meta.get("sigma_decay", 1.0) != 1.0 else ())
    else:
        keys = ("lr",) + (("momentum",) if meta.get("momentum") else ())
    return describe({k: meta[k] for k in keys if meta.get(k) is not None})


EXPERIMENT = Experiment("image-fit", "a coordinate network (x, y) → intensity reconstructs an image: "
                        "evolution vs SGD vs Adam at equal evaluations and equal wall time",
                        ImageFitConfig, simulate, report)

"""Tiny function-fit and image-fit traces for the chapter 6 and 11 frame checks."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from sim.experiments.function_fit import FunctionFitConfig
from sim.experiments.function_fit import simulate as simulate_fit


def fit_config(**kw) -> FunctionFitConfig:
    data = dict(seed=0, seeds=3, frames=10, curve_points=60, chunk=16, data=dict(target="sin(3*x)", n=60),
                model=dict(sizes=[1, 10, 10, 1], activation="leaky_relu"),
                runs=[dict(name="evolution", label="Evolution", optimizer="evolution", population=20, steps=12,
                           sigma=0.5, sigma_decay=0.95),
                      dict(name="momentum", label="SGD + momentum", optimizer="sgd", lr=0.01, momentum=0.9),
                      dict(name="adam", label="Adam", optimizer="adam", lr=0.01)])
    data.update(kw)
    return FunctionFitConfig.model_validate(data)


@lru_cache(maxsize=1)
def fit_trace():
    return simulate_fit(fit_config(), "function-fit")


def image_trace(name: str, rgb: bool, shape: tuple[int, ...] | None = None, long_labels: bool = False):
    """A synthetic image-fit trace following h7's contract (docs/traces/image-fit.md): uint8 target
    and frames, per-frame loss/evals/psnr/ssim/step/params, run meta with labels and finals."""
    from sim.stats import spread
    from sim.trace import Trace, build_meta

    rng = np.random.default_rng(1 if rgb else 0)
    shape = shape or ((12, 12, 3) if rgb else (12, 12))
    target = rng.integers(0, 256, shape, dtype=np.uint8)
    arrays = {"image/target": target}
    runs, stats = {}, {}
    frames_n, budget = 4, 40.0
    for i, (run, label, opt) in enumerate((("evolution", "Evolution", "evolution"),
                                          ("momentum", "SGD + momentum", "sgd"), ("adam", "Adam", "adam"))):
        frames = rng.integers(0, 256, (frames_n, *shape), dtype=np.uint8)
        psnr = np.linspace(8, 12 + 4 * i, frames_n)
        arrays.update({f"runs/{run}/frames": frames, f"runs/{run}/loss": np.geomspace(0.2, 0.05 / (i + 1), frames_n),
                       f"runs/{run}/evals": np.linspace(0, budget, frames_n), f"runs/{run}/psnr": psnr,
                       f"runs/{run}/ssim": np.linspace(0.0, 0.3 * (i + 1), frames_n),
                       f"runs/{run}/step": np.arange(frames_n) * 3,
                       f"runs/{run}/params": rng.standard_normal((frames_n, 5)).astype(np.float32)})
        if long_labels:
            label = f"{label} with a deliberately long, descriptive run label"
        runs[run] = {"kind": "evolution" if opt == "evolution" else "gradient", "optimizer": opt, "label": label,
                     "momentum": 0.9 if run == "momentum" else 0.0, "status": "ok",
                     "final_loss": float(arrays[f"runs/{run}/loss"][-1]), "final_psnr": float(psnr[-1])}
        stats[run] = {"psnr": spread([float(psnr[-1]), float(psnr[-1]) + 1.0])}   # two seeds
    return Trace(build_meta(name, {}, 0, runs, stats={"order": list(runs), "runs": stats}), arrays)


@lru_cache(maxsize=1)
def all_traces() -> dict:
    return {"function-fit": fit_trace(), "image-fit-smiley": image_trace("image-fit-smiley", False),
            "image-fit-portrait": image_trace("image-fit-portrait", True)}


def tile_pixel_check(scene, frame, tile, pixels, samples=((2, 3), (6, 6), (9, 1))) -> None:
    """The tile shows `pixels`: sample image cells land on their colour in the rendered frame."""
    h, w = pixels.shape[:2]
    left, top = tile.get_left()[0], tile.get_top()[1]
    for r, c in samples:
        x = left + (c + 0.5) / w * tile.width
        y = top - (r + 0.5) / h * tile.height
        px, py = scene.to_pixel((x, y))
        want = pixels[r, c] if pixels.ndim == 3 else np.repeat(pixels[r, c], 3)
        got = frame[py, px, :3].astype(float)
        assert np.linalg.norm(got - want.astype(float)) < 20, f"cell ({r},{c}): {got} vs {want}"

"""Every simulation runs with its config's torch thread count, set in one place (Experiment.run)."""

from __future__ import annotations

import torch

from sim.cache import resolve
from sim.experiments import Experiment, registry


def _recording(kind: str, seen: list[int]) -> Experiment:
    real = registry()[kind]

    def simulate(cfg, name, device, progress=None):
        seen.append(torch.get_num_threads())
        return "trace"

    return Experiment(real.kind, real.description, real.config_model, simulate)


def test_run_uses_the_configs_thread_count_and_restores_it():
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        seen: list[int] = []
        exp = _recording("image-fit", seen)
        cfg = resolve("image-fit-smiley").config
        assert cfg.threads == 1   # the header's default: no config has to ask for it
        assert exp.run(cfg, "image-fit-smiley", "cpu") == "trace"
        assert exp.run(cfg.model_copy(update={"threads": 0}), "image-fit-smiley", "cpu") == "trace"
        assert seen == [1, 2]     # 0 leaves torch's own count
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)


def test_every_config_kind_accepts_threads():
    for name in ("sine-2d", "function-fit", "image-fit-smiley", "dimensions", "strong-es"):
        assert resolve(name, overrides=["threads=3"]).config.threads == 3

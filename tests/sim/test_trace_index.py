"""The trace index (sim/cache.py): a cached trace loads from its raw config without validating it
again (so without torch), and never serves a trace whose inputs changed."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
from PIL import Image

import sim.cache
from sim.cache import ROOT, ensure_trace, resolve

SMALL = ["landscape.resolution=21", "runs.0.steps=3"]


def test_a_cached_trace_loads_without_resolving_its_config(monkeypatch):
    first = ensure_trace("sine-2d", SMALL, quiet=True)

    def refuse(*args, **kwargs):
        raise AssertionError("resolve() validates the config, which imports torch")

    monkeypatch.setattr(sim.cache, "resolve", refuse)
    again = ensure_trace("sine-2d", SMALL, quiet=True)
    assert again.path == first.path
    assert np.array_equal(again["landscape/loss"], first["landscape/loss"])


def test_other_inputs_get_their_own_trace():
    a = ensure_trace("sine-2d", SMALL, quiet=True)
    b = ensure_trace("sine-2d", [*SMALL, "seed=7"], quiet=True)
    assert a.path != b.path == resolve("sine-2d", [*SMALL, "seed=7"]).path


def test_a_fresh_process_reads_a_cached_trace_without_torch():
    ensure_trace("sine-2d", SMALL, quiet=True)
    code = ("import sys; from pathlib import Path; from sim.cache import ensure_trace; "
            f"ensure_trace('sine-2d', {SMALL!r}, quiet=True, cache=Path({str(sim.cache.DEFAULT_CACHE)!r})); "
            "print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)),
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_an_edited_image_is_simulated_again(tmp_path):
    """image-fit's key holds the image's digest (a computed field): such configs are never indexed."""
    img = tmp_path / "me.png"
    ramp = np.tile(np.arange(0, 256, 16, dtype=np.uint8), (16, 1))
    Image.fromarray(ramp).save(img)
    conf = tmp_path / "mine.toml"
    conf.write_text(f'experiment = "image-fit"\nimage = "{img}"\nresolution = 16\nbudget_evals = 2\nframes = 2\n'
                    '[[runs]]\nname = "adam"\noptimizer = "adam"\n')
    before = ensure_trace("mine", config_file=conf, quiet=True)
    Image.fromarray(255 - ramp).save(img)
    after = ensure_trace("mine", config_file=conf, quiet=True)
    assert after.path == resolve("mine", config_file=conf).path != before.path
    assert not np.array_equal(after["image/target"], before["image/target"])

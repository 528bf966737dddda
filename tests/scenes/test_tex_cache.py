"""The shared Tex cache (scenes/kit/tex_cache.py): a string is compiled once for every scene and
process, only finished SVGs appear in the shared folder, and processes compiling at once agree."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import numpy as np
import pytest
from manim import MathTex, tempconfig
from manim.utils import tex_file_writing

import scenes.kit.tex_cache  # noqa: F401  (installs the shared cache, as every ChapterScene does)
from sim.cache import ROOT


def test_a_string_is_compiled_once_and_only_its_svg_is_shared(tmp_path, monkeypatch):
    expression = rf"x^2 + \text{{{uuid.uuid4().hex[:8]}}}"
    with tempconfig({"tex_dir": str(tmp_path / "tex"), "media_dir": str(tmp_path / "media")}):
        first = MathTex(expression)
        assert [p.suffix for p in (tmp_path / "tex").iterdir()] == [".svg"]   # no .tex/.dvi/.log, no work folder

        def refuse(*args, **kwargs):
            raise AssertionError("compiled again")

        monkeypatch.setattr(tex_file_writing, "tex_to_svg_file", refuse)
        again = MathTex(expression)
    assert np.array_equal(first.get_all_points(), again.get_all_points())


@pytest.mark.parametrize("processes", [3])
def test_processes_compiling_the_same_string_at_once_all_get_it(tmp_path, processes):
    code = ("import sys; from manim import MathTex, config; import scenes.kit.tex_cache; "
            f"config.tex_dir = {str(tmp_path / 'tex')!r}; config.media_dir = sys.argv[1]; "
            r"print(MathTex(r'\frac{a}{b} = 0.1234').get_all_points().round(6).tobytes().hex())")
    runs = [subprocess.Popen([sys.executable, "-c", code, str(tmp_path / f"media{i}")], cwd=ROOT,
                             env=dict(os.environ, PYTHONPATH=str(ROOT)), stdout=subprocess.PIPE, text=True)
            for i in range(processes)]
    outs = [run.communicate()[0].strip().splitlines()[-1] for run in runs]   # after manim's log lines
    assert all(run.returncode == 0 for run in runs)
    assert len(set(outs)) == 1 and outs[0]
    assert [p.suffix for p in (tmp_path / "tex").iterdir()] == [".svg"]

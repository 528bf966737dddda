"""Layers point one way: sim/ imports neither manim nor gdevo; scenes/ never imports gdevo, never
sim.experiments (summaries come from the trace) and never an optimizer or recorder (scenes do not train).

Read from the sources' import statements (ast), so a lazy import inside a function counts too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


def offenders(folder: str, banned: tuple[str, ...]) -> list[str]:
    bad = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        for mod in sorted(imported_modules(path)):
            if any(mod == b or mod.startswith(b + ".") for b in banned):
                bad.append(f"{path.relative_to(ROOT)} imports {mod}")
    return bad


@pytest.mark.parametrize("folder, banned", [("sim", ("manim", "gdevo", "scenes")),
                                           ("scenes", ("gdevo", "sim.experiments", "sim.recorder", "sim.optimizers"))])
def test_layers_point_one_way(folder, banned):
    assert offenders(folder, banned) == []


def test_the_checker_sees_a_banned_import(tmp_path):
    src = tmp_path / "x.py"
    src.write_text("def f():\n    from gdevo.rendering.chapters import RENDERS\n")
    assert "gdevo.rendering.chapters" in imported_modules(src)

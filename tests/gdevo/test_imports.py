"""gdevo's modules import each other without a cycle, counting the imports inside functions too
(a lazy import still ties two modules together); `if TYPE_CHECKING:` blocks do not count."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(tree: ast.AST) -> set[str]:
    """Every module named by an absolute import in TREE, outside `if TYPE_CHECKING:` blocks."""
    names: set[str] = set()
    todo = [tree]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            todo += node.orelse
            continue
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names |= {node.module, *(f"{node.module}.{a.name}" for a in node.names)}
        todo += ast.iter_child_nodes(node)
    return names


def import_graph() -> dict[str, set[str]]:
    files = {module_name(p): p for p in (ROOT / "gdevo").rglob("*.py")}
    return {name: {m for m in imported(ast.parse(path.read_text(encoding="utf-8"))) if m in files and m != name}
            for name, path in files.items()}


def cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle of GRAPH (as a path that ends where it starts), or [] when there is none."""
    state: dict[str, int] = {}   # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                return [*path[path.index(dep):], dep]
            if dep not in state and (found := visit(dep)):
                return found
        state[node] = 2
        path.pop()
        return []

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return []


def test_the_cycle_finder_finds_a_lazy_import_cycle():
    lazy = ast.parse("def f():\n    from gdevo.b import x\n")
    assert imported(lazy) == {"gdevo.b", "gdevo.b.x"}
    assert imported(ast.parse("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import gdevo.b\n")) == {
        "typing", "typing.TYPE_CHECKING"}
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle({"a": {"b"}, "b": set()}) == []


def test_gdevo_modules_import_each_other_without_a_cycle():
    graph = import_graph()
    assert "gdevo.rendering.chapters" in graph and "gdevo.runs.sweep" in graph
    assert cycle(graph) == [], " -> ".join(cycle(graph))


def package_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """GRAPH seen package by package (gdevo.rendering.engine -> gdevo.rendering; top modules stay)."""

    def package(name: str) -> str:
        return ".".join(name.split(".")[:2])

    out: dict[str, set[str]] = {package(n): set() for n in graph}
    for name, deps in graph.items():
        out[package(name)] |= {package(d) for d in deps if package(d) != package(name)}
    return out


def test_gdevo_packages_point_one_way():
    """The tree shows the pipeline: runs, media and web below rendering, outputs above it, commands on top."""
    packages = package_graph(import_graph())
    assert {"gdevo.rendering", "gdevo.media", "gdevo.runs", "gdevo.outputs", "gdevo.web"} <= packages.keys()
    assert cycle(packages) == [], " -> ".join(cycle(packages))
    for low in ("gdevo.runs", "gdevo.media", "gdevo.web"):
        assert packages[low] <= {"gdevo.settings"}, f"{low} imports {packages[low]}"

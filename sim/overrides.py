"""A project's overrides: `DIR/overrides/NAME.toml` holds only the config keys a user changes.

The trace resolver merges it over `configs/NAME.toml` before validating, so an overridden
experiment is validated (and cached, by the hash of the merged config) like any other. The
project folder is a parameter: gdevo passes its settings' project, a scene its settings' (read once
from manim's environment, scenes/kit/settings.py).

Merge rules (`deep_merge`):
- a table merges into a table, key by key (recursively);
- a table over a list of named tables (e.g. `[runs.adam]` over `[[runs]]`) patches the entries
  it names (by `name`, or by index); a table naming no entry that sets `optimizer` adds a run of
  that name (`[runs.lion]` with `optimizer = "lion.py:Lion"`); any other value -- an array
  included -- replaces the default;
- a relative path string that names a file next to the overrides file (or in the project folder)
  becomes that file's absolute path, so `image = "me.jpg"` works from any working directory; so
  does the file of an optimizer named as `FILE.py:CLASS`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sim.config import read_toml
from sim.errors import ConfigError
from sim.user_optimizer import is_spec

OVERRIDES = "overrides"


def overrides_file(name: str, project: Path | None) -> Path | None:
    """The overrides file of PROJECT (a folder, or None: no project) for experiment NAME, if it has one."""
    if project is None:
        return None
    path = project / OVERRIDES / f"{name}.toml"
    return path if path.is_file() else None


def overrides_names(project: Path) -> list[str]:
    """The experiments a project overrides (its overrides/*.toml files)."""
    folder = project / OVERRIDES
    return sorted(p.stem for p in folder.glob("*.toml")) if folder.is_dir() else []


def apply_project_overrides(name: str, data: dict[str, Any], source: str,
                            project: Path | None) -> tuple[dict[str, Any], str]:
    """NAME's config DATA with PROJECT's overrides merged in, and the file to name in errors (the
    overrides file when there is one: that is where the user's keys are)."""
    path = overrides_file(name, project)
    if path is None:
        return data, source
    over = read_toml(path)
    roots = (path.parent, path.parent.parent)
    return deep_merge(data, _resolve_paths(over, roots), str(path)), str(path)


def deep_merge(base: dict[str, Any], over: dict[str, Any], source: str, where: str = "") -> dict[str, Any]:
    """BASE with OVER merged in (see the module docstring); neither input is modified."""
    out = dict(base)
    for key, value in over.items():
        here = f"{where}{key}"
        old = out.get(key)
        if isinstance(value, dict) and isinstance(old, dict):
            out[key] = deep_merge(old, value, source, here + ".")
        elif isinstance(value, dict) and _named_list(old):
            out[key] = _patch_list(old, value, source, here)
        else:
            out[key] = value
    return out


def _named_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _patch_list(items: list[dict], patches: dict[str, Any], source: str, where: str) -> list[dict]:
    items = list(items)
    names = [str(item.get("name", i)) for i, item in enumerate(items)]
    for key, patch in patches.items():
        if key in names:
            i = names.index(key)
        elif key.isdigit() and int(key) < len(items):
            i = int(key)
        elif isinstance(patch, dict) and "optimizer" in patch and not key.isdigit():
            items.append({"name": key, **patch})   # a new run
            names.append(key)
            continue
        else:
            raise ConfigError(f"{source}: {where}.{key}: no such entry (entries: {', '.join(names)}; "
                              "a new run needs an `optimizer`)")
        if not isinstance(patch, dict):
            raise ConfigError(f"{source}: {where}.{key}: expected a table of keys to change, got {patch!r}")
        items[i] = deep_merge(items[i], patch, source, f"{where}.{key}.")
    return items


def _resolve_paths(value: Any, roots: tuple[Path, ...]) -> Any:
    """Relative file names in an overrides file, made absolute against ROOTS (first match wins)."""
    if isinstance(value, dict):
        return {k: _resolve_paths(v, roots) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve_paths(v, roots) for v in value]
    if isinstance(value, str) and is_spec(value):
        file, _, cls = value.rpartition(":")
        found = _resolve_paths(file, roots)
        return f"{found}:{cls}"
    if isinstance(value, str) and value and "\n" not in value and len(value) < 1024:
        path = Path(value).expanduser()
        if not path.is_absolute():
            for root in roots:
                try:
                    if (root / path).is_file():
                        return str((root / path).resolve())
                except OSError:   # e.g. a name too long for the file system: not a path
                    break
    return value

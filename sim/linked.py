"""A task taken from another experiment's config, so that two chapters show one problem.

Chapter 15 (strong-es) races CMA-ES against "our simple local search" on chapter 5's landscape, and
SNES on chapter 6's network. Copies of those tasks in configs/strong-es.toml drifted apart: the same
local search ended at 1.7e-8 in chapter 5 and 1.2e-5 in chapter 15 (another random stream), and a
project that changed sine-2d's function left chapter 15 on the old one. Now a table says whose task
it is, and this fills it from that experiment's config, a project's overrides included:

- `[small] like = "sine-2d"`: the model, data, start, landscape and curve points, plus the first
  local search run of it (`local_run`, with its `stream`: the index that seeds its random numbers,
  and the experiment's `seed`), so that strong-es's first seed of it is, bit for bit, the run
  chapter 5 shows;
- `[large] like = "function-fit"`: the network's hidden layers and activation, and the data.

Keys the table gives itself win. This works on raw dicts before validation (the cache's lookup runs
it without importing torch), and the filled values are part of the config, hence of the trace's key.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sim.errors import ConfigError

Reader = Callable[[str], dict[str, Any]]


def link(data: dict[str, Any], read: Reader, source: str) -> dict[str, Any]:
    """DATA with its `like` tables filled from the configs READ returns (one per experiment name)."""
    out = dict(data)
    for table, fill in FILLS.items():
        section = out.get(table)
        if isinstance(section, dict) and section.get("like"):
            other = str(section["like"])
            out[table] = _merged(fill(read(other), other, f"{source}: {table}.like"), section)
    return out


def sources(data: dict[str, Any]) -> list[str]:
    """The experiments whose config DATA's `like` tables take their task from."""
    return [str(data[t]["like"]) for t in FILLS if isinstance(data.get(t), dict) and data[t].get("like")]


def _merged(filled: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    """FILLED under GIVEN, one level of tables deep (`[small.landscape]` given keeps the rest filled)."""
    out = dict(filled)
    for key, value in given.items():
        out[key] = {**out[key], **value} if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def _small(other: dict[str, Any], name: str, where: str) -> dict[str, Any]:
    """A 2-parameter experiment's task and its first local search (sine-2d's keys)."""
    runs = other.get("runs") or []
    evo = next((i for i, r in enumerate(runs) if isinstance(r, dict) and r.get("optimizer") == "evolution"), None)
    if "data" not in other or evo is None:
        raise ConfigError(f"{where}: {name!r} is not a 2-parameter experiment with a local search run "
                          "(optimizer = \"evolution\") to race against")
    run = runs[evo]
    filled: dict[str, Any] = {
        "start": (other.get("starts") or {}).get(run.get("name"), other.get("start")),
        "model": other.get("model"), "x": other["data"].get("x"), "target": other["data"].get("target"),
        "landscape": other.get("landscape"), "curve_points": other.get("curve_points"),
        "local_run": run, "stream": evo, "seed": other.get("seed"),
    }
    return {k: v for k, v in filled.items() if v is not None}


def _large(other: dict[str, Any], name: str, where: str) -> dict[str, Any]:
    """A 1-D fit's network and data (function-fit's keys)."""
    model, data = other.get("model"), other.get("data")
    if not isinstance(model, dict) or not isinstance(data, dict) or len(model.get("sizes") or []) < 3:
        raise ConfigError(f"{where}: {name!r} is not a network fit with [model] sizes and [data]")
    filled = {"hidden": list(model["sizes"][1:-1]), "activation": model.get("activation"),
              "target": data.get("target"), "n": data.get("n"), "x_range": data.get("x_range")}
    return {k: v for k, v in filled.items() if v is not None}


FILLS: dict[str, Callable[[dict[str, Any], str, str], dict[str, Any]]] = {"small": _small, "large": _large}
"""Table -> how to fill it from another experiment's config. Only strong-es has these tables."""

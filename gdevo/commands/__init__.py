"""CLI subcommands, one module each: `register(subparsers)` adds the parser, `run(args)` does the work.

A new command is a new module here; gdevo/cli.py discovers them (no central list to edit).
Modules are listed in ORDER first (for `gdevo --help`), then any others alphabetically.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

ORDER = ("init", "list", "sim", "render", "report", "bench", "gif", "still", "slides")


def command_modules() -> list[ModuleType]:
    names = [m.name for m in pkgutil.iter_modules(__path__)]
    ordered = [n for n in ORDER if n in names] + sorted(n for n in names if n not in ORDER)
    return [importlib.import_module(f"{__name__}.{n}") for n in ordered]

"""The gdevo command line. Subcommands live in gdevo/commands/, one module each.

A user mistake prints one line (what is wrong, what is accepted) and exits 2, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from gdevo.settings import Settings
from sim.errors import GdevoError

EXIT_USAGE = 2


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit 2 (no usage dump)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        print(f"gdevo: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def build_parser() -> tuple[argparse.ArgumentParser, dict]:
    from gdevo.commands import command_modules

    parser = OneLineParser(prog="gdevo", description="Real optimizer runs turned into explainer animations.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    handlers = {}
    for module in command_modules():
        module.register(sub)
        handlers[module.NAME] = module.run
    for name, command in sub.choices.items():
        if name not in NO_PROJECT:
            add_project_option(command)
    return parser, handlers


NO_PROJECT = ("init",)   # commands that do not work on a project


def add_project_option(command: argparse.ArgumentParser) -> None:
    """Every command works on a project: --project DIR (default: the gdevo.toml above the cwd)."""
    try:
        command.add_argument("--project", type=Path, metavar="DIR",
                             help="work on the project in DIR (default: the nearest gdevo.toml at or above the "
                                  "current folder); outputs go to DIR/renders")
    except argparse.ArgumentError:
        pass   # the command defines its own --project


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    return next(a.choices for a in parser._actions if isinstance(a, argparse._SubParsersAction))


def settings_for(parser: argparse.ArgumentParser, args: argparse.Namespace, argv: list[str] | None,
                 environ: Mapping[str, str]) -> tuple[Settings, argparse.Namespace]:
    """The run's one Settings value: the user's environment (read here, once), then the project
    (if any; its quality becomes the default --quality), then the command's own options.
    Returns it with the arguments, re-parsed if defaults changed."""
    from gdevo.project import activate
    from gdevo.voice_options import voice_settings

    settings = Settings.from_environ(environ)
    project = None if args.command in NO_PROJECT else activate(getattr(args, "project", None), settings.project)
    if project is not None:
        settings = project.settings(settings)
        command = subcommands(parser)[args.command]
        if command.get_default("quality") is not None:
            command.set_defaults(quality=project.config.quality)
            args = parser.parse_args(argv)
    settings = voice_settings(args, settings)
    changes = {name: getattr(args, name) for name in ("quality", "device", "scheduler")
               if getattr(args, name, None) is not None}
    return replace(settings, **changes), args


def main(argv: list[str] | None = None) -> int:
    # tqdm reads TQDM_* once, when first imported (by manim-slides' converters, later in this
    # process): its per-slide bars would interleave with our own lines.
    os.environ.setdefault("TQDM_DISABLE", "1")
    parser, handlers = build_parser()
    args = parser.parse_args(argv)
    try:
        settings, args = settings_for(parser, args, argv, os.environ)
        return handlers[args.command](args, settings)
    except GdevoError as exc:
        print(f"gdevo: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:   # e.g. `gdevo list | head`: the reader left; not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except KeyboardInterrupt:
        print("gdevo: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())

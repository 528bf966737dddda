"""The gdevo command line. Subcommands live in gdevo/commands/, one module each.

A user mistake prints one line (what is wrong, what is accepted) and exits 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys

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
    return parser, handlers


def main(argv: list[str] | None = None) -> int:
    parser, handlers = build_parser()
    args = parser.parse_args(argv)
    try:
        return handlers[args.command](args)
    except GdevoError as exc:
        print(f"gdevo: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("gdevo: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())

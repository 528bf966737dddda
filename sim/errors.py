"""User-facing errors: each carries one sentence that the CLI prints as is (exit 2, no traceback)."""


class GdevoError(Exception):
    """A problem the user can fix (bad config value, unreadable file, unknown name)."""


def reason(exc: BaseException) -> str:
    """EXC as one line: a GdevoError's own sentence, anything else with its type named."""
    return str(exc) if isinstance(exc, GdevoError) else f"{type(exc).__name__}: {exc}"


class ConfigError(GdevoError):
    """A config value is invalid; the message names the field and what is allowed."""


class TraceError(GdevoError):
    """A trace file is missing, corrupt, truncated, or of another schema version."""


class Cancelled(GdevoError):
    """A simulation was stopped on request (Ctrl-C in the thread that asked for it)."""

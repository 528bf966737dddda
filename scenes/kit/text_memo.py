"""A Text made again with the same arguments is a copy of the first, not made again.

A chapter's construct runs twice in one process (the narration's plan, then the render:
scenes/kit/base.py), so every Text of a chapter is made at least twice, and readouts, legends
and labels repeat within a pass too. Making a 31-character readout takes 3.8 ms (Pango's SVG,
glyphs, colours, centring); a copy of the finished Text 0.66 ms. The first Text made with given arguments is
kept untouched (a copy of it, taken before anything moves or recolours it) and every later
`Text(...)` with equal arguments becomes a copy of it: the same points, colours and attributes
(tests/scenes/test_text_memo.py).

Memoising is on only inside `kept()`: ChapterScene.render holds it around both passes, and the
store is emptied when it ends; a Text made anywhere else (a test comparing manim's own
construction with the kit's) is made as manim makes it.

Only `Text` itself is memoised (a subclass may add state its constructor sets up), and only when
every argument has a stable description (`repr` of str, numbers, colours, tuples, dicts of them).
Theme defaults (`Text.set_default(color=...)`, scenes/kit/palette.py) reach the constructor as
arguments, so they are part of the key. The fixed Pango surface (scenes/kit/text_reuse.py) makes a
Text independent of the render's resolution, so one process holds one layout per key.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from manim import Text
from manim.utils.color import ManimColor

from scenes.kit.patching import install_once

_PATCHED = "_gdevo_text_memo"
_KEPT: dict[str, Text] = {}
_DEPTH = [0]   # open `kept()` blocks: memoising is on while above 0
_PLAIN = (str, int, float, bool, type(None), ManimColor)


def _describe(value: Any) -> str | None:
    """A stable description of an argument, or None where equal descriptions might not mean equal
    Texts (an object of another kind)."""
    if isinstance(value, _PLAIN):
        return f"{type(value).__name__}:{value!r}"
    if isinstance(value, (tuple, list)):
        parts = [_describe(v) for v in value]
        return None if None in parts else f"{type(value).__name__}[{','.join(parts)}]"  # type: ignore[arg-type]
    if isinstance(value, dict):
        items = [(_describe(k), _describe(v)) for k, v in value.items()]
        if any(k is None or v is None for k, v in items):
            return None
        return "dict{" + ",".join(f"{k}={v}" for k, v in items) + "}"
    return None


def key(text: Any, args: tuple, kwargs: dict[str, Any]) -> str | None:
    """The memo key of Text(text, *args, **kwargs); None: not memoised."""
    parts = [_describe(text), _describe(args), *(_describe(v) for v in kwargs.values())]
    if None in parts:
        return None
    return "|".join([*parts[:2], *(f"{k}={v}" for k, v in zip(kwargs, parts[2:], strict=True))])  # type: ignore[misc]


@contextmanager
def kept() -> Iterator[None]:
    """Texts made inside reuse equal earlier ones; the store is emptied when the outermost block ends."""
    _DEPTH[0] += 1
    try:
        yield
    finally:
        _DEPTH[0] -= 1
        if not _DEPTH[0]:
            _KEPT.clear()


def install() -> None:
    """Wrap Text's constructor (the one `set_default` restores and wraps) once per process."""
    original = Text._original__init__

    def __init__(self: Text, text: str, *args: Any, **kwargs: Any) -> None:
        k = key(text, args, kwargs) if _DEPTH[0] and type(self) is Text else None
        kept = _KEPT.get(k) if k is not None else None
        if kept is None:
            original(self, text, *args, **kwargs)
            if k is not None:
                _KEPT[k] = self.copy()
            return
        clone = kept.copy()
        state = clone.__dict__
        state.pop("original_id", None)   # deepcopy's note of where it came from; a new Text has none
        self.__dict__.update(state)

    if install_once(Text, _PATCHED, _original__init__=__init__):
        if Text.__init__ is original:   # no set_default in force yet: the constructor itself
            Text.__init__ = __init__


install()

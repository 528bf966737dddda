"""Caption cues from narration lines: at most 2 lines of at most 42 characters per cue.

A line too long for one cue is split at sentence ends where it can be, else between words; its
time is shared among the cues in proportion to their length in characters (a speech engine's
pace is close to even per character).
"""

from __future__ import annotations

import math
import re
import textwrap

MAX_CHARS = 42
MAX_LINES = 2


def wrap(text: str, width: int = MAX_CHARS) -> list[str]:
    """Lines of at most WIDTH characters; two lines are balanced (no lone word on the second)."""
    lines = textwrap.wrap(text, width=width, break_long_words=True, break_on_hyphens=False)
    if len(lines) == MAX_LINES:
        for narrower in range(math.ceil(len(text) / 2), width):
            balanced = textwrap.wrap(text, width=narrower, break_long_words=True, break_on_hyphens=False)
            if len(balanced) == MAX_LINES:
                return balanced
    return lines


def fits(text: str) -> bool:
    return len(wrap(text)) <= MAX_LINES


def chunks(text: str) -> list[str]:
    """Split TEXT into cue texts that each wrap into at most 2 lines of 42 characters."""
    text = " ".join(text.split())
    if not text:
        return []
    sentences = re.split(r"(?<=[.!?;:])\s+", text)
    out: list[str] = []
    for sentence in sentences:
        if out and fits(f"{out[-1]} {sentence}"):
            out[-1] = f"{out[-1]} {sentence}"
            continue
        if fits(sentence):
            out.append(sentence)
            continue
        current = ""
        for word in sentence.split():
            candidate = f"{current} {word}".strip()
            if current and not fits(candidate):
                out.append(current)
                current = word
            else:
                current = candidate
        if current:
            out.append(current)
    return out


def cues(text: str, start: float, duration: float) -> list[tuple[float, float, str]]:
    """(start, end, wrapped text) for each cue of TEXT spoken from START for DURATION seconds."""
    parts = chunks(text)
    total = sum(len(p) for p in parts)
    out = []
    t = start
    for i, part in enumerate(parts):
        end = start + duration if i == len(parts) - 1 else t + duration * len(part) / total
        out.append((t, end, "\n".join(wrap(part))))
        t = end
    return out


__all__ = ["MAX_CHARS", "MAX_LINES", "chunks", "cues", "wrap"]

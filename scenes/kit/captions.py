"""Caption cues from narration lines: at most 2 lines of at most 42 characters per cue.

A line too long for one cue is split at sentence ends where it can be, else between words, never
inside a number ("1.7 × 10⁻⁸", "0.5 ± 0.1" stay on one line of one cue). A
cue starts when its first word is said (scenes/kit/timeline.py: sentence times from the engine
where it gives them, words within a sentence by their spoken length), and `words` gives every
word's start for the word-timed WebVTT.
"""

from __future__ import annotations

import math
import re
import textwrap

from scenes.kit.timeline import NO_MARKS, Marks, Timeline

MAX_CHARS = 42
MAX_LINES = 2
NBSP = "\u00a0"
_INSIDE_NUMBER = re.compile(r"(?<=\d) (?=[×±] ?[\d−-])|(?<=\d [×±]) (?=[\d−-])")   # the spaces of "1.7 × 10⁻⁸"


def _bind(text: str) -> str:
    """TEXT with the spaces inside a number made unbreakable (textwrap breaks only at ASCII spaces)."""
    return _INSIDE_NUMBER.sub(NBSP, text)


def _unbind(text: str) -> str:
    return text.replace(NBSP, " ")


def wrap(text: str, width: int = MAX_CHARS) -> list[str]:
    """Lines of at most WIDTH characters; two lines are balanced (no lone word on the second)."""
    text = _bind(text)
    lines = textwrap.wrap(text, width=width, break_long_words=True, break_on_hyphens=False)
    if len(lines) == MAX_LINES:
        for narrower in range(math.ceil(len(text) / 2), width):
            balanced = textwrap.wrap(text, width=narrower, break_long_words=True, break_on_hyphens=False)
            if len(balanced) == MAX_LINES:
                return [_unbind(line) for line in balanced]
    return [_unbind(line) for line in lines]


def fits(text: str) -> bool:
    return len(wrap(text)) <= MAX_LINES


def _even(words: list[str], n: int) -> list[str] | None:
    """WORDS in N consecutive pieces of about equal length, each fitting a cue; None if they do not."""
    total = len(" ".join(words))
    pieces, current = [], []
    for i, word in enumerate(words):
        left = n - len(pieces)
        if current and (len(" ".join([*current, word])) > total / n + 6 or not fits(" ".join([*current, word])))\
                and left > 1 and len(words) - i >= left - 1:
            pieces.append(" ".join(current))
            current = []
        current.append(word)
    pieces.append(" ".join(current))
    return pieces if all(fits(p) for p in pieces) else None


def _split(sentence: str) -> list[str]:
    """A sentence too long for one cue: at clause ends (; : ,) if that gives cues that fit, else into
    the fewest pieces of about equal length between words."""
    clauses = re.split(r"(?<=[;:,])\s+", sentence)
    if len(clauses) > 1 and all(fits(c) for c in clauses):
        return _pack(clauses)
    words = sentence.split(" ")   # a bound number is one word
    for n in range(2, len(words) + 1):
        pieces = _even(words, n)
        if pieces:
            return pieces
    return words


def _pack(parts: list[str]) -> list[str]:
    out: list[str] = []
    for part in parts:
        if out and fits(f"{out[-1]} {part}"):
            out[-1] = f"{out[-1]} {part}"
        else:
            out.append(part)
    return out


def chunks(text: str) -> list[str]:
    """Split TEXT into cue texts that each wrap into at most 2 lines of 42 characters: whole
    sentences where they fit (several to a cue), long sentences at clause ends or evenly."""
    text = _bind(" ".join(text.split()))
    if not text:
        return []
    pieces: list[str] = []
    for sentence in re.split(r"(?<=[.!?]) +", text):
        pieces += [sentence] if fits(sentence) else _split(sentence)
    return [_unbind(p) for p in _pack(pieces)]


def cues(text: str, start: float, duration: float, marks: Marks = NO_MARKS) -> list[tuple[float, float, str]]:
    """(start, end, wrapped text) for each cue of TEXT spoken from START for DURATION seconds
    (MARKS: the voice's sentence and word times, if it gave them)."""
    norm = " ".join(text.split())
    parts = chunks(norm)
    timeline = Timeline(norm, duration, marks)
    offsets, at = [], 0
    for part in parts:
        i = norm.find(part, at)
        offsets.append(max(i, at))
        at = max(i, at) + len(part)
    times = [0.0, *(timeline.at(i) for i in offsets[1:]), duration]
    return [(start + times[i], start + times[i + 1], "\n".join(wrap(part))) for i, part in enumerate(parts)]


def words(text: str, start: float, duration: float, marks: Marks = NO_MARKS) -> list[tuple[float, str]]:
    """(time, word) for every word of TEXT spoken from START for DURATION seconds."""
    norm = " ".join(text.split())
    timeline = Timeline(norm, duration, marks)
    return [(start + t, norm[i:].split(" ", 1)[0]) for i, t in timeline.words()]


__all__ = ["MAX_CHARS", "MAX_LINES", "chunks", "cues", "words", "wrap"]

"""When each part of a narration line is spoken: the engine's own marks where it gives them.

A voice that synthesizes sentence by sentence (hibari) reports each sentence's duration and, from its
duration predictor, when each spoken word of it starts (`Marks`): a sentence's and a word's start in
the line are then the engine's, not a guess. Without word marks, time within a sentence is shared
among its characters as the engine says them (the spoken form, scenes/kit/spoken.py: "0.031" takes as
long as "zero point zero three one"); without segments the whole line is one sentence. Captions (cue
and word times) and the pacing (when a number is said) read the same timeline.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from scenes.kit.spoken import spoken

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=\S)")


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) character spans of TEXT's sentences (split after . ! ? and a space)."""
    spans, at = [], 0
    for m in _SENTENCE_END.finditer(text):
        spans.append((at, m.start()))
        at = m.end()
    spans.append((at, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def timed_words(text: str) -> list[str]:
    """The words of a spoken form that an engine marks: whitespace-separated, with a letter or digit
    ("twenty-one" and "C-M-A-E-S" are one word each, as hibari's G2P says them; a lone "—" is none)."""
    return [w for w in text.split() if re.search(r"\w", w)]


@dataclass(frozen=True)
class Marks:
    """An engine's timing of one line: SEGMENTS, each sentence's seconds; WORDS, for each sentence, the
    second (from the sentence's start) at which each of its spoken words (`timed_words`) starts."""

    segments: tuple[float, ...] = ()
    words: tuple[tuple[float, ...], ...] = ()

    def as_json(self) -> dict:
        return {"segments": list(self.segments), "words": [list(w) for w in self.words]}

    @classmethod
    def from_json(cls, data: dict) -> Marks:
        return cls(tuple(float(x) for x in data.get("segments", ())),
                   tuple(tuple(float(t) for t in w) for w in data.get("words", ())))


NO_MARKS = Marks()
"""A line the engine said nothing about the timing of (espeak-ng, piper, a recording)."""


@dataclass(frozen=True)
class Timeline:
    """TEXT spoken over DURATION seconds; MARKS: the engine's sentence and word times, if it gave them."""

    text: str
    duration: float
    marks: Marks = NO_MARKS

    @functools.cached_property
    def _spans(self) -> list[tuple[int, int, float, float, tuple[float, ...]]]:
        """(char start, char end, time start, time end, word starts) of each sentence; word starts
        are absolute seconds, empty where the engine gave none that fit the sentence's words. Once per
        timeline: every word's time reads it, and each sentence's spoken form is made here."""
        spans, segments = sentences(self.text), self.marks.segments
        if segments and len(segments) == len(spans) and sum(segments) > 0:
            scale = self.duration / sum(segments)   # the file's duration rules (encoders pad a little)
            words = self.marks.words if len(self.marks.words) == len(spans) else ((),) * len(spans)
            out, t = [], 0.0
            for (a, b), d, w in zip(spans, segments, words, strict=True):
                fit = len(w) == len(timed_words(spoken(self.text[a:b])))
                out.append((a, b, t, t + d * scale, tuple(t + x * scale for x in w) if fit else ()))
                t += d * scale
            return out
        return [(0, len(self.text), 0.0, self.duration, ())]

    def at(self, offset: int) -> float:
        """Seconds into the line at which the character at OFFSET (a word's start) is spoken."""
        if self.duration <= 0:
            return 0.0
        spans = self._spans
        a, b, t0, t1, starts = next((s for s in spans if s[0] <= offset < s[1]),
                                    spans[-1] if offset >= spans[-1][1] else spans[0])
        offset = min(max(offset, a), b)
        if starts:
            before = self.text[a:offset]
            k = len(timed_words(spoken(before)))
            if re.search(r"\w", before.split(" ")[-1]) and k:   # OFFSET inside a word: that word
                k -= 1
            return starts[min(k, len(starts) - 1)] if offset < b else t1
        whole = len(spoken(self.text[a:b]))
        said = len(spoken(self.text[a:offset])) if offset > a else 0
        return t0 + (t1 - t0) * (min(1.0, said / whole) if whole else 0.0)

    def words(self) -> list[tuple[int, float]]:
        """(character offset, seconds) of the start of every word."""
        return [(m.start(), self.at(m.start())) for m in re.finditer(r"\S+", self.text)]


__all__ = ["NO_MARKS", "Marks", "Timeline", "sentences", "timed_words"]

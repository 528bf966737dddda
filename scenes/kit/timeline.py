"""When each part of a narration line is spoken: sentence times from the engine, words within them.

A voice that synthesizes sentence by sentence (hibari) reports each sentence's duration (`Line.segments`),
so a sentence's start in the line is exact. Within a sentence, time is shared among its characters
as the engine says them (the spoken form, scenes/kit/spoken.py: "0.031" takes as long as "zero point
zero three one"), which follows the engines' even pace closely. Without segments the whole line is
one sentence. Captions (cue and word times) and the pacing (when a number is said) read the same
timeline.
"""

from __future__ import annotations

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


@dataclass(frozen=True)
class Timeline:
    """TEXT spoken over DURATION seconds; SEGMENTS: each sentence's seconds, if the engine gave them."""

    text: str
    duration: float
    segments: tuple[float, ...] = ()

    def _spans(self) -> list[tuple[int, int, float, float]]:
        """(char start, char end, time start, time end) of each sentence."""
        spans = sentences(self.text)
        if self.segments and len(self.segments) == len(spans) and sum(self.segments) > 0:
            scale = self.duration / sum(self.segments)   # the file's duration rules (encoders pad a little)
            out, t = [], 0.0
            for (a, b), d in zip(spans, self.segments, strict=True):
                out.append((a, b, t, t + d * scale))
                t += d * scale
            return out
        return [(0, len(self.text), 0.0, self.duration)]

    def at(self, offset: int) -> float:
        """Seconds into the line at which the character at OFFSET is spoken."""
        if self.duration <= 0:
            return 0.0
        spans = self._spans()
        a, b, t0, t1 = next((s for s in spans if s[0] <= offset < s[1]), spans[-1] if offset >= spans[-1][1]
                            else spans[0])
        offset = min(max(offset, a), b)
        whole = len(spoken(self.text[a:b]))
        said = len(spoken(self.text[a:offset])) if offset > a else 0
        return t0 + (t1 - t0) * (min(1.0, said / whole) if whole else 0.0)

    def words(self) -> list[tuple[int, float]]:
        """(character offset, seconds) of the start of every word."""
        return [(m.start(), self.at(m.start())) for m in re.finditer(r"\S+", self.text)]


__all__ = ["Timeline", "sentences"]

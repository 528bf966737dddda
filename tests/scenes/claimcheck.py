"""The claims test's rules, applied to the beats layoutcheck records (what is said, what is on screen).

For each beat (its line, the texts and colours on screen when it starts and when it closes, and the
claims the scene made for it, scenes/kit/claims.py):
- every number in the line is on screen in that beat, within the said number's rounding
  ("0.0015" matches a label "0.00153"; "12,000" matches "12,345"; "3.2 × 10⁻⁷" matches "3.2e-07";
  "0.79" does not match a tick "1");
- every qualitative word ("diverges", "beats", "stalls", ...) lies inside a claim of the beat,
  so it came from a test on the data rather than a template;
- every colour word lies inside a colour claim of the beat, and that colour is drawn on screen.
Number words ("two seeds") are not checked: they count what the chapter is built from, not results.
"""

from __future__ import annotations

import re

from scenes.kit.claims import COLOUR_WORDS, QUALITATIVE, Said
from scenes.kit.onscreen import numbers, shown


def _uncovered(line: str, pattern: re.Pattern, covers: list[str]) -> list[str]:
    """Words of PATTERN in LINE outside every text in COVERS."""
    spans = [(m.start(), m.end()) for text in covers if text for m in re.finditer(re.escape(text), line)]
    return [m.group(0) for m in pattern.finditer(line)
            if not any(a <= m.start() and m.end() <= b for a, b in spans)]


def beat_problems(line: str, texts: list[str], colours: set[str], claims: list[Said]) -> list[str]:
    """What is wrong with one beat's LINE, given the TEXTS and COLOURS on screen in it and its CLAIMS."""
    problems = []
    screen = [n for t in texts for n in numbers(t)]
    for value, half, written in numbers(line):
        if not shown((value, half, written), screen):
            near = min(screen, key=lambda n: abs(n[0] - value), default=None)
            problems.append(f"says {written!r}, which is not on screen"
                            + (f" (the nearest number there: {near[2]!r})" if near else ""))
    for word in _uncovered(line, QUALITATIVE, [c.text for c in claims if c.colour is None]):
        problems.append(f"says {word!r} without a claim that tested it")
    for word in _uncovered(line, COLOUR_WORDS, [c.text for c in claims if c.colour is not None]):
        problems.append(f"says {word!r} without naming a colour drawn")
    for c in claims:
        if c.colour is not None and c.text in line and c.colour.upper() not in colours:
            problems.append(f"names {c.text!r} ({c.colour}), which is not drawn")
    return problems


__all__ = ["beat_problems", "numbers"]

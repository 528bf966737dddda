"""The claims test's rules, applied to the beats layoutcheck records (what is said, what is on screen).

For each beat (its line, the texts and colours on screen when it starts and when it closes, and the
claims the scene made for it, scenes/kit/claims.py):
- every number in the line is on screen in that beat, within the rounding of either form
  ("0.0015" matches a label "0.00153"; "12,000" matches "12,345"; "3.2 × 10⁻⁷" matches "3.2e-07");
- every qualitative word ("diverges", "beats", "stalls", ...) lies inside a claim of the beat,
  so it came from a test on the data rather than a template;
- every colour word lies inside a colour claim of the beat, and that colour is drawn on screen.
Number words ("two seeds") are not checked: they count what the chapter is built from, not results.
"""

from __future__ import annotations

import math
import re

from scenes.kit.claims import COLOUR_WORDS, QUALITATIVE, Said

_SUPER = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻−", "0123456789--")
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SCI = re.compile(rf"({_NUM})\s*(?:×|\\times|\\cdot|·|\*)\s*10\s*\^?\s*\{{?\s*([-−⁻]?[\d⁰¹²³⁴⁵⁶⁷⁸⁹]+)\s*\}}?")
_E = re.compile(rf"({_NUM})[eE]([-+]?\d+)")
_SCALE = re.compile(rf"({_NUM})\s+(million|billion|trillion)\b")
_PLAIN = re.compile(rf"(?<![\w.])(minus\s+|[-−])?({_NUM})(?!\w)")
_SCALES = {"million": 1e6, "billion": 1e9, "trillion": 1e12}


def _unit(digits: str) -> float:
    """The place value of the last digit written: '0.0015' -> 1e-4, '12,000' -> 1000, '7' -> 1."""
    digits = digits.replace(",", "")
    if "." in digits:
        return 10.0 ** -len(digits.split(".")[1])
    stripped = digits.rstrip("0")
    return 10.0 ** (len(digits) - len(stripped)) if stripped else 1.0


def numbers(text: str) -> list[tuple[float, float, str]]:
    """(value, half its rounding step, as written) for every number in TEXT."""
    out: list[tuple[float, float, str]] = []
    rest = text.translate(str.maketrans({"−": "-"}))

    def take(pattern: re.Pattern, value, unit) -> None:
        nonlocal rest
        for m in pattern.finditer(rest):
            out.append((value(m), unit(m) / 2, m.group(0)))
        rest = pattern.sub(" ", rest)

    take(_SCI, lambda m: float(m[1].replace(",", "")) * 10.0 ** int(m[2].translate(_SUPER)),
         lambda m: _unit(m[1]) * 10.0 ** int(m[2].translate(_SUPER)))
    take(_E, lambda m: float(m[1].replace(",", "")) * 10.0 ** int(m[2]), lambda m: _unit(m[1]) * 10.0 ** int(m[2]))
    take(_SCALE, lambda m: float(m[1].replace(",", "")) * _SCALES[m[2]], lambda m: _unit(m[1]) * _SCALES[m[2]])
    for m in _PLAIN.finditer(rest):
        value = float(m[2].replace(",", ""))
        out.append((-value if m[1] else value, _unit(m[2]) / 2, m.group(0).strip()))
    return out


def _shown(value: float, half: float, screen: list[tuple[float, float, str]]) -> bool:
    return any(math.isclose(value, s, rel_tol=1e-9, abs_tol=1e-12) or abs(value - s) <= max(half, h) * (1 + 1e-9)
               for s, h, _ in screen)


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
        if not _shown(value, half, screen):
            problems.append(f"says {written!r}, which is not on screen")
    for word in _uncovered(line, QUALITATIVE, [c.text for c in claims if c.colour is None]):
        problems.append(f"says {word!r} without a claim that tested it")
    for word in _uncovered(line, COLOUR_WORDS, [c.text for c in claims if c.colour is not None]):
        problems.append(f"says {word!r} without naming a colour drawn")
    for c in claims:
        if c.colour is not None and c.text in line and c.colour.upper() not in colours:
            problems.append(f"names {c.text!r} ({c.colour}), which is not drawn")
    return problems


__all__ = ["beat_problems", "numbers"]

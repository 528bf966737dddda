"""What a viewer can read on screen: the visible text units and the numbers written in them.

Two users: the narration's pacing (scenes/kit/pacing.py), which delays a line until every number
it says has appeared, and the tests' layout and claims checks (tests/scenes/layoutcheck.py,
claimcheck.py), which check each beat's line against the screen. One place reads text off
mobjects and numbers off text, so both agree on what "on screen" means.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from contextlib import contextmanager

from manim import DecimalNumber, ImageMobject, MarkupText, Mobject, SingleStringMathTex, Text, Transform

TEXT_TYPES = (Text, MarkupText, SingleStringMathTex, DecimalNumber)
Number = tuple[float, float, str]   # (value, half its rounding step, as written)

_SUPER = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻−", "0123456789--")
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SCI = re.compile(rf"({_NUM})\s*(?:×|\\times|\\cdot|·|\*)\s*10\s*\^?\s*\{{?\s*([-−⁻]?[\d⁰¹²³⁴⁵⁶⁷⁸⁹]+)\s*\}}?")
_E = re.compile(rf"({_NUM})[eE]([-+]?\d+)")
_SCALE = re.compile(rf"({_NUM})\s+(million|billion|trillion)\b")
_PLAIN = re.compile(rf"(?<![\w.])(minus\s+|[-−])?({_NUM})(?!\w)")
_SCALES = {"million": 1e6, "billion": 1e9, "trillion": 1e12}
_TEXT_ATTRS = ("original_text", "text", "tex_string", "number", "num_decimal_places")


def visible(m: Mobject) -> bool:
    """Drawn with some opacity (an image: some pixel not fully transparent)."""
    if isinstance(m, ImageMobject):
        return m.pixel_array.size > 0 and float(m.pixel_array[..., 3].max()) > 0
    if not len(m.points):
        return False
    fill = m.get_fill_opacity() if hasattr(m, "get_fill_opacity") else 1.0
    stroke = m.get_stroke_opacity() if hasattr(m, "get_stroke_opacity") else 1.0
    return max(float(fill), float(stroke)) > 0.02


def text_units(mobjects) -> list[Mobject]:
    """Every visible text unit (a Text, a formula, an axis number) once, not their glyphs."""
    out: list[Mobject] = []
    seen: set[int] = set()

    def walk(m: Mobject) -> None:
        if id(m) in seen:
            return
        seen.add(id(m))
        if isinstance(m, TEXT_TYPES):
            if any(len(g.points) and visible(g) for g in m.get_family()):
                out.append(m)
            return
        for sub in m.submobjects:
            walk(sub)

    for m in mobjects:
        walk(m)
    return out


def whole_text(m: Mobject) -> str:
    """A text unit's whole string: a Text's text, a formula's TeX, a number's digits."""
    if isinstance(m, DecimalNumber):
        return f"{m.number:.{m.num_decimal_places}f}"
    return str(getattr(m, "original_text", None) or getattr(m, "text", None) or getattr(m, "tex_string", ""))


def screen_texts(mobjects) -> list[str]:
    """Every visible text unit's whole string."""
    return [whole_text(m) for m in text_units(mobjects)]


def _unit(digits: str) -> float:
    """The place value of the last digit written: '0.0015' -> 1e-4, '12,000' -> 1000, '7' -> 1."""
    digits = digits.replace(",", "")
    if "." in digits:
        return 10.0 ** -len(digits.split(".")[1])
    stripped = digits.rstrip("0")
    return 10.0 ** (len(digits) - len(stripped)) if stripped else 1.0


def numbers(text: str) -> list[Number]:
    """(value, half its rounding step, as written) for every number in TEXT, in reading order within
    each notation ("3.2 × 10⁻⁷", "1.7e-8", "2.4 million", "0.031", "12,000", "minus 1.3")."""
    out: list[tuple[int, Number]] = []
    rest = text.translate(str.maketrans({"−": "-"}))

    def take(pattern: re.Pattern, value, unit) -> None:
        nonlocal rest
        for m in pattern.finditer(rest):
            out.append((m.start(), (value(m), unit(m) / 2, m.group(0))))
        rest = pattern.sub(lambda m: " " * len(m.group(0)), rest)   # same length: positions stay

    take(_SCI, lambda m: float(m[1].replace(",", "")) * 10.0 ** int(m[2].translate(_SUPER)),
         lambda m: _unit(m[1]) * 10.0 ** int(m[2].translate(_SUPER)))
    take(_E, lambda m: float(m[1].replace(",", "")) * 10.0 ** int(m[2]), lambda m: _unit(m[1]) * 10.0 ** int(m[2]))
    take(_SCALE, lambda m: float(m[1].replace(",", "")) * _SCALES[m[2]], lambda m: _unit(m[1]) * _SCALES[m[2]])
    for m in _PLAIN.finditer(rest):
        value = float(m[2].replace(",", ""))
        out.append((m.start(), (-value if m[1] else value, _unit(m[2]) / 2, m.group(0).strip())))
    return [n for _, n in sorted(out, key=lambda p: p[0])]


def positions(text: str) -> list[tuple[int, Number]]:
    """numbers(TEXT) with the character offset where each is written (for timing when it is said)."""
    found, at = [], 0
    for n in numbers(text):
        i = text.find(n[2], at)
        i = text.find(n[2]) if i < 0 else i
        found.append((max(i, 0), n))
        at = max(i, 0) + len(n[2])
    return found


def shown(number: Number, screen: list[Number]) -> bool:
    """NUMBER is among SCREEN's numbers: one of them rounds to it ("0.0015" is shown by "0.00153",
    "12,000" by "12,345"), or it rounds to one written with at least two significant digits ("67.59"
    by "67.6"). A one-digit number on screen, such as an axis tick, shows only itself: a tick "1"
    does not show "0.79"."""
    value, half, _ = number
    return any(math.isclose(value, s, rel_tol=1e-9, abs_tol=1e-12) or abs(value - s) <= half * (1 + 1e-9)
               or (significant(written) >= 2 and abs(value - s) <= h * (1 + 1e-9))
               for s, h, written in screen)


def significant(written: str) -> int:
    """Significant digits of a number as written ("67.6": 3, "0.0015": 2, "1": 1, "12,000": 2,
    "3.2 × 10⁻⁷": 2, "2.4 million": 2); an integer's trailing zeros are not counted."""
    mantissa = re.split(r"[eE×\s]", written.strip().lstrip("-−").replace(",", ""), maxsplit=1)[0]
    if "." in mantissa:
        digits = mantissa.replace(".", "").lstrip("0")
    else:
        digits = mantissa.strip("0")
    return max(1, len(digits))


def screen_numbers(mobjects) -> list[Number]:
    return [n for t in screen_texts(mobjects) for n in numbers(t)]


@contextmanager
def become_keeps_text() -> Iterator[None]:
    """While reading the screen: `m.become(other)` also takes other's text (manim copies only the
    points), so the texts read are what the viewer reads, not what a swapped label said when made."""
    original, finish = Mobject.become, Transform.finish

    def take_text(mine: Mobject, theirs: Mobject) -> None:
        for m, o in zip(mine.get_family(), theirs.get_family(), strict=False):
            for attr in _TEXT_ATTRS:
                if attr in o.__dict__:
                    m.__dict__[attr] = o.__dict__[attr]

    def become(self, other, *args, **kwargs):
        out = original(self, other, *args, **kwargs)
        take_text(self, other)
        return out

    def finished(self) -> None:   # `x.animate.become(y)` and Transform(x, y) end with x drawn as y
        finish(self)
        if getattr(self, "target_mobject", None) is not None:
            take_text(self.mobject, self.target_mobject)

    Mobject.become, Transform.finish = become, finished
    try:
        yield
    finally:
        Mobject.become, Transform.finish = original, finish


__all__ = ["TEXT_TYPES", "become_keeps_text", "numbers", "positions", "screen_numbers", "screen_texts", "shown",
           "significant", "text_units", "visible", "whole_text"]

"""Numbers in a narration line as a narrator rounds them: "loss 0.0015", "about one in a hundred".

This is the displayed form of a line (captions, speaker notes): numbers rounded the way a person
would round them (two significant digits), never with more digits than a listener can hold, tiny
ones as "3.2 × 10⁻⁷" rather than "3.2e-07". The voice says the line's spoken form, which
scenes/kit/spoken.py derives from this text ("three point two times ten to the minus seven").
"""

from __future__ import annotations

import math

_SMALL = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
          "eleven", "twelve")
_BIG = ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"))
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_PLACES = {10: "ten", 100: "a hundred", 1000: "a thousand", 10_000: "ten thousand",
           100_000: "a hundred thousand", 1_000_000: "a million"}


def _round_sig(x: float, sig: int) -> float:
    if x == 0:
        return 0.0
    return round(x, sig - 1 - math.floor(math.log10(abs(x))))


def number(x: float, sig: int = 2) -> str:
    """A real number, rounded to SIG significant digits and written to be read aloud.

    0.001534 -> "0.0015"; 0.25 -> "0.25"; 3.0 -> "3"; 12345 -> "12,000"; 2.4e6 -> "2.4 million";
    3.2e-7 -> "3.2 × 10⁻⁷"; nan -> "not a number".
    """
    x = float(x)
    if math.isnan(x):
        return "not a number"
    if math.isinf(x):
        return "infinity" if x > 0 else "minus infinity"
    if x == 0:
        return "0"
    sign = "minus " if x < 0 else ""
    a = abs(_round_sig(x, sig))
    for scale, word in _BIG:
        if a >= scale:
            return f"{sign}{_round_sig(a / scale, sig):g} {word}"
    if a >= 1:
        digits = max(0, sig - 1 - math.floor(math.log10(a)))
        return sign + _trim(f"{a:,.{digits}f}")
    exp = math.floor(math.log10(a))
    if exp < -4:
        mantissa = _round_sig(a / 10 ** exp, sig)
        return f"{sign}{mantissa:g} × 10⁻{str(-exp).translate(_SUPERSCRIPT)}"
    return sign + _trim(f"{a:.{sig - 1 - exp}f}")


def _trim(text: str) -> str:
    """'3.0' -> '3', '0.50' -> '0.5': a narrator does not say trailing zeros."""
    return text.rstrip("0").rstrip(".") if "." in text else text


def param(x: float) -> str:
    """A parameter value as the screen shows it (two decimals, so 1e-17 is "0"), said aloud: "minus 1.3"."""
    x = float(x)
    if not math.isfinite(x):
        return number(x)
    if abs(x) < 0.005:
        return "0"
    return ("minus " if x < 0 else "") + _trim(f"{abs(x):,.2f}")


def loss(x: float, sig: int = 2) -> str:
    """A loss value: "0.0015", "0.12", or "diverged" when the run blew up."""
    return "diverged" if not math.isfinite(float(x)) else number(x, sig)


def losses(a: float, b: float) -> tuple[str, str]:
    """Two losses said with just enough digits to tell them apart (1.62 vs 1.58, not 1.6 vs 1.6)."""
    for sig in (2, 3, 4):
        said = loss(a, sig), loss(b, sig)
        if said[0] != said[1] or float(a) == float(b):
            return said
    return said


def count(n: float) -> str:
    """A count: exact below 1,000 ("37", "600"), otherwise "about 12,000" unless already round."""
    if not math.isfinite(float(n)):
        return number(n)
    n = round(float(n))
    if abs(n) < 1000 or n == _round_sig(n, 2):
        return number(n, sig=len(str(abs(n))))
    return f"about {number(n)}"


def small(n: int) -> str:
    """Small whole numbers as words ("three"), larger ones as digits."""
    n = int(n)
    return _SMALL[n] if 0 <= n < len(_SMALL) else f"{n:,}"


def listing(words: list[str]) -> str:
    """Names said as a list: "a", "a and b", "a, b and c"."""
    return " and ".join(words) if len(words) < 3 else f"{', '.join(words[:-1])} and {words[-1]}"


def capital(text: str) -> str:
    """A clause as a sentence's start ("both end at 0.46" -> "Both end at 0.46")."""
    return text[:1].upper() + text[1:]


def ratio(p: float) -> str:
    """A fraction as a person says it: "none", "about one in a hundred", "about half", "nearly all"."""
    p = float(p)
    if not math.isfinite(p) or p < 0 or p > 1:
        raise ValueError(f"ratio needs a fraction in [0, 1], got {p}")
    if p == 0:
        return "none"
    if p == 1:
        return "all"
    if p >= 0.95:
        return "nearly all"
    if 0.45 <= p <= 0.55:
        return "about half"
    if p > 0.55:
        return f"about {small(round(p * 10))} in ten"
    k = 1 / p
    if k <= 12.5:
        return f"about one in {small(round(k))}"
    k = int(_round_sig(k, 1))
    return f"about one in {_PLACES.get(k, f'{k:,}')}"


def times(r: float) -> str:
    """A factor: "about 3 times", "about 40 times", "about 1.5 times"."""
    return f"about {number(r)} times"


def percent(p: float) -> str:
    """A fraction as a rounded percentage: 0.034 -> "3.4 percent"."""
    return f"{number(100 * float(p))} percent"


def formula(text: str) -> str:
    """A user's expression as the screen shows it: 'x**2 + 0.3*sin(5*x)' -> 'x^2 + 0.3·sin(5·x)'
    (scenes/kit/spoken.py reads it aloud: "x squared plus zero point three times sine of five x")."""
    return " ".join(text.replace("**", "^").replace("*", "·").split())


def mean(stat: dict | None, say=loss) -> str:
    """A summary over seeds stored in the trace ({'mean', 'sd', 'n', 'of'}) as said aloud: '0.012 on average'."""
    if not stat or stat.get("mean") is None:
        return "no result"
    if stat.get("of", 1) <= 1:
        return say(stat["mean"])
    return f"{say(stat['mean'])} on average"


__all__ = ["capital", "count", "formula", "listing", "loss", "losses", "mean", "number", "param", "percent", "ratio",
           "small", "times"]

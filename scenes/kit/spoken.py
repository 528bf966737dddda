"""Spoken form of a narration line: what the voice says, while captions keep the displayed text.

A caption may show "x^2 + 0.3·sin(5·x)", "1.7 × 10⁻⁸", "σ" or "SGD"; a speech engine reads those
badly (espeak-ng says "tanh" so that Whisper hears "10", and "0.001" as "0.0 0.01"). `spoken(text)`
rewrites a displayed line into words a person would say: math read aloud ("sine of five x",
"x squared", "e to the minus x squared"), numbers in words and rounded for the ear (two
significant digits where a number carries more than three: "about zero point zero zero one two"),
Greek letters and symbols named, acronyms spelled out ("S G D"; "C-M-A-E-S", since a lone "A"
is read as the article), and a small table of respellings for words engines mispronounce
("tanch"). The result is plain English words and punctuation, so it suits every engine;
engine-specific phoneme fixes live with the engine (scenes/kit/voice_hibari.py).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

# Read as a person says them. Longest first where one contains another (CMA-ES before ES).
SAY = {
    "CMA-ES": "C-M-A-E-S", "RMSprop": "R M S prop", "AdamW": "Adam W", "SGD": "S G D", "SNES": "S N E S",
    "xNES": "x N E S", "NES": "N E S", "MSE": "M S E", "MLP": "M L P", "PSNR": "P S N R", "GPU": "G P U",
    "CPU": "C P U", "ReLU": "ray loo", "relu": "ray loo", "tanh": "tanch", "sinh": "shine", "lr": "learning rate",
}
# Functions in a formula: name(args) -> words before the spoken argument ("e to the" for exp).
FUNCTIONS = {
    "sin": "sine of", "cos": "cosine of", "tan": "tangent of", "tanh": "tanch of", "sinh": "shine of",
    "cosh": "cosh of", "exp": "e to the", "log": "log of", "ln": "the natural log of", "sqrt": "the square root of",
    "abs": "the absolute value of", "relu": "ray loo of", "sigmoid": "sigmoid of", "sign": "the sign of",
    "max": "the maximum of", "min": "the minimum of",
}
GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "Δ": "delta", "ε": "epsilon", "η": "eta",
    "θ": "theta", "λ": "lambda", "μ": "mu", "π": "pi", "ρ": "rho", "σ": "sigma", "Σ": "sigma", "τ": "tau",
    "φ": "phi", "ω": "omega", "∇": "gradient",
}
SYMBOLS = {"±": " plus or minus ", "≈": " about ", "≤": " at most ", "≥": " at least ", "→": " to ",
           "∞": " infinity ", "%": " percent", "×": " * ", "·": " * ", "−": "-"}
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
_ONES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
         "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_SCALES = ((10 ** 12, "trillion"), (10 ** 9, "billion"), (10 ** 6, "million"), (1000, "thousand"))
_HEDGES = ("about", "around", "roughly", "nearly", "almost", "approximately")

_NUM = r"\d+(?:\.\d+)?"
_RE_SUPER = re.compile(r"[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+")
_RE_SCI = re.compile(rf"(?<![\w.])({_NUM})(?:[eE]|\s*\*\s*10\s*\^)\s*([+-]?)(\d+)(?![\w.])")
_RE_TEN_POWER = re.compile(r"(?<![\w.])10\s*\^\s*([+-]?)(\d+)(?![\w.])")
_RE_POWER = re.compile(rf"(?<![\w.])([A-Za-z]\w*|{_NUM})\s*(?:\*\*|\^)\s*(-?)({_NUM}|[A-Za-z])(?![\w(])")
_RE_GROUP = re.compile(r"(\b[A-Za-z]\w*)?\(([^()]*)\)(\s*(?:\*\*|\^)\s*-?(?:\d+|[A-Za-z])\b)?")
_RE_IMPLICIT = re.compile(rf"(?<![\w.])({_NUM})\s*\*?\s*(?=[A-Za-z]\b(?!\s*\())")
_RE_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?!\w|\.\d)")


def cardinal(n: int) -> str:
    """A whole number in words: 12000 -> 'twelve thousand', 105 -> 'one hundred five'."""
    if n < 0:
        return "minus " + cardinal(-n)
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + ("-" + _ONES[n % 10] if n % 10 else "")
    if n < 1000:
        return _ONES[n // 100] + " hundred" + (" " + cardinal(n % 100) if n % 100 else "")
    for scale, word in _SCALES:
        if n >= scale:
            head, rest = divmod(n, scale)
            return f"{cardinal(head)} {word}" + (" " + cardinal(rest) if rest else "")
    raise AssertionError(n)


def _digits(whole: str, frac: str) -> str:
    """'0', '0015' -> 'zero point zero zero one five'."""
    said = cardinal(int(whole.replace(",", "")))
    return said + (" point " + " ".join(_ONES[int(d)] for d in frac) if frac else "")


def decimal(text: str) -> str:
    """A number as written ('0.001234', '12,000', '3') in words, rounded to two significant digits
    when it carries more than three (then 'about ...'): the screen keeps the digits, the ear the size."""
    whole, _, frac = text.partition(".")
    frac = frac.rstrip("0")   # "1.20" on screen is "one point two" aloud
    significant = (whole.replace(",", "") + frac).lstrip("0")
    if frac and len(significant) > 3:
        x = float(text.replace(",", ""))
        exp = math.floor(math.log10(x))
        places = max(0, 1 - exp)
        rounded = f"{round(x, places):.{places}f}"
        whole, _, frac = rounded.partition(".")
        return "about " + _digits(whole, frac.rstrip("0"))
    return _digits(whole, frac)


def _power(base: str, sign: str, exponent: str) -> str:
    if base == "10":
        return f"ten to the {'minus ' if sign == '-' else ''}{exponent}"
    if not sign and exponent == "2":
        return f"{base} squared"
    if not sign and exponent == "3":
        return f"{base} cubed"
    return f"{base} to the power {'minus ' if sign == '-' else ''}{exponent}"


def _math(text: str) -> str:
    """Powers, implicit products and operators of a stretch without parentheses, in words."""
    text = _RE_POWER.sub(lambda m: _power(*m.groups()), text)
    text = _RE_IMPLICIT.sub(r"\1 ", text)   # 5*x, 5x -> "5 x": a number times a variable is said without "times"
    text = re.sub(r"\s*\*\s*", " times ", text)
    text = re.sub(r"(?<=[\w)\x02])\s*\+\s*(?=[\w(\x01])", " plus ", text)
    text = re.sub(r"(?<=[\w)\x02])\s+-\s+", " minus ", text)   # spaced: a - b
    text = re.sub(r"(?<=\b[a-z\d])-(?=[a-z\d]\b)", " minus ", text)   # x-1, 2-x (single symbols only)
    text = re.sub(r"(?:^|(?<=[\s(=\x01]))-(?=[\d.A-Za-z(\x01])", "minus ", text)   # unary: -x, (-0.5
    text = re.sub(r"(?<![\w.])(\d+(?:\.\d+)?|[A-Za-z]|\x02)\s*/\s*(?=[\d\x01]|[A-Za-z]\b)", r"\1 over ", text)
    return re.sub(r"\s*=\s*", " equals ", text)


def _group(m: re.Match) -> str:
    """One innermost parenthesis: a function call read as words, or a group kept (marked) for later."""
    name, inner, power = m.group(1), _math(m.group(2)), m.group(3)
    if name and name.lower() in FUNCTIONS:
        said = f"{FUNCTIONS[name.lower()]} {inner.strip()}"
    elif name and len(name) == 1:   # f(x): "f of x"
        said = f"{name} of {inner.strip()}"
    elif name:
        return f"{name}\x01{inner}\x02{power or ''}"
    else:
        said = f"\x01{inner}\x02"
    if power:
        p = re.match(r"\s*(?:\*\*|\^)\s*(-?)(\S+)", power)
        tail = {"2": "squared", "3": "cubed"}.get(p.group(2)) if not p.group(1) else None
        said = f"{said}, all {tail}" if tail else f"{said}, all to the power {'minus ' * bool(p.group(1))}{p.group(2)}"
    return said


def _sub_words(table: dict[str, str], text: str, fold: Callable[[str], str] = str) -> str:
    pattern = "|".join(re.escape(k) for k in sorted(table, key=len, reverse=True))
    return re.sub(rf"(?<![\w-])({pattern})(?![\w-])", lambda m: table[fold(m.group(1))], text)


def spoken(text: str) -> str:
    """The line as a narrator says it: math, numbers, symbols and acronyms in words.

    'SGD ends at 0.0015.' -> 'S G D ends at zero point zero zero one five.';
    'x^2 + 0.3·sin(5·x)' -> 'x squared plus zero point three times sine of five x';
    '1.7 × 10⁻⁸' -> 'one point seven times ten to the minus eight'.
    """
    text = _RE_SUPER.sub(lambda m: "^" + m.group(0).translate(_SUPERSCRIPTS), text)
    for sym, said in {**SYMBOLS, **{g: f" {w} " for g, w in GREEK.items()}}.items():
        text = text.replace(sym, said)
    text = _RE_SCI.sub(lambda m: (f"{m.group(1)} times " if float(m.group(1)) != 1 else "")
                       + _power("10", m.group(2), m.group(3)), text)
    text = _RE_TEN_POWER.sub(lambda m: _power("10", m.group(1), m.group(2)), text)
    while True:   # innermost parentheses first, so sin(3*exp(-x^2)) reads from the inside out
        text, n = _RE_GROUP.subn(_group, text)
        if not n:
            break
    text = _sub_words(SAY, text)
    text = _math(text).replace("\x01", "(").replace("\x02", ")")

    def number(m: re.Match) -> str:
        before = text[:m.start()].split()
        said = decimal(m.group(0))
        hedged = before and before[-1].lower() in _HEDGES
        return said.removeprefix("about ") if hedged else said

    text = _RE_NUMBER.sub(number, text)
    text = re.sub(r"\s+([,.;:!?)])", r"\1", re.sub(r"\(\s+", "(", text))
    return " ".join(text.split())


__all__ = ["FUNCTIONS", "GREEK", "SAY", "cardinal", "decimal", "spoken"]

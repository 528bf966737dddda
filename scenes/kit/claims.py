"""Claims: the words of a narration line that state something about the data, each from a test of it.

A line may say "diverges", "beats", "stalls", "faster" or "the yellow segments" only through a
scene's `Claims` ledger: `claims.say(held, yes, no)` returns YES when the test on the data HELD and
NO otherwise, and `claims.colour(hex)` names the colour actually drawn. Each beat's claims are
recorded with it (the narration sidecar's `claims`), so the claims test (tests/scenes/claimcheck.py)
can tell a checked word from a typed one: a qualitative word or a colour word outside every claim
of its beat fails, and so does a colour word whose colour is not on screen. Numbers need no claim:
they must be on screen in the beat that says them.

Colour names are the nearest of a small vocabulary in CIEDE2000 (scikit-image), so a palette entry
changed by a theme or a project is still named for what it looks like.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

import numpy as np

# What a viewer would call each colour; a word here in a line must come from `Claims.colour`.
COLOUR_NAMES: dict[str, str] = {
    "red": "#E53935", "orange": "#FB8C00", "yellow": "#FFEB3B", "yellow-green": "#C0D23C", "green": "#2E9E3E",
    "teal": "#00897B", "cyan": "#4DD0E1", "blue": "#1E63E5", "purple": "#7B2FBE", "pink": "#F06292",
    "magenta": "#E0109A", "olive": "#7F8A10", "brown": "#795548",
    "grey": "#9E9E9E", "dark grey": "#5C5F66", "white": "#FFFFFF", "black": "#000000",
}
COLOUR_WORDS = re.compile(r"\b(red|orange|yellow(?:-green)?|green|teal|cyan|blue|purple|pink|magenta|olive|brown|"
                          r"gr[ae]y|white|black)\b", re.I)
# Words that state a judgement about the data; each must come from `Claims.say` in its beat.
QUALITATIVE = re.compile(r"\b(diverg\w*|stall\w*|stuck|uphill|downhill|beats?|beaten|faster|slower|quicker|"
                         r"wins?|won|loses|lost|overshoot\w*|oscillat\w*|converg\w*|plateau\w*|trend\w*|"
                         r"improv\w*|worse|better|best of both|sharper|blurr\w*|fails?|failed|fell|rose|grew|"
                         r"settles?|crawl\w*|blows? up|blew up|harder|easier|slid\w*|follows the (?:points|data)|"
                         r"poor fit|as close to the \w+ as|(?:far )?fewer \w+ than|about as (?:low|many))\b", re.I)


@cache
def _lab(hex_colour: str) -> np.ndarray:
    from skimage.color import rgb2lab

    h = hex_colour.lstrip("#")[:6]
    rgb = np.array([[[int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)]]])
    return rgb2lab(rgb)[0, 0]


@cache
def colour_name(hex_colour: str) -> str:
    """The vocabulary word nearest HEX_COLOUR (CIEDE2000): '#E9FF70' -> 'yellow', '#00961E' -> 'green'."""
    from skimage.color import deltaE_ciede2000

    lab = _lab(hex_colour.upper())
    return min(COLOUR_NAMES, key=lambda n: float(deltaE_ciede2000(lab, _lab(COLOUR_NAMES[n]))))


@dataclass(frozen=True)
class Said:
    """One checked part of a line: the words it gave, whether its test held, and what it names."""

    text: str
    held: bool
    colour: str | None = None   # the hex colour a colour word names


@dataclass
class Claims:
    """The current beat's claims; `take()` hands them to the beat's record and starts the next beat's."""

    pending: list[Said] = field(default_factory=list)

    def say(self, held: bool, yes: str, no: str) -> str:
        """YES when the test on the data HELD, else NO (say less rather than something untrue)."""
        text = yes if held else no
        self.pending.append(Said(text, bool(held)))
        return text

    def pick(self, *options: tuple[bool, str], otherwise: str) -> str:
        """The text of the first option whose test held, else OTHERWISE (a line with several honest outcomes)."""
        for held, text in options:
            if held:
                self.pending.append(Said(text, True))
                return text
        self.pending.append(Said(otherwise, False))
        return otherwise

    def colour(self, hex_colour: str) -> str:
        """The name of HEX_COLOUR, for a line that points at something drawn in it."""
        name = colour_name(str(hex_colour))
        self.pending.append(Said(name, True, str(hex_colour)))
        return name

    def take(self) -> list[Said]:
        out, self.pending = self.pending, []
        return out


FOLLOWS_R2 = 0.95
"""A curve "follows" its data points when its mean squared error is at most 1 - FOLLOWS_R2 of the data's
variance. A loss that merely halved, or the lowest a 2-parameter model can reach, may still miss the
points by far: tanh(a·x + b) on 4 points of 0.8·sin(1.3·x) bottoms out at loss 0.089, a third of the
variance, and chapter 1 said "the curve follows the points" beside a curve that missed them."""


def follows(loss: float, y: np.ndarray) -> bool:
    """Whether a curve with mean squared error LOSS on data Y explains at least FOLLOWS_R2 of its variance."""
    spread = float(np.var(np.asarray(y, dtype=float)))
    return bool(np.isfinite(loss)) and loss <= (1 - FOLLOWS_R2) * spread + 1e-12


def at_best(loss: float, lowest: float) -> bool:
    """Whether LOSS is the landscape's lowest (within a thousandth of it, or of 1e-9): as good as the model can do."""
    return bool(np.isfinite(loss)) and loss <= lowest + 1e-3 * max(abs(lowest), 1e-6)


__all__ = ["COLOUR_NAMES", "COLOUR_WORDS", "FOLLOWS_R2", "QUALITATIVE", "Claims", "Said", "at_best", "colour_name",
           "follows"]

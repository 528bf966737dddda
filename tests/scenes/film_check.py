"""The stress matrix's checks on the film's own data: `python -m tests.scenes.film_check [CHAPTER ...]`.

After `make render`, every chapter is rendered again beat by beat (854x480, no video) from the cached
traces of that render, and each beat gets the checks test_stress.py applies to the stress data: nothing
outside the frame, no text over another or hidden by an image, every spoken number on screen and every
judgement word a tested claim (claimcheck.py), every text at least 14 px (test_legible.py). The stress
data are small and short-numbered; the film's own numbers are wider and its runs longer, and twice they
showed what the stress data did not (ch11's table overflow, ch13's untested 'trend'). Not a test: a
fresh clone has no traces. Exits 1 when a problem is found.
"""

from __future__ import annotations

import sys

from scenes.storyboard import load_scene_class
from tests.scenes.layoutcheck import render_beats
from tests.scenes.test_stress import ENTRIES, FAST, beat_problems_all


def problems_of(entry) -> tuple[int, list[str]]:
    """(beats, problems) of one chapter rendered from the cached traces."""
    _scene, beats = render_beats(load_scene_class(entry), {}, width=854, height=480, **FAST.get(entry.name, {}))
    return len(beats) - 1, beat_problems_all(beats)


def main(names: list[str]) -> int:
    found = 0
    for entry in [e for e in ENTRIES if not names or e.name in names]:
        beats, problems = problems_of(entry)
        found += len(problems)
        print(f"{entry.name}: {beats} beats, {len(problems)} problems", *problems[:8], sep="\n  ", flush=True)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

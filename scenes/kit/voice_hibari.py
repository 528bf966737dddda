"""The default narration voice: hibari-tts's bundled neural voice, offline, in this process.

hibari (PyPI hibari-tts, Apache-2.0 code and weights) is a 7.9 MB ONNX model distilled from
Kokoro-82M, about 100x realtime on one CPU core, 24 kHz mono. Only the voice inside the wheel
("heart", American English) is used: hibari downloads its other voices from the network on first
use, so any other name is refused here with one line, and the model is loaded from the bundled file
by path (never through hibari's downloader). Synthesis is seeded, so a line's audio is the same
on every run and the cache and render keys hold.

A line arrives already in its spoken form (scenes/kit/spoken.py); PHONEMES then pins the
pronunciation of what hibari's spelling-to-sound rules still get wrong, with hibari's inline
`[word](/phonemes/)` syntax (misaki's phoneme alphabet).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from scenes.kit.timeline import sentences
from scenes.kit.voices import CachedSynth, VoiceError

BUNDLED_VOICE = "heart"
SPEED = 0.9     # hibari's own pace is 1.0; 0.8 read the whole explainer at 130 words per minute (gdevo bench
                # --narration, 2026-12-04), under the 140-165 a listener expects; 0.9: see docs/narration.md
SEED = 0        # fixes hibari's noise component: the same line gives the same samples
PACE = (140.0, 165.0)       # words per minute a line is brought into (issue #18): at SPEED alone, lines dense with
                            # short spoken words ran at up to 193 ("sine of x", "tanh of a times x plus b")
PACE_SPEEDS = (0.7, 1.2)    # how far a line's speed may move from SPEED to get there
PACE_TRIES = 3              # lines said again at most (each costs ~0.1-0.3 s of CPU)
# What hibari's G2P misreads even in spoken form: a pattern (a word in its context) -> misaki phonemes.
PHONEMES = {
    # the variable a ("a times x", "a and b", "starts with a at 1.2") is read as the article "uh"
    r"\ba(?=\s*(?:times|plus|minus|over|equals|squared|cubed|at|and|[,.;:)]|$))": "ˈA",
}


class HibariVoice(CachedSynth):
    name = "hibari"

    def __init__(self, voice: str = BUNDLED_VOICE, speed: float = SPEED) -> None:
        if voice != BUNDLED_VOICE:
            raise VoiceError(f"hibari voice {voice!r} is not in the package (it would be downloaded); "
                             f"only {BUNDLED_VOICE!r} is used")
        if not 0.5 <= speed <= 2.0:
            raise VoiceError(f"hibari speed must be between 0.5 and 2.0, got {speed:g}")
        self.voice, self.speed = voice, float(speed)

    def settings(self) -> dict:
        return {"voice": self.voice, "speed": self.speed, "seed": SEED, "phonemes": PHONEMES, "by": "sentence",
                "pace": [*PACE, *PACE_SPEEDS, PACE_TRIES]}

    def check(self) -> None:
        model_file(self.voice)

    def version(self) -> str:
        self.check()
        import hibari

        return hibari.__version__

    def synthesize(self, text: str, wav: Path) -> list[float]:
        """Sentence by sentence (scenes/kit/timeline.sentences), so each sentence's start is known
        exactly: captions and the pacing read it. A line whose pace falls outside PACE is said again
        at a speed that brings it inside, where PACE_SPEEDS allow."""
        import hibari
        import numpy as np

        model = _model(self.voice)

        def say(speed: float) -> list:
            return [model(with_phonemes(text[a:b]), speed=speed, seed=SEED) for a, b in sentences(text)]

        speed, parts, words = self.speed, say(self.speed), spoken_words(text)
        for _ in range(PACE_TRIES):   # pace is not linear in speed (0.8: 164 wpm, 0.9: 193, 1.0: 204): iterate
            again = paced_speed(speed, words, sum(len(p) for p in parts) / model.sample_rate)
            if again == speed:
                break
            speed, parts = again, say(again)
        audio = np.concatenate(parts) if parts else np.zeros(0, np.float32)
        if not len(audio):
            raise VoiceError(f"hibari produced no audio for {text[:60]!r}")
        hibari.write_wav(str(wav), audio)
        return [len(p) / model.sample_rate for p in parts]


def spoken_words(text: str) -> int:
    """Words in a line's spoken form, counted as the narration bench counts them (a hyphen or a
    slash parts words: "twenty-one" is two)."""
    return len(re.findall(r"\w+(?:'\w+)?", re.sub(r"[-‐–—/]", " ", text)))


def paced_speed(speed: float, words: int, seconds: float) -> float:
    """The next speed to try for WORDS said in SECONDS at SPEED: aimed a little inside PACE's nearer
    edge as if pace were proportional to speed, within PACE_SPEEDS; SPEED when already in PACE."""
    if not words or seconds <= 0:
        return speed
    wpm = 60 * words / seconds
    lo, hi = PACE
    if lo <= wpm <= hi:
        return speed
    target = hi - 5 if wpm > hi else lo + 5
    return round(min(max(speed * target / wpm, PACE_SPEEDS[0]), PACE_SPEEDS[1]), 3)


def with_phonemes(text: str) -> str:
    """TEXT with each PHONEMES match marked up as hibari's inline pronunciation."""
    for pattern, phonemes in PHONEMES.items():
        text = re.sub(rf"(?<!\[){pattern}", lambda m, ph=phonemes: f"[{m.group(0)}](/{ph}/)", text)
    return text


def model_file(voice: str) -> Path:
    """The bundled ONNX file of VOICE; VoiceError (one line) if hibari is missing or the voice is not bundled."""
    try:
        from hibari import voices
    except ImportError as exc:
        raise VoiceError(f"the hibari voice needs hibari-tts (pip install -r requirements.txt), or use "
                         f"--voice espeak-ng: {exc}") from None
    entry = voices.VOICES.get(voice)
    if not entry or not entry.get("bundled"):
        raise VoiceError(f"hibari voice {voice!r} is not in the package (it would be downloaded); "
                         f"only {BUNDLED_VOICE!r} is used")
    path = Path(voices.ASSETS) / entry["file"]
    if not path.is_file():
        raise VoiceError(f"hibari's bundled voice file {path} is missing: reinstall hibari-tts")
    return path


@functools.cache
def _model(voice: str):
    """One loaded model per process (about a second to load), from the bundled file by path."""
    from hibari import Hibari

    return Hibari(voice=voice, model=str(model_file(voice)), threads=1)


__all__ = ["BUNDLED_VOICE", "PACE", "PHONEMES", "HibariVoice", "model_file", "paced_speed", "spoken_words",
           "with_phonemes"]

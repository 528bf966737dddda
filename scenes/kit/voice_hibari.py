"""The default narration voice: hibari-tts's bundled neural voice, offline, in this process.

hibari (PyPI hibari-tts, Apache-2.0 code and weights) is a 7.9 MB ONNX model distilled from
Kokoro-82M, about 100x realtime on one CPU core, 24 kHz mono. Only the voice inside the wheel
("heart", American English) is used: hibari downloads its other voices from the network on first
use, so any other name is refused here with one line, and the model is loaded from the bundled file
by path (never through hibari's downloader). Synthesis is seeded, so a line's audio is the same
on every run and the cache and render keys hold.

Every word's start comes from the engine itself: hibari's graph predicts each phoneme's duration
before it makes the audio; `_engine` exposes that tensor as one more output (a copy of the graph
made once with the onnx package and kept in the voice cache), so the audio is the same samples as
hibari's own call and each word's start is the sum of the durations before its first phoneme
(`word_starts`). Captions and number reveals read those times.

A line arrives already in its spoken form (scenes/kit/spoken.py); PHONEMES then pins the
pronunciation of what hibari's spelling-to-sound rules still get wrong, with hibari's inline
`[word](/phonemes/)` syntax (misaki's phoneme alphabet).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from scenes.kit.timeline import Marks, sentences
from scenes.kit.voices import CachedSynth, VoiceError

BUNDLED_VOICE = "heart"
SPEED = 0.9     # hibari's own pace is 1.0; 0.8 read the whole explainer at 130 words per minute (gdevo bench
                # --narration, 2026-12-04), under the 140-165 a listener expects; 0.9: see docs/narration.md
SEED = 0        # fixes hibari's noise component: the same line gives the same samples
PACE = (140.0, 165.0)       # words per minute a line is brought into (issue #18): at SPEED alone, lines dense with
                            # short spoken words ran at up to 193 ("sine of x", "tanh of a times x plus b")
PACE_SPEEDS = (0.7, 1.2)    # how far a line's speed may move from SPEED to get there
PACE_TRIES = 3              # lines said again at most (each costs ~0.1-0.3 s of CPU)
LEAD = 0.1      # seconds kept before a line's first word: hibari opens every sentence with ~0.35 s of silence,
                # which after the pause between lines (scenes/kit/base.py LINE_GAP) made every pause ~0.85 s;
                # a line's later sentences keep theirs (the pause between two sentences, ~0.5 s with the stop)
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
                "pace": [*PACE, *PACE_SPEEDS, PACE_TRIES], "marks": "durations", "lead": LEAD}

    def check(self) -> None:
        model_file(self.voice)

    def version(self) -> str:
        self.check()
        import hibari

        return hibari.__version__

    def synthesize(self, text: str, wav: Path) -> Marks:
        """Sentence by sentence (scenes/kit/timeline.sentences), so each sentence's start is known
        exactly, and each word's start within it from the engine's durations: captions and the pacing
        read them. A line whose pace falls outside PACE is said again at a speed that brings it
        inside, where PACE_SPEEDS allow."""
        import hibari
        import numpy as np

        def say(speed: float) -> list[tuple[np.ndarray, list[float]]]:
            return opened([self._sentence(text[a:b], speed) for a, b in sentences(text)], hibari.tts.SAMPLE_RATE)

        speed, parts, words = self.speed, say(self.speed), spoken_words(text)
        for _ in range(PACE_TRIES):   # pace is not linear in speed (0.8: 164 wpm, 0.9: 193, 1.0: 204): iterate
            again = paced_speed(speed, words, sum(len(p) for p, _ in parts) / hibari.tts.SAMPLE_RATE)
            if again == speed:
                break
            speed, parts = again, say(again)
        audio = np.concatenate([p for p, _ in parts]) if parts else np.zeros(0, np.float32)
        if not len(audio):
            raise VoiceError(f"hibari produced no audio for {text[:60]!r}")
        hibari.write_wav(str(wav), audio)
        return Marks(tuple(len(p) / hibari.tts.SAMPLE_RATE for p, _ in parts), tuple(tuple(w) for _, w in parts))

    def _sentence(self, sentence: str, speed: float):
        """One sentence's audio, sample for sample what `Hibari(...)(sentence, speed, seed=SEED)` makes,
        and the second at which each of its words starts (from the engine's phoneme durations)."""
        import numpy as np
        from hibari import dsp

        model, session = _engine(self.voice, self.cache / self.name)
        rng, parts, starts, t = np.random.default_rng(SEED), [], [], 0.0
        for phonemes in model.phonemize(with_phonemes(sentence)):
            ids, firsts = phoneme_ids(phonemes, model.vocab)
            if len(ids) < 3:   # as hibari: nothing to say
                continue
            *spectra, durations = session.run(None, {"ids": np.asarray([ids], np.int64),
                                                     "speed": np.asarray([speed], np.float32)})
            audio = dsp.synth(*(o[0] for o in spectra), rng)
            starts += [t + s for s in word_starts(durations.reshape(-1), firsts, spectra[0].shape[-1])]
            t += len(audio) / dsp.SR
            parts.append(audio)
        return (np.concatenate(parts) if parts else np.zeros(0, np.float32)), starts


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


def opened(parts: list, rate: int) -> list:
    """A line's sentences (audio, word starts) with the first one's opening silence cut to LEAD before its
    first word (the engine's own time for it), its word starts moved with it."""
    if not parts or not parts[0][1]:
        return parts
    audio, starts = parts[0]
    cut = round(max(0.0, starts[0] - LEAD) * rate)
    return [(audio[cut:], [t - cut / rate for t in starts]), *parts[1:]]


def phoneme_ids(phonemes: str, vocab: dict[str, int]) -> tuple[list[int], list[int]]:
    """hibari's model input for PHONEMES (its `Hibari.ids`: the pad, every phoneme it knows, the pad) and
    the index in it of each word's first phoneme (words: space-separated, with a letter; a stress mark
    is a letter to str.isalpha, punctuation is not)."""
    ids, firsts, fresh = [0], [], True
    for c in phonemes:
        if c == " ":
            fresh = True
        if c not in vocab:
            continue
        if fresh and c.isalpha():
            firsts.append(len(ids))
            fresh = False
        ids.append(vocab[c])
    return [*ids, 0], firsts


def word_starts(durations, firsts: list[int], frames: int) -> list[float]:
    """Seconds at which the phonemes at FIRSTS start, from the model's per-phoneme DURATIONS (in its
    duration units) and the FRAMES of spectrum it made from them (each frame one hop of audio)."""
    from hibari import dsp

    total = int(sum(int(d) for d in durations))
    unit = (frames / total if total else 0.0) * dsp.HOP / dsp.SR
    before = [0]
    for d in durations:
        before.append(before[-1] + int(d))
    return [before[j] * unit for j in firsts]


@functools.cache
def _engine(voice: str, folder: Path):
    """One loaded model per process, whose session runs hibari's graph with one more output: the
    input of its one CumSum node, the per-phoneme durations the audio frames are laid out by.
    That graph is kept in FOLDER (the voice's cache) by `_timed_graph`, and hibari's own session is
    made from it, so a process loads the model once and needs no `onnx` once the file is there."""
    from hibari import Hibari

    graph = _timed_graph(model_file(voice), folder)
    try:
        model = Hibari(voice=voice, model=str(graph), threads=1)
    except Exception:   # a damaged copy in the cache (the bundled file is checked by hash): made again
        graph.unlink(missing_ok=True)
        model = Hibari(voice=voice, model=str(_timed_graph(model_file(voice), folder)), threads=1)
    return model, model.sess


def _timed_graph(path: Path, folder: Path) -> Path:
    """PATH's graph with the durations as one more output, written once into FOLDER under a hash of
    PATH's bytes (atomically: processes side by side write the same bytes). Importing `onnx` to make
    it cost 0.76 s of every chapter process's first line (docs/render-speed.md, stop 40)."""
    import hashlib

    out = folder / f"model-{hashlib.sha256(path.read_bytes()).hexdigest()[:16]}-durations.onnx"
    if out.is_file():
        return out
    import onnx

    from sim.trace import atomic_write_bytes

    graph = onnx.load(str(path))
    cumsum = [n for n in graph.graph.node if n.op_type == "CumSum"]
    if len(cumsum) != 1:
        raise VoiceError(f"hibari's model {path} has {len(cumsum)} CumSum nodes, not the one duration "
                         "layout this voice reads its word times from: reinstall hibari-tts==0.2.1")
    graph.graph.output.append(onnx.helper.make_empty_tensor_value_info(cumsum[0].input[0]))
    data = graph.SerializeToString()
    atomic_write_bytes(out, lambda fh: fh.write(data))
    return out


__all__ = ["BUNDLED_VOICE", "PACE", "PHONEMES", "HibariVoice", "model_file", "paced_speed", "phoneme_ids",
           "spoken_words", "with_phonemes", "word_starts"]

"""Voices: one narration line (beat ID, text) in, one audio file and its duration out.

One small interface (`Voice.line`) with several engines behind it, chosen by the scene's settings
(scenes/kit/settings.py: `gdevo render --voice`, `voice` in a project's gdevo.toml, or GDEVO_VOICE):

- `hibari` (default): an offline neural voice, the one inside the hibari-tts wheel
  (scenes/kit/voice_hibari.py); never downloads one.
- `espeak-ng`: offline formant synthesis from the Debian package (fast; speaks recorded's missing lines).
- `piper`: a neural Piper voice the user brings (GDEVO_PIPER_MODEL=/path/voice.onnx; needs `piper`).
- `recorded`: the user's own recordings, GDEVO_VOICE_DIR/<beat id>.wav|.flac|.mp3|.ogg; a missing
  line is spoken by espeak-ng instead and reported (`Line.fallback`).
- `none`: silent; each line lasts as long as it takes to say at GDEVO_VOICE_WPM words per minute
  (quick previews, tests): the picture keeps the narrated timing, captions still show.
- `off`: no narration at all: beats keep the animation's own timing (the test suite's default).

Engines say a line's spoken form (scenes/kit/spoken.py: "S G D", "sine of five x", numbers in
words), while captions keep the text as written. Synthesized audio is cached (GDEVO_VOICE_CACHE,
default .cache/voice) under a hash of (spoken text, engine, engine version, voice settings):
changing one line re-synthesizes only that line.
Like manim-voiceover's speech services, minus the network services and the bookmark machinery.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scenes.kit.settings import SceneSettings

from scenes.kit.spoken import spoken
from scenes.kit.timeline import NO_MARKS, Marks

ROOT = Path(__file__).resolve().parents[2]
VOICES = ("hibari", "espeak-ng", "piper", "recorded", "none", "off")
DEFAULT_VOICE = "hibari"
RECORDED_SUFFIXES = (".wav", ".flac", ".mp3", ".ogg")
ESPEAK_VOICE = "en-us"
ESPEAK_WPM = 165


class VoiceError(ValueError):
    """A voice that cannot speak (unknown engine, missing program or voice file): one clear line."""


@dataclass(frozen=True)
class Line:
    """One spoken line: its audio file (None when silent), how long it lasts, who spoke it."""

    path: Path | None
    duration: float
    engine: str
    fallback: bool = False
    marks: Marks = NO_MARKS   # sentence and word times, for engines that say them (hibari)


def words(text: str) -> int:
    return len(text.split())


def audio_duration(path: Path) -> float:
    """Duration of an audio file in seconds (PyAV, which manim already depends on)."""
    import av

    try:
        with av.open(str(path)) as container:
            stream = container.streams.audio[0]
            if stream.duration is not None and stream.time_base is not None:
                return float(stream.duration * stream.time_base)
            return float(container.duration or 0) / 1_000_000
    except (av.FFmpegError, IndexError, OSError) as exc:
        raise VoiceError(f"cannot read audio file {path}: {exc}") from None


class Voice:
    """The interface: `line(beat_id, text)` -> Line. `narrated` is False only for `off`."""

    name = "voice"
    narrated = True

    def line(self, beat_id: str, text: str) -> Line:
        raise NotImplementedError

    def check(self) -> None:
        """Raise VoiceError (one line) if this voice cannot speak on this machine."""

    def fingerprint(self) -> str:
        """What a render's audio depends on besides the texts (part of the render key)."""
        return self.name


class OffVoice(Voice):
    name = "off"
    narrated = False

    def line(self, beat_id: str, text: str) -> Line:
        return Line(None, 0.0, self.name)


class SilentVoice(Voice):
    """No audio; a line lasts as long as reading it aloud takes (at least 1 s)."""

    name = "none"

    def __init__(self, wpm: float | None = None) -> None:
        wpm = float(wpm if wpm is not None else ESPEAK_WPM)
        if not wpm > 0:
            raise VoiceError(f"GDEVO_VOICE_WPM must be a positive number of words per minute, got {wpm:g}")
        self.wpm = wpm

    def line(self, beat_id: str, text: str) -> Line:
        n = words(spoken(text))
        return Line(None, max(1.0, 60.0 * n / self.wpm) if n else 0.0, self.name)

    def fingerprint(self) -> str:
        return f"none@{self.wpm:g}"


class CachedSynth(Voice):
    """A synthesizing engine: audio cached under a hash of (text, engine, version, settings)."""

    cache: Path = ROOT / ".cache" / "voice"   # the folder of cached lines (voice_for sets the scene's)

    def settings(self) -> dict:
        return {}

    def version(self) -> str:
        raise NotImplementedError

    def synthesize(self, text: str, wav: Path) -> Marks | None:
        """Write TEXT's audio to WAV; return its sentence and word times if the engine knows them."""
        raise NotImplementedError

    def fingerprint(self) -> str:
        return json.dumps({"engine": self.name, "version": self.version(), **self.settings()}, sort_keys=True)

    def cache_path(self, text: str) -> Path:
        key = hashlib.sha256(json.dumps([self.fingerprint(), text]).encode()).hexdigest()[:24]
        return self.cache / self.name / f"{key}.wav"

    def line(self, beat_id: str, text: str) -> Line:
        """Say TEXT's spoken form (cached); the caller keeps TEXT for the captions."""
        if not text.strip():
            return Line(None, 0.0, self.name)
        text = spoken(text)
        path = self.cache_path(text)
        marks = path.with_suffix(".json")
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(suffix=".wav", dir=path.parent, prefix=".tmp-")
            os.close(fd)
            try:
                timing = self.synthesize(text, Path(tmp))
                if timing:   # written before the audio, so a cached audio file always has its marks
                    tmp_marks = marks.with_name(f".{marks.name}.{os.getpid()}.tmp")
                    tmp_marks.write_text(json.dumps(timing.as_json()), encoding="utf-8")
                    os.replace(tmp_marks, marks)
                os.replace(tmp, path)    # atomic: a parallel render never reads half a file
            finally:
                Path(tmp).unlink(missing_ok=True)
        return Line(path, audio_duration(path), self.name, marks=_marks(marks))


class EspeakVoice(CachedSynth):
    name = "espeak-ng"

    def __init__(self, voice: str | None = None, wpm: float | None = None) -> None:
        self.voice = voice or ESPEAK_VOICE
        self.wpm = int(float(wpm or ESPEAK_WPM))

    def settings(self) -> dict:
        return {"voice": self.voice, "wpm": self.wpm}

    def check(self) -> None:
        if shutil.which("espeak-ng") is None:
            raise VoiceError("espeak-ng is not installed (apt-get install espeak-ng, or run scripts/setup.sh)")

    def version(self) -> str:
        self.check()
        return _program_version(("espeak-ng", "--version"))

    def synthesize(self, text: str, wav: Path) -> None:
        _run(["espeak-ng", "-v", self.voice, "-s", str(self.wpm), "-w", str(wav), "--", text], "espeak-ng")


class PiperVoice(CachedSynth):
    """A Piper neural voice: the user's .onnx voice file (with its .onnx.json beside it)."""

    name = "piper"

    def __init__(self, model: str | None = None) -> None:
        self.model = model or ""

    def settings(self) -> dict:
        path = Path(self.model)
        st = path.stat() if path.is_file() else None
        return {"model": str(path.resolve()), "size": st.st_size if st else 0}

    def check(self) -> None:
        if not self.model:
            raise VoiceError("the piper voice needs a voice file: set GDEVO_PIPER_MODEL=/path/to/voice.onnx "
                             "(or --piper-model)")
        if not self.model.endswith(".onnx") or not Path(self.model).is_file():
            raise VoiceError(f"piper voice file {self.model!r} is not an existing .onnx file")
        if shutil.which("piper") is None:
            raise VoiceError("piper is not installed (pip install piper-tts puts a `piper` program on PATH)")

    def version(self) -> str:
        self.check()
        return _program_version(("piper", "--version"))

    def synthesize(self, text: str, wav: Path) -> None:
        _run(["piper", "--model", self.model, "--output_file", str(wav)], "piper", stdin=text)


class RecordedVoice(Voice):
    """The user's recordings, one file per beat ID; a missing line falls back to `fallback`."""

    name = "recorded"

    def __init__(self, folder: str | None = None, fallback: Voice | None = None) -> None:
        self.raw = folder or ""
        self.folder = Path(self.raw)
        self.fallback = fallback or EspeakVoice()

    def check(self) -> None:
        if not self.raw:
            raise VoiceError("the recorded voice needs a folder of recordings: set GDEVO_VOICE_DIR "
                             "(or --voice-dir)")
        if not self.folder.is_dir():
            raise VoiceError(f"recordings folder {str(self.folder)!r} does not exist")

    def recording(self, beat_id: str) -> Path | None:
        for suffix in RECORDED_SUFFIXES:
            path = self.folder / f"{beat_id}{suffix}"
            if path.is_file():
                return path
        return None

    def line(self, beat_id: str, text: str) -> Line:
        path = self.recording(beat_id)
        if path is None:
            spoken = self.fallback.line(beat_id, text)
            return Line(spoken.path, spoken.duration, spoken.engine, fallback=bool(text.strip()),
                        marks=spoken.marks)
        return Line(path, audio_duration(path), self.name)

    def fingerprint(self) -> str:
        files = sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in self.folder.glob("*")
                       if p.suffix.lower() in RECORDED_SUFFIXES) if self.folder.is_dir() else []
        return json.dumps({"recorded": str(self.folder.resolve()), "files": files,
                           "fallback": self.fallback.fingerprint()})


def voice_for(settings: SceneSettings) -> Voice:
    """The voice SETTINGS name (default hibari), configured from their voice options."""
    name = (settings.voice or DEFAULT_VOICE).strip()
    voice: Voice
    if name == "hibari":
        from scenes.kit.voice_hibari import HibariVoice

        voice = HibariVoice()
    elif name == "espeak-ng" or name == "espeak":
        voice = EspeakVoice(settings.espeak_voice)
    elif name == "none":
        voice = SilentVoice(_wpm(settings.wpm))
    elif name == "off":
        voice = OffVoice()
    elif name == "piper":
        voice = PiperVoice(settings.piper_model)
    elif name == "recorded":
        voice = RecordedVoice(settings.voice_dir, EspeakVoice(settings.espeak_voice))
    else:
        raise VoiceError(f"unknown voice {name!r}; choose from {', '.join(VOICES)}")
    for v in (voice, getattr(voice, "fallback", None)):
        if isinstance(v, CachedSynth):
            v.cache = settings.voice_cache
    return voice


def _marks(marks: Path) -> Marks:
    """The sentence and word times stored beside a cached line (none if the engine gave none)."""
    try:
        return Marks.from_json(json.loads(marks.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return NO_MARKS


def _wpm(text: str | None) -> float | None:
    try:
        return None if text is None else float(text)
    except ValueError:
        raise VoiceError(f"GDEVO_VOICE_WPM must be a number of words per minute, got {text!r}") from None


@functools.cache
def _program_version(cmd: tuple[str, ...]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise VoiceError(f"cannot run {cmd[0]}: {exc}") from None
    return (out.stdout or out.stderr).strip().splitlines()[0] if (out.stdout or out.stderr).strip() else "?"


def _run(cmd: list[str], what: str, stdin: str | None = None) -> None:
    try:
        proc = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise VoiceError(f"{what} failed: {exc}") from None
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-1:] or ["(no output)"]
        raise VoiceError(f"{what} failed: {tail[0]}")


__all__ = ["DEFAULT_VOICE", "VOICES", "Line", "Voice", "VoiceError", "audio_duration", "voice_for"]

"""Caption and chapter files from the beats sidecars scenes write (scenes/kit/base.py).

- `chapter_cues(sidecar)`: the caption cues of one render (start, end, text), in its own time.
- `write_srt` / `write_vtt`: SubRip with the `srt` library (manim's own), WebVTT converted from
  it by ffmpeg; both written atomically. Given the words' times (`chapter_words`: the scenes
  record when each word is said), the WebVTT is written here instead, with a WebVTT timestamp
  tag before every word after a cue's first (karaoke-style word timing, which neither ffmpeg nor
  the srt library writes).
- `write_chapters_vtt` and `description_text`: chapter markers for players (WebVTT chapters)
  and for video platforms (a description whose lines start with timestamps, the first 0:00).
"""

from __future__ import annotations

import datetime
import json
import tempfile
from pathlib import Path

import srt

from gdevo.media import ffmpeg_io
from sim.errors import GdevoError
from sim.trace import atomic_write_bytes

Cue = tuple[float, float, str]


def read_sidecar(path: Path) -> dict:
    """A scene's beats sidecar (NAME.beats.json); an unreadable one is one clear error."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise GdevoError(f"cannot read the beats file {path}: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("beats"), list):
        raise GdevoError(f"{path} is not a beats file (no 'beats' list)")
    return data


def chapter_cues(sidecar: dict) -> list[Cue]:
    return [(float(s), float(e), str(t)) for beat in sidecar["beats"] for s, e, t in beat.get("cues", [])]


def chapter_words(sidecar: dict) -> list[tuple[float, str]]:
    """(time, word) of every word said in one render, in its own time (empty for old sidecars)."""
    return [(float(t), str(w)) for beat in sidecar["beats"] for t, w in beat.get("words", [])]


def shifted(cues: list[Cue], offset: float) -> list[Cue]:
    return [(s + offset, e + offset, t) for s, e, t in cues]


def _vtt_time(seconds: float) -> str:
    ms = max(0, round(seconds * 1000))
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def _timed_text(start: float, end: float, text: str, words: list[tuple[float, str]]) -> str:
    """TEXT with <time> before each word after the first, when its words match WORDS said in [start, end)."""
    said = [(t, w) for t, w in words if start - 1e-3 <= t < end - 1e-3]
    tokens = text.replace("\n", " \n ").split(" ")
    shown = [tok for tok in tokens if tok and tok != "\n"]
    if [w for _, w in said] != shown:
        return text
    out, k = [], 0
    for tok in tokens:
        if not tok or tok == "\n":
            out.append(tok)
            continue
        t = min(max(said[k][0], start), end)
        out.append(tok if k == 0 else f"<{_vtt_time(t)}>{tok}")
        k += 1
    return " ".join(out).replace(" \n ", "\n")


def vtt_text(cues: list[Cue], words: list[tuple[float, str]]) -> str:
    """WebVTT with every word's time inside its cue (see the module docstring)."""
    blocks = ["WEBVTT", ""]
    for s, e, t in cues:
        blocks += [f"{_vtt_time(s)} --> {_vtt_time(e)}", _timed_text(s, e, t, words), ""]
    return "\n".join(blocks)


def srt_text(cues: list[Cue]) -> str:
    subs = [srt.Subtitle(index=i + 1, start=datetime.timedelta(seconds=s), end=datetime.timedelta(seconds=e),
                         content=t) for i, (s, e, t) in enumerate(cues)]
    return srt.compose(subs, reindex=False)


def write_srt(cues: list[Cue], path: Path) -> Path:
    body = srt_text(cues).encode("utf-8")
    atomic_write_bytes(path, lambda fh: fh.write(body))
    return path


def write_vtt(cues: list[Cue], path: Path, words: list[tuple[float, str]] | None = None) -> Path:
    """WebVTT (what browsers and the deck's <track> read): word-timed when WORDS are given, else
    converted from SubRip by ffmpeg."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if words:
        body = vtt_text(cues, words).encode("utf-8")
        atomic_write_bytes(path, lambda fh: fh.write(body))
        return path
    with tempfile.TemporaryDirectory(prefix=".vtt-", dir=path.parent) as work:
        src, dst = Path(work) / "cues.srt", Path(work) / "cues.vtt"
        src.write_text(srt_text(cues), encoding="utf-8")
        if cues:
            ffmpeg_io.run_args(["-loglevel", "error", "-i", str(src), "-f", "webvtt", str(dst)], f"writing {path.name}")
        else:
            dst.write_text("WEBVTT\n\n", encoding="utf-8")
        body = dst.read_bytes()
    atomic_write_bytes(path, lambda fh: fh.write(body))
    return path


def chapter_spans(titles: list[str], durations: list[float]) -> list[Cue]:
    out, t = [], 0.0
    for title, d in zip(titles, durations, strict=True):
        out.append((t, t + d, title))
        t += d
    return out


def write_chapters_vtt(titles: list[str], durations: list[float], path: Path) -> Path:
    return write_vtt(chapter_spans(titles, durations), path)


def timestamp(seconds: float, hours: bool = False) -> str:
    """'1:05', or '1:02:05' when HOURS (video platforms read either, the first line must be 0:00)."""
    s = int(seconds)   # floor: a chapter is never announced after it began
    h, m, sec = s // 3600, s // 60 % 60, s % 60
    return f"{h}:{m:02d}:{sec:02d}" if hours else f"{s // 60}:{sec:02d}"


def description_text(title: str, titles: list[str], durations: list[float]) -> str:
    """A video description with one chapter line per chapter, as video platforms parse them."""
    hours = sum(durations) >= 3600
    lines = [title, "", "Chapters:"]
    lines += [f"{timestamp(s, hours)} {t}" for s, _, t in chapter_spans(titles, durations)]
    return "\n".join(lines) + "\n"


__all__ = [
    "chapter_cues",
    "chapter_words",
    "description_text",
    "read_sidecar",
    "shifted",
    "vtt_text",
    "write_chapters_vtt",
    "write_srt",
    "write_vtt",
]

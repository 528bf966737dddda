"""Where each chapter starts in the joined explainer: its picture, its sound, its captions and its mark.

The join copies the chapters' video streams, rebuilds one audio track cut at sample-exact
boundaries, shifts each chapter's captions and writes chapter marks (gdevo/media/audio.py,
gdevo/rendering/chapters.py). This reads the files a viewer gets, decoded by ffmpeg, and finds
each chapter again in the joined one:

- picture: the chapter's first two seconds of frames (grey, 64×36) among the joined frames near
  where the frames before it end; the offset is in frames (0: it starts where it should), and the
  time its first frame is shown (its timestamp) against the frames before it at the frame rate;
- sound: the chapter's loudest two seconds of its first twelve, found in the joined track by
  normalized cross-correlation; the lag is measured from when its first frame is shown;
- captions: the chapter's own cues shifted to when its first frame is shown, against the joined
  cues (largest difference of a start or an end);
- mark: the joined file's chapter mark against when its first frame is shown.

`measure` returns one Boundary per chapter; `Boundary.in_sync` says whether all four are within
one frame. Nothing here trusts the sidecars the join was built from: a drift the join, the
container or the encoder introduced shows up.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import srt

from gdevo.media import ffmpeg_io
from sim.errors import GdevoError

THUMB = (64, 36)        # frames are compared at this size, in grey
RATE = 8000             # sound is compared at this rate, mono (±0.125 ms)
MATCH_SECONDS = 2.0     # the chapter's first frames matched, and the length of its voice excerpt
SEARCH_FRAMES = 15      # frames either side of the expected start searched for the picture
VOICE_SECONDS = 12.0    # the chapter's start searched for its loudest excerpt
LAG_RANGE = 1.0         # seconds either side searched for the excerpt in the joined track
SILENT_DB = -45.0       # an excerpt quieter than this is no voice
SAME_GREY = 0.5         # mean grey-level difference under which two frame runs are the same picture
FOUND_GREY = 6.0        # ... over which the chapter's picture was not found


@dataclass(frozen=True)
class Boundary:
    """One chapter's start in the joined file; every offset is None where it could not be measured."""

    chapter: str
    expected: float               # seconds: the frames of the chapters before it, at the frame rate
    frame: float                  # one frame, seconds
    picture_frames: int | None    # where its first picture was found, minus where expected (frames)
    picture_note: str             # why picture_frames is None ('' otherwise)
    picture_ms: float | None      # when its first frame is shown, minus `expected`
    sound_ms: float | None        # its voice in the joined track, minus where its picture starts
    captions_ms: float | None     # the largest |difference| of its cues' starts and ends
    mark_ms: float | None         # the joined file's chapter mark minus where its picture starts

    @property
    def in_sync(self) -> bool:
        """Its first picture is the frame after the chapters before it, and its picture, sound,
        captions and mark are within one frame of where they belong."""
        tol_ms = self.frame * 1000
        offsets = (self.picture_ms, self.sound_ms, self.captions_ms, self.mark_ms)
        return self.picture_frames == 0 and all(v is None or abs(v) <= tol_ms for v in offsets)


def grey_frames(path: Path, count: int | None = None) -> np.ndarray:
    """PATH's frames (every one, in order, or its first COUNT) as (N, 36, 64) grey levels."""
    w, h = THUMB
    limit = ["-frames:v", str(count)] if count is not None else []
    raw = ffmpeg_io.decode(["-i", str(path), "-map", "0:v:0", *limit, "-fps_mode", "passthrough",
                            "-vf", f"scale={w}:{h}:flags=area,format=gray", "-f", "rawvideo"], f"decoding {path.name}")
    return np.frombuffer(raw, dtype=np.uint8).reshape(-1, h, w).astype(np.float32)


def frame_times(path: Path) -> np.ndarray:
    """When each frame of PATH is shown (seconds, presentation order), from its packets' timestamps."""
    packets = ffmpeg_io.probe(path, select_streams="v:0", show_entries="packet=pts_time").get("packets", [])
    return np.sort(np.array([float(p["pts_time"]) for p in packets if "pts_time" in p]))


def mono(path: Path, seconds: float | None = None) -> np.ndarray:
    """PATH's first audio stream (all of it, or its first SECONDS) as mono floats at RATE."""
    limit = ["-t", f"{seconds:.3f}"] if seconds is not None else []
    raw = ffmpeg_io.decode(["-i", str(path), "-map", "0:a:0", *limit, "-ac", "1", "-ar", str(RATE), "-f", "s16le"],
                           f"decoding the sound of {path.name}")
    return np.frombuffer(raw, dtype=np.int16).astype(np.float64) / 32768


def cues(path: Path) -> list[tuple[float, float, str]]:
    """A SubRip file's cues (start, end, text); an unreadable one is one clear error."""
    try:
        return [(c.start.total_seconds(), c.end.total_seconds(), c.content)
                for c in srt.parse(path.read_text(encoding="utf-8"))]
    except (OSError, ValueError, srt.SRTParseError) as exc:
        raise GdevoError(f"cannot read the captions {path}: {exc}") from None


def chapter_marks(path: Path) -> list[float]:
    """The start of each chapter mark in PATH (seconds), as players read them."""
    return [float(c["start_time"]) for c in ffmpeg_io.probe(path, show_chapters=None).get("chapters", [])]


def find_picture(joined: np.ndarray, first: np.ndarray, expected: int) -> tuple[int | None, str]:
    """Where the frames FIRST start in JOINED, minus EXPECTED; or None and why."""
    n = len(first)
    lo, hi = max(0, expected - SEARCH_FRAMES), min(len(joined) - n, expected + SEARCH_FRAMES)
    if hi < lo:
        return None, "the joined file ends before it"
    errors = np.array([np.abs(joined[j:j + n] - first).mean() for j in range(lo, hi + 1)])
    best = float(errors.min())
    if best > FOUND_GREY:
        return None, f"not found within {SEARCH_FRAMES} frames (closest differs by {best:.1f} grey levels)"
    same = np.flatnonzero(errors <= best + SAME_GREY)
    if len(same) > 1 and expected - lo in same:   # a still start: where expected is as good as any
        return 0, ""
    if len(same) > 1:
        return None, f"ambiguous: its first {n} frames match at {len(same)} places"
    return int(lo + same[0]) - expected, ""


def loudest(x: np.ndarray, n: int) -> tuple[int, float]:
    """The start of X's loudest N samples (every 10 ms) and their level in dB."""
    if len(x) < n:
        return 0, -np.inf
    energy = np.concatenate([[0.0], np.cumsum(x * x)])
    starts = np.arange(0, len(x) - n + 1, RATE // 100)
    power = (energy[starts + n] - energy[starts]) / n
    k = int(np.argmax(power))
    return int(starts[k]), float(10 * np.log10(power[k] + 1e-20))


def find_sound(joined: np.ndarray, own: np.ndarray, start: float) -> float | None:
    """Where OWN's loudest excerpt is in JOINED, minus where it would be if OWN started at START (ms)."""
    from scipy.signal import correlate

    n = int(MATCH_SECONDS * RATE)
    at, level = loudest(own, n)
    if level < SILENT_DB:
        return None
    ref = own[at:at + n]
    where = round(start * RATE) + at
    lo, hi = max(0, where - int(LAG_RANGE * RATE)), min(len(joined), where + n + int(LAG_RANGE * RATE))
    window = joined[lo:hi]
    if len(window) < n:
        return None
    scores = correlate(window, ref, mode="valid", method="fft")
    energy = np.concatenate([[0.0], np.cumsum(window * window)])
    norms = np.sqrt(np.maximum(energy[n:] - energy[:-n], 1e-20)) * np.linalg.norm(ref)
    k = int(np.argmax(scores / norms))
    if scores[k] / norms[k] < 0.5:   # nothing like its voice near there
        return None
    return (lo + k - where) / RATE * 1000


def measure(movie: Path, parts: list[Path]) -> list[Boundary]:
    """Each of PARTS (the chapter files, in order) found again in MOVIE, the explainer joined from them."""
    if not parts:
        raise GdevoError("no chapters to look for")
    info = ffmpeg_io.video_info(movie)
    if not info.fps:
        raise GdevoError(f"{movie} has no frame rate")
    frame = 1 / info.fps
    joined, shown = grey_frames(movie), frame_times(movie)
    joined_sound = mono(movie) if info.has_audio else None
    srt_path = movie.with_suffix(".srt")
    joined_cues = cues(srt_path) if srt_path.is_file() else None
    marks = chapter_marks(movie)
    found: list[Boundary] = []
    frames_before, cues_before = 0, 0
    for i, part in enumerate(parts):
        part_info = ffmpeg_io.video_info(part)
        expected = frames_before * frame
        first = grey_frames(part, max(1, min(part_info.frames, round(MATCH_SECONDS * info.fps))))
        offset, note = find_picture(joined, first, frames_before)
        at = frames_before + (offset or 0)
        start = float(shown[at]) if at < len(shown) else expected
        picture_ms = (start - expected) * 1000 if offset is not None and at < len(shown) else None
        sound = (find_sound(joined_sound, mono(part, VOICE_SECONDS), start)
                 if joined_sound is not None and part_info.has_audio else None)
        caption_ms = None
        own_srt = part.with_suffix(".srt")
        if joined_cues is not None and own_srt.is_file():
            own = cues(own_srt)
            theirs = joined_cues[cues_before:cues_before + len(own)]
            if [t for _, _, t in theirs] == [t for _, _, t in own]:
                caption_ms = max((max(abs(a - (s + start)), abs(b - (e + start))) * 1000
                                  for (s, e, _), (a, b, _) in zip(own, theirs, strict=True)), default=0.0)
            else:
                note = (note + "; " if note else "") + "its captions are not the joined ones"
            cues_before += len(own)
        mark = (marks[i] - start) * 1000 if i < len(marks) else None
        found.append(Boundary(part.stem, expected, frame, offset, note, picture_ms, sound, caption_ms, mark))
        frames_before += part_info.frames
    return found


__all__ = ["Boundary", "measure"]

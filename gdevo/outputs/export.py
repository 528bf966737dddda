"""Docs GIFs and stills, cut from the scenes' rendered MP4s (never a second set of drawings).

- `make_gif(src, dst, ...)`: a palette-optimized GIF (ffmpeg palettegen → paletteuse, through
  ffmpeg-python) that loops forever and fits a size budget: when it is too big, colours, then
  frame rate, then width are lowered until it fits; the result says what was chosen.
- `make_still(src, dst, at)`: one PNG frame (the last one by default).
- `PRESETS`: README-sized GIFs (a scene and a time window). A preset whose scene does not exist
  yet is listed as unavailable; `preset_entry` raises one clear line for it.
- `rendered_video(entry, width)`: the scene movie of its one render (gdevo.rendering.manim_run) at a
  quality at least that wide, reusing an up-to-date render of any better quality.
"""

from __future__ import annotations

import math
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from gdevo.media.ffmpeg_io import video_info
from gdevo.settings import Settings
from scenes.storyboard import SCENES, SceneEntry, get_scene, is_available, scene_names
from sim.errors import GdevoError

MIN_WIDTH = 160      # below this a docs GIF is unreadable
MIN_FPS = 5          # below this motion stops reading as motion
MAX_FPS = 50         # GIF delays are centiseconds; browsers slow anything faster than 2 cs


@dataclass(frozen=True)
class AfterBeat:
    """A moment of a scene: OFFSET seconds after its beat number BEAT ends (0 = the scene's start).

    Narration holds a beat until its line is said, which moves every later moment, so preset
    windows are given from the beats; the times come from the beats sidecar (NAME.beats.json)
    every ChapterScene writes beside its movie."""

    beat: int
    offset: float = 0.0

    def __str__(self) -> str:
        return f"beat {self.beat} + {self.offset:g} s" if self.beat else f"{self.offset:g} s"


Moment = float | AfterBeat | None


@dataclass(frozen=True)
class Preset:
    """A README GIF: the first available scene of `scenes`, cut to its window (None = whole scene)."""

    name: str
    description: str
    scenes: tuple[tuple[str, Moment, Moment], ...]   # (scene name, start, end)
    still_at: Moment = None   # a telling moment for `gdevo still PRESET`


# Windows follow the scenes' storyboards. landscape: beat 1 the landscape, beat 2 the common
# start; then ten rounds with mutation clouds (1 s each), thirty fast steps (4 s), final numbers (beat 3).
PRESETS: tuple[Preset, ...] = (
    Preset("mutation-cloud", "evolution's mutation clouds next to SGD's steps on the loss landscape",
           (("landscape", AfterBeat(2), AfterBeat(2, 10.0)),), still_at=AfterBeat(2, 4.4)),
    Preset("descent-race", "the descent paths racing down the loss landscape",
           (("momentum-adam", None, None), ("landscape", AfterBeat(2, 8.0), AfterBeat(3)))),
    Preset("image-race", "evolution vs SGD vs Adam reconstructing an image",
           (("race", None, None),)),
)


def seconds(moment: Moment, movie: Path) -> float | None:
    """MOMENT in seconds of MOVIE (beats read from the sidecar beside it); None stays None."""
    if moment is None or not isinstance(moment, AfterBeat):
        return moment
    if moment.beat == 0:
        return moment.offset
    import json

    sidecar = Path(movie).with_suffix(".beats.json")
    try:
        beats = json.loads(sidecar.read_text())["beats"]
        return float(beats[moment.beat - 1]["end"]) + moment.offset
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        raise GdevoError(f"cannot place '{moment}' in {Path(movie).name}: its beats ({sidecar.name}) are missing "
                         "or have no such beat") from None


def get_preset(name: str) -> Preset | None:
    return next((p for p in PRESETS if p.name == name), None)


def preset_choice(preset: Preset) -> tuple[SceneEntry, float | None, float | None] | None:
    """The preset's first scene that exists, with its window; None when none exists yet."""
    for scene, start, end in preset.scenes:
        entry = get_scene(scene)
        if entry is not None:
            return entry, start, end
    return None


def unavailable_reason(preset: Preset) -> str:
    needed = [s for s, _, _ in preset.scenes]
    chapters = {s.name: s.chapter for s in SCENES}
    named = " or ".join(f"'{s}'" + (f" (chapter {chapters[s]})" if chapters.get(s) else "") for s in needed)
    return f"preset '{preset.name}' needs scene {named}, which does not exist yet"


def resolve_name(name: str) -> tuple[SceneEntry, float | None, float | None, Preset | None]:
    """NAME is a preset or a scene: (scene entry, window start, window end, preset or None)."""
    preset = get_preset(name)
    if preset is not None:
        choice = preset_choice(preset)
        if choice is None:
            raise GdevoError(unavailable_reason(preset))
        return (*choice, preset)
    entry = get_scene(name)
    if entry is None:
        known = [p.name for p in PRESETS if preset_choice(p)] + scene_names()
        if any(s.name == name for s in SCENES):
            raise GdevoError(f"scene {name!r} does not exist yet; available: {', '.join(known)}")
        raise GdevoError(f"unknown scene or preset {name!r}; available: {', '.join(known)}")
    return entry, None, None, None


def describe_presets() -> list[str]:
    lines = []
    for p in PRESETS:
        choice = preset_choice(p)
        if choice is None:
            lines.append(f"  {p.name:<16} unavailable: {unavailable_reason(p)}")
        else:
            entry, start, end = choice
            window = "whole scene" if start is None and end is None else f"{start or 0} to {end or 'the end'}"
            lines.append(f"  {p.name:<16} {p.description} [scene {entry.name}, {window}]")
    return lines


# ---------------------------------------------------------------- sources

def quality_for_width(width: int) -> str:
    """The cheapest render quality at least `width` pixels wide."""
    from gdevo.rendering.chapters import QUALITIES

    for name, q in QUALITIES.items():
        if q.width >= width:
            return name
    widest = max(q.width for q in QUALITIES.values())
    raise GdevoError(f"--width {width} is wider than the largest render ({widest} px)")


def rendered_video(entry: SceneEntry, width: int, settings: Settings, quiet: bool = False) -> Path:
    """The scene movie at least `width` wide: an up-to-date render of that or a better quality is reused,
    else the scene is rendered (once, with its slides) at the cheapest quality that is wide enough."""
    from gdevo.rendering.manim_run import Format, SceneJob, find_at_least, render_scene_once
    from sim.cache import ensure_trace

    need = quality_for_width(width)
    for name in entry.traces:
        ensure_trace(name, device=settings.device, quiet=quiet, cache=settings.cache, project=settings.project)
    job = SceneJob.from_entry(entry)
    found = find_at_least(job, width, settings)
    if found is not None:
        return found.movie
    if not quiet:
        print(f"rendering {entry.name} ({Format(need).folder}) …", file=sys.stderr)
    return render_scene_once(job, Format(need), settings).movie


def check_window(start: float | None, end: float | None, duration: float, what: str) -> tuple[float, float]:
    """Validate --start/--end against a video's duration; returns the window in seconds."""
    s = 0.0 if start is None else float(start)
    e = duration if end is None else float(end)
    if not (math.isfinite(s) and math.isfinite(e)) or s < 0:
        raise GdevoError(f"--start must be ≥ 0 s (got {s:g})")
    if s >= duration:
        raise GdevoError(f"--start {s:g} s is past the end of {what} ({duration:.2f} s long)")
    if e <= s:
        raise GdevoError(f"--start {s:g} s must be before --end {e:g} s")
    return s, min(e, duration)


def _publish(tmp: Path, dst: Path) -> None:
    """Rename a finished temp file over DST with ordinary permissions (mkstemp makes it owner-only)."""
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o666 & ~umask)
    os.replace(tmp, dst)


# ---------------------------------------------------------------- GIF

@dataclass
class GifResult:
    path: Path
    width: int
    height: int
    fps: int
    colors: int
    frames: int
    size: int
    limit: int
    tried: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{self.path}: {self.width}×{self.height}, {self.fps} fps, {self.colors} colours, "
                f"{self.frames} frames, {self.size / 1e6:.2f} MB (limit {self.limit / 1e6:g} MB)")


def _encode_gif(src: Path, dst: Path, start: float, duration: float, width: int, fps: int, colors: int) -> None:
    import ffmpeg

    from gdevo.media.ffmpeg_io import run_ffmpeg

    video = ffmpeg.input(str(src), ss=f"{start:.4f}", t=f"{duration:.4f}").video
    video = video.filter("fps", fps=fps).filter("scale", width, -1, flags="lanczos")
    split = video.split()
    palette = split[0].filter("palettegen", max_colors=colors, stats_mode="full")
    gif = ffmpeg.filter([split[1], palette], "paletteuse", dither="bayer", bayer_scale=4, diff_mode="rectangle")
    run_ffmpeg(ffmpeg.output(gif, str(dst), f="gif", loop=0), f"making a GIF from {src}")


def _ladder(fps: int, width: int) -> list[tuple[int, int, int]]:
    """Candidate (fps, width, colours), best first: fewer colours, then ≥ 10 fps, then narrower, then slower."""
    steps = [(fps, width, 256), (fps, width, 128)]
    fps_floor = min(fps, 10)
    for f in (12, 10):
        if fps_floor <= f < fps:
            steps.append((f, width, 128))
    w = width
    while w > MIN_WIDTH:
        w = max(MIN_WIDTH, int(w * 0.85) // 2 * 2)
        steps.append((fps_floor, w, 128))
    for f in (8, 6, MIN_FPS):
        if f < fps_floor:
            steps.append((f, w, 128))
    steps.append((steps[-1][0], w, 64))
    return steps


PROBE_SHRINK = 3   # the probe rung is at most a third of the requested width: a ninth of its pixels to encode
ROOM = 1.15        # a rung estimated within 15 % of the limit is still tried


def _probe(ladder: list[tuple[int, int, int]]) -> int | None:
    """The ladder's first rung at most 1/PROBE_SHRINK of the top width, encoded first: a GIF ten
    times the limit (a whole chapter at 480 px) then costs a ninth of its encode to rule out."""
    top = ladder[0][1]
    return next((i for i, (_, w, _) in enumerate(ladder) if w * PROBE_SHRINK <= top), None)


def _estimate(rung: tuple[int, int, int], measured: dict[tuple[int, int, int], int]) -> float:
    """RUNG's bytes guessed from the measured rung nearest in width, scaled by fps × area: chapters'
    GIFs measured so (a 160 px probe against 210-480 px rungs: width to the power 1.9-2.4, and
    480 px at 15 fps and 256 colours 14.32 MB where the guess from 160 px at 10 fps said 14.4)."""
    if not measured:
        return 0.0
    f, w, _ = rung
    (lf, lw, _), n = min(measured.items(), key=lambda kv: abs(math.log(kv[0][1] / w)))
    return n * (f / lf) * (w / lw) ** 2


def make_gif(src: Path, dst: Path, *, start: float | None = None, end: float | None = None, width: int = 480,
             fps: int = 15, max_mb: float = 4.0, log=None) -> GifResult:
    """Cut [start, end) of SRC into a looping, palette-optimized GIF at DST of at most max_mb MB: the
    first rung of `_ladder` that fits, skipping rungs the sizes measured so far rule out."""
    validate_gif_request(width, fps, max_mb, start, end)
    info = video_info(src)
    src_w, duration = info.width, info.duration
    s, e = check_window(start, end, duration, src.name)
    limit = int(max_mb * 1e6)
    width = min(width, src_w) // 2 * 2
    dst.parent.mkdir(parents=True, exist_ok=True)
    temps: dict[tuple[int, int, int], Path] = {}   # each encoded rung's file, until one is published
    tried: list[str] = []
    measured: dict[tuple[int, int, int], int] = {}   # (fps, width, colours) -> bytes
    ladder = _ladder(fps, width)
    probe = _probe(ladder)

    def encode(i: int) -> None:
        f, w, c = ladder[i]
        fd, name = tempfile.mkstemp(prefix=f".{dst.stem}.", suffix=".gif", dir=dst.parent)
        os.close(fd)
        temps[ladder[i]] = Path(name)
        _encode_gif(src, temps[ladder[i]], s, e - s, w, f, c)
        measured[ladder[i]] = size = temps[ladder[i]].stat().st_size
        tried.append(f"{w}px/{f}fps/{c} colours: {size / 1e6:.2f} MB" + (" (probe)" if i == probe else ""))
        if log:
            log(f"  tried {tried[-1]}")

    try:
        if probe is not None:
            encode(probe)
        for i, (f, w, c) in enumerate(ladder):
            if ladder[i] not in measured:
                if i < len(ladder) - 1 and _estimate(ladder[i], measured) > limit * ROOM:
                    continue   # clearly still too big: skip to a smaller candidate
                encode(i)
            size = measured[ladder[i]]
            if size <= limit:
                from PIL import Image

                with Image.open(temps[ladder[i]]) as im:
                    frames, height = getattr(im, "n_frames", 1), im.height
                _publish(temps.pop(ladder[i]), dst)
                return GifResult(dst, w, height, f, c, frames, size, limit, tried)
        raise GdevoError(f"cannot fit {e - s:.1f} s into {max_mb:g} MB even at {MIN_WIDTH}px/{ladder[-1][0]} fps/"
                         f"64 colours ({measured[ladder[-1]] / 1e6:.2f} MB); use a shorter --start/--end window or "
                         "a larger --max-mb")
    finally:
        for tmp in temps.values():
            tmp.unlink(missing_ok=True)


def validate_gif_request(width: int, fps: int, max_mb: float, start: float | None, end: float | None) -> None:
    """Reject impossible requests before anything is rendered."""
    if not (isinstance(max_mb, (int, float)) and math.isfinite(max_mb) and max_mb > 0):
        raise GdevoError(f"--max-mb must be a size > 0 MB (got {max_mb:g})")
    if width < MIN_WIDTH:
        raise GdevoError(f"--width must be at least {MIN_WIDTH} px (got {width})")
    quality_for_width(width)   # wider than any render: rejected here, before rendering
    if not MIN_FPS <= fps <= MAX_FPS:
        raise GdevoError(f"--fps must be between {MIN_FPS} and {MAX_FPS} (got {fps})")
    if start is not None and (not math.isfinite(start) or start < 0):
        raise GdevoError(f"--start must be ≥ 0 s (got {start:g})")
    if start is not None and end is not None and end <= start:
        raise GdevoError(f"--start {start:g} s must be before --end {end:g} s")


# ---------------------------------------------------------------- still

def make_still(src: Path, dst: Path, at: float | None = None) -> float:
    """Write the frame at `at` seconds (default: the last frame) of SRC to DST as PNG; returns the time used."""
    info = video_info(src)
    fps, duration = info.fps, info.duration
    if at is not None and (not math.isfinite(at) or at < 0):
        raise GdevoError(f"--at must be ≥ 0 s (got {at:g})")
    if at is not None and at >= duration:
        raise GdevoError(f"--at {at:g} s is past the end of {src.name} ({duration:.2f} s long)")
    frame_time = 1.0 / fps if fps > 0 else 0.04
    t = max(0.0, duration - frame_time) if at is None else at
    dst.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dst.stem}.", suffix=".png", dir=dst.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        import ffmpeg

        from gdevo.media.ffmpeg_io import run_ffmpeg

        # ss on the input seeks to the frame at or after t; update=1 keeps overwriting one image.
        node = ffmpeg.input(str(src), ss=f"{t:.4f}").output(str(tmp), vframes=1, update=1, f="image2")
        run_ffmpeg(node, f"extracting a frame at {t:.2f} s from {src}")
        if tmp.stat().st_size == 0:
            raise GdevoError(f"ffmpeg could not extract a frame at {t:.2f} s from {src}: no frame decoded")
        _publish(tmp, dst)
    finally:
        tmp.unlink(missing_ok=True)
    return t


# ---------------------------------------------------------------- made once

GIF_VERSION = "1"   # bump when make_gif/make_still write something else from the same inputs


def _source_key(src: Path, params: dict) -> str:
    from gdevo.rendering import stamps

    st = Path(src).stat()
    return stamps.digest({"src": str(Path(src).resolve()), "size": st.st_size, "mtime": st.st_mtime_ns,
                          "params": params, "v": GIF_VERSION})


def make_gif_once(src: Path, dst: Path, **params) -> tuple[GifResult, bool]:
    """make_gif, skipped when DST was made from this very SRC file with the same parameters.
    Returns (result, whether it was up to date)."""
    from gdevo.rendering import stamps

    key = _source_key(src, params)
    hit = stamps.fresh(dst.parent, "gif", dst.name, key, dst)
    if hit is not None:
        return GifResult(**{**hit["result"], "path": dst}), True
    stamps.clear(dst.parent, "gif", dst.name)
    result = make_gif(src, dst, **params)
    stamps.write(dst.parent, "gif", dst.name, {"key": key, "result": {**result.__dict__, "path": str(dst)}})
    return result, False


def make_still_once(src: Path, dst: Path, at: float | None = None) -> tuple[float, bool]:
    """make_still, skipped when DST was cut from this very SRC file at the same time. Returns (t, up to date)."""
    from gdevo.rendering import stamps

    key = _source_key(src, {"at": at})
    hit = stamps.fresh(dst.parent, "still", dst.name, key, dst)
    if hit is not None:
        return float(hit["t"]), True
    stamps.clear(dst.parent, "still", dst.name)
    t = make_still(src, dst, at)
    stamps.write(dst.parent, "still", dst.name, {"key": key, "t": t})
    return t, False


__all__ = ["PRESETS", "GifResult", "is_available", "make_gif", "make_gif_once", "make_still", "make_still_once",
           "rendered_video", "resolve_name"]

"""Render scenes into renders/: traces first, then manim (through gdevo.rendering.manim_run), then an atomic copy.

`render_scene` gives renders/NAME.mp4: the scene movie of the one manim pass that also made
the scene's slides; nothing is rendered when that pass is up to date (gdevo.rendering.manim_run's rule).

The explainer (`render_explainer`) renders every available chapter in parallel (one manim
process per core), then joins them with ffmpeg into renders/explainer.mp4 with one chapter
marker per scene and a thumbnail renders/explainer.png; it too is skipped when unchanged.
"""

from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from gdevo.media.ffmpeg_io import run_ffmpeg, video_info
from gdevo.rendering import stamps
from gdevo.rendering.manim_run import (
    ALONE_ENCODERS,
    QUALITIES,
    Format,
    Quality,
    Rendered,
    SceneJob,
    publish,
    scene_sources,
)
from gdevo.settings import Settings
from scenes.storyboard import SceneEntry
from sim.errors import GdevoError


def publish_chapter(entry: SceneEntry, rendered: Rendered, renders: Path) -> Path:
    """RENDERS/NAME.mp4 from RENDERED's movie, its narration finished (redone only for another render)."""
    from gdevo.media.audio import finish_chapter

    out = renders / f"{entry.name}.mp4"
    if stamps.fresh(renders, "published", entry.name, rendered.key, out) is None:
        stamps.clear(renders, "published", entry.name)
        finish_chapter(rendered.movie, out)   # narration padded + normalized, captions track (atomic)
        stamps.write(renders, "published", entry.name, {"key": rendered.key, "quality": rendered.format.quality})
    return out


def render_scene(entry: SceneEntry, settings: Settings, force: bool = False, quiet: bool = False) -> Path:
    """Render ENTRY to renders/NAME.mp4 at the settings' quality (or return the existing file if
    nothing changed): its missing traces are simulated, then it is rendered, by the render engine
    (here, or on the settings' scheduler)."""
    from gdevo.rendering.engine import render_batch

    fmt = Format(settings.quality)
    say = (lambda msg: None) if quiet else (lambda msg: print(msg, file=sys.stderr, flush=True))
    say(f"{entry.name} ({fmt.folder}):")
    alone = ALONE_ENCODERS if (os.cpu_count() or 1) > 1 else None   # encoding on the idle core(s)
    batch = render_batch([SceneJob.from_entry(entry)], fmt, settings, force=force, say=say, encoders=alone)
    return publish_chapter(entry, batch.rendered[entry.name], settings.renders)


# --- the explainer: all chapters, rendered in parallel, joined with chapter markers -----------

EXPLAINER = "explainer"
JOIN_VERSION = "3"   # bump when the join changes what it writes


@dataclass(frozen=True)
class Part:
    """One rendered chapter, ready to join."""

    path: Path
    title: str


def chapter_jobs(entries: list[SceneEntry]) -> list[SceneJob]:
    return [SceneJob.from_entry(e) for e in entries]


def render_explainer(settings: Settings, force: bool = False, jobs: int | None = None,
                     quiet: bool = False, entries: list[SceneEntry] | None = None,
                     thumbnail_at: float | None = None) -> Path:
    """Render the available chapters (in parallel) and join them into renders/explainer.mp4.

    The settings' scheduler (--scheduler or DASK_SCHEDULER_ADDRESS): render the chapters on that
    Dask cluster instead (gdevo.rendering.engine); the files come back here and are joined here.

    Missing traces are simulated while chapters whose traces are ready already render (up to
    JOBS at once, default one per core); each chapter is one manim pass (its movie and its
    slides), and its narrated file is finished as soon as it is rendered. The join (and the
    thumbnail) is redone only when a chapter or a title changed.
    """
    import time

    from gdevo.rendering.engine import render_batch
    from scenes.storyboard import chapters

    fmt = Format(settings.quality)
    entries = list(entries if entries is not None else chapters())
    if not entries:
        raise GdevoError("no chapters exist yet (scenes/storyboard.py lists them; none of their modules is there)")
    say = (lambda msg: None) if quiet else (lambda msg: print(msg, file=sys.stderr, flush=True))
    started = time.perf_counter()
    say(f"explainer ({fmt.folder}): {len(entries)} chapters")
    entry_of = {e.name: e for e in entries}
    batch = render_batch(chapter_jobs(entries), fmt, settings, force=force, workers=jobs, say=say,
                         after=lambda job, r: publish_chapter(entry_of[job.name], r, settings.renders))
    say(f"chapters: {len(batch.ran)} rendered, {len(entries) - len(batch.ran)} up to date "
        f"({batch.seconds:.1f} s)")
    return join_explainer(entries, batch.rendered, fmt, settings, thumbnail_at=thumbnail_at, force=force, say=say,
                          started=started)


def join_explainer(entries: list[SceneEntry], rendered: dict[str, Rendered], fmt: Format, settings: Settings,
                   thumbnail_at: float | None = None, force: bool = False, say=None,
                   started: float | None = None) -> Path:
    """Publish each chapter as renders/NAME.mp4 and join them into renders/explainer.mp4 (+ .png)."""
    import time

    say = say or (lambda msg: None)
    started = started if started is not None else time.perf_counter()
    renders = settings.renders
    parts = [Part(publish_chapter(e, rendered[e.name], renders), f"{e.chapter}. {e.title}" if e.chapter else e.title)
             for e in entries]
    out = renders / f"{EXPLAINER}.mp4"
    thumb = renders / f"{EXPLAINER}.png"
    items = [[e.name, p.title, rendered[e.name].key] for e, p in zip(entries, parts, strict=True)]
    key = stamps.digest({"parts": items,
                         "quality": fmt.quality, "thumb": thumbnail_at, "join": JOIN_VERSION})
    if not force and stamps.fresh(renders, "explainer", EXPLAINER, key, out, thumb):
        say(f"explainer up to date: {out} ({time.perf_counter() - started:.1f} s)")
        return out
    stamps.clear(renders, "explainer", EXPLAINER)
    t0 = time.perf_counter()
    join_chapters(parts, out, settings.full_title, thumbnail=thumb, thumbnail_at=thumbnail_at)
    from gdevo.media.audio import finish_explainer

    finish_explainer(parts, out, settings.full_title, say=say)   # one normalized audio track, captions, chapter files
    stamps.write(renders, "explainer", EXPLAINER,
                 {"key": key, "quality": fmt.quality, "chapters": [e.name for e in entries]})
    say(f"joined {len(parts)} chapters into {out} ({video_info(out).container_duration:.1f} s of video) in "
        f"{time.perf_counter() - t0:.1f} s; thumbnail {thumb}; total {time.perf_counter() - started:.1f} s")
    return out


def _escape_meta(text: str) -> str:
    """FFMETADATA values escape '=', ';', '#', '\\' and newlines with a backslash."""
    for ch in ("\\", "=", ";", "#", "\n"):
        text = text.replace(ch, "\\" + ch)
    return text


def chapters_metadata(titles: list[str], durations: list[float], title: str) -> str:
    """An FFMETADATA1 document with one chapter per part (millisecond timebase, back to back)."""
    lines = [";FFMETADATA1", f"title={_escape_meta(title)}"]
    start = 0
    total = 0.0
    for name, dur in zip(titles, durations, strict=True):
        total += dur
        end = round(total * 1000)
        lines += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={start}", f"END={end}", f"title={_escape_meta(name)}"]
        start = end
    return "\n".join(lines) + "\n"


def join_chapters(parts: list[Part], out: Path, title: str, thumbnail: Path | None = None,
                  thumbnail_at: float | None = None) -> Path:
    """Join PARTS (in order) into OUT (titled TITLE) with one chapter marker each; write a thumbnail PNG.

    Streams are copied (the concat demuxer) when every part has the same codec, size, pixel
    format, frame rate and time base -- always the case for chapters rendered at one quality;
    otherwise the parts are re-encoded (H.264, the first part's size and frame rate, video only).
    OUT and the thumbnail are written to temporary names and renamed into place.
    The thumbnail is the frame 1 s before the end of the first chapter (its finished picture)
    unless THUMBNAIL_AT (seconds into the joined video) says otherwise.
    """
    import ffmpeg

    if not parts:
        raise GdevoError("nothing to join: no chapters")
    for p in parts:
        if not p.path.is_file():
            raise GdevoError(f"chapter file missing: {p.path}")
    videos = [video_info(p.path) for p in parts]
    # Each part lasts its frames at its frame rate: the container's duration is rounded up to a
    # millisecond, and the concat demuxer, left to read it, started every chapter's picture up to
    # 0.7 ms late, 7 ms by the last of 16, while the sound and captions (cut at the exact lengths)
    # were not (`gdevo sync` measures it).
    durations = [v.length or v.container_duration for v in videos]
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".join-", dir=out.parent) as work:
        work = Path(work)
        meta_file = work / "chapters.txt"
        meta_file.write_text(chapters_metadata([p.title for p in parts], durations, title), encoding="utf-8")
        meta = ffmpeg.input(str(meta_file), f="ffmetadata")["d?"]   # input 0: chapters and title, no streams
        tmp_out = work / f"{out.stem}.mp4"
        if len({v.signature for v in videos}) == 1:
            listing = work / "parts.txt"
            listing.write_text("".join(f"file '{_concat_quote(p.path.resolve())}'\nduration {d:.6f}\n"
                                       for p, d in zip(parts, durations, strict=True)))
            node = ffmpeg.output(meta, ffmpeg.input(str(listing), f="concat", safe=0), str(tmp_out), c="copy",
                                 map_metadata=0, map_chapters=0, movflags="+faststart", f="mp4")
        else:
            first = videos[0]
            scaled = [ffmpeg.input(str(p.path)).video.filter("scale", first.width, first.height)
                      .filter("fps", fps=first.fps).filter("setsar", "1") for p in parts]
            node = ffmpeg.output(meta, ffmpeg.concat(*scaled, v=1, a=0), str(tmp_out), vcodec="libx264",
                                 pix_fmt="yuv420p", map_metadata=0, map_chapters=0, movflags="+faststart", f="mp4")
        run_ffmpeg(node, "joining chapters")
        publish(tmp_out, out)
        if thumbnail is not None:
            at = thumbnail_at if thumbnail_at is not None else max(0.0, durations[0] - 1.0)
            at = min(max(0.0, at), max(0.0, sum(durations) - 0.1))
            png = work / "thumb.png"
            run_ffmpeg(ffmpeg.input(str(tmp_out), ss=f"{at:.3f}").output(str(png), vframes=1), "writing the thumbnail")
            publish(png, thumbnail)
    return out


def _concat_quote(path: Path) -> str:
    return str(path).replace("'", "'\\''")


__all__ = ["EXPLAINER", "QUALITIES", "Part", "Quality", "chapters_metadata", "join_chapters",
           "render_explainer", "render_scene", "scene_sources"]

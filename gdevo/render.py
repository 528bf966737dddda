"""Render scenes with manim into renders/: traces first, then manim, then an atomic copy.

Manim runs as a subprocess from the repo root (so it reads manim.cfg there). A render is
skipped when nothing it depends on changed: the scenes' sources, its traces, the quality.

The explainer (`render_explainer`) renders every available chapter in parallel (one manim
process per core), then joins them with ffmpeg into renders/explainer.mp4 with one chapter
marker per scene and a thumbnail renders/explainer.png; it too is skipped when unchanged.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from scenes.storyboard import SceneEntry
from sim.cache import ROOT, ensure_trace, resolve
from sim.errors import GdevoError
from sim.trace import atomic_write_bytes

RENDERS = ROOT / "renders"


@dataclass(frozen=True)
class Quality:
    flag: str
    folder: str
    width: int
    height: int
    fps: int


QUALITIES: dict[str, Quality] = {
    "low": Quality("l", "480p15", 854, 480, 15),
    "medium": Quality("m", "720p30", 1280, 720, 30),
    "high": Quality("h", "1080p60", 1920, 1080, 60),
    "4k": Quality("k", "2160p60", 3840, 2160, 60),
}


def renders_dir() -> Path:
    return Path(os.environ.get("GDEVO_RENDERS", RENDERS))


def scene_sources(module: str) -> list[Path]:
    """The files a scene module's render depends on: the module and every scenes/ module it imports,
    transitively (so a change in another chapter does not re-render this one)."""
    import ast

    scenes_dir = ROOT / "scenes"
    seen: dict[Path, None] = {}
    todo = [scenes_dir / f"{module}.py"]
    while todo:
        path = todo.pop()
        if path in seen or not path.is_file():
            continue
        seen[path] = None
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except SyntaxError:
            continue   # manim will report it; the file's bytes are still in the digest
        names: list[str] = []
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.append(node.module)
                names += [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names += [a.name for a in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] != "scenes":
                continue
            for i in range(1, len(parts) + 1):   # packages' __init__ files run too
                base = ROOT.joinpath(*parts[:i])
                todo += [base / "__init__.py", base.with_suffix(".py")]
    return sorted(seen)


def _sources_digest(module: str) -> str:
    h = hashlib.sha256()
    for path in [*scene_sources(module), ROOT / "manim.cfg"]:
        h.update(path.relative_to(ROOT).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def render_key(entry: SceneEntry, quality: str, device: str | None) -> str:
    """What a render depends on: the scene's code (its module and the scenes/ modules it imports),
    the traces' cache keys, quality."""
    traces = [resolve(t, device=device).path.name for t in entry.traces]
    from gdevo.audio import voice_key

    blob = json.dumps({"src": _sources_digest(entry.module), "traces": traces, "quality": quality,
                       "scene": entry.cls, "voice": voice_key()})
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def atomic_copy(src: Path, dst: Path) -> None:
    """Copy src to dst via a temporary name and a rename (never a half-written dst)."""
    with open(src, "rb") as fh_in:
        atomic_write_bytes(dst, lambda fh: shutil.copyfileobj(fh_in, fh))


def _stamp_path(name: str) -> Path:
    return renders_dir() / ".stamps" / f"{name}.json"


def _read_stamp(name: str) -> dict:
    try:
        return json.loads(_stamp_path(name).read_text())
    except (OSError, ValueError):
        return {}


def _write_stamp(name: str, data: dict) -> None:
    body = json.dumps(data).encode()
    atomic_write_bytes(_stamp_path(name), lambda fh: fh.write(body))


def is_up_to_date(entry: SceneEntry, quality: str, device: str | None = None) -> bool:
    """Whether renders/NAME.mp4 exists and was rendered from exactly the current inputs."""
    out = renders_dir() / f"{entry.name}.mp4"
    return out.is_file() and _read_stamp(entry.name).get("key") == render_key(entry, quality, device)


def render_scene(entry: SceneEntry, quality: str = "low", device: str | None = None, force: bool = False,
                 quiet: bool = False) -> Path:
    """Render ENTRY to renders/NAME.mp4 (or return the existing file if nothing changed)."""
    if quality not in QUALITIES:
        raise GdevoError(f"unknown quality {quality!r}; choose from {', '.join(QUALITIES)}")
    q = QUALITIES[quality]
    for name in entry.traces:  # simulate (with progress bars) before manim starts
        ensure_trace(name, device=device, quiet=quiet)
    out = renders_dir() / f"{entry.name}.mp4"
    key = render_key(entry, quality, device)
    if not force and is_up_to_date(entry, quality, device):
        return out
    media = renders_dir() / "media" / entry.name  # one per scene: parallel renders never share a text cache
    cmd = [sys.executable, "-m", "manim", "render", f"-q{q.flag}", f"scenes/{entry.module}.py", entry.cls,
           "-o", entry.name, "--media_dir", str(media), "--progress_bar", "none",
           "--disable_caching"]   # narration is placed by scene time, which cached partial movies skew
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    if device:
        env["GDEVO_DEVICE"] = device
    log = renders_dir() / "logs" / f"{entry.name}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    if not quiet:
        print(f"rendering {entry.name} ({q.folder}) … log: {log.relative_to(renders_dir().parent)}"
              if log.is_relative_to(renders_dir().parent) else f"rendering {entry.name} ({q.folder}) …",
              file=sys.stderr)
    with open(log, "w") as fh:
        proc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        tail = log.read_text().strip().splitlines()[-1:] or ["(no output)"]
        raise GdevoError(f"manim failed rendering {entry.name} (see {log}): {tail[0].strip()}")
    produced = media / "videos" / entry.module / q.folder / f"{entry.name}.mp4"
    if not produced.is_file():
        raise GdevoError(f"manim reported success but {produced} is missing (see {log})")
    from gdevo.audio import finish_chapter

    finish_chapter(produced, out)   # narration padded + normalized, captions track (atomic)
    _write_stamp(entry.name, {"key": key, "quality": quality})
    return out


# --- the explainer: all chapters, rendered in parallel, joined with chapter markers -----------

EXPLAINER = "explainer"
JOIN_VERSION = "1"   # bump when the join changes what it writes


@dataclass(frozen=True)
class Part:
    """One rendered chapter, ready to join."""

    path: Path
    title: str


@dataclass(frozen=True)
class ChapterRender:
    entry: SceneEntry
    path: Path
    skipped: bool
    seconds: float


def render_explainer(quality: str = "low", device: str | None = None, force: bool = False, jobs: int | None = None,
                     quiet: bool = False, entries: list[SceneEntry] | None = None,
                     thumbnail_at: float | None = None) -> Path:
    """Render the available chapters (in parallel) and join them into renders/explainer.mp4.

    Traces are prepared first, one after the other (each with its progress bars); then up to
    JOBS manim processes (default: one per core) render the chapters that changed. The join
    (and the thumbnail) is redone only when a chapter file or the titles changed.
    """
    import time
    from concurrent.futures import ThreadPoolExecutor, as_completed

    from scenes.storyboard import chapters

    if quality not in QUALITIES:
        raise GdevoError(f"unknown quality {quality!r}; choose from {', '.join(QUALITIES)}")
    entries = list(entries if entries is not None else chapters())
    if not entries:
        raise GdevoError("no chapters exist yet (scenes/storyboard.py lists them; none of their modules is there)")
    say = (lambda msg: None) if quiet else (lambda msg: print(msg, file=sys.stderr, flush=True))
    started = time.perf_counter()
    for name in dict.fromkeys(t for e in entries for t in e.traces):
        ensure_trace(name, device=device, quiet=quiet)
    jobs = max(1, jobs or os.cpu_count() or 1)
    todo = [e for e in entries if force or not is_up_to_date(e, quality, device)]
    plan = (f"rendering {len(todo)} with {min(jobs, len(todo))} parallel manim processes" if todo
            else "nothing to render")
    say(f"explainer ({QUALITIES[quality].folder}): {len(entries)} chapters, "
        f"{len(entries) - len(todo)} up to date, {plan}")

    def work(entry: SceneEntry) -> ChapterRender:
        say(f"  ch{entry.chapter:02d} {entry.name:<22} rendering …")
        t0 = time.perf_counter()
        path = render_scene(entry, quality, device, force=force, quiet=True)
        return ChapterRender(entry, path, False, time.perf_counter() - t0)

    done: dict[str, ChapterRender] = {e.name: ChapterRender(e, renders_dir() / f"{e.name}.mp4", True, 0.0)
                                      for e in entries if e not in todo}
    for e in entries:
        if e.name in done:
            say(f"  ch{e.chapter:02d} {e.name:<22} up to date, skipped")
    errors: list[str] = []
    if todo:
        with ThreadPoolExecutor(max_workers=jobs) as pool:   # each thread drives one manim subprocess
            futures = {pool.submit(work, e): e for e in todo}
            for fut in as_completed(futures):
                e = futures[fut]
                try:
                    res = fut.result()
                except GdevoError as exc:
                    errors.append(str(exc))
                    say(f"  ch{e.chapter:02d} {e.name:<22} FAILED: {exc}")
                    continue
                done[e.name] = res
                say(f"  ch{e.chapter:02d} {e.name:<22} rendered in {res.seconds:.1f} s "
                    f"({probe_duration(res.path):.1f} s of video)")
    if errors:
        raise GdevoError(f"{len(errors)} chapter(s) failed, explainer not joined: {errors[0]}")
    parts = [Part(done[e.name].path, f"{e.chapter}. {e.title}" if e.chapter else e.title) for e in entries]
    out = renders_dir() / f"{EXPLAINER}.mp4"
    thumb = renders_dir() / f"{EXPLAINER}.png"
    key = _explainer_key(entries, parts, quality, thumbnail_at)
    if not force and out.is_file() and thumb.is_file() and _read_stamp(EXPLAINER).get("key") == key:
        say(f"explainer up to date: {out} ({time.perf_counter() - started:.1f} s)")
        return out
    t0 = time.perf_counter()
    join_chapters(parts, out, thumbnail=thumb, thumbnail_at=thumbnail_at)
    from gdevo.audio import finish_explainer

    finish_explainer(parts, out, say=say)   # one continuous normalized audio track, captions, chapter files
    _write_stamp(EXPLAINER, {"key": key, "quality": quality, "chapters": [e.name for e in entries]})
    say(f"joined {len(parts)} chapters into {out} ({probe_duration(out):.1f} s of video) in "
        f"{time.perf_counter() - t0:.1f} s; thumbnail {thumb}; total {time.perf_counter() - started:.1f} s")
    return out


def _explainer_key(entries: list[SceneEntry], parts: list[Part], quality: str, thumbnail_at: float | None) -> str:
    items = []
    for e, p in zip(entries, parts, strict=True):
        st = p.path.stat()
        items.append([e.name, p.title, _read_stamp(e.name).get("key"), st.st_size, st.st_mtime_ns])
    blob = json.dumps({"parts": items, "quality": quality, "thumb": thumbnail_at, "join": JOIN_VERSION})
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _probe(path: Path) -> dict:
    import ffmpeg

    try:
        return ffmpeg.probe(str(path))
    except ffmpeg.Error as exc:
        msg = (exc.stderr or b"").decode(errors="replace").strip().splitlines()[-1:] or ["ffprobe failed"]
        raise GdevoError(f"cannot read video {path}: {msg[0]}") from None


def probe_duration(path: Path) -> float:
    """Duration of a video file in seconds (ffprobe's container duration)."""
    return float(_probe(path)["format"]["duration"])


def _stream_signature(info: dict) -> tuple:
    streams = info.get("streams", [])
    video = [s for s in streams if s.get("codec_type") == "video"]
    if not video:
        return ("no video",)
    v = video[0]
    audio = tuple(sorted((s.get("codec_name"), s.get("sample_rate"), s.get("channels"))
                         for s in streams if s.get("codec_type") == "audio"))
    return (v.get("codec_name"), v.get("width"), v.get("height"), v.get("pix_fmt"), v.get("r_frame_rate"),
            v.get("time_base"), audio)


def _escape_meta(text: str) -> str:
    """FFMETADATA values escape '=', ';', '#', '\\' and newlines with a backslash."""
    for ch in ("\\", "=", ";", "#", "\n"):
        text = text.replace(ch, "\\" + ch)
    return text


def chapters_metadata(titles: list[str], durations: list[float], title: str = "gdevo explainer") -> str:
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


def join_chapters(parts: list[Part], out: Path, thumbnail: Path | None = None,
                  thumbnail_at: float | None = None) -> Path:
    """Join PARTS (in order) into OUT with one chapter marker each; write a thumbnail PNG.

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
    infos = [_probe(p.path) for p in parts]
    durations = [float(i["format"]["duration"]) for i in infos]
    signatures = {_stream_signature(i) for i in infos}
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".join-", dir=out.parent) as work:
        work = Path(work)
        meta = work / "chapters.txt"
        meta.write_text(chapters_metadata([p.title for p in parts], durations), encoding="utf-8")
        tmp_out = work / f"{out.stem}.mp4"
        if len(signatures) == 1:
            listing = work / "parts.txt"
            listing.write_text("".join(f"file '{_concat_quote(p.path.resolve())}'\n" for p in parts))
            stream = ffmpeg.input(str(listing), f="concat", safe=0)
            n_inputs = 1
            node = ffmpeg.output(stream, str(tmp_out), c="copy", map_metadata=n_inputs, map_chapters=n_inputs,
                                 movflags="+faststart", f="mp4")
        else:
            v0 = next(s for s in infos[0]["streams"] if s.get("codec_type") == "video")
            w, h, fps = int(v0["width"]), int(v0["height"]), v0["r_frame_rate"]
            videos = [ffmpeg.input(str(p.path)).video.filter("scale", w, h).filter("fps", fps=fps)
                      .filter("setsar", "1") for p in parts]
            n_inputs = len(parts)
            node = ffmpeg.output(ffmpeg.concat(*videos, v=1, a=0), str(tmp_out), vcodec="libx264",
                                 pix_fmt="yuv420p", map_metadata=n_inputs, map_chapters=n_inputs,
                                 movflags="+faststart", f="mp4")
        args = node.compile()
        last_input = max(i for i, a in enumerate(args) if a == "-i") + 2   # the metadata is input N
        args[last_input:last_input] = ["-f", "ffmetadata", "-i", str(meta)]
        _run_ffmpeg(args[1:], "joining chapters")
        atomic_copy(tmp_out, out)
        if thumbnail is not None:
            at = thumbnail_at if thumbnail_at is not None else max(0.0, durations[0] - 1.0)
            at = min(max(0.0, at), max(0.0, sum(durations) - 0.1))
            png = work / "thumb.png"
            _run_ffmpeg(ffmpeg.input(str(tmp_out), ss=f"{at:.3f}").output(str(png), vframes=1).compile()[1:],
                        "writing the thumbnail")
            atomic_copy(png, thumbnail)
    return out


def _concat_quote(path: Path) -> str:
    return str(path).replace("'", "'\\''")


def _run_ffmpeg(args: list[str], what: str) -> None:
    cmd = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True)
    except FileNotFoundError:
        raise GdevoError("ffmpeg is not installed (needed to join the explainer)") from None
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-1:] or ["(no output)"]
        raise GdevoError(f"ffmpeg failed {what}: {tail[0]}")

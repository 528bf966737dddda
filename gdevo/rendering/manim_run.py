"""The one place that runs manim: every command's scene renders go through `render_scene_once`.

A scene is rendered once per format (quality, or an explicit resolution/fps) as its
manim-slides Slide variant (gdevo/rendering/slide_scene.py): that one pass writes the full scene movie
(the chapter MP4 for the explainer, the source of GIFs and stills) *and* the slides (JSON +
one clip per slide) for the deck. Nothing else starts manim.

- Staleness: one rule, `render_key`: the scene module and every scenes/ module it imports
  (`scene_sources`), manim.cfg, the Slide variant's file, the cache names of its traces, the
  format, the narration voice (gdevo.media.audio.voice_key), and the settings that change a picture or
  a sound (gdevo.settings.Settings.picture_key: theme, voice options, title), not the folders.
- The settings reach manim's subprocess as environment variables (Settings.to_env), the one
  place they become variables; the scene reads them back once (scenes/kit/settings.py).
- A stamp (renders/.stamps/render/NAME@FOLDER.json) records the key; it is removed before manim
  starts and written atomically after manim succeeded and its files were found.
- `render_scene_once` takes and returns plain picklable values, so it can run in a worker
  process (an executor, dask) as well as in a thread driving the subprocess.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from gdevo.rendering import stamps
from gdevo.rendering.encoding import PRESET_ENV
from gdevo.settings import Settings
from sim import pyparse
from sim.cache import ROOT
from sim.errors import GdevoError

RENDER_VERSION = "3"   # bump when what a render writes changes without its inputs changing
SLIDE_SCENE = Path(__file__).resolve().with_name("slide_scene.py")
# manim 0.21 can encode partial movie files on background threads while it draws the next
# animation (--max-inflight-encoders). It helps where a core is idle: on a quiet 2-core machine one
# render of `loss` (480p15, 482 frames, medians of 3) took 19.07 s with 1 encoder and 17.80 s with 4
# (`gdevo bench --render loss --encoders 1,4 --repeats 3`), so a scene rendered on its own (`gdevo
# render SCENE`) uses ALONE_ENCODERS; again at 1080p30 (local-search, 2,255 frames, quiet machine): 52.4 s
# with 1, 49.8 s with 2, 48.6 s with 4. A batch (`render all`, `render explainer`) keeps every core busy
# with one manim process each (or one beside the simulations): no idle core, so no encoders; `render all`
# at 480p with 2 or 4 per render took 214.8 and 211.6 s against 202.2 and 213.0 s without
# (docs/render-speed.md, stop 39).
# manim draws 25 frames/s where ffmpeg encodes the same frames at 283: encoding is a small part.
ALONE_ENCODERS = 4
# x264's preset for manim's partial movies, per quality (crf stays manim's 23; installed in manim's
# process by gdevo/rendering/encoding.py). veryfast halves x264's time on a chapter's frames (race
# 480p15: 9.7 against 18.7 ms/frame, medians of 3) at PSNR 45.7 dB / SSIM 0.997 against medium, same
# frames and duration: docs/render-speed.md.
PRESETS = {"low": "veryfast", "medium": "veryfast", "high": "veryfast", "4k": "veryfast"}


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


@dataclass(frozen=True)
class Format:
    """What manim is asked for: a named quality, optionally overridden by a resolution and/or fps."""

    quality: str = "low"
    resolution: tuple[int, int] | None = None
    fps: int | None = None

    def __post_init__(self) -> None:
        if self.quality not in QUALITIES:
            raise GdevoError(f"unknown quality {self.quality!r}; choose from {', '.join(QUALITIES)}")

    @property
    def width(self) -> int:
        return self.resolution[0] if self.resolution else QUALITIES[self.quality].width

    @property
    def height(self) -> int:
        return self.resolution[1] if self.resolution else QUALITIES[self.quality].height

    @property
    def frame_rate(self) -> int:
        return self.fps or QUALITIES[self.quality].fps

    @property
    def folder(self) -> str:
        """manim's own name for the output folder ({pixel_height}p{frame_rate:g})."""
        return f"{self.height}p{self.frame_rate:g}"

    def args(self) -> list[str]:
        out = [f"-q{QUALITIES[self.quality].flag}"]
        if self.resolution:
            out += ["-r", f"{self.resolution[0]},{self.resolution[1]}"]
        if self.fps:
            out += ["--fps", str(self.fps)]
        return out


@dataclass(frozen=True)
class SceneJob:
    """One scene to render: output name, dotted module, Scene class, the experiments it reads."""

    name: str
    module: str        # dotted, e.g. scenes.ch04_landscape
    cls: str
    traces: tuple[str, ...] = ()

    @classmethod
    def from_entry(cls, entry) -> SceneJob:
        """From a storyboard SceneEntry (its module is a file name in scenes/, or a dotted module)."""
        module = entry.module if "." in entry.module else f"scenes.{entry.module}"
        return cls(entry.name, module, entry.cls, tuple(entry.traces))


@dataclass(frozen=True)
class Rendered:
    """A finished render: the scene movie, the slides' JSON, and what it took."""

    name: str
    format: Format
    key: str
    movie: Path
    slides: Path
    seconds: float       # manim's wall time when it ran (the stamp keeps it for skipped renders)
    skipped: bool


# ---------------------------------------------------------------- staleness

def module_file(dotted: str) -> Path:
    return ROOT.joinpath(*dotted.split(".")).with_suffix(".py")


def scene_sources(module: str) -> list[Path]:
    """The files a scene module's render depends on: the module (dotted, or a file name in scenes/)
    and every scenes/ module it imports, transitively (a change in another chapter does not
    re-render this one)."""
    start = module_file(module if "." in module else f"scenes.{module}")
    seen: dict[Path, None] = {}
    todo = [start]
    while todo:
        path = todo.pop()
        if path in seen or not path.is_file():
            continue
        seen[path] = None
        try:
            tree = pyparse.parse(path.read_text(encoding="utf-8"))
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


def _file_digest(paths: list[Path]) -> str:
    import hashlib

    h = hashlib.sha256()
    for path in paths:
        h.update(path.relative_to(ROOT).as_posix().encode() if path.is_relative_to(ROOT) else str(path).encode())
        h.update(path.read_bytes() if path.is_file() else b"")
    return h.hexdigest()


def trace_names(job: SceneJob, settings: Settings) -> list[str]:
    """The cache file names of the scene's traces (they hash config + sim code + device)."""
    if not job.traces:
        return []
    from sim.cache import resolve

    return [resolve(t, device=settings.device, cache=settings.cache, project=settings.project).path.name
            for t in job.traces]


def render_key(job: SceneJob, fmt: Format, settings: Settings, traces: list[str] | None = None,
               preset: str | None = None) -> str:
    """What a render depends on (see the module docstring); TRACES saves resolving them again;
    PRESET: x264's preset when not the quality's own (PRESETS)."""
    src = _file_digest([*scene_sources(job.module), ROOT / "manim.cfg", SLIDE_SCENE])
    from gdevo.media.audio import voice_key

    return stamps.digest({"v": RENDER_VERSION, "src": src, "cls": job.cls, "format": fmt.args(),
                          "preset": preset or PRESETS[fmt.quality],
                          "traces": trace_names(job, settings) if traces is None else traces,
                          "settings": settings.picture_key(), "voice": voice_key(settings)})


def _stamp_name(job: SceneJob, fmt: Format) -> str:
    return f"{job.name}@{fmt.folder}"


def media_dir(job: SceneJob, renders: Path) -> Path:
    """manim's media folder for one scene (parallel renders never share its text cache; Tex is shared
    safely in manim.cfg's tex_dir: scenes/kit/tex_cache.py)."""
    return renders / "media" / job.name


def movie_path(job: SceneJob, fmt: Format, renders: Path) -> Path:
    return media_dir(job, renders) / "videos" / SLIDE_SCENE.stem / fmt.folder / f"{job.name}.mp4"


def slides_folder(job: SceneJob, fmt: Format, renders: Path) -> Path:
    return media_dir(job, renders) / "slides" / fmt.folder


def slides_path(job: SceneJob, fmt: Format, renders: Path) -> Path:
    return slides_folder(job, fmt, renders) / f"{job.cls}.json"


def log_path(job: SceneJob, fmt: Format, renders: Path) -> Path:
    return renders / "logs" / f"{job.name}@{fmt.folder}.log"


def find_render(job: SceneJob, fmt: Format, settings: Settings, key: str | None = None) -> Rendered | None:
    """The up-to-date render of JOB in FMT, or None when it must be (re)rendered."""
    key = key or render_key(job, fmt, settings)
    movie, slides = movie_path(job, fmt, settings.renders), slides_path(job, fmt, settings.renders)
    stamp = stamps.fresh(settings.renders, "render", _stamp_name(job, fmt), key, movie, slides)
    if stamp is None:
        return None
    return Rendered(job.name, fmt, key, movie, slides, float(stamp.get("seconds", 0.0)), True)


def find_at_least(job: SceneJob, width: int, settings: Settings) -> Rendered | None:
    """An up-to-date render of a named quality at least WIDTH pixels wide (cheapest first), or None."""
    traces = trace_names(job, settings)
    for name, q in QUALITIES.items():
        if q.width >= width:
            fmt = Format(name)
            found = find_render(job, fmt, settings, render_key(job, fmt, settings, traces))
            if found is not None:
                return found
    return None


# ---------------------------------------------------------------- running manim

def manim_command(job: SceneJob, fmt: Format, renders: Path, encoders: int | None = None) -> list[str]:
    cmd = [sys.executable, "-m", "manim", "render", *fmt.args(), str(SLIDE_SCENE.relative_to(ROOT)), job.cls,
           "-o", job.name, "--media_dir", str(media_dir(job, renders)), "--progress_bar", "none",
           "--disable_caching"]   # narration is placed by scene time, which cached partial movies skew
    if encoders:
        cmd += ["--max-inflight-encoders", str(encoders)]
    return cmd


def manim_env(job: SceneJob, settings: Settings, slides_out: Path, fmt: Format | None = None,
              preset: str | None = None) -> dict[str, str]:
    """The environment of manim's subprocess: this process's, less any GDEVO_* variable, plus the
    settings (the one place they become variables) and the Slide variant's plumbing."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("GDEVO_")}
    return {**base, **settings.to_env(),
            "PYTHONPATH": os.pathsep.join(p for p in [str(ROOT), os.environ.get("PYTHONPATH")] if p),
            "GDEVO_SLIDE_MODULE": job.module, "GDEVO_SLIDE_CLASS": job.cls, "GDEVO_SLIDES_OUT": str(slides_out),
            "QT_QPA_PLATFORM": "offscreen", "TQDM_DISABLE": "1",
            PRESET_ENV: preset or PRESETS[(fmt or Format()).quality]}


def render_scene_once(job: SceneJob, fmt: Format, settings: Settings, force: bool = False,
                      encoders: int | None = None, preset: str | None = None) -> Rendered:
    """Render JOB in FMT (its movie and its slides) unless an up-to-date render exists.

    Traces must exist already (sim.cache.ensure_trace) when this runs in parallel: it only
    reads their cache names. Safe to call from a worker process: arguments and result pickle.
    """
    key = render_key(job, fmt, settings, preset=preset)
    if not force:
        found = find_render(job, fmt, settings, key)
        if found is not None:
            return found
    stamp = _stamp_name(job, fmt)
    stamps.clear(settings.renders, "render", stamp)
    out = slides_folder(job, fmt, settings.renders)
    out.mkdir(parents=True, exist_ok=True)
    env = manim_env(job, settings, out.resolve(), fmt, preset)
    log = log_path(job, fmt, settings.renders)
    log.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    with open(log, "w") as fh:
        try:
            proc = subprocess.run(manim_command(job, fmt, settings.renders, encoders), cwd=ROOT, env=env, stdout=fh,
                                  stderr=subprocess.STDOUT)
        except OSError as exc:
            raise GdevoError(f"cannot start manim for {job.name}: {exc}") from None
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        tail = (log.read_text(errors="replace").strip().splitlines() or ["(no output)"])[-1].strip()
        raise GdevoError(f"manim failed rendering {job.name} (see {log}): {tail}")
    return record_render(job, fmt, key, seconds, settings.renders)


def record_render(job: SceneJob, fmt: Format, key: str, seconds: float, renders: Path) -> Rendered:
    """Stamp a finished render whose movie and slides are in place (in RENDERS): one manim just
    wrote here, or whose files a worker sent back (gdevo.rendering.engine)."""
    movie, slides = movie_path(job, fmt, renders), slides_path(job, fmt, renders)
    for path in (movie, slides):
        if not path.is_file():
            raise GdevoError(f"manim reported success but {path} is missing (see {log_path(job, fmt, renders)})")
    stamps.write(renders, "render", _stamp_name(job, fmt), {"key": key, "quality": fmt.quality, "folder": fmt.folder,
                                                   "seconds": seconds, "movie": str(movie), "slides": str(slides)})
    return Rendered(job.name, fmt, key, movie, slides, seconds, False)


@dataclass
class Batch:
    """What a batch render (gdevo.rendering.engine) did: every scene's render (input order), and where the time went."""

    rendered: dict[str, Rendered]
    simulated: list[str]
    sim_seconds: float       # wall time until the last trace was simulated (0 when every trace was cached)
    seconds: float           # wall time of the whole batch (simulations overlap renders)

    @property
    def ran(self) -> list[Rendered]:
        return [r for r in self.rendered.values() if not r.skipped]


def scenes_failed(errors: list[str]) -> GdevoError:
    """The one line a batch raises once every scene is done: how many failed, and the first reason."""
    return GdevoError(f"{len(errors)} scene(s) failed: {errors[0]}")


def publish(src: Path, dst: Path) -> Path:
    """Copy SRC to DST via a temporary name and a rename (never a half-written DST)."""
    import shutil

    from sim.trace import atomic_write_bytes

    with open(src, "rb") as fh_in:
        atomic_write_bytes(dst, lambda fh: shutil.copyfileobj(fh_in, fh))
    return dst


__all__ = ["QUALITIES", "Batch", "Format", "Quality", "Rendered", "SceneJob", "find_at_least", "find_render", "publish",
           "render_key", "render_scene_once", "scene_sources"]

"""The narration script: every beat's line, with its stable ID, for reading, recording and checking.

The texts come from the scenes' own beats, never from a second copy: from the beats sidecar of
a chapter's up-to-date render (NAME.beats.json beside its movie), otherwise by running the scene
with animations skipped (nothing is drawn to video and nothing trains: traces are read from the
cache, simulated first only if missing, as for a render). The chosen voice still times the beats,
so the script says how long the narrated video will be, and a synthesizing voice leaves every
line in its cache for the render.

Writes renders/script.md (chapters, IDs, lines, word counts) and renders/recording-sheet.tsv
(one line per beat: ID, tab, text) for someone recording the lines as VOICE_DIR/<ID>.wav.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from gdevo.settings import Settings
from scenes.storyboard import SceneEntry
from sim.errors import GdevoError
from sim.trace import atomic_write_bytes

WPM = 165   # a narrator's pace, for the length estimate (espeak-ng speaks at this rate)


@dataclass(frozen=True)
class ScriptLine:
    id: str
    text: str


@dataclass(frozen=True)
class ChapterScript:
    entry: SceneEntry
    lines: list[ScriptLine]
    source: str   # "last render" or "scene run"
    duration: float = 0.0   # seconds of the chapter with its narration (approximate for a scene run)
    held: float = 0.0       # of which the picture waits for the voice


def _from_sidecar(entry: SceneEntry, settings: Settings) -> dict | None:
    """The beats of the chapter's up-to-date render (its sidecar beside the movie), else None."""
    from gdevo.media.captions import read_sidecar
    from gdevo.rendering.manim_run import Format, SceneJob, find_render

    rendered = find_render(SceneJob.from_entry(entry), Format(settings.quality), settings)
    path = rendered.movie.with_suffix(".beats.json") if rendered is not None else None
    if path is None or not path.is_file():
        return None
    return read_sidecar(path)


def _from_scene(entry: SceneEntry, settings: Settings) -> dict:
    """Run the scene here, with animations skipped and the settings' voice timing the beats; its beats."""
    from manim import tempconfig

    from scenes.storyboard import load_scene_class
    from sim.cache import ensure_trace

    for name in entry.traces:
        ensure_trace(name, device=settings.device, quiet=True, cache=settings.cache, project=settings.project)
    with tempfile.TemporaryDirectory(prefix="gdevo-script-") as media, \
            tempconfig({"skip_animations": True, "write_to_movie": False, "disable_caching": True,
                        "verbosity": "ERROR", "media_dir": media, "pixel_width": 427, "pixel_height": 240,
                        "progress_bar": "none"}):
        scene = load_scene_class(entry)()
        scene.settings = settings.scene()   # what manim's subprocess would read from its environment
        scene.render()
    return {"beats": scene.narration, "duration": float(scene.renderer.time)}


def collect(entries: list[SceneEntry], settings: Settings,
            say: Callable[[str], None] | None = None) -> list[ChapterScript]:
    say = say or (lambda msg: print(msg, file=sys.stderr, flush=True))
    out = []
    for entry in entries:
        data = _from_sidecar(entry, settings)
        source = "last render"
        if data is None:
            say(f"  {entry.name}: reading its beats (animations skipped) …")
            try:
                data = _from_scene(entry, settings)
            except GdevoError:
                raise
            except Exception as exc:   # a scene that fails on this data: say which, in one line
                raise GdevoError(f"scene {entry.name} failed while collecting its script: "
                                 f"{type(exc).__name__}: {exc}") from None
            source = "scene run"
        lines = [ScriptLine(b["id"], b["text"]) for b in data["beats"]]
        out.append(ChapterScript(entry, lines, source, float(data.get("duration", 0.0)),
                                 sum(float(b.get("held", 0.0)) for b in data["beats"])))
    return out


def minutes(seconds: float) -> str:
    s = round(seconds)
    return f"{s // 60}:{s % 60:02d}"


def words(text: str) -> int:
    return len(text.split())


def markdown(chapters: list[ChapterScript], title: str, recorded: Path | None = None) -> str:
    total = sum(words(ln.text) for c in chapters for ln in c.lines)
    n = sum(1 for c in chapters for ln in c.lines if ln.text.strip())
    length, held = sum(c.duration for c in chapters), sum(c.held for c in chapters)
    out = [f"# {title}: narration script", "",
           f"{n} lines, {total:,} words: about {total / WPM:.1f} minutes of speech at {WPM} words per minute. "
           f"With this voice the video lasts {minutes(length)}, {minutes(held)} of it holding a picture "
           "until its line ends.",
           "Record each line as a WAV or FLAC file named by its ID (ch05-03.wav) in one folder, then",
           "`gdevo render explainer --voice recorded --voice-dir FOLDER` (missing lines are spoken by espeak-ng).",
           ""]
    for c in chapters:
        head = f"{c.entry.chapter}. {c.entry.title}" if c.entry.chapter else c.entry.title
        out += [f"## {head}", "", f"{minutes(c.duration)} narrated ({minutes(c.held)} waiting for the voice).", ""]
        for ln in c.lines:
            if not ln.text.strip():
                continue
            mark = ""
            if recorded is not None:
                from scenes.kit.voices import RecordedVoice

                mark = " (recorded)" if RecordedVoice(str(recorded)).recording(ln.id) else " (not recorded yet)"
            out += [f"**{ln.id}**{mark} — {ln.text}", ""]
    return "\n".join(out)


def recording_sheet(chapters: list[ChapterScript]) -> str:
    return "".join(f"{ln.id}\t{' '.join(ln.text.split())}\n" for c in chapters for ln in c.lines if ln.text.strip())


def write_script(entries: list[SceneEntry], settings: Settings,
                 recorded: Path | None = None) -> tuple[Path, Path, list[ChapterScript]]:
    chapters = collect(entries, settings)
    md, sheet = settings.renders / "script.md", settings.renders / "recording-sheet.tsv"
    body_md = markdown(chapters, settings.full_title, recorded).encode()
    body_sheet = recording_sheet(chapters).encode()
    atomic_write_bytes(md, lambda fh: fh.write(body_md))
    atomic_write_bytes(sheet, lambda fh: fh.write(body_sheet))
    return md, sheet, chapters


__all__ = ["collect", "markdown", "recording_sheet", "write_script"]

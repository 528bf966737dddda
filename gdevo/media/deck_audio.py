"""The lecture deck speaks: each slide plays its narration with its clip, where the browser allows.

A slide of the deck is one or more beats of a chapter (gdevo.outputs.slides: beats end slides), and its
clip is the same stretch of the chapter the explainer shows, narration holds included. So each
slide's audio is cut from the chapter's narrated render (renders/NAME.mp4) between the slide's
first beat's start and its last beat's end, as the beats sidecar (renders/.beats/NAME.json)
records them, and added to the slide as `<audio data-autoplay>` (reveal.js starts it with the
slide; browsers allow sound once the viewer has pressed a key or clicked).
"""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

from gdevo.media import captions
from gdevo.media.audio import beats_dir, ffmpeg

SECTION = re.compile(r"<section\s+data-background-size[^>]*>")


def slide_spans(sidecar: dict, notes: list[str]) -> list[tuple[float, float] | None]:
    """(start, end) in the chapter of each slide whose notes are narrated beats' texts, in order."""
    beats = [b for b in sidecar["beats"] if b.get("text")]
    spans: list[tuple[float, float] | None] = []
    i = 0
    for note in notes:
        parts = [p for p in note.split("\n\n") if p.strip()] if note else []
        if not parts or i >= len(beats) or beats[i]["text"] != parts[0]:
            spans.append(None)
            continue
        first = beats[i]
        i += len(parts)
        last = beats[min(i, len(beats)) - 1]
        spans.append((float(first["start"]), float(last["end"])) if first.get("line") else None)
    return spans


def add_narration(html: Path, scenes: list, configs: list, renders: Path) -> int:
    """Cut each narrated slide's audio into DECK_assets/narration/ and add it to HTML; return the count.

    SCENES (with .name) and CONFIGS (manim-slides PresentationConfig, with .slides[].notes) are in
    deck order, as the HTML's slide sections are. A scene without a narrated chapter render is left
    silent.
    """
    text = html.read_text(encoding="utf-8")
    sections = list(SECTION.finditer(text))
    assets = html.parent / f"{html.stem}_assets" / "narration"
    inserts: list[tuple[int, str]] = []
    k = 0
    for scene, config in zip(scenes, configs, strict=True):
        notes = [s.notes for s in config.slides]
        sidecar_path, movie = beats_dir(renders) / f"{scene.name}.json", renders / f"{scene.name}.mp4"
        spans = [None] * len(notes)
        if sidecar_path.is_file() and movie.is_file():
            sidecar = captions.read_sidecar(sidecar_path)
            if any(b.get("audio") for b in sidecar["beats"]):
                spans = slide_spans(sidecar, notes)
        for n, span in enumerate(spans):
            index = k + n
            if span is None or index >= len(sections):
                continue
            assets.mkdir(parents=True, exist_ok=True)
            clip = assets / f"{index:03d}-{scene.name}.m4a"
            ffmpeg(["-ss", f"{span[0]:.3f}", "-to", f"{span[1]:.3f}", "-i", str(movie), "-map", "0:a:0", "-vn",
                    "-c:a", "copy", str(clip)], f"cutting the narration of slide {index + 1}")
            src = html_lib.escape(f"{assets.parent.name}/narration/{clip.name}", quote=True)
            inserts.append((sections[index].end(), f'\n          <audio data-autoplay src="{src}"></audio>'))
        k += len(notes)
    for pos, tag in sorted(inserts, reverse=True):
        text = text[:pos] + tag + text[pos:]
    html.write_text(text, encoding="utf-8")
    return len(inserts)


__all__ = ["add_narration", "slide_spans"]

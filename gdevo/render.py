"""Render scenes with manim into renders/: traces first, then manim, then an atomic copy.

Manim runs as a subprocess from the repo root (so it reads manim.cfg there). A render is
skipped when nothing it depends on changed: the scenes' sources, its traces, the quality.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from gdevo.traces import ROOT, ensure_trace, resolve
from scenes.storyboard import SceneEntry
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


def _sources_digest() -> str:
    h = hashlib.sha256()
    for path in [*sorted((ROOT / "scenes").rglob("*.py")), ROOT / "manim.cfg"]:
        h.update(path.relative_to(ROOT).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def render_key(entry: SceneEntry, quality: str, device: str | None) -> str:
    """What a render depends on: scene code, the traces' cache keys, quality."""
    traces = [resolve(t, device=device).path.name for t in entry.traces]
    blob = json.dumps({"src": _sources_digest(), "traces": traces, "quality": quality, "scene": entry.cls})
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def atomic_copy(src: Path, dst: Path) -> None:
    """Copy src to dst via a temporary name and a rename (never a half-written dst)."""
    with open(src, "rb") as fh_in:
        atomic_write_bytes(dst, lambda fh: shutil.copyfileobj(fh_in, fh))


def render_scene(entry: SceneEntry, quality: str = "low", device: str | None = None, force: bool = False,
                 quiet: bool = False) -> Path:
    """Render ENTRY to renders/NAME.mp4 (or return the existing file if nothing changed)."""
    if quality not in QUALITIES:
        raise GdevoError(f"unknown quality {quality!r}; choose from {', '.join(QUALITIES)}")
    q = QUALITIES[quality]
    for name in entry.traces:  # simulate (with progress bars) before manim starts
        ensure_trace(name, device=device, quiet=quiet)
    out = renders_dir() / f"{entry.name}.mp4"
    stamp = renders_dir() / ".stamps" / f"{entry.name}.json"
    key = render_key(entry, quality, device)
    if not force and out.is_file() and stamp.is_file():
        try:
            if json.loads(stamp.read_text()).get("key") == key:
                return out
        except ValueError:
            pass
    media = renders_dir() / "media" / entry.name  # one per scene: parallel renders never share a text cache
    cmd = [sys.executable, "-m", "manim", "render", f"-q{q.flag}", f"scenes/{entry.module}.py", entry.cls,
           "-o", entry.name, "--media_dir", str(media), "--progress_bar", "none"]
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
    atomic_copy(produced, out)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(json.dumps({"key": key, "quality": quality}))
    return out

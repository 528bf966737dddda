"""Chapters rendered on a worker that shares no folder with the client (a Dask worker): the worker
renders, the client keeps the files (gdevo.rendering.engine sends these jobs and writes what comes back).

No folder is shared. Each render job carries the bytes of the traces its scene reads and the
client's settings (gdevo.settings.Settings); the worker renders into a scratch folder (its own
settings: the client's, with that folder's cache and renders) with the
same one-pass runner as a local render (gdevo.rendering.manim_run.render_scene_once) and returns every file
it wrote (the movie, the slides and their clips, the log) as bytes. The client writes them into
renders/ atomically and records the render's stamp, so the explainer's join -- and any later
local command -- sees an up-to-date render, exactly as if manim had run here.

The worker recomputes the render key from its own code and inputs; if it differs from the
client's (other scene code, configs or project files), the job fails with one line instead of
sending back a picture of something else.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from gdevo.runs.jobs import VersionMismatch, check_identity, scratch_root, worker_name
from gdevo.settings import Settings


@dataclass(frozen=True)
class RenderTask:
    job: object                 # gdevo.rendering.manim_run.SceneJob
    fmt: object                 # gdevo.rendering.manim_run.Format
    settings: Settings          # the client's (its device, theme, voice, title; folders are replaced)
    traces: dict[str, bytes]    # cache file name -> trace bytes
    key: str                    # the client's render key


@dataclass(frozen=True)
class RenderedFiles:
    files: dict[str, bytes]     # path relative to renders/ -> bytes
    seconds: float
    worker: str



def portable_slides(path: Path) -> None:
    """Rewrite a manim-slides JSON so its clips are named relative to it, not by this worker's scratch path.

    manim-slides writes absolute paths and reads a relative one against the JSON's grandparent folder,
    so a relative name stays right wherever the client keeps the files.
    """
    import json
    import os

    body = json.loads(path.read_text(encoding="utf-8"))
    base = path.parent.parent
    for slide in body.get("slides", []):
        for key in ("file", "rev_file"):
            if slide.get(key) and Path(slide[key]).is_absolute():
                slide[key] = Path(os.path.relpath(slide[key], base)).as_posix()
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(body, indent=2), encoding="utf-8")
    tmp.replace(path)


def render_chapter(task: RenderTask, expected: dict[str, str]) -> RenderedFiles:
    """Worker side: render TASK in a scratch folder and return every file it wrote."""
    import tempfile

    from gdevo.rendering import manim_run

    check_identity(expected)
    with tempfile.TemporaryDirectory(prefix="gdevo-render-", dir=scratch_root()) as tmp:
        root = Path(tmp)
        cache, renders = root / "cache", root / "renders"
        cache.mkdir()
        for name, data in task.traces.items():
            (cache / name).write_bytes(data)
        settings = replace(task.settings, cache=cache, renders=renders,
                           voice_cache=Settings().voice_cache)   # this worker's own cache of spoken lines
        key = manim_run.render_key(task.job, task.fmt, settings)
        if key != task.key:
            raise VersionMismatch(f"{task.job.name}: worker {worker_name()} would render it from other inputs "
                                  f"(render key {key}, the client's {task.key}): scene code, configs or project "
                                  "files differ; install the client's gdevo and files on every worker")
        r = manim_run.render_scene_once(task.job, task.fmt, settings, force=True)
        portable_slides(r.slides)
        files = {p.relative_to(renders).as_posix(): p.read_bytes()
                 for p in sorted(renders.rglob("*")) if p.is_file() and ".stamps" not in p.parts}
        return RenderedFiles(files, r.seconds, worker_name())

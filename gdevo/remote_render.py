"""Chapters rendered on an executor (a Dask cluster): the worker renders, the client keeps the files.

No folder is shared. Each render job carries the bytes of the traces its scene reads and the
client's settings (gdevo.settings.Settings); the worker renders into a scratch folder (its own
settings: the client's, with that folder's cache and renders) with the
same one-pass runner as a local render (gdevo.manim_run.render_scene_once) and returns every file
it wrote (the movie, the slides and their clips, the log) as bytes. The client writes them into
renders/ atomically and records the render's stamp, so the explainer's join -- and any later
local command -- sees an up-to-date render, exactly as if manim had run here.

The worker recomputes the render key from its own code and inputs; if it differs from the
client's (other scene code, configs or project files), the job fails with one line instead of
sending back a picture of something else.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from gdevo.executors import Executor, Job
from gdevo.jobs import VersionMismatch, check_identity, identity, scratch_root, task_for, worker_name
from gdevo.settings import Settings
from sim.errors import GdevoError, reason


@dataclass(frozen=True)
class RenderTask:
    job: object                 # gdevo.manim_run.SceneJob
    fmt: object                 # gdevo.manim_run.Format
    settings: Settings          # the client's (its device, theme, voice, title; folders are replaced)
    traces: dict[str, bytes]    # cache file name -> trace bytes
    key: str                    # the client's render key


@dataclass(frozen=True)
class RenderedFiles:
    files: dict[str, bytes]     # path relative to renders/ -> bytes
    seconds: float
    worker: str


@dataclass(frozen=True)
class RenderFailed:
    """A chapter that could not be rendered on a worker (sent back instead of raised, so the other
    chapters still render, as they do locally)."""

    message: str
    worker: str


def render_chapter(task: RenderTask, expected: dict[str, str]) -> RenderedFiles:
    """Worker side: render TASK in a scratch folder and return every file it wrote."""
    import tempfile

    from gdevo import manim_run

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
        files = {p.relative_to(renders).as_posix(): p.read_bytes()
                 for p in sorted(renders.rglob("*")) if p.is_file() and ".stamps" not in p.parts}
        return RenderedFiles(files, r.seconds, worker_name())


def render_chapter_or_failure(task: RenderTask, expected: dict[str, str]) -> RenderedFiles | RenderFailed:
    """Worker side: `render_chapter`, with a failure of this chapter returned as a value."""
    try:
        return render_chapter(task, expected)
    except Exception as exc:   # any failure of this one chapter; a lost worker still stops the batch
        return RenderFailed(reason(exc), worker_name())


def render_many_on(executor: Executor, scene_jobs: list, fmt, settings: Settings, force: bool = False,
                   say: Callable[[str], None] | None = None, after: Callable | None = None):
    """Client side of gdevo.manim_run.render_many on an executor: missing traces are simulated on it,
    then every scene that is not up to date is rendered on it. A scene that fails does not stop the
    others; the first failure is raised (one line) once all are back. AFTER(job, rendered), as in
    render_many, runs here for each scene as soon as its files are back (or it was up to date).
    Returns a manim_run.Batch."""
    from gdevo import manim_run
    from gdevo.sweep import run_cells
    from sim.cache import resolve
    from sim.trace import atomic_write_bytes

    say = say or (lambda msg: None)
    started = time.perf_counter()
    needed = list(dict.fromkeys(t for j in scene_jobs for t in j.traces))
    resolved = {t: resolve(t, device=settings.device, here=False, cache=settings.cache, project=settings.project)
                for t in needed}
    simulated = [t for t, r in resolved.items() if not r.path.is_file()]
    sim_started = time.perf_counter()
    if simulated:
        say(f"  simulating {', '.join(simulated)} on {executor.description} …")
    run_cells([(t, r.path, task_for(r)) for t, r in resolved.items()], executor, what="traces", quiet=True)
    sim_seconds = time.perf_counter() - sim_started if simulated else 0.0
    rendered: dict[str, object] = {}
    jobs: list[Job] = []
    for sj in scene_jobs:
        found = None if force else manim_run.find_render(sj, fmt, settings)
        if found is not None:
            rendered[sj.name] = found
            if after is not None:
                after(sj, found)
            continue
        key = manim_run.render_key(sj, fmt, settings)
        traces = {resolved[t].path.name: resolved[t].path.read_bytes() for t in sj.traces}
        jobs.append(Job(sj.name, render_chapter_or_failure,
                        (RenderTask(sj, fmt, settings, traces, key), identity())))
    by_name = {sj.name: sj for sj in scene_jobs}
    for job in jobs:
        say(f"  {job.label:<22} rendering on {executor.description} …")
    errors: list[str] = []
    for job, result in executor.run(jobs):
        if isinstance(result, RenderFailed):
            errors.append(f"{job.label}: {result.message}")
            say(f"  {job.label:<22} FAILED on {result.worker}: {result.message}")
            continue
        task: RenderTask = job.args[0]
        for rel, data in result.files.items():
            atomic_write_bytes(settings.renders / rel, lambda fh, data=data: fh.write(data))
        rendered[job.label] = manim_run.record_render(by_name[job.label], fmt, task.key, result.seconds,
                                                      settings.renders)
        say(f"  {job.label:<22} rendered on {result.worker} in {result.seconds:.1f} s")
        if after is not None:
            after(by_name[job.label], rendered[job.label])
    if errors:
        raise manim_run.scenes_failed(errors)
    missing = [sj.name for sj in scene_jobs if sj.name not in rendered]
    if missing:
        raise GdevoError(f"no render came back for {', '.join(missing)}")
    return manim_run.Batch({sj.name: rendered[sj.name] for sj in scene_jobs}, simulated, sim_seconds,
                           time.perf_counter() - started)


def render_batch(scene_jobs: list, fmt, settings: Settings, force: bool = False, workers: int | None = None,
                 say: Callable[[str], None] | None = None, after: Callable | None = None):
    """Render SCENE_JOBS here (manim_run.render_many, one manim process per core) or, given the
    settings' Dask scheduler, on that cluster. Returns a manim_run.Batch."""
    from gdevo.executors import open_executor
    from gdevo.manim_run import render_many

    if not settings.scheduler:
        return render_many(scene_jobs, fmt, settings, force=force, workers=workers, say=say, after=after)
    with open_executor(settings.scheduler, connect_timeout=settings.connect_timeout) as executor:
        return render_many_on(executor, scene_jobs, fmt, settings, force=force, say=say, after=after)

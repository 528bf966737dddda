"""The one render engine: scenes, and the simulations of their missing traces, as jobs on one Executor.

`render_scenes` is what every render goes through (`gdevo render SCENE`, `render explainer`,
`render all`, the deck). A trace that is missing is simulated as a job (gdevo.runs.cells); a scene is
one job as soon as its traces are in the cache, so simulations run while the scenes whose traces
are ready already render. Up-to-date scenes start no job (gdevo.rendering.manim_run's stamps).

One job shape, two ways to run a scene, chosen by whether the executor shares this machine's files:
- a local executor runs manim here (`manim_run.render_scene_once` on a thread of this process:
  the job only drives the manim subprocess), writing straight into renders/;
- a Dask cluster gets the chapter with its traces' bytes (gdevo.rendering.remote.render_chapter)
  and sends back the movie, slides and log, which are written here and stamped.

AFTER(job, rendered) runs here, on the client, as soon as a scene's render is there (made now or
up to date): what is made from one scene (its narrated chapter file, GIFs, stills) is made while
the other scenes still render. A scene or trace that fails does not stop the others (failures come
back as values, gdevo.runs.jobs.Failed); the first failure is raised, as one line, once all are done.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from gdevo.rendering import manim_run
from gdevo.rendering.manim_run import Batch, Format, Rendered, SceneJob
from gdevo.rendering.remote import RenderedFiles, RenderTask, render_chapter
from gdevo.runs import jobs
from gdevo.runs.cells import write_cell
from gdevo.runs.executors import Executor, Job, open_executor
from gdevo.runs.jobs import Failed, failure_as_value, identity, task_for
from gdevo.settings import Settings
from sim.errors import GdevoError
from sim.trace import atomic_write_bytes

After = Callable[[SceneJob, Rendered], None]


def render_scenes(executor: Executor, scene_jobs: list[SceneJob], fmt: Format, settings: Settings,
                  force: bool = False, say: Callable[[str], None] | None = None, after: After | None = None,
                  encoders: int | None = None) -> Batch:
    """Simulate the missing traces and render every scene that is not up to date on EXECUTOR.

    SETTINGS travel in each job (a worker renders with the client's; only its folders are its own).

    ENCODERS: manim's background encoders per local render (a scene rendered alone, on idle cores).
    Returns every scene's render, in input order, and where the time went.
    """
    from sim.cache import resolve

    say = say or (lambda msg: None)
    started = time.perf_counter()
    needed = list(dict.fromkeys(t for sj in scene_jobs for t in sj.traces))
    resolved = {t: resolve(t, device=settings.device, here=False, cache=settings.cache, project=settings.project)
                for t in needed}
    missing = [t for t in needed if not resolved[t].path.is_file()]
    rendered: dict[str, Rendered] = {}
    errors: list[str] = []
    failed_traces: dict[str, str] = {}
    sims_done = [started if not missing else 0.0]
    to_render: list[SceneJob] = []
    for sj in scene_jobs:
        found = None if force else manim_run.find_render(sj, fmt, settings)
        if found is None:
            to_render.append(sj)
        else:
            rendered[sj.name] = found
            if after is not None:
                after(sj, found)
    waiting = {sj.name: {t for t in sj.traces if t in missing} for sj in to_render}
    by_name = {sj.name: sj for sj in scene_jobs}

    def scene_job(sj: SceneJob) -> Job:
        say(f"  {sj.name:<22} to render" + ("" if executor.shares_files else f" on {executor.description}"))
        if executor.shares_files:   # render here: the job drives manim, which writes into renders/
            return Job(sj.name, failure_as_value, (manim_run.render_scene_once, sj, fmt, settings, True, encoders),
                       in_thread=True)
        key = manim_run.render_key(sj, fmt, settings)
        traces = {resolved[t].path.name: resolved[t].path.read_bytes() for t in sj.traces}
        task = RenderTask(sj, fmt, settings, traces, key)
        return Job(sj.name, failure_as_value, (render_chapter, task, identity()))

    trace_of = {f"trace {t}": t for t in missing}   # a simulation job's label -> its trace

    def sim_job(t: str) -> Job:   # jobs.simulate_cell is looked up now: a test may stand in for it
        task = task_for(resolved[t])
        return Job(f"trace {t}", failure_as_value, (jobs.simulate_cell, task, identity()), gpu=task.device == "cuda",
                   first=True)

    def unlocked(t: str) -> list[Job]:
        """The scenes that waited only for trace T: rendered now, or failed with its reason."""
        ready = []
        for name, pending in waiting.items():
            if t in pending:
                pending.discard(t)
                if t in failed_traces:
                    pending.add(t)   # never rendered: reported below
                elif not pending:
                    ready.append(scene_job(by_name[name]))
        return ready

    def then(job: Job, result: Any) -> list[Job]:
        t = trace_of.get(job.label)
        if t is None:
            return []
        if isinstance(result, Failed):
            failed_traces[t] = result.message
            say(f"  simulating {t} FAILED: {result.message}")
        else:
            write_cell(resolved[t].path, result)
            say(f"  simulated {t} in {result.seconds:.1f} s")
        if all(u in failed_traces or resolved[u].path.is_file() for u in missing):
            sims_done[0] = time.perf_counter()
        return unlocked(t)

    sims = [sim_job(t) for t in missing]
    for t in missing:
        say(f"  simulating {t}" + ("" if executor.shares_files else f" on {executor.description}") + " …")
    ready_now = [scene_job(sj) for sj in to_render if not waiting[sj.name]]
    # Simulations first, on every worker: every render waits on one, and they are the longest jobs
    # (a fresh render on 2 cores spent 641 s simulating one at a time beside the renders, its critical
    # path). The renders they unlock queue behind them (Job.first), so no core waits at the end.
    for job, result in executor.run([*sims, *ready_now], then):
        if job.label in trace_of:
            continue   # written in THEN, before the scenes it unlocked were queued
        sj = by_name[job.label]
        if isinstance(result, Failed):
            errors.append(f"{sj.name}: {result.message}")
            say(f"  {sj.name:<22} FAILED" + (f" on {result.worker}" if not executor.shares_files else "")
                + f": {result.message}")
            continue
        r = result if isinstance(result, Rendered) else _keep_files(sj, fmt, job, result)
        rendered[sj.name] = r
        where = "" if isinstance(result, Rendered) else f" on {result.worker}"
        say(f"  {sj.name:<22} rendered{where} in {r.seconds:.1f} s")
        if after is not None:
            after(sj, r)
    for name, pending in waiting.items():
        if pending and name not in rendered:
            errors.append(f"{name}: {failed_traces[sorted(pending)[0]]}")
    if errors:
        raise manim_run.scenes_failed(errors)
    lost = [sj.name for sj in scene_jobs if sj.name not in rendered]
    if lost:
        raise GdevoError(f"no render came back for {', '.join(lost)}")
    sim_seconds = sims_done[0] - started if missing else 0.0
    return Batch({sj.name: rendered[sj.name] for sj in scene_jobs}, missing, sim_seconds,
                 time.perf_counter() - started)


def _keep_files(sj: SceneJob, fmt: Format, job: Job, result: RenderedFiles) -> Rendered:
    """Write a worker's files into the settings' renders (atomically) and stamp the render, as if
    manim ran here."""
    task: RenderTask = job.args[1]
    renders = task.settings.renders
    for rel, data in result.files.items():
        atomic_write_bytes(renders / rel, lambda fh, data=data: fh.write(data))
    return manim_run.record_render(sj, fmt, task.key, result.seconds, renders)


def render_batch(scene_jobs: list[SceneJob], fmt: Format, settings: Settings, force: bool = False,
                 workers: int | None = None, say: Callable[[str], None] | None = None,
                 after: After | None = None, encoders: int | None = None) -> Batch:
    """`render_scenes` on the executor for the settings' scheduler (--scheduler, else
    DASK_SCHEDULER_ADDRESS), else a local one."""
    with open_executor(settings.scheduler, workers, settings.connect_timeout) as executor:
        return render_scenes(executor, scene_jobs, fmt, settings, force=force, say=say, after=after,
                             encoders=encoders)

"""Traces simulated as jobs on an executor and written into this machine's cache as they come back.

Used by `gdevo sim`, sweeps and the render engine (gdevo.rendering.engine): a cell is one cached
trace, simulated by gdevo.runs.jobs.simulate_cell on a worker; the client writes its bytes atomically.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from gdevo.runs.executors import Executor, Job
from gdevo.runs.jobs import CellResult, CellTask, identity, simulate_cell
from sim.errors import GdevoError, TraceError
from sim.trace import atomic_write_bytes, load_trace, timing_path


def write_cell(path: Path, result: CellResult) -> None:
    """Write a worker's trace bytes into the client's cache, atomically (timing sidecar first)."""
    if result.timing is not None:
        atomic_write_bytes(timing_path(path), lambda fh: fh.write(result.timing))
    atomic_write_bytes(path, lambda fh: fh.write(result.trace))


def run_cells(items: list[tuple[str, Path, CellTask]], executor: Executor, force: bool = False,
              on_ready: Callable[[Path], None] | None = None, quiet: bool = False, what: str = "cells") -> int:
    """Simulate the traces not yet cached (or all, with force) on EXECUTOR and write them here.

    ITEMS are (label, cache path, task); equal paths are simulated once. ON_READY(path) is called
    for each path once its trace is in the cache (cached ones first). Returns how many were computed.
    """
    unique: dict[Path, tuple[str, CellTask]] = {}
    for label, path, task in items:
        unique.setdefault(path, (label, task))
    todo, ready = [], []
    for path, (label, task) in unique.items():
        if not force and path.is_file() and _loads(path):
            ready.append(path)
        else:
            todo.append(Job(label, simulate_cell, (task, identity()), gpu=task.device == "cuda"))
    for path in ready:
        if on_ready:
            on_ready(path)
    if not todo:
        return 0
    paths = {unique[p][0]: p for p in unique}
    done = 0
    try:
        with _progress(len(unique), len(ready), executor.description, quiet, what) as advance:
            for job, result in executor.run(todo):
                path = paths[job.label]
                write_cell(path, result)
                done += 1
                advance()
                if on_ready:
                    on_ready(path)
    except GdevoError as exc:
        kept = f"{len(ready) + done} of {len(unique)} {what} are in the cache; run again to resume"
        raise type(exc)(f"{exc} ({kept})") from None
    return len(todo)


def _loads(path: Path) -> bool:
    try:
        load_trace(path)
    except TraceError:
        return False
    return True


@contextmanager
def _progress(total: int, done: int, where: str, quiet: bool, what: str) -> Iterator[Callable[[], None]]:
    """A rich bar of done/total with the time left, on stderr (nothing when quiet)."""
    if quiet:
        yield lambda: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.progress import TimeRemainingColumn as Left

    console = Console(stderr=True)
    console.print(f"{total - done} of {total} {what} to simulate on {where}")
    with Progress(BarColumn(), MofNCompleteColumn(), TextColumn(what), TimeElapsedColumn(), TextColumn("left"),
                  Left(), console=console) as bar:
        task = bar.add_task(what, total=total, completed=done)
        yield lambda: bar.advance(task)

"""Where work runs: a local process pool (the default) or a running dask.distributed cluster.

Both take a list of Jobs (a module-level function and its arguments, so a worker imports the same
code instead of receiving pickled closures) and yield (job, result) as each finishes. Results are
plain values -- bytes for traces and rendered files -- that the caller writes atomically on the
client, so no filesystem is shared and a job that dies never leaves a partial output.

A job may lead to more: `run(jobs, then=...)` asks THEN(job, result) for the jobs that became
runnable (a chapter whose trace has just come back) and runs them in the same batch. A local
executor runs a job marked `in_thread` (one that only drives a subprocess: manim) on a thread of
this process instead of a pool process; threads and processes share the same WORKERS slots.

The first failing job cancels the rest and raises one GdevoError line; results already yielded
are the caller's to keep. Ctrl-C cancels every job (local workers are terminated; nothing queued
starts) and re-raises.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from gdevo.runs.jobs import PRELOAD, set_scratch
from sim.errors import GdevoError

POOL_RESTARTS = 2            # a local pool whose worker process died is restarted this often
POLL_S = 2.0                 # how often a waiting client checks that workers are left
NO_WORKER_GRACE_S = 60.0     # how long jobs may wait for a worker to (re)join before the client gives up
CONNECT_TIMEOUT_S = 10.0     # seconds to reach the scheduler and see a worker (GDEVO_CONNECT_TIMEOUT, gdevo.settings)
_ADDRESS = re.compile(r"^(tcp|tls)://(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$")


class SchedulerError(GdevoError):
    """The Dask scheduler cannot be reached, or the connection to it was lost."""


@dataclass(frozen=True)
class Job:
    """One unit of work: `fn(*args)` on some worker. `gpu` routes it to workers with a GPU resource."""

    label: str
    fn: Callable[..., Any]
    args: tuple = ()
    gpu: bool = False
    in_thread: bool = False     # it only waits on a subprocess: a local executor runs it on a thread here
    first: bool = False         # others wait on it (a simulation): starts before any follow-up queued after it


def queue_follow_ups(queue: deque[Job], follow_ups: list[Job]) -> None:
    """Put FOLLOW-UPS at the front of QUEUE (they were waited for), but behind the queued jobs
    marked `first`: the simulations everything else waits for start before renders they unlocked,
    so both cores simulate at once and the renders follow, instead of one core simulating alone
    behind a queue of renders (on 2 cores the simulations were the fresh render's critical path)."""
    k = 0
    while k < len(queue) and queue[k].first:
        k += 1
    for job in reversed(follow_ups):
        queue.insert(k, job)


Then = Callable[[Job, Any], list[Job]]   # the jobs a finished job makes runnable


@dataclass
class Executor:
    """The interface: `run(jobs, then)` yields (job, result) in completion order, follow-ups included."""

    description: str = "executor"
    workers: int = 1
    shares_files = False    # whether jobs see this machine's files (a local pool) or only their arguments

    def run(self, jobs: list[Job], then: Then | None = None) -> Iterator[tuple[Job, Any]]:
        raise NotImplementedError

    def has_gpu(self) -> bool:
        """Whether a job with gpu=True can run here."""
        return False

    def close(self) -> None:
        pass


def _job_error(job: Job, exc: BaseException) -> GdevoError:
    if isinstance(exc, GdevoError):
        return exc
    return GdevoError(f"{job.label} failed on a worker: {type(exc).__name__}: {exc}")


# ------------------------------------------------------------------------------------ local pool


def _local_worker_init(scratch: str, torch_threads: int) -> None:
    """Pool processes leave Ctrl-C to the client (which terminates them) and share the cores."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})   # blocked only while the forkserver started
    set_scratch(scratch)
    import torch

    torch.set_num_threads(torch_threads)


@dataclass
class LocalExecutor(Executor):
    """A process pool on this machine, one worker per core by default.

    Processes come from a forkserver that imports torch and the experiments once, so each worker
    starts without importing them again and never inherits a parent's torch thread pool. One job
    (or one worker) runs in this process: no pool is started for it. A job marked `in_thread` runs
    on a thread here (it waits on a subprocess); no pool is started for those either.
    """

    description: str = "local pool"
    shares_files = True
    _scratch: str = field(default="", init=False)

    def __post_init__(self) -> None:
        self.workers = max(1, self.workers)
        self.description = f"local pool of {self.workers} process{'es' if self.workers > 1 else ''}"
        self._scratch = tempfile.mkdtemp(prefix="gdevo-pool-")

    def has_gpu(self) -> bool:
        import torch

        return torch.cuda.is_available()

    def run(self, jobs: list[Job], then: Then | None = None) -> Iterator[tuple[Job, Any]]:
        """Up to WORKERS jobs at once, in order, follow-ups first (they were waited for) after queued `first` jobs."""
        from concurrent.futures import FIRST_COMPLETED, CancelledError, ThreadPoolExecutor, wait
        from concurrent.futures.process import BrokenProcessPool

        if not jobs:
            return
        self._check_gpu(jobs)
        if self.workers == 1 or (len(jobs) == 1 and then is None):   # one at a time: here, with no pool
            yield from self._inline(jobs, then)
            return
        queue, running = deque(jobs), {}
        threads = ThreadPoolExecutor(self.workers, thread_name_prefix="gdevo-job")
        pool, restarts, finished = None, 0, False
        try:
            while queue or running:
                while queue and len(running) < self.workers:   # submitted here, so nothing queued starts after Ctrl-C
                    job = queue.popleft()
                    if job.in_thread:
                        running[threads.submit(job.fn, *job.args)] = (job, None)
                        continue
                    if pool is None:
                        pool = self._pool()
                    with ctrl_c_deferred():   # the first submits fork the workers (see _start_forkserver)
                        running[pool.submit(job.fn, *job.args)] = (job, pool)
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for fut in done:
                    job, where = running.pop(fut)
                    try:
                        result = self._result(fut, job)
                    except (BrokenProcessPool, CancelledError):   # a worker process died (killed, out of
                        queue.appendleft(job)                        # memory), or its pool was stopped: rerun
                        if where is not None and where is pool:
                            self._stop(pool)
                            pool, restarts = None, restarts + 1
                            if restarts > POOL_RESTARTS:
                                raise GdevoError(f"local worker processes died {restarts} times (killed, or out of "
                                                 f"memory?); {len(queue)} jobs not run") from None
                        continue
                    if then is not None:   # queued before the caller handles this result, so slots stay busy
                        queue_follow_ups(queue, then(job, result))
                    yield job, result
            finished = True
        finally:   # failed or interrupted: nothing queued starts, pool processes are terminated
            threads.shutdown(wait=finished, cancel_futures=True)
            if pool is not None and finished:
                pool.shutdown(wait=True)
            elif pool is not None:
                self._stop(pool)

    def _check_gpu(self, jobs: list[Job]) -> None:
        if any(j.gpu for j in jobs) and not self.has_gpu():
            raise GdevoError(f"{next(j for j in jobs if j.gpu).label} needs cuda, and this machine has none; "
                             "use --device cpu or --scheduler with GPU workers")

    def _pool(self):
        """A process pool of WORKERS processes forked from a forkserver that imported PRELOAD."""
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(PRELOAD)
        _start_forkserver()
        threads = max(1, (os.cpu_count() or 1) // self.workers)
        return ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=_local_worker_init,
                                   initargs=(self._scratch, threads))

    @staticmethod
    def _result(fut, job: Job) -> Any:
        from concurrent.futures import CancelledError
        from concurrent.futures.process import BrokenProcessPool

        try:
            return fut.result()
        except (BrokenProcessPool, CancelledError):
            raise
        except Exception as exc:
            raise _job_error(job, exc) from None

    @staticmethod
    def _stop(pool) -> None:
        """Cancel what has not started; terminate what runs (3.11's pool cannot stop a running job;
        3.14 adds terminate_workers()).

        A worker terminated while it sends a result (a trace's bytes) leaves the pool's manager
        thread waiting for the rest of that message, and shutdown(wait=True) would wait forever:
        this process holds the last write end of the result pipe. Closing it once the workers are
        gone ends that wait (EOF); the pool then sees itself broken and its thread ends.
        """
        procs = list((pool._processes or {}).values())
        results, manager = pool._result_queue, pool._executor_manager_thread
        pool.shutdown(wait=False, cancel_futures=True)   # the pool cancels its queued jobs itself
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.join()
        if results is not None:
            results._writer.close()
        if manager is not None:
            manager.join()

    def _inline(self, jobs: list[Job], then: Then | None) -> Iterator[tuple[Job, Any]]:
        queue = deque(jobs)
        while queue:
            job = queue.popleft()
            set_scratch(self._scratch)
            try:
                result = job.fn(*job.args)
            except Exception as exc:
                raise _job_error(job, exc) from None
            finally:
                set_scratch(None)
            if then is not None:
                queue_follow_ups(queue, then(job, result))
            yield job, result

    def close(self) -> None:
        import shutil

        shutil.rmtree(self._scratch, ignore_errors=True)


@contextmanager
def ctrl_c_deferred() -> Iterator[None]:
    """Hold a Ctrl-C (SIGINT) until the block is done; it is raised, as usual, right after.

    Two holds: this thread's signal mask, which processes started in the block inherit, and a
    handler that notes the signal, since the kernel may deliver it to another of our threads
    (the pool's manager thread), whose Python handler would still interrupt this one. Handlers
    belong to the main thread: elsewhere only the mask holds.
    """
    main = threading.current_thread() is threading.main_thread()
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum)) if main else None
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)   # a held SIGINT arrives now, and is noted
        if main:   # None: a handler not set from Python, which cannot be put back
            signal.signal(signal.SIGINT, signal.SIG_DFL if previous is None else previous)
    if caught and callable(previous):
        previous(signal.SIGINT, None)   # Python's default handler raises KeyboardInterrupt
    elif caught and previous == signal.SIG_DFL:
        raise KeyboardInterrupt


def _start_forkserver() -> None:
    """Start the pool's forkserver, and later fork the workers, with Ctrl-C held.

    The forkserver imports PRELOAD (seconds of torch) before it ignores SIGINT itself, and a
    worker requested then is forked after the client has gone, from the client's deleted
    semaphores: either prints a traceback. So a Ctrl-C during start-up takes effect once the
    workers exist (the forkserver and workers inherit the held signal; workers ignore it). The
    resource tracker starts first, because its own start releases SIGINT on the way out.
    """
    from multiprocessing import forkserver, resource_tracker

    resource_tracker.ensure_running()
    with ctrl_c_deferred():
        forkserver.ensure_running()


# ------------------------------------------------------------------------------------ dask


def check_address(address: str) -> str:
    address = address.strip()
    m = _ADDRESS.match(address)
    if not m or not 0 < int(m.group(3)) < 65536:
        raise SchedulerError(f"scheduler address {address!r} is not of the form tcp://HOST:PORT")
    return address


def _quiet_dask_logs() -> None:
    """Dask logs reconnect attempts and tracebacks; the CLI reports one line instead."""
    for name in ("distributed", "distributed.client", "distributed.core", "distributed.comm", "tornado"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


class DaskExecutor(Executor):
    """Jobs submitted to a running dask.distributed scheduler (`dask scheduler` + `dask worker`)."""

    def __init__(self, address: str, connect_timeout: float = CONNECT_TIMEOUT_S) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise GdevoError("--scheduler needs Dask: pip install 'gdevo[cluster]' "
                             "(or scripts/setup.sh --cluster)") from None
        self.address = check_address(address)
        _quiet_dask_logs()
        try:
            self.client = Client(self.address, timeout=f"{connect_timeout}s", set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise SchedulerError(f"cannot reach the dask scheduler at {self.address} "
                                 f"({_first_line(exc) or type(exc).__name__})") from None
        try:
            self._check_workers(connect_timeout)
        except BaseException:
            self.client.close()
            raise
        super().__init__(f"dask scheduler {self.address} ({self.workers} worker{'s' * (self.workers != 1)})",
                         self.workers)

    def _check_workers(self, timeout: float) -> None:
        """Every connected worker must run the client's gdevo (version + sim code hash)."""
        from gdevo.runs.jobs import describe, identity

        try:
            self.client.wait_for_workers(1, timeout=timeout)
        except (TimeoutError, OSError):
            raise SchedulerError(f"no workers are connected to the dask scheduler at {self.address}; "
                                 f"start one with: dask worker {self.address}") from None
        mine = identity()
        try:
            theirs = self.client.run(identity)
        except Exception as exc:
            raise GdevoError(f"a worker of {self.address} cannot run gdevo ({type(exc).__name__}: "
                             f"{_first_line(exc)}); install the client's gdevo on every worker") from None
        for addr, ident in sorted(theirs.items()):
            if ident != mine:
                raise GdevoError(f"worker {addr} runs {describe(ident)}, this client {describe(mine)}; "
                                 "install the same gdevo on every worker (see README: Sweeps on a cluster)")
        self.workers = len(theirs)

    def has_gpu(self) -> bool:
        info = self.client.scheduler_info().get("workers", {})
        return any(w.get("resources", {}).get("GPU", 0) >= 1 for w in info.values())

    def run(self, jobs: list[Job], then: Then | None = None) -> Iterator[tuple[Job, Any]]:
        from distributed import wait

        if not jobs:
            return
        futures: dict = {}

        def submit(more: list[Job]) -> set:
            if any(j.gpu for j in more) and not self.has_gpu():
                raise GdevoError(f"{next(j for j in more if j.gpu).label} needs cuda, but no worker of "
                                 f"{self.address} has a GPU resource; start one with: "
                                 "dask worker ADDRESS --resources GPU=1")
            new = {self.client.submit(j.fn, *j.args, pure=False, key=f"gdevo-{j.label}-{os.urandom(6).hex()}",
                                      resources={"GPU": 1} if j.gpu else None): j for j in more}
            futures.update(new)
            return set(new)

        pending, stranded_since = submit(jobs), None
        try:
            while pending:
                try:
                    with self.client.as_current():   # distributed.wait uses the current client
                        done, pending = wait(pending, timeout=POLL_S, return_when="FIRST_COMPLETED")
                except TimeoutError:
                    done = set()
                except Exception as exc:   # the client gave up on the scheduler (its futures are cancelled)
                    why = "" if "Cancelled" in type(exc).__name__ else f" ({type(exc).__name__}: {_first_line(exc)})"
                    raise SchedulerError(f"lost the dask scheduler at {self.address}{why}") from None
                if not done:   # nothing finished for a while: is anyone left to run what is pending?
                    stranded_since = self._check_workers_left(pending, futures, stranded_since)
                    continue
                stranded_since = None
                for fut in done:
                    job = futures[fut]
                    try:
                        result = fut.result()
                    except Exception as exc:
                        raise self._error(job, exc) from None
                    if then is not None:
                        pending |= submit(then(job, result))
                    yield job, result
                    fut.release()
        except BaseException:
            if self.client.status == "running":
                try:
                    self.client.cancel(list(futures), force=True)
                except Exception:
                    pass   # the scheduler is gone: nothing left to cancel
            raise

    def _check_workers_left(self, pending: set, futures: dict, since: float | None) -> float | None:
        """Dask keeps tasks waiting until a worker that can run them joins; after NO_WORKER_GRACE_S
        without one (every worker died, or the GPU workers did), stop with one line instead of waiting."""
        import time

        if self.client.status != "running":
            raise SchedulerError(f"lost the dask scheduler at {self.address}")
        try:
            workers = self.client.scheduler_info()["workers"].values()
        except Exception:
            raise SchedulerError(f"lost the dask scheduler at {self.address}") from None
        gpu = any(w.get("resources", {}).get("GPU", 0) >= 1 for w in workers)
        runnable = bool(workers) and (gpu or not any(futures[f].gpu for f in pending))
        if runnable:
            return None
        since = since or time.monotonic()
        if time.monotonic() - since > NO_WORKER_GRACE_S:
            what = "no workers" if not workers else "no worker with a GPU resource"
            raise SchedulerError(f"the dask scheduler at {self.address} has had {what} for "
                                 f"{NO_WORKER_GRACE_S:.0f} s; {len(pending)} jobs cannot run")
        return since

    def _error(self, job: Job, exc: BaseException) -> GdevoError:
        from distributed import KilledWorker
        from distributed.comm import CommClosedError

        if self.client.status != "running" or type(exc).__name__ in ("CancelledError", "FutureCancelledError"):
            return SchedulerError(f"lost the dask scheduler at {self.address}")
        if isinstance(exc, CommClosedError | ConnectionError):   # the client's link broke while it gathered the
            # result (a scheduler killed mid-sweep, before the client's status says so); a job's own errors
            # arrive as their own types
            return SchedulerError(f"lost the dask scheduler at {self.address} ({type(exc).__name__}: "
                                  f"{_first_line(exc)})")
        if isinstance(exc, KilledWorker):
            return GdevoError(f"{job.label} was running on every worker that died (out of memory?); giving up")
        return _job_error(job, exc)

    def close(self) -> None:
        try:
            self.client.close(timeout=5)
        except Exception:
            pass   # closing a client whose scheduler is gone may time out; nothing to keep


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else ""


@contextmanager
def open_executor(scheduler: str | None = None, workers: int | None = None,
                  connect_timeout: float = CONNECT_TIMEOUT_S) -> Iterator[Executor]:
    """The executor to use: the Dask scheduler given (the settings' scheduler: --scheduler, else
    DASK_SCHEDULER_ADDRESS), else a local pool."""
    if workers is not None and workers < 1:
        raise GdevoError(f"--workers must be at least 1, got {workers}")
    executor: Executor = (DaskExecutor(scheduler, connect_timeout) if scheduler
                          else LocalExecutor(workers=workers or os.cpu_count() or 1))
    try:
        yield executor
    finally:
        executor.close()

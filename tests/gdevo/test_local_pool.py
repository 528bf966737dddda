"""Ctrl-C with the local process pool: the client stops at once, with one line, in every phase.

Each case runs a small client in its own process group and interrupts it as a terminal would.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.gdevo.interrupt import finish, start

CLIENT = """
import sys, time
import gdevo.runs.executors as ex
from tests.gdevo.pool_jobs import big_result

ex.PRELOAD = ex.PRELOAD + ["tests.gdevo.slow_import"]

def main():
    try:
        with ex.open_executor(workers=2) as pool:
            for job, result in pool.run([ex.Job(f"j{i}", big_result, (i, SIZE)) for i in range(JOBS)]):
                time.sleep(0.03)
                if RAISE:
                    raise KeyboardInterrupt   # Ctrl-C while the client writes a result
    except KeyboardInterrupt:
        print("gdevo: interrupted", file=sys.stderr)
        return 130
    return 0

if __name__ == "__main__":
    sys.exit(main())
"""


def client(tmp_path: Path, size: int, jobs: int, raise_: bool, slow_import: float = 0) -> subprocess.Popen:
    script = tmp_path / "client.py"
    script.write_text(CLIENT.replace("SIZE", str(size)).replace("JOBS", str(jobs)).replace("RAISE", str(raise_)))
    return start([str(script)], {"GDEVO_TEST_SLOW_IMPORT": str(slow_import)})


@pytest.mark.slow
def test_ctrl_c_while_a_worker_sends_a_large_result_stops_at_once(tmp_path):
    # A worker terminated mid-send once left the pool's reader waiting forever (CI hung here).
    proc = client(tmp_path, size=64_000_000, jobs=12, raise_=True)
    _, err = finish(proc)
    assert proc.returncode == 130 and err.strip() == "gdevo: interrupted", err


@pytest.mark.slow
def test_ctrl_c_while_the_pool_starts_is_one_line(tmp_path):
    # The forkserver imports the workers' modules first (here: 4 s); Ctrl-C then must not print its traceback.
    proc = client(tmp_path, size=10, jobs=4, raise_=False, slow_import=4)
    time.sleep(2.5)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = finish(proc)
    assert proc.returncode == 130 and err.strip() == "gdevo: interrupted", err


@pytest.mark.slow
def test_a_pool_started_off_the_main_thread_runs(tmp_path):
    # Signal handlers can only be set on the main thread; off it, start-up holds Ctrl-C by the mask alone.
    import threading

    from gdevo.runs.executors import Job, LocalExecutor
    from tests.gdevo.pool_jobs import big_result

    got: dict[str, object] = {}

    def run() -> None:
        pool = LocalExecutor(workers=2)
        try:
            jobs = [Job(f"j{i}", big_result, (i, 10 + i)) for i in range(4)]
            got["sizes"] = sorted(len(result) for _, result in pool.run(jobs))
        except BaseException as exc:   # reported below, in the test's thread
            got["error"] = exc
        finally:
            pool.close()

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(120)
    assert got == {"sizes": [10, 11, 12, 13]}

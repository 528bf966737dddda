"""A real Dask cluster on 127.0.0.1 (a `dask scheduler` and N `dask worker` processes), for the
tests and the sweep benchmark: the same commands a user runs on a cluster, started and always
stopped here. Workers run without a nanny (so a SIGKILL really kills a worker) and each gets its
own working folder and trace cache: nothing is shared with the client but the network.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sim.cache import ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LocalCluster:
    address: str
    folder: Path
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)

    def start(self, name: str, cmd: list[str]) -> subprocess.Popen:
        """Start one process in its own folder (the jobs it runs carry their own cache and renders
        folders: gdevo.runs.jobs, gdevo.rendering.remote)."""
        home = self.folder / name
        home.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
        with open(self.folder / f"{name}.log", "w") as log:
            self.procs[name] = subprocess.Popen(cmd, cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT)
        return self.procs[name]

    def start_worker(self, name: str, resources: str | None = None) -> subprocess.Popen:
        """A single-threaded worker without a nanny; RESOURCES as `dask worker --resources` takes them."""
        return self.start(name, [*_dask("worker"), self.address, "--nthreads", "1", "--no-nanny", "--no-dashboard",
                                 "--name", name, "--host", "127.0.0.1", "--preload", "gdevo.runs.jobs",
                                 *(["--resources", resources] if resources else [])])

    def wait_for_workers(self, n: int, timeout_s: float = 120) -> None:
        from distributed import Client

        with Client(self.address, timeout=f"{timeout_s}s", set_as_default=False) as client:
            client.wait_for_workers(n, timeout=timeout_s)


def _dask(tool: str) -> list[str]:
    return [sys.executable, "-m", f"distributed.cli.dask_{tool}"]


@contextmanager
def local_cluster(folder: Path, n_workers: int = 2, start_timeout_s: float = 120) -> Iterator[LocalCluster]:
    """Start a scheduler and N single-threaded workers; yield once all N are connected; stop them all."""
    cluster = LocalCluster(f"tcp://127.0.0.1:{free_port()}", Path(folder))
    try:
        cluster.start("scheduler", [*_dask("scheduler"), "--host", "127.0.0.1", "--port",
                                    cluster.address.rsplit(":", 1)[1], "--no-dashboard"])
        for i in range(n_workers):
            cluster.start_worker(f"worker{i}")
        cluster.wait_for_workers(n_workers, start_timeout_s)
        yield cluster
    finally:
        for p in cluster.procs.values():
            if p.poll() is None:
                p.terminate()
        for p in cluster.procs.values():
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=15)

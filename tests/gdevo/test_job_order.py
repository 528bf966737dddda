"""Simulations start before the renders they unlock (Job.first), on every executor path."""

from __future__ import annotations

from collections import deque

import pytest

from gdevo.runs.executors import Job, LocalExecutor, queue_follow_ups


def _noop(label: str) -> str:
    return label


def test_follow_ups_go_first_but_behind_queued_first_jobs():
    queue = deque([Job("sim b", _noop, first=True), Job("sim c", _noop, first=True), Job("render x", _noop)])
    queue_follow_ups(queue, [Job("render a1", _noop), Job("render a2", _noop)])
    assert [j.label for j in queue] == ["sim b", "sim c", "render a1", "render a2", "render x"]
    plain = deque([Job("render x", _noop)])
    queue_follow_ups(plain, [Job("render a1", _noop)])
    assert [j.label for j in plain] == ["render a1", "render x"]   # no first jobs: follow-ups lead, as before


@pytest.mark.parametrize("workers", [1, 2])
def test_every_simulation_starts_before_a_render_it_unlocked(workers):
    sims = [Job(f"sim {k}", _noop, (f"sim {k}",), first=True, in_thread=True) for k in range(4)]

    def then(job: Job, result: str) -> list[Job]:
        return [Job(f"render after {job.label}", _noop, (job.label,), in_thread=True)] if job.first else []

    executor = LocalExecutor(workers=workers)
    order = [job.label for job, _ in executor.run(sims, then)]
    last_sim = max(order.index(s.label) for s in sims)
    renders = [i for i, label in enumerate(order) if label.startswith("render")]
    assert len(renders) == 4
    # with 2 workers a render may finish beside the last simulation, never before the second-to-last starts
    assert sum(i < last_sim for i in renders) <= workers - 1

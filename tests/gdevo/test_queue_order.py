"""Follow-up jobs (renders a finished simulation unlocked) queue behind the simulations still waiting."""

from __future__ import annotations

from collections import deque

from gdevo.runs.executors import Job, LocalExecutor, queue_follow_ups


def _job(label: str, lead: bool = False) -> Job:
    return Job(label, str, (label,), lead=lead)


def _labels(queue) -> list[str]:
    return [j.label for j in queue]


def test_follow_ups_go_to_the_front_but_behind_the_lead_jobs_there():
    queue = deque([_job("sim b", True), _job("sim c", True), _job("render x")])
    queue_follow_ups(queue, [_job("render f1"), _job("render f2")])
    assert _labels(queue) == ["sim b", "sim c", "render f1", "render f2", "render x"]
    queue = deque([_job("render x"), _job("sim c", True)])   # only the leads at the front stay ahead
    queue_follow_ups(queue, [_job("render f1")])
    assert _labels(queue) == ["render f1", "render x", "sim c"]


def test_a_pool_starts_every_simulation_before_the_renders_they_unlocked():
    unlocks = {"sim a": ["render a1", "render a2"], "sim b": ["render b"], "sim c": []}
    pool = LocalExecutor(workers=1)
    try:
        done = [job.label for job, _ in pool.run([_job(s, True) for s in unlocks],
                                                  lambda job, _: [_job(r) for r in unlocks.get(job.label, [])])]
    finally:
        pool.close()
    assert done == ["sim a", "sim b", "sim c", "render b", "render a1", "render a2"]

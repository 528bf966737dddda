"""Chapter 10 ends on the local-minimum landscape with every run where the trace puts it."""

from __future__ import annotations

import pytest

from scenes.ch10_momentum_adam import MomentumAdam
from scenes.kit.panels import fmt_loss
from tests.framecheck import nearest_match, render_last_frame
from tests.scenes.gd_traces import local_minimum_trace, shows, sine_trace


@pytest.fixture(scope="module")
def rendered():
    return render_last_frame(MomentumAdam, width=854, height=480,
                             traces={"sine-2d": sine_trace(), "local-minimum": local_minimum_trace()})


def test_deep_start_markers_sit_at_their_final_parameters(rendered):
    scene, frame = rendered
    lm = local_minimum_trace()
    for name, mark in zip(("momentum-deep", "adam-deep"), scene.markers, strict=True):
        xy = scene.to_pixel(scene.view.point(lm.run(name)["params"][-1]))
        assert nearest_match(frame, xy, mark.get_color(), radius=2) < 60, name


def test_local_minima_are_ringed_where_the_trace_marks_them(rendered):
    scene, frame = rendered
    lm = local_minimum_trace()
    from manim import WHITE

    hits = 0
    for p in lm["landscape/minima"][1:]:
        x, y = scene.to_pixel(scene.view.point(p))
        ring = [(x + dx, y + dy) for dx, dy in ((7, 0), (-7, 0), (0, 7), (0, -7))]
        hits += sum(nearest_match(frame, q, WHITE, radius=1) < 80 for q in ring) >= 2
    assert hits >= len(lm["landscape/minima"][1:]) - 1


def test_numbers_come_from_the_trace(rendered):
    scene, _ = rendered
    lm = local_minimum_trace()
    for name in ("sgd", "momentum", "adam", "momentum-deep", "adam-deep"):
        run = lm.run(name)
        assert shows(scene, f"step {run.steps} · loss {fmt_loss(run['loss'][-1])}"), name


def test_runs_that_end_alike_are_said_together():
    """'both end at 0.46', not 'Momentum ends at 0.46 and Adam ends at 0.46' (the second start's line)."""
    from types import SimpleNamespace

    from scenes.kit.claims import Claims

    class Run(SimpleNamespace):
        def __getitem__(self, key):
            return [1.0, self.final]

    scene = SimpleNamespace(claims=Claims())
    short = {"label": lambda r: r.meta["label"].split(",")[0], "where": False}
    alike = [Run(meta={"label": "Momentum, deep", "trapped": True}, final=0.4612),
             Run(meta={"label": "Adam, deep", "trapped": True}, final=0.4598)]
    assert MomentumAdam._endings(scene, alike, **short) == "both end at 0.46"
    apart = [alike[0], Run(meta={"label": "Adam, deep", "trapped": False}, final=0.012)]
    assert MomentumAdam._endings(scene, apart, **short) == "Momentum ends at 0.46 and Adam ends at 0.012"
    three = [*alike, Run(meta={"label": "SGD", "trapped": True}, final=0.46)]
    assert MomentumAdam._endings(scene, three) == "all three end at 0.46, in a local minimum"


def test_why_draws_the_recorded_steps_as_bars_with_their_numbers(rendered):
    """Momentum's first step lengths and Adam's first step against its gradient, part by part: bar heights
    in the ratios of the trace's numbers, each number under its bar."""
    import numpy as np

    from scenes.kit import speech

    scene, _frame = rendered
    momentum, adam = sine_trace().run("momentum"), sine_trace().run("adam")
    m_bars, pairs = scene.why_bars
    lengths = np.linalg.norm(np.diff(momentum["params"], axis=0), axis=1)[: len(m_bars[0])]
    heights = np.array([b.height for b in m_bars[0]])
    np.testing.assert_allclose(heights / heights.max(), lengths / lengths.max(), rtol=1e-3)
    assert [t.text for t in m_bars[1]] == [speech.number(v) for v in lengths]
    step = np.abs(adam["params"][1] - adam["params"][0])
    for pair, values in zip(pairs, (np.abs(adam["grad"][0]), step), strict=True):
        bars, numbers = pair[0]
        h = np.array([b.height for b in bars])
        np.testing.assert_allclose(h / h.max(), values / values.max(), rtol=1e-3)
        assert [t.text for t in numbers] == [speech.number(v) for v in values]

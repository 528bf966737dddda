"""ch13: the shown saddle's eigenvalues are drawn where the trace puts them, coloured by sign; the
sentences about saddles and about network size follow the trace's predicates."""

from __future__ import annotations

import numpy as np
import pytest
from manim import ManimColor

from scenes.ch13_saddles import NEG, POS, ZERO, Saddles, saddle_lines, symlog, trend_lines
from sim.experiments.saddles import simulate, size_trend, wilson
from tests.framecheck import nearest_match, render_last_frame
from tests.sim.test_saddles import tiny


class FirstPart(Saddles):
    """Only the shown saddle (its strip and slices stay on screen for the frame check)."""

    def construct(self) -> None:
        tr = self.trace("saddles")
        self.saddle_part(tr, tr.stats["showcase"], clear=False)


@pytest.fixture(scope="module")
def rendered():
    tr = simulate(tiny(), "saddles")
    scene, frame = render_last_frame(FirstPart, width=854, height=480, traces={"saddles": tr})
    return tr, scene, frame


def test_the_saddles_eigenvalues_are_drawn_where_the_trace_puts_them(rendered):
    tr, scene, frame = rendered
    ev = tr["showcase/eigvals"]
    assert (ev < 0).any() and (ev > 0).any()
    tol = tr.meta["config"]["search"]["eig_tol"] * np.abs(ev).max()
    assert [NEG if v < -tol else POS if v > tol else ZERO for v in ev].count(ZERO) == tr.stats["showcase"]["zero"]
    for y, v in zip(symlog(ev), ev, strict=True):
        colour = ManimColor(NEG if v < -tol else POS if v > tol else ZERO)
        assert nearest_match(frame, scene.to_pixel(scene.strip_point(float(y))), colour, radius=3) < 70, y


def stats(*kn, sizes=(7, 49)):
    per = [{"distinct": n, "saddles": k, "ci_low": wilson(k, n)[0], "ci_high": wilson(k, n)[1]} for k, n in kn]
    return {"nets": per, "trend": size_trend(per, list(sizes))}, [{"n_params": s} for s in sizes]


def test_a_trend_is_claimed_only_when_the_intervals_separate():
    clear = " ".join(trend_lines(*stats((2, 20), (18, 20))))
    assert "Larger networks: more saddles" in clear and "no clear trend" not in clear
    reviewer = " ".join(trend_lines(*stats((3, 5), (3, 4))))   # the counts issue 17 found
    assert "no clear trend" in reviewer and "more saddles" not in reviewer
    assert "3 of 5 at 7 parameters, 3 of 4 at 49" in reviewer
    fewer = " ".join(trend_lines(*stats((18, 20), (2, 20))))
    assert "fewer saddles" in fewer and "more saddles" not in fewer
    none = " ".join(trend_lines(*stats((3, 5), (0, 0), sizes=(7, 61))))
    assert "At 61 parameters the search found none" in none and "trend" not in none


def test_most_are_saddles_only_when_true_at_every_size():
    assert "most are saddles" in " ".join(trend_lines(*stats((3, 5), (3, 4))))
    assert "most are saddles" not in " ".join(trend_lines(*stats((2, 5), (3, 4))))


def test_the_saddle_is_named_only_when_the_slices_fall_and_rise():
    show = {"start_step": 20, "start_grad_norm": 0.1, "grad_norm": 1e-7, "loss": 0.3, "negative": 1, "zero": 0,
            "positive": 2}
    dips, rises = np.array([0.2, 0.3, 0.25]), np.array([0.5, 0.3, 0.4])
    assert "a saddle" in " ".join(saddle_lines(show, dips, rises))
    assert "a saddle" not in " ".join(saddle_lines(show, np.array([0.2, 0.3, 0.35]), rises))


def test_one_saddle_and_one_value_are_said_as_one():
    """On the stress data one saddle of five, all at one loss, came out as 'In all, 1 of 5 are saddles' and
    'The saddles sit at losses from 0.18 to 0.18'."""
    from scenes.ch13_saddles import span

    one = {"min": 0.181, "max": 0.183, "n": 1}
    assert span(one) == "at 0.18" and span(one, joiner="to").startswith("0.18") and "to" not in span(one, joiner="to")
    assert span({"min": 0.17, "max": 0.45, "n": 3}) == "from 0.17 to 0.45"
    assert "1 of 5 is a saddle" in " ".join(trend_lines(*stats((1, 5), (0, 0), sizes=(7, 61))))


def test_no_saddle_is_said_plainly():
    """'In all, 0 of 1 are saddles' (the flat stress data) after 'The search found no saddle'."""
    assert "The one critical point found is not a saddle." in trend_lines(*stats((0, 1), (0, 0), sizes=(7, 61)))
    assert "None of the 4 critical points found is a saddle." in trend_lines(*stats((0, 4), (0, 0), sizes=(7, 61)))


def test_the_trend_verdict_is_a_claim_the_claims_test_accepts():
    """On the film's own traces the claims test found 'says trend without a claim that tested it': the
    stress data never reach two sizes with critical points, so the verdict was never checked there."""
    from scenes.kit.claims import Claims
    from tests.scenes.claimcheck import beat_problems

    claims = Claims()
    line = " ".join(trend_lines(*stats((3, 5), (3, 4)), claims))
    screen = [line]   # every number on screen: only the words are judged here
    assert not beat_problems(line, screen, set(), claims.pending)
    assert any("trend" in p for p in beat_problems(line, screen, set(), []))

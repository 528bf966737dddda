"""The claims rules (tests/scenes/claimcheck.py, scenes/kit/claims.py) on their own, and on the errors
the explainer's review found: each of those, put back into a line, fails the test."""

from __future__ import annotations

import pytest

from scenes.kit.claims import Claims, colour_name
from scenes.kit.palette import DARK, LIGHT
from tests.scenes.claimcheck import beat_problems, numbers


def values(text: str) -> list[float]:
    return [v for v, _, _ in numbers(text)]


def test_numbers_are_read_in_every_form_a_line_or_a_label_writes():
    assert values("loss 0.0015, then 12,000 evaluations") == [0.0015, 12000.0]
    assert values("about 3.2 × 10⁻⁷") == pytest.approx([3.2e-7])
    assert values("3.2\\times10^{-7}") == pytest.approx([3.2e-7])
    assert values("1.7e-08 and 2.4 million") == pytest.approx([1.7e-8, 2.4e6])
    assert values("minus 3 and −0.5") == [-3.0, -0.5]
    assert values("ch05 sin(3x)") == []          # parts of names and formulas are not numbers


def test_a_number_matches_within_the_rounding_of_either_form():
    assert not beat_problems("loss 0.0015", ["loss 0.00153"], set(), [])
    assert not beat_problems("12,000 evaluations", ["12,345 evaluations"], set(), [])
    assert not beat_problems("loss 67.59", ["67.6"], set(), [])            # the label rounds more
    assert beat_problems("loss 0.0015", ["loss 0.0017"], set(), [])
    assert beat_problems("loss 1.7", ["step 17"], set(), [])
    # a one-digit number on screen (a tick, a step count) shows only itself: ch08 said "from 1.4 to
    # 0.79" while its read-out still showed 0.89, and a tick "1" passed for the 0.79
    assert beat_problems("on its way to 0.79", ["1", "0.5", "loss 1.3677 → 0.8865"], set(), [])
    assert not beat_problems("on its way to 0.79", ["1", "loss 1.3677 → 0.7937"], set(), [])
    assert beat_problems("ranges up to 9.6", ["10"], set(), [])


def test_colour_names_say_what_a_viewer_sees():
    assert colour_name(DARK.residual) in {"yellow", "yellow-green"}
    assert colour_name(DARK.negative) == "red"
    assert colour_name(DARK.optimizers["evolution"]) == "green"
    assert colour_name(LIGHT.muted) in {"grey", "dark grey"}
    assert colour_name("#46464E") in {"grey", "dark grey"}


def test_claims_say_what_their_test_decided_and_are_recorded_for_the_beat():
    c = Claims()
    assert c.say(False, "the run diverges", "the loss bounces") == "the loss bounces"
    assert c.pick((False, "a"), (True, "b"), otherwise="c") == "b"
    assert c.colour(DARK.negative) == "red"
    taken = c.take()
    assert [s.text for s in taken] == ["the loss bounces", "b", "red"]
    assert [s.held for s in taken] == [False, True, True]
    assert c.take() == []


# The review's findings, as lines a chapter could say again: each must fail the claims test.
def test_the_red_line_over_yellow_residuals_fails():
    line = "At each data point, the red line is the error."
    drawn = {DARK.residual.upper()}
    assert any("'red' without naming a colour drawn" in p for p in beat_problems(line, [], drawn, []))
    c = Claims()
    said = f"At each data point, the {c.colour(DARK.negative)} line is the error."   # named, but not drawn
    assert any("which is not drawn" in p for p in beat_problems(said, [], drawn, c.take()))
    c = Claims()
    said = f"At each data point, the {c.colour(DARK.residual)} segment is the error."
    assert beat_problems(said, [], drawn, c.take()) == []


def test_a_count_the_screen_contradicts_fails():
    assert beat_problems("too large blows up, as in the 5 grey cells", ["7 grey cells: diverged"], set(), [])
    assert beat_problems("one in 20 generations improved", ["10 of 150 generations found a lower child"], set(),
                         [])


def test_diverges_typed_into_a_line_fails_and_said_through_a_claim_passes():
    line = "With learning rate 10, every step overshoots further, and the run diverges."
    assert any("'diverges' without a claim" in p for p in beat_problems(line, ["lr 10"], set(), []))
    c = Claims()
    said = "With learning rate 10, " + c.pick((True, "every step overshoots further, and the run diverges"),
                                              otherwise="the loss bounces") + "."
    assert beat_problems(said, ["lr 10"], set(), c.take()) == []


def test_a_number_said_but_never_shown_fails():
    problems = beat_problems("Gradient descent starts from the same point, loss 1.7.", ["loss 0.19"], set(), [])
    assert problems == ["says '1.7', which is not on screen (the nearest number there: '0.19')"]

"""sim/stats.py against answers computed independently (statistics module, hand-made grids)."""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest

from sim.stats import (
    best_cell,
    check_stats,
    first_reach,
    format_spread,
    median_range,
    seed_mean,
    spread,
    value_at,
)


def test_spread_is_the_sample_mean_and_sd_of_the_finite_values():
    values = [0.25, 0.5, 2.0, None, math.nan, math.inf]
    s = spread(values)
    assert s["n"] == 3 and s["of"] == 6
    assert s["mean"] == pytest.approx(statistics.mean([0.25, 0.5, 2.0]))
    assert s["sd"] == pytest.approx(statistics.stdev([0.25, 0.5, 2.0]))   # ddof = 1, not pstdev
    assert s["sd"] != pytest.approx(statistics.pstdev([0.25, 0.5, 2.0]))
    assert spread([3.0]) == {"mean": 3.0, "sd": None, "n": 1, "of": 1}
    assert spread([None, math.nan]) == {"mean": None, "sd": None, "n": 0, "of": 2}
    assert check_stats({"a": s, "b": spread([3.0]), "c": spread([])}, "t") is None


def test_format_spread_says_mean_sd_and_how_many_counted():
    assert format_spread(spread([1.0, 3.0]), ".2f") == f"2.00 ± {statistics.stdev([1.0, 3.0]):.2f}"
    assert format_spread(spread([1.0])) == "1"
    assert format_spread(spread([1.0, 2.0, None]), ".1f") == "1.5 ± 0.7 (2/3)"
    assert format_spread(None) == "–" and format_spread(spread([None])) == "–"
    assert format_spread(spread([1.0, 2.0]), lambda v: f"<{v:.0f}>") == "<2> ± <1>"


def test_median_range():
    assert median_range([5, 1, None, 3]) == {"median": 3.0, "min": 1.0, "max": 5.0, "n": 3, "of": 4}
    assert median_range([math.nan])["median"] is None


def test_seed_mean_marks_a_cell_diverged_when_any_seed_diverged():
    grid = np.array([[[1.0, 3.0], [2.0, np.nan]], [[0.5, 0.5], [np.inf, 4.0]]])
    got = seed_mean(grid)
    assert got[0, 0] == 2.0 and got[1, 0] == 0.5
    assert np.isnan(got[0, 1]) and np.isnan(got[1, 1])


def test_best_cell_is_the_smallest_finite_cell():
    grid = np.array([[3.0, np.nan], [0.7, 0.2], [np.inf, 0.2]])
    assert best_cell(grid) == (1, 1)          # first of the ties, NaN/inf never chosen
    assert best_cell(np.full((2, 2), np.nan)) is None


def test_value_at_and_first_reach_read_the_recorded_points():
    xs = np.array([0.0, 10.0, 20.0, 30.0])
    vals = np.array([5.0, 4.0, 1.0, 0.5])
    assert value_at(vals, xs, 25.0) == 1.0     # the last point at or before 25
    assert value_at(vals, xs, 20.0) == 1.0 and value_at(vals, xs, -1.0) == 5.0
    assert first_reach(vals, xs, 1.0) == 20.0 and first_reach(vals, xs, 0.1) is None


def test_seed_median_of_the_seeds_that_got_there():
    from sim.stats import seed_median

    got = seed_median(np.array([[3.0, np.nan, 1.0], [np.nan, np.nan, np.nan], [5.0, 9.0, np.inf]]))
    assert got[0] == 2.0 and np.isnan(got[1]) and got[2] == 7.0

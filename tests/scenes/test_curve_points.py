"""Recorded curves and contours are placed by one axes call (scenes/kit/layout.py `axes_points`,
used by panels.py, plots.py and landscape.py): the same points as one `c2p` per point."""

from __future__ import annotations

import numpy as np
import pytest

from scenes.kit.panels import CurvePanel


def test_curve_points_are_each_points_c2p_clipped_to_the_axes():
    x = np.linspace(-3, 3, 97)
    target = np.sin(x)
    panel = CurvePanel(x, target, x[::8], target[::8], width=4.0, height=2.5)
    wild = np.sin(3 * x) * 4
    wild[[5, 20, 40]] = [np.nan, np.inf, -np.inf]
    lo, hi = panel.axes.y_range[:2]
    clipped = np.clip(np.nan_to_num(wild, nan=hi, posinf=hi, neginf=lo), lo, hi)
    expected = np.array([panel.axes.c2p(float(a), float(b)) for a, b in zip(x, clipped, strict=True)])
    assert panel.curve_points(wild) == pytest.approx(expected, abs=1e-12)
    with pytest.raises(ValueError, match="x positions"):
        panel.curve_points(wild[:-1])

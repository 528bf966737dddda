"""ch07: the SGD heatmap shows each cell in the colour of the trace's loss there."""

from __future__ import annotations

import numpy as np
import pytest

from scenes.ch07_hyperparameters import Hyperparameters
from scenes.kit.charts import MISSING_RGB, grid_rgba
from sim.experiments.hyperparameters import simulate
from tests.framecheck import render_last_frame
from tests.sim.test_hyperparameters import tiny


@pytest.fixture(scope="module")
def rendered():
    tr = simulate(tiny(), "hyperparameters")
    scene, frame = render_last_frame(Hyperparameters, width=854, height=480, traces={"hyperparameters": tr})
    return tr, scene, frame


def test_heatmap_cells_have_the_colour_of_their_loss(rendered):
    tr, scene, frame = rendered
    grid = scene.sgd_grid
    final = tr["sgd/final"]    # (lr, batch, seeds); a cell that diverged for any seed is grey
    sgd = np.where(np.isnan(final).any(axis=-1), np.nan, np.nan_to_num(final).mean(axis=-1))
    evo = tr["evolution/loss"]
    finite = np.concatenate([evo[np.isfinite(evo)], sgd[np.isfinite(sgd)]])
    expected = grid_rgba(sgd, float(finite.min()), float(tr["init/loss"].max()))
    for i in range(sgd.shape[0]):
        for j in range(sgd.shape[1]):
            corner = grid.cell_center(i, j) + np.array([0.32, 0.32, 0]) * grid.cell  # beside the number
            x, y = scene.to_pixel(corner)
            got = frame[y, x, :3].astype(float)
            assert np.linalg.norm(got - expected[i, j, :3]) < 30, (i, j, got, expected[i, j])
    assert np.isnan(sgd[1]).all() and tuple(expected[1, 0, :3]) == MISSING_RGB


def test_beats_carry_numbers_from_the_trace(rendered):
    _, scene, _ = rendered
    assert len(scene.beats) == 3
    assert 20 <= scene.renderer.time <= 50
    assert f"{1 + 15 * 6}" in scene.beats[-1][1] or f"{1 + 15 * 2}" in scene.beats[-1][1]


def test_a_grid_where_every_sgd_setting_diverged_is_said_so():
    """No best SGD cell exists: the chapter says every setting blew up instead of naming one."""
    from tests.sim.test_hyperparameters import tiny as tiny_cfg

    cfg = tiny_cfg().model_copy(update={"sgd": tiny_cfg().sgd.model_copy(update={"lrs": [30.0, 300.0]})})
    tr = simulate(cfg, "hyperparameters")
    assert tr.stats["sgd"]["best"] is None and tr.stats["sgd"]["diverged_cells"] == 4
    scene, _ = render_last_frame(Hyperparameters, width=427, height=240, traces={"hyperparameters": tr})
    notes = [n for _, n in scene.beats]
    assert any("all four settings blew up" in n for n in notes), notes
    texts = "".join(m.text for top in scene.mobjects for m in top.get_family() if hasattr(m, "text"))
    assert "SGD:all4settingsdivergedwithin15steps" in texts.replace(" ", "")

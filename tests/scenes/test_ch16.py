"""Chapter 16 (Summary): the table's numbers are the traces' own, and its verdicts follow them."""

from __future__ import annotations

import pytest

from scenes.ch16_summary import Cell, Column, Summary
from tests.framecheck import render_last_frame
from tests.scenes.gd_traces import shows
from tests.scenes.stress_traces import traces_for

NAMES = ("sine-2d", "function-fit", "step-activation")


@pytest.fixture(scope="module", params=["default", "flat"])
def rendered(request):
    traces = traces_for(request.param, NAMES)
    scene, _ = render_last_frame(Summary, width=854, height=480, traces=traces)
    return scene, traces


def test_cells_show_the_recorded_finals(rendered):
    scene, traces = rendered
    sine, fit, step = (traces[n] for n in NAMES)
    evo = sine.run("evolution")
    assert shows(scene, f"{evo['loss'][-1]:.3g} ({int(evo['evals'][-1])})")
    g = fit.stats["groups"]["momentum"]
    assert shows(scene, f"{g['loss_at_e_star']['mean']:.3g} ({int(g['evals'])})")
    s = step.stats["runs"]["evolution"]
    assert shows(scene, f"{s['final_loss']['mean']:.3g} ({int(s['evals']['mean'])})")
    assert shows(scene, f"{fit.meta['n_params']} parameters")


def test_verdicts_follow_the_traces(rendered):
    scene, traces = rendered
    groups = traces["function-fit"].stats["groups"]
    finite = {g: v["loss_at_e_star"]["mean"] for g, v in groups.items() if "diverged" not in v["status"]}
    best = min(finite, key=finite.get)
    lines = " ".join(r["text"] for r in scene.narration)
    name = {"evolution": "Evolution", "momentum": "SGD + momentum", "adam": "Adam"}[best]
    assert f"{name} ends lowest on average" in lines
    runs = traces["step-activation"].stats["runs"]
    evo_lower = runs["evolution"]["final_loss"]["mean"] < min(runs[m]["final_loss"]["mean"] for m in ("sgd", "adam"))
    assert ("evolution wins" in lines) == evo_lower
    assert scene.narration[-1]["claims"] and all("text" in c for c in scene.narration[-1]["claims"])


def _col(**losses) -> Column:
    return Column("t", 2, {m: Cell(v, None, 1.0, False) for m, v in losses.items()})


def test_lowest_skips_blown_up_runs_and_refuses_ties():
    assert _col(sgd=0.5, adam=0.2).lowest() == "adam"
    assert _col(sgd=0.5, adam=0.5).lowest() is None
    assert _col(sgd=0.5, adam=float("nan")).lowest() == "sgd"
    col = Column("t", 2, {"sgd": Cell(0.1, None, 1.0, True), "adam": Cell(0.3, None, 1.0, False)})
    assert col.lowest() == "adam"
    assert col.shown("sgd") == "diverged" and col.shown("momentum") == "–"


def test_said_digits_tell_the_lowest_apart():
    col = _col(sgd=50.13, momentum=50.09, adam=67.6)
    assert col.sig() == 4 and col.shown("momentum") == "50.09 (1)"


def test_a_tuned_fit_is_summarised_by_its_tuned_race():
    """The summary's fit column is the race chapter 11 shows (one run, one number everywhere): with
    tuning, each method's tuned runs, not the configured race (evolution's flat 0.5 at pop 1000, σ 1)."""
    from scenes.ch16_summary import fit_column
    from sim.experiments.function_fit import simulate
    from tests.scenes.chapter_traces import fit_config

    tr = simulate(fit_config(tuning=dict(grid=dict(evolution=dict(population=[5, 20], sigma=[0.05, 0.5]),
                                                   momentum=dict(lr=[0.003, 0.01]), adam=dict(lr=[0.001, 0.01])))),
                  "function-fit")
    col = fit_column(tr)
    assert col.tuned and set(col.cells) == {"evolution", "momentum", "adam"}
    for m, c in col.cells.items():
        g = tr.stats["tuned"]["groups"][f"{m}-tuned"]
        assert c.loss == g["loss_at_e_star"]["mean"] and c.evals == g["evals"]
    assert col.cells["evolution"].loss != tr.stats["groups"]["evolution"]["loss_at_e_star"]["mean"]

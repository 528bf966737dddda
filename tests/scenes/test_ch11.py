"""Chapter 11 shows every optimizer at the same budget, with the numbers of the trace."""

from __future__ import annotations

import numpy as np
import pytest
from manim import Text

from scenes.ch11_race import Race, fmt_short, pm, table_number
from scenes.kit.style import color_for
from tests.framecheck import nearest_match, render_last_frame
from tests.scenes.chapter_traces import all_traces, tile_pixel_check
from tests.scenes.legibility import small_texts


def texts(scene) -> str:
    """Every Text on screen, joined without spaces (manim's Text.text drops them)."""
    return "".join(m.text for top in scene.mobjects for m in top.get_family() if isinstance(m, Text)).replace(" ", "")


def shown(t: str, needle: str) -> bool:
    return needle.replace(" ", "") in t


@pytest.fixture(scope="module")
def fit_only():
    return render_last_frame(Race, width=854, height=480, traces=all_traces(), race_keyframes=3,
                             image_race=lambda self: None, caveat=lambda self: None)


@pytest.fixture(scope="module")
def full():
    return render_last_frame(Race, width=854, height=480, traces=all_traces(), race_keyframes=3)


def test_each_panel_shows_its_run_at_the_equal_budget(fit_only):
    scene, frame = fit_only
    tr = all_traces()["function-fit"]
    budget = tr.meta["budget"]
    assert [r.name for r in scene.fit_runs] == ["evolution", "momentum", "adam"]
    for panel, run in zip(scene.panels, scene.fit_runs, strict=True):
        assert run["evals"][-1] == budget
        ys = run["curve"][-1]
        checked = 0
        for i in range(2, len(ys) - 2, 5):
            if -1.4 < ys[i] < 1.4:
                xy = scene.to_pixel(panel.axes.c2p(float(panel.curve_x[i]), float(ys[i])))
                assert nearest_match(frame, xy, color_for(run.name, run.meta), radius=2) < 60, run.name
                checked += 1
        assert checked >= 4
        end = scene.to_pixel(scene.loss_plot.point(float(run["evals"][-1]), float(run["loss"][-1])))
        assert nearest_match(frame, end, color_for(run.name, run.meta), radius=3) < 60


def test_numbers_table_is_the_summary_of_the_trace(fit_only):
    scene, _ = fit_only
    tr = all_traces()["function-fit"]
    t = texts(scene)
    assert shown(t, f"evaluations used: {tr.meta['budget']:,}")
    for g, s in tr.stats["groups"].items():
        assert shown(t, table_number(s["loss_at_e_star"]))
        assert shown(t, table_number(tr.wall_stats["groups"][g]["loss_at_t_star"]))
        assert "±" in pm(s["loss_at_e_star"], fmt_short)
    assert shown(t, "over 3 seeds")


def test_image_race_shows_final_frames_side_by_side_and_the_caveat(full):
    scene, frame = full
    traces = all_traces()
    assert len(scene.tiles) == 6  # 3 runs × 2 images
    for tile, pixels in scene.tiles:
        tile_pixel_check(scene, frame, tile, pixels)
    smiley = traces["image-fit-smiley"]
    for (_tile, pixels), name in zip(scene.tiles[:3], ("evolution", "momentum", "adam"), strict=True):
        np.testing.assert_array_equal(pixels, smiley.run(name)["frames"][-1])
    t = texts(scene)
    assert shown(t, "Pictures are not metrics")
    assert shown(t, "16.5 ± 0.7 dB")  # momentum: seeds 16 and 17 dB
    # nothing runs off the frame
    for m in scene.mobjects:
        assert m.get_left()[0] > -7.12 and m.get_right()[0] < 7.12 and m.get_bottom()[1] > -4.01


def test_the_panels_are_tall_while_the_race_runs_and_make_room_for_the_results(fit_only):
    """Laid out for the results throughout, the panels were 0.7 units tall on the film's own data while the
    curves raced; now they take half the height under the titles, then shrink over the table and verdict."""
    scene, _frame = fit_only
    below_top = scene.panels[0].get_top()[1] + 4.0   # from the panels' top edge (both stages) to the frame's foot
    assert scene.race_panel_h >= 0.4 * below_top and scene.race_panel_h >= scene.panels[0].height
    assert scene.panels[0].get_bottom()[1] > scene.numbers.get_top()[1] or \
        scene.panels[0].get_bottom()[1] > scene.loss_plot.get_top()[1]


def test_runs_raced_on_both_pictures_are_named_once_over_the_columns(full):
    """Each row named its runs under every tile (two lines for "SGD + momentum"), and the tiles got what
    height was left: about 50 px at 480p. Named once over the columns, the tiles are a third taller or more."""
    scene, _frame = full
    names = list(scene.column_heads)
    assert [m.text.replace(" ", "") for m in names[1:]] == \
        [r.meta["label"].replace(" ", "") for r in scene.fit_runs]
    for head, (tile, _pixels) in zip(names[1:], scene.tiles[:3], strict=True):
        assert abs(head.get_x() - tile.get_x()) < 0.3 and head.get_bottom()[1] > tile.get_top()[1]
    t = texts(scene)
    for r in scene.fit_runs:   # once, as a head: no name under each tile, no key at the foot
        assert t.count(r.meta["label"].replace(" ", "")) == 1
    heights = [tile.height for tile, _pixels in scene.tiles]
    assert min(heights) > 1.2, heights


def _stats(evo_loss: float, adam_reach: float | None) -> dict:
    def g(label, loss, reach):
        return {"label": label, "loss_at_e_star": {"mean": loss, "sd": 0.01, "n": 3, "of": 3},
                "evals_to_reach": {"median": reach, "min": reach, "max": reach, "n": 3, "of": 3}}
    level = max(evo_loss, 0.05)
    return {"e_star": 15000.0, "reach_level": level,
            "groups": {"evolution-tuned": g("Evolution", evo_loss, 15000.0 if evo_loss == level else 3000.0),
                       "adam-tuned": g("Adam", 0.05, adam_reach if evo_loss == level else 15000.0)}}


def test_the_verdict_is_the_datas():
    from scenes.ch11_race import verdict

    gradients_win = verdict(_stats(0.3, 600.0))
    assert gradients_win == ("Best at equal evaluations: Adam. It reached Evolution's mean final loss, 0.3, after 600 "
                             "evaluations, 25 times fewer than 15,000.")
    evolution_wins = verdict(_stats(0.01, None))
    assert evolution_wins == ("Best at equal evaluations: Evolution. It reached Adam's mean final loss, 0.05, after "
                              "3,000 evaluations, 5 times fewer than 15,000.")


@pytest.fixture(scope="module")
def tuned_fit():
    from scenes.ch11_race import Race as R
    from sim.experiments.function_fit import simulate
    from tests.scenes.chapter_traces import fit_config

    cfg = fit_config(tuning=dict(widen=0,   # grids that stay as given, so winners sit at their edges
                                 grid=dict(evolution=dict(population=[5, 20], sigma=[0.05, 0.5]),
                                           momentum=dict(lr=[0.003, 0.01]), adam=dict(lr=[0.001, 0.01]))))
    traces = all_traces() | {"function-fit": simulate(cfg, "function-fit")}
    return traces, render_last_frame(R, width=854, height=480, traces=traces, race_keyframes=3,
                                     image_race=lambda self: None, caveat=lambda self: None)


def test_tuned_race_shows_the_tuned_runs_their_grid_and_the_verdict(tuned_fit):
    from scenes.ch11_race import tuning_line, verdict

    traces, (scene, _frame) = tuned_fit
    tr = traces["function-fit"]
    assert [r.name for r in scene.fit_runs] == ["evolution-tuned", "momentum-tuned", "adam-tuned"]
    st = tr.stats["tuned"]
    t = texts(scene)
    line = tuning_line(tr.meta["tuning"], st)
    assert "pop 5* σ 0.5* (best of 4)" in line and "lr 0.01* (best of 2)" in line   # two values: all at an edge
    assert "at 241 evaluations" in line and line.endswith("* = at its grid's edge")
    assert shown(t, line.replace("\n", ""))
    assert shown(t, verdict(st))
    for g, s in st["groups"].items():
        assert shown(t, table_number(s["loss_at_e_star"])), g
    # the tuning line and the verdict are legible: digits at least 14 px tall at 480p
    assert not small_texts([scene.tuning_text, scene.verdict_text])


@pytest.fixture(scope="module")
def tuned_images():
    from sim.experiments.image_fit import simulate
    from tests.sim.test_image_fit import tiny_config

    tuned = {name: simulate(tiny_config(tuning=dict(widen=0)), name)
             for name in ("image-fit-smiley", "image-fit-portrait")}
    traces = all_traces() | tuned
    return traces, render_last_frame(Race, width=854, height=480, traces=traces, race_keyframes=3)


def test_a_tuned_image_race_shows_the_winners_and_says_they_were_tuned(tuned_images):
    from scenes.ch11_race import chosen_text

    traces, (scene, _frame) = tuned_images
    smiley = traces["image-fit-smiley"]
    tuning = smiley.meta["tuning"]
    for (_tile, pixels), name in zip(scene.tiles[:3], ("evolution", "momentum", "adam"), strict=True):
        np.testing.assert_array_equal(pixels, smiley.run(f"{name}-tuned")["frames"][-1])   # the winners
    t = texts(scene)
    assert shown(t, "each tuned at") and shown(t, "32 evaluations") and shown(t, "on 3 seeds")
    for name in ("evolution", "momentum", "adam"):
        assert shown(t, chosen_text(tuning["runs"][name]))
        assert shown(t, pm(smiley.stats["tuned"]["runs"][f"{name}-tuned"]["psnr"], ".1f") + " dB")
    line = next(n["text"] for n in scene.narration if n["text"].startswith("The same race on pictures"))
    assert "first tuned here too, at this budget, over three seeds" in line
    assert "configured settings" not in line
    for m in scene.mobjects:
        assert m.get_left()[0] > -7.12 and m.get_right()[0] < 7.12 and m.get_bottom()[1] > -4.01


def test_the_image_race_says_how_soon_the_best_passed_the_worst(tuned_images):
    traces, (scene, _frame) = tuned_images
    st = traces["image-fit-smiley"].stats["tuned"]
    psnr = {n: s["psnr"]["mean"] for n, s in st["runs"].items()}
    best, worst = max(psnr, key=psnr.get), min(psnr, key=psnr.get)
    reach = st["runs"][best]["evals_to_reach"]["median"]
    assert st["reach_psnr"] == psnr[worst] and reach is not None
    line = next(n["text"] for n in scene.narration if n["text"].startswith("The same race on pictures"))
    assert f"passed {traces['image-fit-smiley'].run(worst).meta['label']}'s final {psnr[worst]:.1f} decibels " \
           f"within the first {reach:,.0f} evaluations" in line
    assert shown(texts(scene), f"{reach:,.0f} evaluations")

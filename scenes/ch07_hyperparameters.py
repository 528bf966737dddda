"""Chapter 7 — Hyperparameters: which settings make evolution and SGD work?

Storyboard: evolution's final loss over population × mutation scale, as small multiples after
r rounds (the same grid growing darker as rounds pass) -> the best cell -> SGD's final loss over
learning rate × batch size beside it (diverged cells grey) -> the two best settings with their
evaluation budgets. Every number is read from the `hyperparameters` trace (mean over seeds).
"""

from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, UP, FadeIn, FadeOut, Group, Text, Write, config

from scenes.kit import speech
from scenes.kit.base import ChapterScene
from scenes.kit.charts import MISSING_RGB, HeatmapGrid, short
from scenes.kit.claims import colour_name
from scenes.kit.layout import pretty_expr
from scenes.kit.panels import fmt_loss
from scenes.kit.style import MUTED, SMALL_SIZE, TEXT_COLOR, TITLE_SIZE, color_for


class Hyperparameters(ChapterScene):
    def construct(self) -> None:
        tr = self.trace("hyperparameters")
        task = tr.meta["task"]
        pops, sigmas = tr["evolution/populations"], tr["evolution/sigmas"]
        evo = tr["evolution/loss"]                       # (P, Σ, seeds, R+1)
        R = evo.shape[-1] - 1
        S = evo.shape[2]
        lrs, batches = tr["sgd/lrs"], tr["sgd/batch_sizes"]
        sgd = tr["sgd/final_mean"]                       # (lr, batch): mean over seeds, NaN where any diverged
        T = tr["sgd/loss"].shape[-1] - 1
        finite = np.concatenate([evo[np.isfinite(evo)], sgd[np.isfinite(sgd)]])
        lo, hi = float(finite.min()), float(tr["init/loss"].max())

        title = Text("Hyperparameters: population, mutation scale σ, learning rate, batch",
                     font_size=TITLE_SIZE - 4).to_edge(UP, buff=0.25)
        sub = Text(f"MLP {task['net']} ({task['n_params']} parameters) fitting y = {pretty_expr(task['target'])}; "
                   f"cell = final loss, mean of {S} seeds", font_size=SMALL_SIZE - 2, color=MUTED)
        sub.next_to(title, DOWN, buff=0.12)
        self.play(Write(title), FadeIn(sub), run_time=1)

        # 1. small multiples: evolution's grid after r rounds
        checkpoints = sorted({max(1, R // 10), max(1, R // 3), R})
        row_l = [str(p) for p in pops]
        col_l = [f"{s:g}" for s in sigmas]
        grids = []
        for n, r in enumerate(checkpoints):
            g = HeatmapGrid(tr["evolution/loss_mean"][..., r], row_l, col_l, f"after {r} rounds", "population", "σ",
                            lo, hi,
                            cell=0.66, font_size=SMALL_SIZE - 2, numbers=False)
            g.shift_all(np.array([-4.3 + 4.6 * n, -0.3, 0]) - g.image.get_center())
            grids.append(g)
        head = Text("Evolution: loss after r rounds (colour: log₁₀ loss; evaluations = 1 + r × population)",
                    font_size=SMALL_SIZE - 2, color=color_for("evolution")).next_to(sub, DOWN, buff=0.35)
        self.play(FadeIn(head), run_time=0.6)
        for g in grids:
            self.add(g.image)
            self.play(FadeIn(g.image), FadeIn(g), run_time=0.8)
            self.wait(1)
        self.wait(2)
        mean_final = tr["evolution/loss_mean"][..., R]
        best_e = tr.stats["evolution"]["best"]                # best cells: chosen at simulation time
        bi = tuple(best_e["cell"])
        box = grids[-1].cell_box(*bi)
        # the loss the line says, written under the grid it was read from (the small grids show colours only)
        best_note = Text(f"{pops[bi[0]]} children, σ {sigmas[bi[1]]:g}: loss {short(float(mean_final[bi]))}",
                         font_size=SMALL_SIZE - 2, color=TEXT_COLOR).next_to(grids[-1], DOWN, buff=0.2)
        best_note.shift(LEFT * max(0.0, best_note.get_right()[0] - (config.frame_width / 2 - 0.15)))
        self.play(FadeIn(box), FadeIn(best_note), run_time=0.6)
        self.wait(3)
        self.beat(f"Evolution has two knobs: how many children, and how far they stray, sigma. The best pair here "
                  f"is {pops[bi[0]]} children at sigma {speech.number(sigmas[bi[1]])}, loss "
                  f"{speech.loss(mean_final[bi])}. {self._sigma_said(mean_final[bi[0]], bi[1])}")

        # 2. final evolution grid beside SGD's grid
        left = HeatmapGrid(mean_final, row_l, col_l, f"Evolution, {R} rounds", "population", "σ", lo, hi, cell=0.9)
        left.shift_all(np.array([-3.0, -0.35, 0]) - left.image.get_center())
        sgd_grid = HeatmapGrid(sgd, [f"{v:g}" for v in lrs], [str(b) for b in batches], f"SGD, {T} steps",
                               "learning rate", "batch size", lo, hi, cell=0.9)
        sgd_grid.shift_all(np.array([3.7, -0.3, 0]) - sgd_grid.image.get_center())
        self.sgd_grid, self.evo_grid = sgd_grid, left
        old = [m for g in grids for m in (g, g.image)]
        self.play(*[FadeOut(m) for m in old], FadeOut(box), FadeOut(best_note), FadeOut(head), run_time=0.6)
        self.add(left.image, sgd_grid.image)
        self.play(FadeIn(left.image), FadeIn(left), FadeIn(sgd_grid.image), FadeIn(sgd_grid), run_time=1)
        best_s = tr.stats["sgd"]["best"]                      # None: every setting diverged
        bs = tuple(best_s["cell"]) if best_s else None
        boxes = [left.cell_box(*bi)] + ([sgd_grid.cell_box(*bs)] if bs else [])
        n_cells = sgd.size
        n_grey = int((~np.isfinite(sgd)).sum())   # the cells drawn grey: no finite mean loss
        grey_hex = "#{:02X}{:02X}{:02X}".format(*MISSING_RGB)
        grey_note = None
        if n_grey:
            grey_note = Text(f"{n_grey} {colour_name(grey_hex)} cell{'s' if n_grey != 1 else ''}: diverged",
                             font_size=SMALL_SIZE - 2, color=MUTED).next_to(sgd_grid, DOWN, buff=0.12)
            self.play(FadeIn(grey_note), run_time=0.4)
        self.wait(3)
        knobs = "Gradient descent has its own knobs: learning rate and batch size."
        if bs:
            self.beat(f"{knobs} The best is learning rate {speech.number(lrs[bs[0]])} with batches of "
                      f"{batches[bs[1]]}, loss {speech.loss(sgd[bs])}. {self._lr_ends(sgd, lrs, bs, grey_hex)}.")
        else:
            self.beat(f"{knobs} Here all {speech.small(n_cells)} settings "
                      + self.claims.say(n_grey == n_cells, "blew up", "failed") + ": every learning rate tried is "
                      "too large for this network.")
        self.play(*[FadeIn(b) for b in boxes], run_time=0.6)
        e_evals = best_e["evals"]
        sgd_line = (f"best SGD: loss {fmt_loss(sgd[bs])} with {T} steps = {best_s['evals']:g} full-data evaluations"
                    if bs else f"SGD: all {n_cells} settings diverged within {T} steps")
        note = Text(f"best evolution: loss {fmt_loss(mean_final[bi])} with {e_evals:,.0f} evaluations\n{sgd_line}",
                    font_size=SMALL_SIZE - 2, color=TEXT_COLOR, line_spacing=0.8)
        note.to_edge(DOWN, buff=0.25)
        legend_txt = Text(f"colour: log₁₀ loss; {colour_name(grey_hex)} = diverged", font_size=SMALL_SIZE - 2,
                          color=MUTED)
        legend_txt.next_to(sub, DOWN, buff=0.2)
        # The note takes the bottom: the grey-cell line under the SGD grid gives way (the legend at the top
        # says the same), and the grids move up if their labels would still touch the note.
        grids = Group(left.image, sgd_grid.image, left, sgd_grid, *boxes)   # images first: under their numbers
        lift = note.get_top()[1] + 0.15 - min(left.get_bottom()[1], sgd_grid.get_bottom()[1])
        room = legend_txt.get_bottom()[1] - 0.1 - max(left.get_top()[1], sgd_grid.get_top()[1])
        lift = max(0.0, min(lift, room))
        self.play(FadeIn(note), FadeIn(legend_txt), *([FadeOut(grey_note)] if grey_note is not None else []),
                  *([grids.animate.shift(UP * lift)] if lift > 0 else []), run_time=0.8)
        self.wait(4)
        if bs:
            self.beat(f"Best against best: evolution used {speech.count(e_evals)} loss evaluations, gradient descent "
                      f"{speech.count(best_s['evals'])}, plus its backward passes. Both need their knobs tuned.")
        else:
            self.beat(f"Evolution reached {speech.loss(mean_final[bi])} with {speech.count(e_evals)} evaluations; "
                      f"gradient descent needs a smaller learning rate than any tried here. Both need their knobs "
                      f"tuned.")

    def _lr_ends(self, sgd: np.ndarray, lrs: np.ndarray, bs: tuple[int, int], grey_hex: str) -> str:
        """What the learning rate's two ends did, each said only if the grid shows it: the smallest rate
        'crawls' when every batch size ends at least 3x above the best loss; the grey (diverged) cells are
        'too large' when every one of them has a larger rate than the best."""
        lrs = np.asarray(lrs, dtype=float)
        slow = int(np.argmin(lrs))
        lows = sgd[slow][np.isfinite(sgd[slow])]
        crawls = slow != bs[0] and len(lows) == sgd.shape[1] and bool(lows.min() >= 3 * sgd[bs])
        grey_rows = np.nonzero(~np.isfinite(sgd))[0]
        n_grey = len(grey_rows)
        cells = f"cell{'s' if n_grey != 1 else ''}"
        low = self.claims.say(crawls, "Too small crawls; ", "")

        def first(text: str) -> str:   # the clause starts the sentence when the low end said nothing
            return text if low else speech.capital(text)

        colour = self.claims.colour(grey_hex) if n_grey else ""
        return low + self.claims.pick((n_grey == 0, first("none of these settings blew up")),
                                      (bool((lrs[grey_rows] > lrs[bs[0]]).all()),
                                       first(f"too large blows up, as in the {n_grey} {colour} {cells}")),
                                      otherwise=first(f"the {n_grey} {colour} {cells} blew up"))

    def _sigma_said(self, row: np.ndarray, j: int) -> str:
        """What the grid's row of the best population shows about sigma around its best (only what was tried)."""
        n = len(row)
        if n == 1:
            return "Only one sigma was tried."
        if j == 0:
            return "It is the smallest sigma tried: a smaller one was not tested."
        if j == n - 1:
            return "It is the largest sigma tried: a larger one was not tested."
        neighbours = [float(row[j - 1]), float(row[j + 1])]
        held = all(not np.isfinite(v) or v >= float(row[j]) for v in neighbours)
        return self.claims.say(held, "With those children, both a smaller and a larger sigma do no better.",
                               "With those children, a neighbouring sigma comes close.")

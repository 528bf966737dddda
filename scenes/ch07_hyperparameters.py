"""Chapter 7 — Hyperparameters: which settings make evolution and SGD work?

Storyboard: evolution's final loss over population × mutation scale, as small multiples after
r rounds (the same grid growing darker as rounds pass) -> the best cell -> SGD's final loss over
learning rate × batch size beside it (diverged cells grey) -> the two best settings with their
evaluation budgets. Every number is read from the `hyperparameters` trace (mean over seeds).
"""

from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, FadeIn, FadeOut, Group, Text, VGroup, Write, config

from scenes.kit import speech
from scenes.kit.base import ChapterScene
from scenes.kit.charts import MISSING_RGB, HeatmapGrid, short
from scenes.kit.claims import colour_name
from scenes.kit.layout import label, pretty_expr
from scenes.kit.panels import fmt_loss
from scenes.kit.style import MUTED, SMALL_SIZE, TEXT_COLOR, TITLE_SIZE, color_for

# The final grids' cell side: the largest that fits, from CELL down (a loss such as "1.3e-3" needs about
# 1.04 to keep its size in a cell); under MIN_CELL the grids would not be read anyway.
CELL = 1.1
MIN_CELL = 0.6
SGD_X = 3.7   # the SGD grid's centre when it has room


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
                   f"cell = final loss, mean of {S} seeds", font_size=SMALL_SIZE, color=MUTED)
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
                            cell=0.66, font_size=SMALL_SIZE, numbers=False)
            g.shift_all(np.array([-4.3 + 4.6 * n, -0.3, 0]) - g.image.get_center())
            grids.append(g)
        head = Text("Evolution: loss after r rounds (colour: log₁₀ loss; evaluations = 1 + r × population)",
                    font_size=SMALL_SIZE, color=color_for("evolution")).next_to(sub, DOWN, buff=0.35)
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
                         font_size=SMALL_SIZE, color=TEXT_COLOR).next_to(grids[-1], DOWN, buff=0.2)
        best_note.shift(LEFT * max(0.0, best_note.get_right()[0] - (config.frame_width / 2 - 0.15)))
        self.play(FadeIn(box), FadeIn(best_note), run_time=0.6)
        self.wait(3)
        self.beat(f"Evolution has two knobs: how many children, and how far they stray, sigma. The best pair here "
                  f"is {pops[bi[0]]} children at sigma {speech.number(sigmas[bi[1]])}, loss "
                  f"{speech.loss(mean_final[bi])}. {self._sigma_said(mean_final[bi[0]], bi[1])}")

        # 2. final evolution grid beside SGD's grid
        best_s = tr.stats["sgd"]["best"]                      # None: every setting diverged
        bs = tuple(best_s["cell"]) if best_s else None
        n_cells = sgd.size
        n_grey = int((~np.isfinite(sgd)).sum())   # the cells drawn grey: no finite mean loss
        grey_hex = "#{:02X}{:02X}{:02X}".format(*MISSING_RGB)
        key_text = "colour: log₁₀ loss" + (f"; {n_grey} {colour_name(grey_hex)} cell{'s' if n_grey != 1 else ''}: "
                                           "diverged" if n_grey else "")
        e_evals = best_e["evals"]
        evo_line = f"best evolution: loss {fmt_loss(mean_final[bi])}, {e_evals:,.0f} evaluations"
        sgd_line = (f"best SGD: loss {fmt_loss(sgd[bs])}, {T} steps = {best_s['evals']:g} full-data evaluations"
                    if bs else f"SGD: all {n_cells} settings diverged within {T} steps")
        left, sgd_grid, key, note = self._final_layout(
            lambda cell: HeatmapGrid(mean_final, row_l, col_l, f"Evolution, {R} rounds", "population", "σ", lo, hi,
                                     cell=cell),
            lambda cell: HeatmapGrid(sgd, [f"{v:g}" for v in lrs], [str(b) for b in batches], f"SGD, {T} steps",
                                     "learning rate", "batch size", lo, hi, cell=cell),
            sub.get_bottom()[1] - 0.2, key_text, evo_line, sgd_line)
        self.sgd_grid, self.evo_grid = sgd_grid, left
        old = [m for g in grids for m in (g, g.image)]
        self.play(*[FadeOut(m) for m in old], FadeOut(box), FadeOut(best_note), FadeOut(head), run_time=0.6)
        self.add(left.image, sgd_grid.image)
        self.play(FadeIn(left.image), FadeIn(left), FadeIn(sgd_grid.image), FadeIn(sgd_grid), FadeIn(key),
                  run_time=1)
        boxes = [left.cell_box(*bi)] + ([sgd_grid.cell_box(*bs)] if bs else [])
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
        self.play(FadeIn(note), run_time=0.8)
        self.wait(4)
        if bs:
            self.beat(f"Best against best: evolution used {speech.count(e_evals)} loss evaluations, gradient descent "
                      f"{speech.count(best_s['evals'])}, plus its backward passes. Both need their knobs tuned.")
        else:
            self.beat(f"Evolution reached {speech.loss(mean_final[bi])} with {speech.count(e_evals)} evaluations; "
                      f"gradient descent needs a smaller learning rate than any tried here. Both need their knobs "
                      f"tuned.")

    @staticmethod
    def _final_layout(evo_grid, sgd_grid, top: float, key_text: str, evo_line: str,
                      sgd_line: str) -> tuple[HeatmapGrid, HeatmapGrid, Text, VGroup]:
        """The two final grids, each at the largest cell (up to CELL) that fits, so their numbers keep their
        size: SGD's grid (tall: one row per learning rate) on the right between TOP and the frame's bottom, the
        evolution grid with the colour key above it and the closing note below it in the column to its left."""
        x0, x1 = -config.frame_width / 2 + 0.12, config.frame_width / 2 - 0.12
        bottom = -config.frame_height / 2 + 0.12

        def largest(build, fits) -> HeatmapGrid:
            cell = CELL
            while True:
                grid = build(cell)
                if cell <= MIN_CELL or fits(Group(grid.image, grid)):
                    return grid
                cell = round(cell - 0.01, 2)

        right = largest(sgd_grid, lambda box: box.height <= top - bottom and box.width <= 0.5 * (x1 - x0))
        r_box = Group(right.image, right)
        # in the middle of the right half, as far right as it must go, and halfway between TOP and the bottom
        centre = np.array([min(SGD_X, x1 - r_box.width / 2), (top + bottom) / 2, 0])
        right.shift_all(centre - r_box.get_center())
        width = r_box.get_left()[0] - 0.4 - x0   # the left column
        key = label(key_text, width, SMALL_SIZE, color=MUTED)
        # SGD's line split where it reads best ("..., 300 steps" / "= 300 full-data evaluations")
        parts = sgd_line.split(" = ") if Text(sgd_line, font_size=SMALL_SIZE).width > width else [sgd_line]
        lines = [evo_line, parts[0]] + [f"= {p}" for p in parts[1:]]
        note = VGroup(*[label(line, width, SMALL_SIZE, color=TEXT_COLOR) for line in lines])
        note.arrange(DOWN, aligned_edge=LEFT, buff=0.12)
        room = top - bottom - key.height - note.height - 0.6
        left = largest(evo_grid, lambda box: box.width <= width and box.height <= room)
        l_box = Group(left.image, left)
        # the evolution grid centred in its column, between the key (at the top) and the note (at the bottom)
        key.align_to([0, top, 0], UP)
        note.align_to([0, bottom, 0], DOWN)
        mid = (key.get_bottom()[1] + note.get_top()[1]) / 2
        left.shift_all(np.array([x0 + width / 2 - l_box.get_center()[0], mid - l_box.get_center()[1], 0]))
        # the texts flush with the grid's left edge, or with the column's when they are wider
        text_x = max(x0, min(l_box.get_left()[0], x0 + width - max(key.width, note.width)))
        for t in (key, note):
            t.shift(RIGHT * (text_x - t.get_left()[0]))
        return left, right, key, note

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

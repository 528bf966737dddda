"""Chapter 9 — stochastic gradient descent: mini-batches.

Storyboard: the sine-2d landscape and its three data points -> at one step, the gradient of a
batch of 1 point (recorded) beside the full-data gradient at the same parameters (recorded):
they point differently -> full batch, batch of 2 and batch of 1 race on one evaluation budget:
a batch-of-1 step costs a third of a full step, so it takes three noisy steps for each smooth
one -> read-outs and a loss-vs-evaluations plot carry the numbers from the trace.
"""

from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, UL, UP, FadeIn, FadeOut, GrowArrow, Text, VGroup, Write

from scenes.kit import speech
from scenes.kit.arrows import clamp, fmt_vec, swap, vector_arrow
from scenes.kit.base import ChapterScene
from scenes.kit.cloud import marker, trail
from scenes.kit.landscape import LandscapeView
from scenes.kit.palette import series_colors
from scenes.kit.panels import fmt_loss, readout
from scenes.kit.plots import LossPlot
from scenes.kit.style import DATA_COLOR, SMALL_SIZE, TEXT_COLOR, TITLE_SIZE, color_for

RUNS = ("sgd", "batch-2", "batch-1")
COLORS = dict(zip(RUNS, [color_for("sgd"), *series_colors(2, exclude=(color_for("sgd").to_hex(),))], strict=True))
FULL_COLOR = DATA_COLOR   # the full-data gradient: all the data points
TICKS_PER_SECOND = 15
READOUT_EVERY = 6  # read-outs (text) are rebuilt every few ticks: text is the slow part of a render
# The column right of the landscape (its tick numbers end near x = -0.2): texts flush with its left edge.
COL_LEFT, COL_RIGHT = 0.45, 6.99
COL_WIDTH = COL_RIGHT - COL_LEFT


class Stochastic(ChapterScene):
    def construct(self) -> None:
        tr = self.trace("sine-2d")
        runs = [tr.run(n) for n in RUNS]
        n_data = len(tr["data/x"])
        title = Text("Stochastic gradient descent: mini-batches", font_size=TITLE_SIZE).to_edge(UP, buff=0.25)
        view = LandscapeView.from_trace(tr)
        self.play(Write(title), run_time=0.8)
        self.show_landscape(view)
        intro = Text(f"The loss averages {n_data} data points.\nA mini-batch uses a random few\n"
                     "of them per step: cheaper, but noisy.", font_size=SMALL_SIZE, color=TEXT_COLOR, line_spacing=0.9)
        intro.align_to([COL_LEFT, 3.2, 0], UL)
        self.play(FadeIn(intro), run_time=0.6)
        self.beat(f"The loss averages all {speech.small(n_data)} data points. A mini-batch step looks at only a "
                  "few of them: much cheaper, but noisy.")

        # One step of the batch-of-1 run: its gradient against the full-data gradient there.
        one = tr.run("batch-1")
        k = self._telling_step(one)
        p, g, full = one["params"][k], one["grad"][k], one["full_grad"][k]
        dot = marker(view.point(p), COLORS["batch-1"])
        scale = 1.5 / max(float(np.linalg.norm(full)), float(np.linalg.norm(g)), 1e-9)  # one scale for both
        a_full = vector_arrow(view, p, -full, FULL_COLOR, scale=scale)
        a_one = vector_arrow(view, p, -g, COLORS["batch-1"], scale=scale)
        pts = ", ".join(f"{tr['data/x'][i]:g}" for i in one["batch"][k])
        cos = float(np.dot(g, full) / max(float(np.linalg.norm(g) * np.linalg.norm(full)), 1e-12))
        angle = float(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))))
        txt = VGroup(
            Text(f"at step {k} of the batch-of-1 run:", font_size=SMALL_SIZE, color=TEXT_COLOR),
            Text(f"all {n_data} points:  −∇L = {fmt_vec(-full)}", font_size=SMALL_SIZE,
                 color=FULL_COLOR),
            Text(f"point x = {pts}:  −∇L = {fmt_vec(-g)}", font_size=SMALL_SIZE,
                 color=COLORS["batch-1"]),
            Text(f"{angle:.0f}° apart", font_size=SMALL_SIZE, color=TEXT_COLOR),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.15).next_to(intro, DOWN, buff=0.5).align_to(intro, LEFT)
        self.play(FadeIn(dot), run_time=0.4)
        self.play(GrowArrow(a_full), FadeIn(txt[:2]), run_time=0.8)
        self.play(GrowArrow(a_one), FadeIn(txt[2:]), run_time=0.8)
        self.wait(1.2)
        pull = self.claims.say(angle >= 10, "pulls its own way", "points nearly the same way")
        degrees = f"{angle:.0f} degree{'' if f'{angle:.0f}' == '1' else 's'}"
        self.beat(f"At step {k}, a batch of one point {pull}: {degrees} from the direction that all the data give.")
        self.play(FadeOut(dot, a_full, a_one, txt, intro), run_time=0.4)

        # The race on one evaluation budget.
        budget = min(float(r["evals"][-1]) for r in runs)
        losses = np.concatenate([r["loss"] for r in runs])
        # The plot fills the column's width beside its y axis's label and numbers; the evaluations spent
        # and the read-outs stack under it.
        args = (budget, max(float(losses.min()), 1e-7), float(losses.max()))
        plot = LossPlot(*args, width=4.9, height=2.5, x_label="loss evaluations (full-data passes)")
        spare = COL_WIDTH - (plot.axes.get_right()[0] - plot.get_left()[0]) - 0.1
        plot = LossPlot(*args, width=4.9 + spare, height=2.5, x_label="loss evaluations (full-data passes)")
        plot.x_label.next_to(plot.axes.x_axis.numbers, DOWN, buff=0.12)
        plot.align_to([COL_LEFT, 3.0, 0], UL)
        # its x label is wider than the axes: centred under them, but inside the column
        plot.x_label.shift(LEFT * max(0.0, plot.x_label.get_right()[0] - COL_RIGHT))
        self.plot = plot
        markers = {r.name: marker(view.point(r["params"][0]), COLORS[r.name]) for r in runs}
        spent = VGroup(self._spent(0.0)).next_to(plot, DOWN, buff=0.25).align_to([COL_LEFT, 0, 0], LEFT)
        rows = VGroup(*[self._row(r, 0) for r in runs]).arrange(DOWN, aligned_edge=LEFT, buff=0.16)
        rows.next_to(spent, DOWN, buff=0.2).align_to(spent, LEFT)
        self.play(FadeIn(plot), FadeIn(rows), FadeIn(spent), *[FadeIn(m) for m in markers.values()], run_time=0.8)
        trails = {r.name: trail([view.point(r["params"][0])], COLORS[r.name], width=3).set_z_index(3) for r in runs}
        curves = {r.name: plot.curve(r["evals"][:1], r["loss"][:1], COLORS[r.name]) for r in runs}
        self.add(*trails.values(), *curves.values())
        tick = min(float(r["evals"][1]) for r in runs)  # the cheapest step
        n_ticks = round(budget / tick)
        for j in range(1, n_ticks + 1):
            anims = []
            for i, r in enumerate(runs):
                k = int(np.searchsorted(r["evals"], j * tick + 1e-9, side="right") - 1)
                pts = [view.point(clamp(view, q)) for q in r["params"][:k + 1]]
                if len(pts) > len(trails[r.name].get_anchors()) // 2 or k == 0:
                    anims.append(markers[r.name].animate.move_to(pts[-1]))
                    trails[r.name].become(trail(pts, COLORS[r.name], width=3))
                    anims.append(curves[r.name].animate.become(plot.curve(r["evals"][:k + 1], r["loss"][:k + 1],
                                                                          COLORS[r.name])))
                    if j % READOUT_EVERY == 0 or j == n_ticks:
                        swap(rows, i, self._row(r, k).move_to(rows[i], aligned_edge=LEFT))
            if j % READOUT_EVERY == 0 or j == n_ticks:
                swap(spent, 0, self._spent(j * tick).move_to(spent, aligned_edge=LEFT))
            if anims:
                self.play(*anims, run_time=2 / TICKS_PER_SECOND)
        self.wait(1.5)
        # each run where the budget ends, as its read-out shows it: a run recorded past the budget (its steps
        # were set for another number of data points) is said at the budget, not at its own end
        at = {r.name: int(np.searchsorted(r["evals"], budget + 1e-9, side="right") - 1) for r in runs}
        self.beat(f"On the same budget of {speech.count(budget)} full-data evaluations, small batches take more, "
                  "noisier steps. " + "; ".join(f"{r.meta['label']}: {at[r.name]} steps, loss "
                                                f"{speech.loss(r['loss'][at[r.name]])}" for r in runs) + ".")

    @staticmethod
    def _telling_step(run) -> int:
        """The first step where the batch's gradient points well away from the full gradient."""
        g, f = run["grad"], run["full_grad"]
        cos = np.einsum("ij,ij->i", g, f) / np.maximum(np.linalg.norm(g, axis=1) * np.linalg.norm(f, axis=1), 1e-12)
        top = np.linalg.norm(f, axis=1).max()
        big = (np.linalg.norm(f, axis=1) > 0.2 * top) & (np.linalg.norm(g, axis=1) > 0.2 * top)
        if not big.any():
            return 0
        return int(np.argmin(np.where(big, cos, np.inf)))

    @staticmethod
    def _spent(evals: float) -> Text:
        return Text(f"evaluations spent: {evals:.1f}", font_size=SMALL_SIZE, color=TEXT_COLOR)

    @staticmethod
    def _row(run, k: int):
        b = run.meta["batch_size"]
        label = f"all {b} points" if run.name == "sgd" else f"batch of {b}"
        return readout(label, COLORS[run.name], [("steps", f"{k}"), ("loss", fmt_loss(run["loss"][k]))],
                       size=SMALL_SIZE, max_width=COL_WIDTH)

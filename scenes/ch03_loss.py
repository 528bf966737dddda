"""Chapter 3 — how wrong is the network? The loss.

Storyboard: the data and the network's curve at the start of the recorded SGD run -> the
residual of each data point as a segment from the data point to the prediction, labelled with
its value -> the mean squared error written out with those numbers, equal to the recorded loss
-> later in the run the residuals shrink and so does the loss (same formula, new numbers).
Predictions are read from the run's recorded curve at the data points (scenes.kit.params).
"""

from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, UL, UP, Create, FadeIn, MathTex, Text, TransformMatchingTex, VGroup, Write

from scenes.kit import speech
from scenes.kit.base import ChapterScene
from scenes.kit.panels import CurvePanel, fmt_loss, legend
from scenes.kit.params import RESIDUAL_COLOR, predictions, residual_segments
from scenes.kit.style import DATA_COLOR, LABEL_SIZE, MUTED, SMALL_SIZE, TITLE_SIZE, color_for

RUN = "sgd"


class Loss(ChapterScene):
    run_name = RUN
    steps_shown: tuple[float, ...] = (0.55, 1.0)   # later moments, as fractions of the run

    def construct(self) -> None:
        tr = self.trace("sine-2d")
        run = tr.run(self.run_name)
        color = color_for(run.name, run.meta)
        xs, ys = tr["data/x"], tr["data/y"]

        title = Text("How wrong is the network? The loss", font_size=TITLE_SIZE).to_edge(UP, buff=0.25)
        panel = CurvePanel(tr["data/curve_x"], tr["data/curve_target"], xs, ys, width=6.2, height=4.6)
        panel.move_to([-3.55, -0.5, 0])
        self.panel = panel
        self.play(Write(title), run_time=1)
        self.play(Create(panel.axes), FadeIn(panel.x_label, panel.y_label, panel.dots, panel.target), run_time=1)
        self.step = 0
        self.curve = panel.curve(run["curve"][0], color)
        key = legend([(f"network ({run.meta['label']}, step 0)", color), ("data point", DATA_COLOR, "dot"),
                      ("residual = prediction − data", RESIDUAL_COLOR)], size=SMALL_SIZE - 2)
        key.move_to([0.6, 2.85, 0], aligned_edge=UL)
        self.key = key
        self.play(Create(self.curve), FadeIn(key), run_time=1)
        self.beat("How wrong is a network? Take the starting network and put its curve next to the data.")

        preds = predictions(tr, run.name, 0)
        self.residuals = residual_segments(panel.axes, xs, ys, preds)
        self.labels = self._residual_labels(panel, xs, ys, preds)
        self.play(Create(self.residuals), run_time=1.2)
        self.table = self._table(xs, ys, preds).move_to([0.45, -1.75, 0], aligned_edge=UL)
        self.play(FadeIn(self.labels), FadeIn(self.table), run_time=0.8)
        self.wait(2)
        self.beat(f"At each data point, the {self.claims.colour(RESIDUAL_COLOR)} segment is the error: prediction "
                  "minus data. The largest is "
                  f"{speech.number(float(np.abs(preds - ys).max()))}.")

        definition = MathTex(r"L(a, b) = \frac{1}{n}\sum_{i=1}^{n}\big(f(x_i) - y_i\big)^2",
                             font_size=LABEL_SIZE + 10)
        definition.move_to([0.6, min(1.5, self.key.get_bottom()[1] - 0.3), 0], aligned_edge=UL)   # below a long key
        self.play(Write(definition), run_time=1.2)
        self.formula = self._numbers(preds, ys).next_to(definition, DOWN, buff=0.35).align_to(definition, LEFT)
        self.play(FadeIn(self.formula, shift=0.2 * DOWN), run_time=1.2)
        note = Text(f"= the recorded loss at step 0: {fmt_loss(run['loss'][0])}", font_size=SMALL_SIZE, color=MUTED)
        note.next_to(self.formula, DOWN, buff=0.3).align_to(definition, LEFT)
        self.play(FadeIn(note), run_time=0.6)
        self.wait(2)
        mse = float(np.mean((preds - ys) ** 2))
        self.beat(f"Square the errors and average them over the {speech.small(len(xs))} points: that is the "
                  f"loss, {speech.loss(mse)}, one number for how wrong the network is.")

        shown_loss = float(run["loss"][0])
        for frac in self.steps_shown:
            k = round(frac * run.steps)
            self.step = k
            preds = predictions(tr, run.name, k)
            new_key0 = legend([(f"network ({run.meta['label']}, step {k})", color)],
                              size=SMALL_SIZE - 2)[0].move_to(key[0], aligned_edge=LEFT)
            new_formula = self._numbers(preds, ys).move_to(self.formula, aligned_edge=LEFT)
            new_note = Text(f"= the recorded loss at step {k}: {fmt_loss(run['loss'][k])}", font_size=SMALL_SIZE,
                            color=MUTED).move_to(note, aligned_edge=LEFT)
            self.play(self.curve.animate.become(panel.curve(run["curve"][k], color)),
                      self.residuals.animate.become(residual_segments(panel.axes, xs, ys, preds)),
                      self.labels.animate.become(self._residual_labels(panel, xs, ys, preds)),
                      self.table.animate.become(self._table(xs, ys, preds).move_to(self.table, aligned_edge=UL)),
                      key[0].animate.become(new_key0), TransformMatchingTex(self.formula, new_formula),
                      note.animate.become(new_note), run_time=1.6)
            self.formula = new_formula
            self.wait(2.4)
            lower = float(run["loss"][k]) < shown_loss
            shown_loss = float(run["loss"][k])
            self.beat(f"Step {k}: loss {speech.loss(run['loss'][k])}. "
                      + self.claims.say(lower, "Smaller errors, smaller loss.", "Larger errors, larger loss."))
        self.note = note

    @staticmethod
    def _numbers(preds: np.ndarray, ys: np.ndarray) -> MathTex:
        terms = " + ".join(f"({p - y:.3f})^2" for p, y in zip(preds, ys, strict=True))
        mse = float(np.mean((preds - ys) ** 2))
        value = fmt_loss(mse).replace("e-0", r"\times 10^{-").replace("e-", r"\times 10^{-")
        if r"\times" in value:
            value += "}"
        tex = MathTex(rf"= \tfrac{{1}}{{{len(ys)}}}\big({terms}\big)", rf"= {value}", font_size=LABEL_SIZE + 2)
        tex.arrange(DOWN, aligned_edge=LEFT, buff=0.25)
        if tex.width > 6.2:
            tex.scale_to_fit_width(6.2)
        return tex

    @staticmethod
    def _residual_labels(panel: CurvePanel, xs: np.ndarray, ys: np.ndarray, preds: np.ndarray) -> VGroup:
        """r_i beside each residual segment (the values are in the table)."""
        group = VGroup()
        for i, (x, y, p) in enumerate(zip(xs, ys, preds, strict=True)):
            lo, hi = panel.axes.y_range[:2]
            mid = panel.axes.c2p(float(x), float((np.clip(y, lo, hi) + np.clip(p, lo, hi)) / 2))
            lab = MathTex(rf"r_{i + 1}", font_size=LABEL_SIZE, color=RESIDUAL_COLOR)
            group.add(lab.next_to(mid, RIGHT, buff=0.12).set_z_index(6))
        return group

    @staticmethod
    def _table(xs: np.ndarray, ys: np.ndarray, preds: np.ndarray) -> VGroup:
        """One row per data point: x_i, y_i, the prediction f(x_i) and the residual r_i."""
        rows = VGroup()
        size = LABEL_SIZE
        for i, (x, y, p) in enumerate(zip(xs, ys, preds, strict=True)):
            cells = [MathTex(rf"x_{i + 1} = {x:+.2f}", font_size=size),
                     MathTex(rf"y_{i + 1} = {y:+.3f}", font_size=size),
                     MathTex(rf"f(x_{i + 1}) = {p:+.3f}", font_size=size),
                     MathTex(rf"r_{i + 1} = {p - y:+.3f}", font_size=size, color=RESIDUAL_COLOR)]
            rows.add(VGroup(*cells))
        widths = [max(row[c].width for row in rows) for c in range(4)]
        starts = np.cumsum([0.0, *[w + 0.22 for w in widths[:-1]]])   # left edge of each column
        for row in rows:
            for cell, x in zip(row, starts, strict=True):
                cell.move_to([x, 0, 0], aligned_edge=LEFT)
        rows.arrange(DOWN, aligned_edge=LEFT, buff=0.14)
        return rows

"""Chapter 3 — how wrong is the network? The loss.

Storyboard: the data and the network's curve at the start of the recorded SGD run -> the
residual of each data point as a segment from the data point to the prediction, labelled with
its value -> the mean squared error written out with those numbers, equal to the recorded loss
-> later in the run the residuals shrink and so does the loss (same formula, new numbers).
Predictions are read from the run's recorded curve at the data points (scenes.kit.params).
"""

from __future__ import annotations

import math

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UL,
    UP,
    Create,
    FadeIn,
    Line,
    MathTex,
    ReplacementTransform,
    Text,
    TransformMatchingTex,
    VGroup,
    Write,
)

from scenes.kit import speech
from scenes.kit.base import ChapterScene
from scenes.kit.layout import boxes_meet, shortened
from scenes.kit.panels import CurvePanel, fmt_loss, legend
from scenes.kit.params import RESIDUAL_COLOR, predictions, residual_segments
from scenes.kit.style import (
    DATA_COLOR,
    MUTED,
    SMALL_SIZE,
    TEX_LABEL_SIZE,
    TICK_SIZE,
    TITLE_SIZE,
    color_for,
)

RUN = "sgd"
LEFT_X = -6.85    # left edge of the plot and its key
RIGHT_X = 0.55    # left edge of the formula column
KEY_WIDTH = 6.6
TERMS_PER_LINE = 2   # squares per line of the written-out mean (four fit no line at the smallest TeX size)


class Loss(ChapterScene):
    run_name = RUN
    steps_shown: tuple[float, ...] = (0.55, 1.0)   # later moments, as fractions of the run

    def construct(self) -> None:
        tr = self.trace("sine-2d")
        run = tr.run(self.run_name)
        color = color_for(run.name, run.meta)
        xs, ys = tr["data/x"], tr["data/y"]

        title = Text("How wrong is the network? The loss", font_size=TITLE_SIZE).to_edge(UP, buff=0.25)
        # Left: the plot with its key under it; right: the formula, its numbers and the table they come from.
        panel = CurvePanel(tr["data/curve_x"], tr["data/curve_target"], xs, ys, width=5.8, height=4.1)
        _fewer_y_numbers(panel)
        panel.next_to(title, DOWN, buff=0.15).align_to([LEFT_X, 0, 0], LEFT)
        self.panel = panel
        self.play(Write(title), run_time=1)
        self.play(Create(panel.axes), FadeIn(panel.x_label, panel.y_label, panel.dots, panel.target), run_time=1)
        self.step = 0
        self.curve = panel.curve(run["curve"][0], color)
        key = legend([(f"network ({shortened(run.meta['label'])}, step 0)", color), ("data point", DATA_COLOR, "dot"),
                      ("residual = prediction − data", RESIDUAL_COLOR)], size=SMALL_SIZE, max_width=KEY_WIDTH)
        key.next_to(panel, DOWN, buff=0.3).align_to([LEFT_X, 0, 0], LEFT)
        self.key = key
        self.play(Create(self.curve), FadeIn(key), run_time=1)
        self.beat("How wrong is a network? Take the starting network and put its curve next to the data.")

        preds = predictions(tr, run.name, 0)
        self.residuals = residual_segments(panel.axes, xs, ys, preds)
        self.labels = self._residual_labels(panel, xs, ys, preds)
        # The right column, top to bottom: the definition, its numbers, the recorded loss, the table. The
        # table comes first (beat 2) but already sits where the formula above it will leave room.
        definition = MathTex(r"L(a, b) = \frac{1}{n}\sum_{i=1}^{n}\big(f(x_i) - y_i\big)^2",
                             font_size=TEX_LABEL_SIZE)
        definition.next_to(title, DOWN, buff=0.2).align_to([RIGHT_X, 0, 0], LEFT)
        self.formula = self._numbers(preds, ys).next_to(definition, DOWN, buff=0.25).align_to(definition, LEFT)
        note = Text(f"= the recorded loss at step 0: {fmt_loss(run['loss'][0])}", font_size=SMALL_SIZE, color=MUTED)
        note.next_to(self.formula, DOWN, buff=0.2).align_to(definition, LEFT)
        self.table = self._table(xs, ys, preds).next_to(note, DOWN, buff=0.35).align_to(definition, LEFT)
        self.play(Create(self.residuals), run_time=1.2)
        self.play(FadeIn(self.labels), FadeIn(self.table), run_time=0.8)
        self.wait(2)
        self.beat(f"At each data point, the {self.claims.colour(RESIDUAL_COLOR)} segment is the error: prediction "
                  "minus data. The largest is "
                  f"{speech.number(float(np.abs(preds - ys).max()))}.")

        self.play(Write(definition), run_time=1.2)
        self.play(FadeIn(self.formula, shift=0.2 * DOWN), run_time=1.2)
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
            new_key0 = legend([(f"network ({shortened(run.meta['label'])}, step {k})", color)],
                              size=SMALL_SIZE, max_width=KEY_WIDTH)[0].move_to(key[0], aligned_edge=LEFT)
            new_formula = self._numbers(preds, ys).move_to(self.formula, aligned_edge=LEFT)
            # replaced, not become(): a cell keeps the size its own digits were set at (the legibility measure)
            new_table = self._table(xs, ys, preds).move_to(self.table, aligned_edge=UL)
            new_note = Text(f"= the recorded loss at step {k}: {fmt_loss(run['loss'][k])}", font_size=SMALL_SIZE,
                            color=MUTED).move_to(note, aligned_edge=LEFT)
            self.play(self.curve.animate.become(panel.curve(run["curve"][k], color)),
                      self.residuals.animate.become(residual_segments(panel.axes, xs, ys, preds)),
                      self.labels.animate.become(self._residual_labels(panel, xs, ys, preds)),
                      ReplacementTransform(self.table, new_table),
                      key[0].animate.become(new_key0), TransformMatchingTex(self.formula, new_formula),
                      note.animate.become(new_note), run_time=1.6)
            self.formula, self.table = new_formula, new_table
            self.wait(2.4)
            lower = float(run["loss"][k]) < shown_loss
            level = speech.loss(run["loss"][k]) == speech.loss(shown_loss)   # the two said alike: no change heard
            shown_loss = float(run["loss"][k])
            self.beat(f"Step {k}: loss {speech.loss(run['loss'][k])}. " + self.claims.pick(
                (level, "About the same errors, about the same loss."),
                (lower, "Smaller errors, smaller loss."), otherwise="Larger errors, larger loss."))
        self.note = note

    @staticmethod
    def _numbers(preds: np.ndarray, ys: np.ndarray) -> MathTex:
        """'= 1/n((r_1)² + ...)' then '= the mean', at the smallest TeX size: TERMS_PER_LINE squares a line
        (one MathTex, so TransformMatchingTex still matches the pieces from step to step)."""
        terms = [f"({p - y:.3f})^2" for p, y in zip(preds, ys, strict=True)]
        lines = [" + ".join(terms[i:i + TERMS_PER_LINE]) for i in range(0, len(terms), TERMS_PER_LINE)]
        lines = [rf"= \tfrac{{1}}{{{len(ys)}}}\big(" + lines[0], *[f"+ {line}" for line in lines[1:]]]
        lines[-1] += r"\big)"
        mse = float(np.mean((preds - ys) ** 2))
        value = fmt_loss(mse).replace("e-0", r"\times 10^{-").replace("e-", r"\times 10^{-")
        if r"\times" in value:
            value += "}"
        tex = MathTex(*lines, rf"= {value}", font_size=TICK_SIZE)
        tex.arrange(DOWN, aligned_edge=LEFT, buff=0.2)
        for line in tex[1:-1]:   # a continued sum starts under the first term
            line.shift(RIGHT * 0.6)
        return tex

    @staticmethod
    def _residual_labels(panel: CurvePanel, xs: np.ndarray, ys: np.ndarray, preds: np.ndarray) -> VGroup:
        """r_i beside each residual segment (the values are in the table), on the side away from the y
        axis and its numbers: at the segment's middle, else further along it or on its other side,
        wherever it clears the axes with their numbers, the data points and the other labels (failing
        that, wherever it covers the fewest axis numbers). A segment shorter than its label gets none
        (kept invisible, so the labels still turn into the next step's)."""
        group = VGroup()
        lo, hi = panel.axes.y_range[:2]
        numbers = [*panel.axes.x_axis.numbers, *panel.axes.y_axis.numbers, panel.x_label, panel.y_label]
        # the axes' lines, not the NumberLines: their boxes take in the numbers, which sit at the panel's
        # left and bottom edges, so they covered half the panel each and no place was ever clear
        axes = (panel.axes.x_axis, panel.axes.y_axis)
        marks = [*(Line(a.get_start(), a.get_end()) for a in axes), *(t for a in axes for t in a.ticks), *panel.dots]
        for i, (x, y, p) in enumerate(zip(xs, ys, preds, strict=True)):
            y0, y1 = float(np.clip(y, lo, hi)), float(np.clip(p, lo, hi))
            lab = MathTex(rf"r_{i + 1}", font_size=TEX_LABEL_SIZE, color=RESIDUAL_COLOR).set_z_index(6)
            spots = [panel.axes.c2p(float(x), y0 + f * (y1 - y0)) for f in (0.5, 0.35, 0.65, 0.2, 0.8, 0.05, 0.95)]
            ends = sorted([panel.axes.c2p(float(x), y0), panel.axes.c2p(float(x), y1)], key=lambda q: q[1])
            sides = (LEFT, RIGHT) if spots[0][0] < panel.axes.y_axis.n2p(lo)[0] else (RIGHT, LEFT)
            places = [*[lab.copy().next_to(at, side, buff=0.1) for at in spots for side in sides],
                      lab.copy().next_to(ends[1], UP, buff=0.15), lab.copy().next_to(ends[0], DOWN, buff=0.15)]
            clear = [m for m in places if not any(boxes_meet(m, o, 0.04) for o in [*numbers, *marks, *group])]
            best = clear[0] if clear else min(places, key=lambda m: sum(boxes_meet(m, o, 0.04)
                                                                        for o in [*numbers, *group]))
            if abs(ends[1][1] - ends[0][1]) < lab.height:   # a segment shorter than its name: the name would
                best.set_opacity(0)                         # sit on the curves near the point; the table has it
            group.add(best)
        return group

    @staticmethod
    def _table(xs: np.ndarray, ys: np.ndarray, preds: np.ndarray) -> VGroup:
        """A header (i, x_i, y_i, f(x_i), r_i) and one row per data point, numbers right-aligned in columns."""
        head = [MathTex(t, font_size=TICK_SIZE, color=MUTED) for t in ("i", "x_i", "y_i", "f(x_i)", "r_i")]
        head[-1].set_color(RESIDUAL_COLOR)
        rows = VGroup(VGroup(*head))
        for i, (x, y, p) in enumerate(zip(xs, ys, preds, strict=True)):
            cells = [MathTex(str(i + 1), font_size=TICK_SIZE, color=MUTED), MathTex(f"{x:+.2f}", font_size=TICK_SIZE),
                     MathTex(f"{y:+.3f}", font_size=TICK_SIZE), MathTex(f"{p:+.3f}", font_size=TICK_SIZE),
                     MathTex(f"{p - y:+.3f}", font_size=TICK_SIZE, color=RESIDUAL_COLOR)]
            rows.add(VGroup(*cells))
        widths = [max(row[c].width for row in rows) for c in range(5)]
        ends = np.cumsum([w + 0.35 for w in widths])   # right edge of each column
        for row in rows:
            for cell, x in zip(row, ends, strict=True):
                cell.move_to([x, 0, 0], aligned_edge=RIGHT)
        rows.arrange(DOWN, aligned_edge=LEFT, buff=0.12)
        for row in rows:   # arrange() moved whole rows: put the cells back under their headers
            for cell, x in zip(row, ends, strict=True):
                cell.shift(RIGHT * (x - cell.get_right()[0] + rows.get_left()[0] - ends[0] + widths[0]))
        return rows


def _fewer_y_numbers(panel: CurvePanel, widest: float = 0.9) -> None:
    """Long y numbers (a nearly flat target's '0.5075') reach over the data beside the axis: keep every
    other one, with the decimals that one needs."""
    axis = panel.axes.y_axis
    if not len(axis.numbers) or max(n.width for n in axis.numbers) <= widest:
        return
    step = 2 * float(panel.axes.y_range[2])
    kept = [v for v in (float(n.get_value()) for n in axis.numbers) if abs(v / step - round(v / step)) < 1e-6]
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    if abs(round(step * 10 ** decimals) - step * 10 ** decimals) > 1e-6:
        decimals += 1
    axis.remove(axis.numbers)
    axis.add_numbers(x_values=kept, num_decimal_places=decimals)

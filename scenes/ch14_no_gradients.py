"""Chapter 14, NoGradients: a network of sign units. Backprop's gradient is exactly 0, so SGD
and Adam stand still; evolution, which only compares losses, fits the square wave.

Storyboard: the sign unit and its zero derivative -> the network's output against the target
(the shared start) -> SGD and Adam run: |∇L| = 0 at every recorded step, the curve never moves
-> evolution's rounds: the curve snaps onto the target, the loss falls -> numbers over all seeds.
Everything is read from the step-activation trace.
"""

from __future__ import annotations

from contextlib import nullcontext

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Axes,
    Create,
    FadeIn,
    FadeOut,
    Line,
    Text,
    VGroup,
    VMobject,
    Write,
)

from scenes.kit import speech
from scenes.kit.arrows import swap
from scenes.kit.base import ChapterScene
from scenes.kit.cloud import last_visible_step, steps_to_play
from scenes.kit.layout import flush_left, label, pretty_expr, stack
from scenes.kit.panels import CurvePanel, fmt_loss, readout
from scenes.kit.plots import LossPlot
from scenes.kit.style import MUTED, SMALL_SIZE, TEXT_COLOR, TITLE_SIZE, color_for
from scenes.kit.traces import format_spread

LEFT_X, LEFT_W = -6.95, 6.8    # the left column: the unit, the gradient's verdict, the loss plot
RIGHT_X, RIGHT_W = 0.35, 6.6    # the right column: the network's output and the read-outs
MAX_W = RIGHT_W                # widest read-out row


def step_curve(panel: CurvePanel, values: np.ndarray, color, width: float = 4) -> VMobject:
    """A piecewise-constant output drawn with corners."""
    return panel.curve(values, color, width, corners=True)


def ms(stat: dict) -> str:
    """A spread stored in the trace (mean ± sample sd over seeds), formatted, never recomputed."""
    return format_spread(stat, ".3g", ".2g")


class NoGradients(ChapterScene):
    gradient_frames = 12    # gradient steps shown (sampled evenly over the run)
    evolution_frames = 36   # evolution rounds shown one by one (sampled evenly over the run)

    def construct(self) -> None:
        tr = self.trace("step-activation")
        sgd, adam, evo = tr.run("sgd"), tr.run("adam"), tr.run("evolution")
        c_sgd, c_adam, c_evo = (color_for(r.name, r.meta) for r in (sgd, adam, evo))
        n_params, n_data = tr.meta["n_params"], len(tr["data/x"])
        net = tr.meta["config"]["net"]
        self.runs = {"sgd": sgd, "adam": adam, "evolution": evo}
        hidden = "-".join(str(h) for h in net["hidden"])

        title = Text("When gradients fail: a network of step functions", font_size=TITLE_SIZE).to_edge(UP, buff=0.25)
        self.play(Write(title), run_time=1)

        # --- 1. the unit: sign(h) and its derivative
        unit_caption = label(f"every unit is a step: 1-{hidden}-1 network, {n_params} parameters", LEFT_W,
                             SMALL_SIZE, color=MUTED)
        flush_left(unit_caption.next_to(title, DOWN, buff=0.2), LEFT_X)
        unit = Axes(x_range=[-2, 2, 1], y_range=[-1.5, 1.5, 1], x_length=3.4, y_length=1.2, tips=False,
                    axis_config={"stroke_width": 2})
        unit.next_to(unit_caption, DOWN, buff=0.15).set_x(-4.6)
        f_left = Line(unit.c2p(-2, -1), unit.c2p(0, -1), color=TEXT_COLOR, stroke_width=5)
        f_right = Line(unit.c2p(0, 1), unit.c2p(2, 1), color=TEXT_COLOR, stroke_width=5)
        deriv = VGroup(Line(unit.c2p(-2, 0), unit.c2p(-0.06, 0), color=c_sgd, stroke_width=5),
                       Line(unit.c2p(0.06, 0), unit.c2p(2, 0), color=c_sgd, stroke_width=5))
        unit_label = Text("sign(h)", font_size=SMALL_SIZE, color=TEXT_COLOR).next_to(unit.c2p(2, 1), RIGHT, buff=0.1)
        deriv_label = Text("slope 0", font_size=SMALL_SIZE, color=c_sgd).next_to(unit.c2p(2, 0), RIGHT, buff=0.1)
        self.play(Create(unit), FadeIn(unit_caption), run_time=0.8)
        self.play(Create(f_left), Create(f_right), FadeIn(unit_label), run_time=0.8)
        chain = label("backprop multiplies by this slope: ∇L = 0", LEFT_W, SMALL_SIZE, color=c_sgd)
        flush_left(chain.next_to(unit, DOWN, buff=0.15), LEFT_X)
        h_label = Text("h", font_size=SMALL_SIZE, color=MUTED).next_to(unit.c2p(1.75, 0), DOWN, buff=0.12)
        self.play(Create(deriv), FadeIn(deriv_label, h_label), run_time=0.8)
        self.play(FadeIn(chain), run_time=0.6)
        self.beat("This network's units are steps: each outputs plus or minus one. A step is flat everywhere "
                  "except at the jump, so its slope is zero, and the chain rule multiplies every gradient by zero.")

        # --- 2. the task and the shared start
        panel = CurvePanel(tr["data/curve_x"], tr["data/curve_target"], tr["data/x"], tr["data/y"],
                           width=5.3, height=1.9)
        panel.target.set_points(panel.curve(tr["data/curve_target"], panel.target.get_color(), corners=True).points)
        self.panel = panel
        target_txt = tr.meta["config"]["data"]["target"]
        panel_title = label(f"network output vs target {pretty_expr(target_txt)} ({n_data} points)", RIGHT_W,
                            SMALL_SIZE)
        panel_title.next_to(title, DOWN, buff=0.2).set_x(RIGHT_X + RIGHT_W / 2)   # below the title, whatever its length
        panel.next_to(panel_title, DOWN, buff=0.1).set_x(RIGHT_X + RIGHT_W / 2)
        self.play(FadeIn(panel, panel_title), run_time=0.8)
        grad_curve = step_curve(panel, sgd["curve"][0], c_sgd, width=7)
        adam_curve = step_curve(panel, adam["curve"][0], c_adam, width=3)
        evo_curve = step_curve(panel, evo["curve"][0], c_evo, width=4)
        self.play(Create(grad_curve), Create(adam_curve), run_time=0.8)

        plot = LossPlot(max(sgd.steps, evo.steps), self._loss_floor(), float(max(sgd["loss"][0], 1.0)),
                        width=5.0, height=1.75, x_label="step / round", y_label="loss (MSE)")
        flush_left(plot.to_edge(DOWN, buff=0.15), LEFT_X)   # under the unit and its verdict
        self.plot = plot
        self.play(FadeIn(plot), run_time=0.6)
        same = self.claims.say(all(np.allclose(r["params"][0], sgd["params"][0]) for r in (adam, evo)),
                               "from the same random network", "from their own random networks")
        self.beat(f"Three optimizers start {same}, on {speech.count(n_data)} points of "
                  f"{speech.formula(target_txt)}.")

        # --- 3. gradient descent: a zero gradient, recorded at every step
        rows = VGroup(self._row("sgd", 0, c_sgd), self._row("adam", 0, c_adam)).arrange(DOWN, aligned_edge=LEFT,
                                                                                         buff=0.15)
        rows.next_to(panel, DOWN, buff=0.25)
        self.left_x = RIGHT_X
        flush_left(rows, self.left_x)
        self.play(FadeIn(rows), run_time=0.4)
        loss_sgd = plot.curve(sgd["evals"][:1] * 0, sgd["loss"][:1], c_sgd, width=6)
        loss_adam = plot.curve(adam["evals"][:1] * 0, adam["loss"][:1], c_adam, width=3)
        self.add(loss_sgd, loss_adam)
        steps = sgd.steps
        shown_k = np.unique(np.linspace(1, steps, self.gradient_frames).astype(int))
        still = last_visible_step([np.asarray([panel.curve_points(r["curve"][k]) for k in [0, *shown_k]])
                                   for r in (sgd, adam)]) == 0
        for k in shown_k:
            new_rows = VGroup(self._row("sgd", k, c_sgd), self._row("adam", k, c_adam))
            new_rows.arrange(DOWN, aligned_edge=LEFT, buff=0.15).move_to(rows, aligned_edge=LEFT)
            xs = np.arange(k + 1)
            for i, row in enumerate(new_rows):   # read-outs and loss lines change at once; outputs morph
                swap(rows, i, row)
            loss_sgd.become(plot.curve(xs, sgd["loss"][: k + 1], c_sgd, width=6))
            loss_adam.become(plot.curve(xs, adam["loss"][: k + 1], c_adam, width=3))
            with self.steady() if still else nullcontext():   # nothing moves: a stretch would be a still
                self.play(grad_curve.animate.become(step_curve(panel, sgd["curve"][k], c_sgd, width=7)),
                          adam_curve.animate.become(step_curve(panel, adam["curve"][k], c_adam, width=3)),
                          run_time=4 / 15)
        g_max = max(float(sgd["grad_norm"].max()), float(adam["grad_norm"].max()))
        moved = max(float(sgd["param_change"].max()), float(adam["param_change"].max()))
        # under backprop's promise of a zero gradient, the measurement (the read-outs' column has no room)
        verdict = label(f"‖∇L‖ = {g_max:g} at all {steps} steps: no parameter moved ({moved:g})", LEFT_W,
                        SMALL_SIZE, color=c_sgd)
        flush_left(verdict.next_to(chain, DOWN, buff=0.12), LEFT_X)
        self.play(FadeIn(verdict), run_time=0.6)
        self.wait(1)
        self.beat(f"SGD and Adam ran {speech.count(steps)} steps each. The recorded gradient is exactly "
                  f"{speech.number(g_max)} at every step, so nothing moves: the loss stays "
                  f"{speech.loss(sgd['loss'][-1])}.")

        # --- 4. evolution: compare losses, keep the better child
        evo_row = VGroup(flush_left(self._row("evolution", 0, c_evo).next_to(rows, DOWN, buff=0.2),
                                    self.left_x))   # the read-out's place; its row is swapped as the run goes
        self.play(Create(evo_curve), FadeIn(evo_row), run_time=0.6)
        loss_evo = plot.curve(np.zeros(1), evo["loss"][:1], c_evo)
        self.add(loss_evo)
        shown_k = np.unique(np.linspace(1, evo.steps, self.evolution_frames).astype(int))
        # Round by round while its output visibly changes; the rounds after that in one short steady play.
        moving = last_visible_step([np.asarray([panel.curve_points(evo["curve"][k]) for k in [0, *shown_k]])])
        for k, steady in steps_to_play(list(shown_k), moving):
            swap(evo_row, 0, flush_left(self._row("evolution", k, c_evo).move_to(evo_row), self.left_x))
            loss_evo.become(plot.curve(np.arange(k + 1), evo["loss"][: k + 1], c_evo))
            with self.steady() if steady else nullcontext():
                self.play(evo_curve.animate.become(step_curve(panel, evo["curve"][k], c_evo)),
                          run_time=0.4 if steady else 4 / 15)
        self.evo_curve = evo_curve
        missed = evo.meta.get("points_missed") if net["out_activation"] == "sign" else None
        missed_note = None
        if missed is not None:
            missed_note = flush_left(Text(f"{missed} of {n_data} points still wrong", font_size=SMALL_SIZE,
                                          color=c_evo).next_to(evo_row, DOWN, buff=0.12), self.left_x)
            self.play(FadeIn(missed_note), run_time=0.4)
        self.wait(1)
        self.beat(f"Evolution never asks for a gradient, only for the loss. In {speech.count(evo.steps)} rounds it "
                  f"goes from {speech.loss(evo['loss'][0])} to {speech.loss(evo['loss'][-1])}"
                  + (f", with {missed} of {n_data} points still wrong." if missed is not None else "."))

        # --- 5. over all seeds
        summ, reps = tr.stats["runs"], tr.stats["seeds"]
        summary = stack(*(label(line, LEFT_W, SMALL_SIZE, color=TEXT_COLOR) for line in (
            f"over {reps} seeds (mean ± sd):",
            f"SGD, Adam: loss {ms(summ['sgd']['final_loss'])} = their start",
            f"evolution: loss {ms(summ['evolution']['start_loss'])} → {ms(summ['evolution']['final_loss'])}")),
            buff=0.12)
        # The unit's picture was the first beat's; the seeds' summary takes its place, above the verdict.
        free_top, free_bottom = float(unit_caption.get_top()[1]), float(chain.get_top()[1]) + 0.2
        flush_left(summary.move_to([0, (free_top + free_bottom) / 2, 0]), LEFT_X)
        summary.shift(DOWN * max(0.0, float(summary.get_top()[1]) - free_top))
        self.play(FadeOut(unit, f_left, f_right, deriv, unit_label, deriv_label, h_label, unit_caption), run_time=0.4)
        self.play(FadeIn(summary), run_time=0.8)
        self.wait(2)
        moved = max(float(summ[n]["max_param_change"]["mean"] or 0.0) for n in ("sgd", "adam"))
        evo_start, evo_end = summ["evolution"]["start_loss"]["mean"], summ["evolution"]["final_loss"]["mean"]
        gradient = self.claims.say(moved == 0.0, "gradient descent stays where it started",
                                   "gradient descent moves a little")
        works = self.claims.say(evo_end is not None and evo_start is not None and evo_end < evo_start,
                                " Where gradients do not exist, evolution still makes progress.", "")
        # SGD's mean too: the summary chapter's step-units column says it, and seed 0's loss said above differs
        self.beat(f"Over {speech.small(reps)} seeds, {gradient}, at a loss of "
                  f"{speech.mean(summ['sgd']['final_loss'])}, while evolution ends at "
                  f"{speech.mean(summ['evolution']['final_loss'])}.{works}")

    def _loss_floor(self) -> float:
        losses = np.concatenate([r["loss"] for r in self.runs.values()])
        positive = losses[losses > 0]
        return float(positive.min()) / 2 if len(positive) else 1e-3

    def _row(self, name: str, k: int, color) -> VGroup:
        run = self.runs[name]
        if run.meta["kind"] == "gradient":
            g = float(run["grad_norm"][min(k, run.steps) - 1]) if k else float(run["grad_norm"][0])
            fields = [("step", f"{k}"), ("loss", fmt_loss(run["loss"][k])), ("‖∇L‖", f"{g:g}")]
        else:
            fields = [("round", f"{k}"), ("loss", fmt_loss(run["loss"][k])), ("evals", f"{int(run['evals'][k])}")]
        return readout(run.meta["label"], color, fields, max_width=MAX_W)


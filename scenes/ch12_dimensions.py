"""Chapter 12 — Dimensions: progress per evaluation as networks grow.

Storyboard: the loss decrease that one evaluation buys, against the number of parameters (log-log):
one random mutation kept only if it improves (its best σ) against one gradient step (its best lr),
each seed a small dot, the median a line -> the cost to reach the same target loss: evolution's
evaluations (best σ) against descent's gradient steps. Every number is read from the `dimensions`
trace, and every sentence is chosen by a predicate on it (`progress_lines`, `cost_line`): the
chapter says what the data shows, whichever way it goes.
"""

from __future__ import annotations

import numpy as np
from manim import DOWN, UP, Create, Dot, FadeIn, Text, Triangle, VGroup, VMobject, Write

from scenes.kit import speech
from scenes.kit.base import ChapterScene
from scenes.kit.charts import axis_titles, log_axes
from scenes.kit.layout import pretty_expr
from scenes.kit.panels import legend
from scenes.kit.style import MUTED, SMALL_SIZE, TITLE_SIZE, color_for
from sim.trace import Trace

SAME = 2.0        # within this factor, a gain "stays about the same"
UPHILL = 0.1      # "almost every direction is uphill" only if P(improve) < this for every σ drawn


def polyline(points: list, color, width: float) -> VMobject:
    """A line through the points (nothing drawn for fewer than two: a series that never got there)."""
    line = VMobject(stroke_color=color, stroke_width=width)
    return line.set_points_as_corners(points) if len(points) > 1 else line


def shown_level(tr: Trace) -> int:
    """The deepest probe point where every network has a median for both methods (else the start)."""
    ok = np.isfinite(tr["progress/mutation_median"]) & np.isfinite(tr["progress/step_median"])
    full = np.flatnonzero(ok.all(axis=0))
    return int(full[-1]) if len(full) else 0


def legible(ax):
    """Log-axis tick labels (10 with a superscript) drawn at font_size 20 are ~10 px tall at 480p: enlarge."""
    for axis in (ax.x_axis, ax.y_axis):
        for label in getattr(axis, "labels", []):
            label.scale(1.4)
    return ax


def where_probed(level: float) -> str:
    return "at the start" if not np.isfinite(level) else f"where descent first reached loss ≤ {level:g}"


def _factor(a: float, b: float) -> float:
    return max(a / b, b / a)


def progress_lines(tr: Trace, li: int) -> list[str]:
    """What the progress chart shows, as sentences chosen by predicates on the trace (level `li`)."""
    d = tr["nets/n_params"]
    mut, step = tr["progress/mutation_median"][:, li], tr["progress/step_median"][:, li]
    ratio = tr["progress/ratio_median"][:, li]
    both = np.flatnonzero(np.isfinite(mut) & np.isfinite(step) & (mut > 0))
    if len(both) < 2:
        return ["Too few networks were probed at this point to compare sizes."]
    a, b = int(both[0]), int(both[-1])
    da, db = f"{int(d[a]):,}", f"{int(d[b]):,}"     # as the screen writes them
    lines = []
    m_fac = _factor(mut[a], mut[b])
    if m_fac < SAME:
        lines.append(f"From {da} to {db} parameters, one random mutation's gain per evaluation stays about the "
                     f"same: {speech.percent(mut[a])} of the loss, then {speech.percent(mut[b])}.")
    else:
        how = "less" if mut[b] < mut[a] else "more"
        lines.append(f"From {da} to {db} parameters, one random mutation gains {speech.times(m_fac)} {how} per "
                     f"evaluation: {speech.percent(mut[a])} of the loss, then {speech.percent(mut[b])}.")
    s_fac = _factor(step[a], step[b]) if step[a] > 0 and step[b] > 0 else np.inf
    if s_fac < SAME:
        lines.append(f"A gradient step's gain also stays about the same: {speech.percent(step[a])}, "
                     f"then {speech.percent(step[b])}." if m_fac < SAME else
                     f"A gradient step's gain stays about the same: {speech.percent(step[a])}, "
                     f"then {speech.percent(step[b])}.")
    else:
        lines.append(f"A gradient step's gain goes from {speech.percent(step[a])} to {speech.percent(step[b])}.")
    r = ratio[both]
    r = r[np.isfinite(r)]
    if len(r) and r.min() > 1:
        lines.append(f"At every size, one gradient step gains {speech.number(r.min())} to {speech.number(r.max())} "
                     "times as much as one mutation.")
    elif len(r) and r.max() < 1:
        lines.append("At every size, one mutation gains more than one gradient step.")
    elif len(r):
        lines.append("Which one gains more depends on the size.")
    lead = time_lead(tr, li)
    if lead is not None:
        lines.append(lead)
    p = tr["probe/p"][b, li]
    if np.isfinite(p).all() and (p < UPHILL).all():
        lines.append(f"At {db} parameters almost every direction is uphill: at every σ drawn, fewer than "
                     f"{speech.ratio(UPHILL)} mutations improve.")
    return lines


def time_lead(tr: Trace, li: int) -> str | None:
    """The gradient step's lead per second of compute, from the measured wall times (timing sidecar)."""
    wall = tr.wall_stats.get("slopes")
    if not wall:
        return None
    cost = np.array(wall["backprop_s"]) / np.array(wall["forward_s"])     # a step, in forward passes
    lead = tr["progress/ratio_median"][:, li] / cost
    if not np.isfinite(lead).any():
        return None
    return (f"Measured in time, a gradient step cost {speech.number(np.nanmin(cost))} to "
            f"{speech.number(np.nanmax(cost))} forward passes here, so per second its lead is "
            f"{speech.number(np.nanmin(lead))} to {speech.number(np.nanmax(lead))} times.")


def cost_line(tr: Trace) -> str:
    """The cost to the target at the smallest and largest network, with who needed fewer."""
    cfg = tr.meta["config"]
    d = tr["nets/n_params"]
    gd, best = tr["descent/steps_median"], tr["evolution/best_median"]
    budget, max_steps = cfg["evolution"]["budget"], cfg["descent"]["max_steps"]

    def need(v: float, unit: str, cap: float) -> str:
        return f"{speech.count(v)} {unit}" if np.isfinite(v) else f"more than {speech.count(cap)} {unit}"

    text = (f"To reach loss {speech.loss(cfg['target_loss'])}, gradient descent needs "
            f"{need(gd[0], 'steps', max_steps)} at {int(d[0]):,} parameters and "
            f"{need(gd[-1], 'steps', max_steps)} at {int(d[-1]):,}; evolution at its best σ needs "
            f"{need(best[0], 'evaluations', budget)}, then {need(best[-1], 'evaluations', budget)}.")
    fewer = [f"{int(d[i]):,}: {'evolution' if best[i] < gd[i] else 'descent'}"
             for i in (0, len(d) - 1) if np.isfinite(best[i]) and np.isfinite(gd[i])]
    if fewer:
        text += " Fewer evaluations than steps? At " + "; at ".join(fewer) + "."
    return text


class Dimensions(ChapterScene):
    def construct(self) -> None:
        tr = self.trace("dimensions")
        cfg = tr.meta["config"]
        d = tr["nets/n_params"].astype(float)
        li = shown_level(tr)
        c_mut, c_step, c_gd = color_for("evolution"), color_for("sgd"), color_for(cfg["descent"]["optimizer"])

        title = Text("Progress per evaluation as networks grow", font_size=TITLE_SIZE).to_edge(UP, buff=0.25)
        target = pretty_expr(cfg["task"]["target"])
        sub = Text(f"MLPs of {int(d[0]):,} to {int(d[-1]):,} parameters fitting y = {target}",
                   font_size=SMALL_SIZE, color=MUTED).next_to(title, DOWN, 0.1)
        self.play(Write(title), FadeIn(sub), run_time=1)

        # 1. loss decrease per evaluation: mutation (best σ) vs gradient step (best lr)
        mut_all, step_all = tr["progress/mutation_best"][:, :, li], tr["progress/step_best"][:, :, li]
        vals = np.concatenate([mut_all[mut_all > 0], step_all[step_all > 0]])
        lo_y = float(vals.min()) if len(vals) else 1e-3
        ax = log_axes((d.min(), d.max()), (min(lo_y, 0.1), 1.0), width=5.2, height=3.3, font_size=SMALL_SIZE)
        legible(ax).move_to([-3.3, -0.35, 0])
        self.gain_axes = ax
        titles = axis_titles(ax, "parameters", "loss decrease per evaluation", font_size=SMALL_SIZE)
        self.play(Create(ax), FadeIn(titles), run_time=1)
        self.gain_dots = {}
        for key, per_seed, med, col in (("mutation", mut_all, tr["progress/mutation_median"][:, li], c_mut),
                                        ("step", step_all, tr["progress/step_median"][:, li], c_step)):
            seeds = VGroup(*[Dot(ax.c2p(x, v), radius=0.035, color=col).set_opacity(0.6)
                             for x, row in zip(d, per_seed, strict=True) for v in row if np.isfinite(v) and v > 0])
            pts = [ax.c2p(x, v) for x, v in zip(d, med, strict=True) if np.isfinite(v) and v > 0]
            dots = VGroup(*[Dot(q, radius=0.07, color=col) for q in pts])
            self.gain_dots[key] = dots
            self.play(FadeIn(seeds), Create(polyline(pts, col, 3)), FadeIn(dots), run_time=1)
        key = legend([("one random mutation, best σ (1 forward pass)", c_mut, "dot"),
                      ("one gradient step, best lr (forward + backward)", c_step, "dot")],
                     size=SMALL_SIZE, max_width=6.4).next_to(sub, DOWN, buff=0.2).align_to(ax, [-1, 0, 0])
        note = Text(f"share of the loss, {where_probed(tr['probe/levels'][li])}; median of {mut_all.shape[1]} "
                    "seeds (small dots)", font_size=SMALL_SIZE, color=MUTED)
        self.play(FadeIn(key), run_time=0.6)
        note.scale_to_fit_width(min(note.width, 13.0)).to_edge(DOWN, buff=0.15)
        self.play(FadeIn(note), run_time=0.4)
        self.wait(2)
        self.beat(" ".join(progress_lines(tr, li)))

        # 2. cost to the target: evolution's evaluations (best σ) vs descent's steps
        best, gd = tr["evolution/best_median"], tr["descent/steps_median"]
        budget, max_steps = cfg["evolution"]["budget"], cfg["descent"]["max_steps"]
        ax2 = log_axes((d.min(), d.max()), (1, max(budget, max_steps) * 2), width=5.2, height=3.3,
                       font_size=SMALL_SIZE)
        legible(ax2).move_to([3.7, -0.35, 0])
        self.cost_axes = ax2
        titles2 = axis_titles(ax2, "parameters", f"cost to loss ≤ {cfg['target_loss']:g}", font_size=SMALL_SIZE)
        self.play(Create(ax2), FadeIn(titles2), run_time=1)
        evo = VGroup()
        pts = []
        for x, v in zip(d, best, strict=True):
            if np.isfinite(v):
                pts.append(ax2.c2p(x, v))
                evo.add(Dot(pts[-1], radius=0.07, color=c_mut))
            else:   # missed within the budget: a triangle at the budget
                evo.add(Triangle(color=c_mut, fill_opacity=1).scale(0.09).move_to(ax2.c2p(x, budget)))
        evo.add(polyline(pts, c_mut, 3))
        gd_pts = [ax2.c2p(x, max(v, 1)) for x, v in zip(d, gd, strict=True) if np.isfinite(v)]
        self.gd_dots = VGroup(*[Dot(q, radius=0.07, color=c_gd) for q in gd_pts])
        self.evo_marks = evo
        self.play(FadeIn(evo), Create(polyline(gd_pts, c_gd, 3)), FadeIn(self.gd_dots), run_time=1.2)
        key2 = legend([("evolution, best σ: evaluations", c_mut, "dot"),
                       (f"descent ({cfg['descent']['optimizer']}): steps", c_gd, "dot")],
                      size=SMALL_SIZE, max_width=5.4).next_to(sub, DOWN, buff=0.2).align_to(ax2, [1, 0, 0])
        self.play(FadeIn(key2), run_time=0.6)
        self.wait(2)
        self.beat(cost_line(tr))

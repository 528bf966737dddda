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
from manim import DOWN, LEFT, RIGHT, UP, Axes, Create, Dot, FadeIn, Mobject, Text, Triangle, VGroup, VMobject, Write

from scenes.kit import speech
from scenes.kit.base import ChapterScene
from scenes.kit.charts import log_axes
from scenes.kit.claims import Claims
from scenes.kit.layout import frame_box, label, pretty_expr
from scenes.kit.panels import legend
from scenes.kit.style import MUTED, SMALL_SIZE, TEXT_COLOR, TICK_SIZE, TITLE_SIZE, color_for
from sim.trace import Trace

SAME = 2.0        # within this factor, a gain "stays about the same" (and two costs are "about as many")
FAR = 5.0         # a cost this many times lower is "far fewer"
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


HALF_GAP = 0.2    # free space either side of the frame's middle, between the two charts


def chart(x_range: tuple[float, float], y_range: tuple[float, float], x_title: str, y_title: str, left: float,
          right: float, top: float, bottom: float) -> tuple[Axes, VGroup]:
    """Log-log axes (TeX numbers at TICK_SIZE) and their titles, sized to fill the box left..right ×
    bottom..top with everything they draw: the axes take what the numbers and the titles leave."""
    def build(width: float, height: float) -> tuple[Axes, VGroup]:
        ax = log_axes(x_range, y_range, width=width, height=height, font_size=TICK_SIZE)
        xt = Text(x_title, font_size=SMALL_SIZE, color=TEXT_COLOR).next_to(ax.x_axis.labels, DOWN, buff=0.12)
        yt = label(y_title, height, SMALL_SIZE, color=TEXT_COLOR).rotate(np.pi / 2)   # two lines if long
        yt.next_to(ax.y_axis.labels, LEFT, buff=0.15)
        return ax, VGroup(xt, yt)

    width, height = 4.0, 3.0
    for _ in range(4):   # grow or shrink the axes by what is spare (a y title that wraps changes the margins)
        ax, titles = build(width, height)
        whole = VGroup(ax, titles)
        spare_w, spare_h = (right - left) - whole.width, (top - bottom) - whole.height
        if abs(spare_w) < 0.01 and abs(spare_h) < 0.01:
            break
        width, height = width + spare_w, height + spare_h
    whole.shift(RIGHT * (left - whole.get_left()[0]) + UP * (top - whole.get_top()[1]))
    return ax, titles


def under(mob: Mobject, buff: float = 0.2) -> float:
    """The y just under a mobject, `buff` below it."""
    return float(mob.get_bottom()[1]) - buff


def where_probed(level: float) -> str:
    return "at the start" if not np.isfinite(level) else f"where descent first reached loss ≤ {level:g}"


def _factor(a: float, b: float) -> float:
    return max(a / b, b / a)


def progress_lines(tr: Trace, li: int, claims: Claims) -> list[str]:
    """What the progress chart shows, as comparisons chosen by tests on the trace (level `li`).

    The chart has no value labels, so the lines name no values: only the sizes (in the subtitle)
    and which way each gain went."""
    d = tr["nets/n_params"]
    mut, step = tr["progress/mutation_median"][:, li], tr["progress/step_median"][:, li]
    ratio = tr["progress/ratio_median"][:, li]
    both = np.flatnonzero(np.isfinite(mut) & np.isfinite(step) & (mut > 0))
    if len(both) < 2:
        return ["Too few networks were probed at this point to compare sizes."]
    a, b = int(both[0]), int(both[-1])
    da, db = f"{int(d[a]):,}", f"{int(d[b]):,}"     # as the screen writes them

    def trend(x: float, y: float) -> str:
        return claims.pick((y > 0 and _factor(x, y) < SAME, "stays about the same"),
                           (y < x, "shrinks"), otherwise="grows")

    lines = [f"From {da} to {db} parameters, one random mutation's gain per evaluation {trend(mut[a], mut[b])}, "
             f"and a gradient step's gain {trend(step[a], step[b])}."]
    r = ratio[both]
    r = r[np.isfinite(r)]
    if len(r):
        lines.append("At every size, " + claims.pick(
            (r.min() > 1, "one gradient step gains more than one mutation."),
            (r.max() < 1, "one mutation gains more than one gradient step."),
            otherwise="which one gains more depends on the size."))
    p = tr["probe/p"][b, li]
    lines.append(claims.say(bool(np.isfinite(p).all() and (p < UPHILL).all()),
                            f"At {db} parameters almost every direction is uphill: at every σ drawn, fewer than "
                            f"{speech.ratio(UPHILL)} mutations improve.", ""))
    return [line for line in lines if line]


def cost_line(tr: Trace, claims: Claims) -> str:
    """Who reaches the target loss for less at the smallest and the largest network."""
    cfg = tr.meta["config"]
    d = tr["nets/n_params"]
    gd, best = tr["descent/steps_median"], tr["evolution/best_median"]
    parts = []
    for i in (0, len(d) - 1):
        g, e = float(gd[i]), float(best[i])
        both = bool(np.isfinite(g) and np.isfinite(e))
        who = claims.pick(
            (both and e * FAR <= g, "evolution needs far fewer evaluations than descent needs steps"),
            (both and e < g / SAME, "evolution needs fewer evaluations than descent needs steps"),
            (both and g * FAR <= e, "descent needs far fewer steps than evolution needs evaluations"),
            (both and g < e / SAME, "descent needs fewer steps than evolution needs evaluations"),
            (both, "descent's steps and evolution's evaluations are about as many"),
            (np.isfinite(g), "only descent gets there within its budget"),
            (np.isfinite(e), "only evolution gets there within its budget"),
            otherwise="neither gets there within its budget")
        parts.append(f"at {int(d[i]):,} parameters, {who}")
    return f"To reach loss {speech.loss(cfg['target_loss'])}: " + "; ".join(parts) + "."


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

        # Each chart's key over it, the gain chart's note across the foot; the charts fill what is left.
        x0, x1 = frame_box()[:2]
        key = legend([("one random mutation, best σ\n(1 forward pass)", c_mut, "dot"),
                      ("one gradient step, best lr\n(forward + backward)", c_step, "dot")],
                     size=SMALL_SIZE, max_width=-HALF_GAP - x0)
        key.next_to(sub, DOWN, buff=0.2).align_to([x0, 0, 0], LEFT)
        key2 = legend([("evolution, best σ: evaluations", c_mut, "dot"),
                       (f"descent ({cfg['descent']['optimizer']}): steps", c_gd, "dot")],
                      size=SMALL_SIZE, max_width=x1 - HALF_GAP).next_to(sub, DOWN, buff=0.2)
        key2.align_to([HALF_GAP, 0, 0], LEFT)
        mut_all, step_all = tr["progress/mutation_best"][:, :, li], tr["progress/step_best"][:, :, li]
        note = label(f"share of the loss, {where_probed(tr['probe/levels'][li])}; median of {mut_all.shape[1]} "
                     "seeds (small dots)", x1 - x0, SMALL_SIZE, color=MUTED).to_edge(DOWN, buff=0.15)
        top, bottom = min(under(key), under(key2)), float(note.get_top()[1]) + 0.2

        # 1. loss decrease per evaluation: mutation (best σ) vs gradient step (best lr)
        vals = np.concatenate([mut_all[mut_all > 0], step_all[step_all > 0]])
        lo_y = float(vals.min()) if len(vals) else 1e-3
        ax, titles = chart((d.min(), d.max()), (min(lo_y, 0.1), 1.0), "parameters", "loss decrease per evaluation",
                           x0, -HALF_GAP, top, bottom)
        self.gain_axes = ax
        self.play(Create(ax), FadeIn(titles), run_time=1)
        self.gain_dots = {}
        for k, per_seed, med, col in (("mutation", mut_all, tr["progress/mutation_median"][:, li], c_mut),
                                      ("step", step_all, tr["progress/step_median"][:, li], c_step)):
            seeds = VGroup(*[Dot(ax.c2p(x, v), radius=0.035, color=col).set_opacity(0.6)
                             for x, row in zip(d, per_seed, strict=True) for v in row if np.isfinite(v) and v > 0])
            pts = [ax.c2p(x, v) for x, v in zip(d, med, strict=True) if np.isfinite(v) and v > 0]
            dots = VGroup(*[Dot(q, radius=0.07, color=col) for q in pts])
            self.gain_dots[k] = dots
            self.play(FadeIn(seeds), Create(polyline(pts, col, 3)), FadeIn(dots), run_time=1)
        self.play(FadeIn(key), run_time=0.6)
        self.play(FadeIn(note), run_time=0.4)
        self.wait(2)
        self.beat(" ".join(progress_lines(tr, li, self.claims)))

        # 2. cost to the target: evolution's evaluations (best σ) vs descent's steps
        best, gd = tr["evolution/best_median"], tr["descent/steps_median"]
        budget, max_steps = cfg["evolution"]["budget"], cfg["descent"]["max_steps"]
        ax2, titles2 = chart((d.min(), d.max()), (1, max(budget, max_steps) * 2), "parameters",
                             f"cost to loss ≤ {cfg['target_loss']:g}", HALF_GAP, x1, top, bottom)
        self.cost_axes = ax2
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
        self.play(FadeIn(key2), run_time=0.6)
        self.wait(2)
        self.beat(cost_line(tr, self.claims))

"""Chapter 12 — Dimensions: the measured curse of dimensionality.

Storyboard: the probability that one random mutation (per-coordinate σ) improves the loss,
against the number of parameters (log axis), with 95 % intervals -> it falls as networks grow
(except for tiny σ) -> the cost to reach the same target loss: evolution's evaluations per σ
against descent's gradient steps, log-log, runs that missed the target drawn at the budget.
Every number is read from the `dimensions` trace.
"""

from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, UP, Create, Dot, FadeIn, Line, Text, Triangle, VGroup, VMobject, Write

from scenes.kit import speech
from scenes.kit.base import ChapterScene
from scenes.kit.charts import axis_titles, log_axes
from scenes.kit.layout import pretty_expr
from scenes.kit.palette import series_colors
from scenes.kit.panels import legend
from scenes.kit.style import MUTED, SMALL_SIZE, TITLE_SIZE, color_for


def polyline(points: list, color, width: float) -> VMobject:
    """A line through the points (nothing drawn for fewer than two: a series that never got there)."""
    line = VMobject(stroke_color=color, stroke_width=width)
    return line.set_points_as_corners(points) if len(points) > 1 else line


class Dimensions(ChapterScene):
    def construct(self) -> None:
        tr = self.trace("dimensions")
        cfg = tr.meta["config"]
        d = tr["nets/n_params"].astype(float)
        ps, levels = tr["probe/sigmas"], tr["probe/levels"]
        p, lo, hi = tr["probe/p"], tr["probe/ci_low"], tr["probe/ci_high"]
        li = len(levels) - 1                             # the deepest probe point (lowest loss level)
        c_gd = color_for(cfg["descent"]["optimizer"])
        # one distinct colour per σ (the same σ keeps its colour in both charts), none the descent's
        all_sigmas = sorted({float(s) for s in (*tr["probe/sigmas"], *tr["evolution/sigmas"])})
        self.sigma_colors = dict(zip(all_sigmas, series_colors(len(all_sigmas), exclude=(c_gd.to_hex(),)),
                                     strict=True))

        title = Text("The curse of dimensionality, measured", font_size=TITLE_SIZE).to_edge(UP, buff=0.25)
        where = "at the start" if not np.isfinite(levels[li]) else f"where descent first reached loss ≤ {levels[li]:g}"
        target = pretty_expr(cfg["task"]["target"])
        sub = Text(f"MLPs from {int(d[0])} to {int(d[-1])} parameters fitting y = {target}; mutations probed {where}",
                   font_size=SMALL_SIZE - 2, color=MUTED).next_to(title, DOWN, 0.1)
        self.play(Write(title), FadeIn(sub), run_time=1)

        # 1. P(improve) vs dimension
        p_top = max(0.6, float(np.nanmax(hi, initial=0.0)))   # from the data: probabilities above 0.6 fit too
        p_top = float(np.ceil(p_top * 5) / 5)
        ax = log_axes((d.min(), d.max()), (0, p_top), width=5.0, height=3.4, y_log=False,
                      y_step=0.1 if p_top <= 0.6 else 0.2)
        ax.move_to([-3.4, -0.2, 0])
        self.p_axes = ax
        titles = axis_titles(ax, "parameters", "P(mutation improves)")
        half = Line(ax.c2p(d.min(), 0.5), ax.c2p(d.max(), 0.5), color=MUTED,
                    stroke_width=2).set_stroke(opacity=0.6)
        half_t = Text("1/2", font_size=SMALL_SIZE - 4, color=MUTED).next_to(half.get_right(), UP + LEFT, buff=0.05)
        self.play(Create(ax), FadeIn(titles, half, half_t), run_time=1)
        self.p_dots = {}
        keys = []
        for si, s in enumerate(ps):
            col = self.sigma_colors[float(s)]
            pts = [ax.c2p(x, y) for x, y in zip(d, p[:, li, si], strict=True) if np.isfinite(y)]
            line = polyline(pts, col, 3)
            dots = VGroup(*[Dot(q, radius=0.06, color=col) for q in pts])
            bars = VGroup(*[Line(ax.c2p(x, a), ax.c2p(x, b), color=col, stroke_width=3)
                            for x, a, b in zip(d, lo[:, li, si], hi[:, li, si], strict=True) if np.isfinite(a)])
            self.p_dots[si] = dots
            self.play(Create(line), FadeIn(dots, bars), run_time=1)
            keys.append((f"mutation σ = {s:g} per parameter", col, "dot"))
        key = legend(keys, size=SMALL_SIZE - 4).next_to(ax, UP, buff=0.1)
        key.shift([0.6, 0, 0])
        self.play(FadeIn(key), run_time=0.6)
        self.wait(5)
        s_hi = len(ps) - 1
        probed = np.flatnonzero(np.isfinite(p[:, li, s_hi]))   # networks whose descent reached the probe level
        if len(probed):
            first, last = int(probed[0]), int(probed[-1])
            self.beat(f"How often does a random mutation help? With {speech.count(int(d[first]))} parameters, "
                      f"{speech.ratio(float(p[first, li, s_hi]))} tries improve the loss; with "
                      f"{speech.count(int(d[last]))}, only {speech.ratio(float(p[last, li, s_hi]))}. In many "
                      "dimensions, almost every direction is uphill.")
        else:
            self.beat("How often does a random mutation help? Here no network's descent reached the probed loss, "
                      "so there is nothing to count at that level.")

        # 2. cost to the target: evolution evaluations per σ vs descent steps
        evo = tr["evolution/evals_median"]               # (nets, σ): median of the seeds that got there
        gd = tr["descent/steps_median"]                  # (nets,)
        budget, max_steps = cfg["evolution"]["budget"], cfg["descent"]["max_steps"]
        top = max(budget, max_steps) * 2
        ax2 = log_axes((d.min(), d.max()), (1, top), width=5.0, height=3.4)
        ax2.move_to([3.8, -0.2, 0])
        self.cost_axes = ax2
        titles2 = axis_titles(ax2, "parameters", f"cost to loss ≤ {cfg['target_loss']:g}")
        cap = Line(ax2.c2p(d.min(), budget), ax2.c2p(d.max(), budget),
                   color=MUTED, stroke_width=2).set_stroke(opacity=0.7)
        cap_t = Text(f"budget {budget} (missed: ▲)", font_size=SMALL_SIZE - 5, color=MUTED).next_to(cap, UP, 0.05)
        self.play(Create(ax2), FadeIn(titles2, cap, cap_t), run_time=1)
        es = tr["evolution/sigmas"]
        keys2 = []
        self.cost_marks = []
        for si, s in enumerate(es):
            col = self.sigma_colors[float(s)]
            group, pts = VGroup(), []
            for i, x in enumerate(d):
                v = evo[i, si]
                if np.isfinite(v):
                    q = ax2.c2p(x, v)
                    pts.append(q)
                    group.add(Dot(q, radius=0.055, color=col))
                else:
                    group.add(Triangle(color=col, fill_opacity=1).scale(0.09).move_to(
                        ax2.c2p(x, budget) + UP * 0.12))
            if len(pts) > 1:
                group.add(VMobject(stroke_color=col, stroke_width=2.5).set_points_as_corners(pts))
            keys2.append((f"evolution σ={s:g}: evaluations", col, "dot"))
            self.cost_marks.append(group)
        gd_pts = [ax2.c2p(x, max(v, 1)) for x, v in zip(d, gd, strict=True) if np.isfinite(v)]
        gd_line = polyline(gd_pts, c_gd, 4)
        gd_dots = VGroup(*[Dot(q, radius=0.07, color=c_gd) for q in gd_pts])
        self.gd_dots = gd_dots
        self.play(*[FadeIn(g) for g in self.cost_marks], run_time=1.2)
        self.play(Create(gd_line), FadeIn(gd_dots), run_time=1)
        keys2.append((f"descent ({cfg['descent']['optimizer']}): gradient steps", c_gd, "dot"))
        key2 = legend(keys2, size=SMALL_SIZE - 4)
        key2.arrange_in_grid(rows=3, cols=2, col_alignments="ll", buff=(0.4, 0.1), flow_order="dr")
        key2.to_edge(DOWN, buff=0.15)
        self.play(FadeIn(key2), run_time=0.6)
        self.wait(7)
        best = tr["evolution/best_median"]               # (nets,): evolution's best σ, median evaluations
        gd_med = [float(gd[0]), float(gd[-1])]

        def need(v: float, unit: str, cap: float) -> str:
            return f"about {speech.count(v).removeprefix('about ')} {unit}" if np.isfinite(v) else \
                f"more than {speech.count(cap)} {unit}"

        self.beat(f"To reach loss {speech.loss(cfg['target_loss'])}, gradient descent needs "
                  f"{need(gd_med[0], 'steps', max_steps)} at {int(d[0])} parameters and "
                  f"{need(gd_med[1], 'steps', max_steps)} at {speech.count(int(d[-1]))}. Evolution needs "
                  f"{need(best[0], 'evaluations', budget)}, then {need(best[-1], 'evaluations', budget)}.")

"""Chapter 15, Beyond: a state-of-the-art evolution strategy beside the video's simple one.

Storyboard: the 2-parameter landscape -> CMA-ES's generations (every child, the sampling
ellipse from its recorded covariance σ²C, the mean's path) beside the local search's path, at
the same number of loss evaluations -> the 1,741-parameter MLP: SNES vs local search, best loss
against evaluations (log axis), the fitted curves, numbers over all seeds -> the closing idea:
optimizers minimize one loss, evolution in nature branches and invents. All numbers from the strong-es trace.
"""

from __future__ import annotations

import math

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    Create,
    Dot,
    FadeIn,
    FadeOut,
    Group,
    Line,
    Star,
    Text,
    VGroup,
    VMobject,
    Write,
)

from scenes.kit import speech
from scenes.kit.arrows import swap
from scenes.kit.base import ChapterScene
from scenes.kit.cloud import marker, mutation_cloud, trail
from scenes.kit.landscape import LandscapeView
from scenes.kit.layout import flush_left, label, pretty_expr, stack
from scenes.kit.panels import CurvePanel, fmt_loss, legend, readout
from scenes.kit.params import fmt_param
from scenes.kit.plots import LossPlot
from scenes.kit.style import MUTED, SMALL_SIZE, TEXT_COLOR, TITLE_SIZE, color_for
from scenes.kit.traces import format_spread

CLEARLY = 2.0   # one mean below the other by this factor: that search "ends clearly lower"
COL_X, COL_W = 0.3, 6.65   # the text column right of the landscape and of the loss plot
TOP_Y = 3.2                # under the title


def ms(stat: dict, fmt=fmt_loss) -> str:
    """A spread stored in the trace (mean ± sample sd over seeds), formatted, never recomputed."""
    return format_spread(stat, fmt, count=False)


def column(lines: list[str], color=TEXT_COLOR) -> VGroup:
    """Lines of a text block, each wrapped to the column at the smallest legible size or larger."""
    return stack(*(label(line, COL_W, SMALL_SIZE, color=color) for line in lines), buff=0.1)


def stacked_readout(name: str, color, fields: list[tuple[str, str]]) -> VGroup:
    """A read-out with its fields under the run's name (the kit's readout stacks only a row too wide
    for its column): the landscape's rows would switch between one and two lines as the digits grow."""
    swatch = Dot(radius=0.09, color=color)
    head = VGroup(swatch, label(name, COL_W - 0.36, SMALL_SIZE, max_lines=1, color=TEXT_COLOR, weight="BOLD"))
    head.arrange(RIGHT, buff=0.18)
    values = label(" · ".join(f"{key} {value}" for key, value in fields), COL_W - 0.36, SMALL_SIZE, color=TEXT_COLOR)
    return VGroup(head, values.next_to(head, DOWN, buff=0.08).align_to(head[1], LEFT))


def ellipse_points(mean: np.ndarray, cov: np.ndarray, box: tuple[float, float, float, float],
                   n: int = 48) -> np.ndarray:
    """The 1-standard-deviation contour of N(mean, cov), clipped to the plotted square."""
    chol = np.linalg.cholesky(cov)
    t = np.linspace(0, 2 * np.pi, n)
    pts = mean + (chol @ np.stack([np.cos(t), np.sin(t)])).T
    return np.stack([np.clip(pts[:, 0], box[0], box[1]), np.clip(pts[:, 1], box[2], box[3])], axis=1)


class Beyond(ChapterScene):
    parts: tuple[str, ...] = ("landscape", "mlp", "closing")  # tests render one part at a time
    detail_generations = 10   # CMA-ES generations shown with their population and ellipse; the rest play fast
    mlp_frames = 24           # steps of the MLP loss-curve animation

    def construct(self) -> None:
        tr = self.trace("strong-es")
        for part in self.parts:
            if self.mobjects:
                self.play(FadeOut(Group(*self.mobjects)), run_time=0.6)
                self.clear()
            getattr(self, f"{part}_part")(tr)

    # ------------------------------------------------------------------------------ 2-D landscape
    def landscape_part(self, tr) -> None:
        cma, ls = tr.run("cma-es"), tr.run("evolution")
        c_cma, c_ls = color_for(cma.name, cma.meta), color_for(ls.name, ls.meta)
        title = Text("Beyond simple evolution: CMA-ES", font_size=TITLE_SIZE).to_edge(UP, buff=0.25)
        a, b = tr["small/landscape/a"], tr["small/landscape/b"]
        self.box = (float(a[0]), float(a[-1]), float(b[0]), float(b[-1]))
        view = LandscapeView(a, b, tr["small/landscape/loss"], tr["small/landscape/min"], side=5.6)
        view.shift(np.array([-3.45, -0.25, 0]) - view.axes.get_center())
        view.heatmap.move_to(view.axes.get_center())
        self.view = view
        inside = max(0.0, -7.0 - float(view.get_left()[0]))   # its letter b at the frame's left edge, not past it
        view.shift(RIGHT * inside)
        view.heatmap.shift(RIGHT * inside)
        self.play(Write(title), run_time=1)
        self.add(view.heatmap)
        self.play(FadeIn(view.heatmap), Create(view.frame), FadeIn(view.x_label, view.y_label), run_time=1)
        self.play(Create(view.contours), FadeIn(view.minimum, view.min_label), run_time=0.8)

        lam, gens = cma.meta["population"], cma.steps
        intro = label("CMA-ES samples children from a Gaussian and learns its shape: the mean moves to the best "
                      "children's weighted average, the covariance stretches where steps paid off.", COL_W,
                      SMALL_SIZE, color=TEXT_COLOR)
        flush_left(intro, COL_X).shift(UP * (TOP_Y - float(intro.get_top()[1])))
        key = legend([("CMA-ES mean path", c_cma), ("its children (one generation)", c_cma, "dot"),
                      ("sampling ellipse: 1 sd of σ²C", c_cma), (f"{ls.meta['label']} (the video's) path", c_ls)],
                     size=SMALL_SIZE, max_width=COL_W)
        flush_left(key.to_edge(DOWN, buff=0.2), COL_X)
        rows_h = self._rows(cma, ls, 0, 0, c_cma, c_ls).height
        self.rows_top = (float(intro.get_bottom()[1]) + float(key.get_top()[1]) + rows_h) / 2   # midway between
        self.play(FadeIn(intro), FadeIn(key), run_time=1)

        p_cma, p_ls = cma["params"], ls["params"]
        m_cma, m_ls = marker(view.point(p_cma[0]), c_cma), marker(view.point(p_ls[0]), c_ls)
        rows = self._rows(cma, ls, 0, 0, c_cma, c_ls)
        self.play(FadeIn(m_cma, m_ls), FadeIn(rows), run_time=0.6)
        self.beat(f"Evolution can be smarter. Here CMA-ES starts beside our simple local search, at loss "
                  f"{speech.loss(cma['loss'][0])}.")

        trails = VGroup().set_z_index(3)
        self.add(trails)
        ls_per_gen = max(1, ls.steps // gens)
        ellipse = None
        self.clouds_drawn = 0
        for g in range(1, gens + 1):
            detail = g <= self.detail_generations
            k_ls = min(ls.steps, g * ls_per_gen)
            cloud = None
            inside = self._inside(cma["population"][g - 1])
            if detail and inside.any():
                cloud = mutation_cloud(cma["population"][g - 1][inside], int(np.argmin(
                    np.where(inside, cma["pop_loss"][g - 1], np.inf)[inside])), True, view.point, c_cma).set_z_index(2)
                shape = self._ellipse(p_cma[g - 1], cma["cov"][g - 1], c_cma)
                anims = [FadeIn(cloud, scale=0.6)]
                anims.append(Create(shape) if ellipse is None else ellipse.animate.become(shape))
                if ellipse is None:
                    ellipse = shape
                self.play(*anims, run_time=0.4)
                self.clouds_drawn += 1
            if g == 1:   # the rule is said while its first cloud and ellipse are on screen (when drawn)
                self.beat(self._rule_line(lam, cloud is not None))
            moves = []
            for mk, path, color, k0, k1 in ((m_cma, p_cma, c_cma, g - 1, g),
                                            (m_ls, p_ls, c_ls, min(ls.steps, (g - 1) * ls_per_gen), k_ls)):
                pts = [view.point(np.clip(path[k], [self.box[0], self.box[2]], [self.box[1], self.box[3]]))
                       for k in range(k0, k1 + 1)]
                if np.linalg.norm(pts[-1] - pts[0]) > 1e-6:
                    seg = trail(pts, color, width=4)
                    trails.add(seg)
                    moves.append(Create(seg))
                moves.append(mk.animate.move_to(pts[-1]))
            if cloud is not None:
                moves.append(FadeOut(cloud))
            if g == self.detail_generations + 1 and ellipse is not None:
                moves.append(FadeOut(ellipse))
            for i, row in enumerate(self._rows(cma, ls, g, k_ls, c_cma, c_ls)):
                swap(rows, i, row)   # read-outs change text at once: morphing digits would be unreadable
            self.play(*moves, run_time=0.6 if detail else 2 / 15)
            if cloud is not None:
                self.remove(cloud)
        self.markers = {"cma-es": m_cma, "evolution": m_ls}
        summ, n = tr.stats["tanh-2d"], tr.stats["seeds"]
        evals = int(cma["evals"][-1])
        off_grid = summ["off_grid"]["cma-es"]   # CMA-ES runs whose end left the landscape grid (= self.box)
        off = len(off_grid["seeds"])
        ends = ", ".join(f"({fmt_param(e[0])}, {fmt_param(e[1])})" for e in off_grid["ends"][:2])
        plateau = [f"{off} of {n} CMA-ES runs ended off the grid, at (a, b) = {ends}" + ("…" if off > 2 else "")
                   ] if off else []
        verdict = column([f"{n} seeds × {evals} evaluations, best loss:", f"CMA-ES {ms(summ['cma-es']['best_loss'])}",
                          f"local search {ms(summ['evolution']['best_loss'])}", *plateau])
        # the rule's text has been said: the seeds' numbers take its place, above the read-outs
        flush_left(verdict, COL_X).shift(UP * (TOP_Y - float(verdict.get_top()[1])))
        # the opening sentence is said while the generations play: the counts wait for the last of them
        self.beat(f"Generation by generation, both searches walk the same landscape. After {speech.count(evals)} "
                  f"evaluations, CMA-ES is at {speech.loss(cma['best_loss'][-1])}, the local search at "
                  f"{speech.loss(ls['loss'][-1])}.")
        self.play(FadeOut(intro), run_time=0.3)
        self.play(FadeIn(verdict), run_time=0.6)
        self.beat(f"Over {speech.small(n)} seeds: {speech.mean(summ['cma-es']['best_loss'])} against "
                  f"{speech.mean(summ['evolution']['best_loss'])}." + self._verdict(summ)
                  + (f" In {off} of {n} seeds CMA-ES ended off the plotted grid." if off else ""))

    def _verdict(self, summ: dict) -> str:
        """Which search ends lower on average, only where the means differ by more than a factor of two
        (on a landscape both reach, "Evolution can be smarter" must not read as "it was, here")."""
        cma, ls = (summ[k]["best_loss"].get("mean") for k in ("cma-es", "evolution"))
        if cma is None or ls is None or not (math.isfinite(cma) and math.isfinite(ls)):
            return ""
        return self.claims.pick((cma * CLEARLY < ls, " CMA-ES ends clearly lower."),
                                (ls * CLEARLY < cma, " Here the simple search ends lower."),
                                otherwise=" Here both end about as low.")

    @staticmethod
    def _rule_line(population: int, drawn: bool) -> str:
        """How CMA-ES mutates, pointing at its cloud and ellipse only when they are drawn (a generation
        whose children all fall outside the landscape draws none)."""
        if drawn:
            return (f"Each generation it samples {speech.small(population)} children from a Gaussian: this cloud. "
                    "It learns the cloud's shape, the ellipse, from its best children.")
        return (f"Each generation it samples {speech.small(population)} children from a Gaussian, and learns its "
                "shape from its best children.")

    def _inside(self, pts: np.ndarray) -> np.ndarray:
        a0, a1, b0, b1 = self.box
        return (pts[:, 0] >= a0) & (pts[:, 0] <= a1) & (pts[:, 1] >= b0) & (pts[:, 1] <= b1)

    def _ellipse(self, mean: np.ndarray, cov: np.ndarray, color) -> VMobject:
        pts = [self.view.point(p) for p in ellipse_points(mean, cov, self.box)]
        return VMobject(stroke_color=color, stroke_width=3).set_points_as_corners(pts).set_z_index(2)

    def _rows(self, cma, ls, g: int, k: int, c_cma, c_ls) -> VGroup:
        rows = VGroup(
            stacked_readout(cma.meta["label"], c_cma, [("gen", f"{g}"), ("best", fmt_loss(cma["best_loss"][g])),
                                                       ("evals", f"{int(cma['evals'][g])}")]),
            stacked_readout(ls.meta["label"], c_ls, [("round", f"{k}"), ("best", fmt_loss(ls["loss"][k])),
                                                     ("evals", f"{int(ls['evals'][k])}")]),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.18)
        top = getattr(self, "rows_top", float(rows.get_top()[1]))
        return flush_left(rows, COL_X).shift(UP * (top - float(rows.get_top()[1])))

    # ---------------------------------------------------------------------------------- MLP task
    def mlp_part(self, tr) -> None:
        snes, ls = tr.run("snes"), tr.run("mlp-evolution")
        c_snes, c_ls = color_for(snes.name, snes.meta), color_for(ls.name, ls.meta)
        d = tr.meta["n_params"]["mlp"]
        cfg = tr.meta["config"]["large"]
        title = Text(f"At scale: {d:,} parameters, fitting {pretty_expr(cfg['target'])}", font_size=TITLE_SIZE)
        title.to_edge(UP, buff=0.25)
        budget = float(snes["evals_all"][-1])
        lo = float(min(snes["best_all"].min(), ls["best_all"].min()))
        hi = float(max(snes["best_all"].max(), ls["best_all"].max()))
        plot = LossPlot(budget, lo, hi, width=5.2, height=2.9, x_label="loss evaluations",
                        y_label="best loss so far (MSE)")
        flush_left(plot, -6.9).shift(UP * (TOP_Y - 0.1 - float(plot.get_top()[1])))
        self.loss_plot = plot
        # the right column, top down: the network's output, the read-outs, the seeds' numbers
        panel_title = Text("the network's output", font_size=SMALL_SIZE)
        panel_title.shift(UP * (TOP_Y - float(panel_title.get_top()[1])))
        panel = CurvePanel(tr["large/data/curve_x"], tr["large/data/curve_target"],
                           tr["large/data/x"][::10], tr["large/data/y"][::10], width=5.0, height=2.0)
        panel.next_to(panel_title, DOWN, buff=0.1).set_x(COL_X + COL_W / 2)
        panel_title.set_x(float(panel.axes.get_center()[0]))
        self.play(Write(title), FadeIn(plot), FadeIn(panel, panel_title), run_time=1)
        about = column([f"SNES: one step size per parameter, {snes.meta['population']} children per generation",
                        f"local search: {ls.meta['population']} children per round, σ {ls.meta['sigma']}"],
                       color=MUTED)
        flush_left(about.next_to(plot, DOWN, buff=0.35), -6.9)
        self.play(FadeIn(about), run_time=0.6)
        self.mlp_rows_top = float(panel.get_bottom()[1]) - 0.25

        frames = self.mlp_frames
        c_snes_curve = panel.curve(snes["curve"][0], c_snes)
        c_ls_curve = panel.curve(ls["curve"][0], c_ls)
        l_snes = plot.curve(snes["evals_all"][:1], snes["best_all"][:1], c_snes)
        l_ls = plot.curve(ls["evals_all"][:1], ls["best_all"][:1], c_ls)
        rows = self._mlp_rows(snes, ls, 0, c_snes, c_ls)
        self.add(l_snes, l_ls)
        self.play(Create(c_snes_curve), Create(c_ls_curve), FadeIn(rows), run_time=0.6)
        n_ck = len(snes["checkpoints"])
        for f in range(1, frames + 1):
            ck = round(f * (n_ck - 1) / frames)
            g_s, g_l = int(snes["checkpoints"][ck]), int(ls["checkpoints"][ck])
            # the loss-so-far lines grow and the read-outs change at once; the network outputs morph
            l_snes.become(plot.curve(snes["evals_all"][: g_s + 1], snes["best_all"][: g_s + 1], c_snes))
            l_ls.become(plot.curve(ls["evals_all"][: g_l + 1], ls["best_all"][: g_l + 1], c_ls))
            for i, row in enumerate(self._mlp_rows(snes, ls, ck, c_snes, c_ls)):
                swap(rows, i, row)
            self.play(c_snes_curve.animate.become(panel.curve(snes["curve"][ck], c_snes)),
                      c_ls_curve.animate.become(panel.curve(ls["curve"][ck], c_ls)), run_time=4 / 15)
        summ, n = tr.stats["mlp"], tr.stats["seeds"]
        got = summ["match"]["evals"]   # evaluations SNES needed to reach the local search's final loss
        match = (f"SNES matched the local search's final loss after {ms(got, lambda v: f'{v:,.0f}')} evaluations"
                 + (f" ({got['n']}/{n} seeds)" if got["n"] < n else "")) if got["n"] else \
            "SNES never matched the local search's final loss"
        verdict = column([f"{n} seeds × {int(budget):,} evaluations, best loss:",
                          f"SNES {ms(summ['snes']['best_loss'])}",
                          f"local search {ms(summ['mlp-evolution']['best_loss'])}"])
        flush_left(verdict.next_to(rows, DOWN, buff=0.3), COL_X)
        match_txt = label(match, COL_W, SMALL_SIZE, color=color_for("snes"))
        flush_left(match_txt.next_to(verdict, DOWN, buff=0.2), COL_X)
        self.play(FadeIn(verdict), FadeIn(match_txt), run_time=0.6)
        self.wait(1.4)
        self.beat(f"On a network with {speech.count(d)} parameters, SNES, which adapts a mutation scale for every "
                  f"parameter, reaches {speech.mean(summ['snes']['best_loss'])}, the local search "
                  f"{speech.mean(summ['mlp-evolution']['best_loss'])}.")

    def _mlp_rows(self, snes, ls, ck: int, c_snes, c_ls) -> VGroup:
        rows = VGroup(*[
            readout(r.meta["label"], c, [("evals", f"{int(r['evals'][ck]):,}"),
                                         ("best", fmt_loss(r["best_all"][int(r["checkpoints"][ck])]))],
                    max_width=COL_W)
            for r, c in ((snes, c_snes), (ls, c_ls))
        ]).arrange(DOWN, aligned_edge=LEFT, buff=0.18)
        return flush_left(rows, COL_X).shift(UP * (self.mlp_rows_top - float(rows.get_top()[1])))

    # ---------------------------------------------------------------------------------- closing
    def closing_part(self, tr) -> None:
        title = Text("Optimizers minimize one loss. Evolution in nature branches.", font_size=TITLE_SIZE)
        title.to_edge(UP, buff=0.3)
        colors = [color_for(n) for n in ("sgd", "momentum", "adam", "evolution", "cma-es", "snes")]
        goal = np.array([-3.6, -0.1, 0])
        starts = [goal + 2.4 * np.array([np.cos(t), np.sin(t), 0])
                  for t in np.linspace(0.15 * np.pi, 1.85 * np.pi, len(colors))]
        converge = VGroup(*[Arrow(s, goal + 0.25 * (s - goal) / np.linalg.norm(s - goal), color=c, buff=0,
                                  stroke_width=5, max_tip_length_to_length_ratio=0.1)
                            for s, c in zip(starts, colors, strict=True)])
        converge.add(Star(n=5, outer_radius=0.16, color=MUTED, fill_opacity=1, stroke_width=1).move_to(goal))
        tree = self._tree(np.array([3.6, -2.3, 0]), UP * 1.2, depth=5)
        left_txt = Text("one loss, one minimum:\nas fast as possible", font_size=SMALL_SIZE, color=TEXT_COLOR,
                        line_spacing=0.8).next_to(converge, DOWN, buff=0.3)
        right_txt = Text("no fixed goal, many lineages:\nit keeps inventing", font_size=SMALL_SIZE,
                         color=TEXT_COLOR, line_spacing=0.8).next_to(tree, DOWN, buff=0.3)
        lower = min((left_txt, right_txt), key=lambda t: float(t.get_top()[1]))   # the two captions on one line
        for caption in (left_txt, right_txt):
            caption.align_to(lower, UP)
        self.play(Write(title), run_time=1)
        self.play(Create(converge), FadeIn(left_txt), run_time=1.2)
        self.play(Create(tree), FadeIn(right_txt), run_time=1.6)
        self.wait(2)
        self.beat("Every optimizer here, gradient or evolution, minimizes one loss. Evolution in nature has no "
                  "single loss: it branches, keeps many lineages, and invents.")

    @staticmethod
    def _tree(root: np.ndarray, stem: np.ndarray, depth: int) -> VGroup:
        """A symmetric branching tree (an illustration, not data)."""
        color = color_for("evolution")
        group = VGroup()
        tips = [(root, stem)]
        for level in range(depth):
            nxt = []
            for p, v in tips:
                end = p + v
                group.add(Line(p, end, color=color, stroke_width=max(1.5, 5 - level)))
                for ang in (0.42, -0.42):
                    rot = np.array([[np.cos(ang), -np.sin(ang), 0], [np.sin(ang), np.cos(ang), 0], [0, 0, 1]])
                    nxt.append((end, 0.72 * (rot @ v)))
            tips = nxt
        return group


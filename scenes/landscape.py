"""Landscape: SGD and evolution searching the (a, b) loss landscape of tanh(a·x + b).

Storyboard: the landscape appears (heatmap, contours, minimum) -> the network's curve beside
it -> both optimizers start from the same point -> each evolution round shows its mutation
cloud, the chosen child, then the cloud fades while SGD takes its gradient step -> the rest
of both runs plays fast -> the final numbers, all read from the sine-2d trace.
"""

from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Create, FadeIn, FadeOut, Text, VGroup, Write

from scenes.kit import speech
from scenes.kit.arrows import clamp, hop
from scenes.kit.base import ChapterScene
from scenes.kit.cloud import marker, mutation_cloud
from scenes.kit.landscape import LandscapeView
from scenes.kit.layout import frame_box, label, pretty_expr, shortened
from scenes.kit.panels import CurvePanel, fmt_loss, legend, readout
from scenes.kit.style import MUTED, SMALL_SIZE, TITLE_SIZE, color_for

DETAIL_ROUNDS = 10   # rounds shown with their full mutation cloud; the rest play fast
MAP_SIDE = 5.0            # the map leaves room under it for the summary, beside it for a wide column
MAP_CENTER = (-3.8, 0.5)
NAME_CHARS = 24           # a long run label is cut to this in the read-outs and the key (said whole)


class Landscape(ChapterScene):
    """The first scene: two optimizers on one landscape, every number from the trace."""

    gradient_run = "sgd"
    evolution_run = "evolution"

    def construct(self) -> None:
        tr = self.trace("sine-2d")
        sgd, evo = tr.run(self.gradient_run), tr.run(self.evolution_run)
        c_sgd, c_evo = color_for(sgd.name, sgd.meta), color_for(evo.name, evo.meta)

        title = Text("Gradient descent vs evolution on one loss landscape", font_size=TITLE_SIZE)
        title.to_edge(UP, buff=0.25)
        # Left: the map with its colour caption under it; right: the curve panel, the read-outs and the key,
        # one column at full text size; at the end the summary runs across the bottom.
        view = LandscapeView.from_trace(tr, side=MAP_SIDE, center=MAP_CENTER)
        self.view = view
        caption = Text("colour: log₁₀ loss (MSE)", font_size=SMALL_SIZE, color=MUTED)
        caption.next_to(view.x_label, DOWN, buff=0.15)
        self.play(Write(title), run_time=1)
        self.add(view.heatmap)
        self.play(FadeIn(view.heatmap), Create(view.frame), FadeIn(view.x_label, view.y_label, caption), run_time=1.2)
        min_loss = Text(f"loss {fmt_loss(float(tr['landscape/min_loss']))}", font_size=SMALL_SIZE,
                        color=MUTED).next_to(view.min_label, DOWN, buff=0.04)
        edge = view.axes.get_right()[0]   # a minimum at the map's right edge: its loss stays on the map
        min_loss.shift(LEFT * max(0.0, min_loss.get_right()[0] - edge))
        min_loss.add_background_rectangle(color="#000000", opacity=0.55, buff=0.04)   # legible on any colour
        self.play(Create(view.contours), FadeIn(view.minimum, view.min_label, min_loss), run_time=1.2)
        self.beat(f"The loss of our two-parameter network over the whole plane of a and b. The best point has loss "
                  f"{speech.loss(float(tr['landscape/min_loss']))}.")

        left = view.get_right()[0] + 0.3   # the column's left edge
        self.column_width = width = frame_box()[1] - left
        panel = CurvePanel(tr["data/curve_x"], tr["data/curve_target"], tr["data/x"], tr["data/y"],
                           width=5.2, height=1.6)   # short: the column fits without shrinking its text
        model = pretty_expr(str(tr.meta["config"].get("model", "tanh(a*x + b)")))
        panel_title = label(f"the network f(x) = {model}", width, SMALL_SIZE)
        key = legend([(shortened(sgd.meta["label"], NAME_CHARS) + " path", c_sgd),
                      (shortened(evo.meta["label"], NAME_CHARS) + " path (accepted parents)", c_evo),
                      ("children of one round", c_evo, "dot"), ("best child, rejected (not better)", MUTED, "dot"),
                      ("global minimum", MUTED, "star")], max_width=width)
        steps = min(sgd.steps, evo.steps)
        summary = label(f"{steps} gradient steps vs {steps} rounds × {evo.meta['population']} children "
                        f"= {int(evo['evals'][steps])} loss evaluations for evolution", 2 * frame_box()[1],
                        SMALL_SIZE, color=MUTED)
        summary.to_edge(DOWN, buff=0.2)   # across the bottom, under the map and the column
        rows = self._readouts(sgd, evo, 0, c_sgd, c_evo, width)
        column = VGroup(panel_title, panel, rows, key).arrange(DOWN, buff=0.16, aligned_edge=LEFT)
        column.next_to(title, DOWN, buff=0.12).align_to([left, 0, 0], LEFT)
        panel.shift(RIGHT * (left + width / 2 - panel.get_center()[0]))   # the plot centred in the column
        self.play(FadeIn(panel, panel_title), FadeIn(key), run_time=1)

        p_sgd, p_evo = sgd["params"], evo["params"]
        def at(q: np.ndarray) -> np.ndarray:   # a run that leaves the map is drawn at its edge
            return view.point(clamp(view, q))

        m_sgd, m_evo = marker(at(p_sgd[0]), c_sgd), marker(at(p_evo[0]), c_evo)
        curves = VGroup(panel.curve(sgd["curve"][0], c_sgd), panel.curve(evo["curve"][0], c_evo))
        self.play(FadeIn(m_sgd, m_evo), Create(curves), FadeIn(rows), run_time=1)
        self.beat(f"Gradient descent and evolution start at the same point, loss {speech.loss(sgd['loss'][0])}.")
        self.trails = VGroup().set_z_index(3)
        self.add(self.trails)

        for k in range(1, steps + 1):
            detail = k <= DETAIL_ROUNDS and "population" in evo
            cloud = None
            if detail:
                cloud = mutation_cloud(evo["population"][k - 1], int(evo["winner"][k - 1]),
                                       bool(evo["accepted"][k - 1]), view.point, c_evo).set_z_index(2)
                self.play(FadeIn(cloud, scale=0.6), run_time=0.4)
            moves = []
            for mk, path, color in ((m_sgd, p_sgd, c_sgd), (m_evo, p_evo, c_evo)):
                a, b = at(path[k - 1]), at(path[k])
                if np.linalg.norm(b - a) > 1e-6:
                    seg = hop(a, b, color)
                    self.trails.add(seg)
                    moves.append(Create(seg))
                moves.append(mk.animate.move_to(b))
            new_curves = VGroup(panel.curve(sgd["curve"][k], c_sgd), panel.curve(evo["curve"][k], c_evo))
            moves.append(curves.animate.become(new_curves))
            if cloud is not None:
                moves += [FadeOut(cloud.rejected), cloud.best.animate.scale(0.4).set_opacity(0.0)]
            rows.become(self._readouts(sgd, evo, k, c_sgd, c_evo, self.column_width)
                        .move_to(rows, aligned_edge=LEFT + UP))
            self.play(*moves, run_time=0.6 if detail else 2 / 15)
            if cloud is not None:
                self.remove(cloud)

        self.play(FadeIn(summary), run_time=0.8)
        self.wait(2)
        self.beat(f"After {steps} steps, {sgd.meta['label']} is at {speech.loss(sgd['loss'][steps])}; "
                  f"{evo.meta['label']} at {speech.loss(evo['loss'][steps])}, after "
                  f"{speech.count(evo['evals'][steps])} loss evaluations.")

    @staticmethod
    def _readouts(sgd, evo, k: int, c_sgd, c_evo, width: float) -> VGroup:
        return VGroup(
            readout(shortened(sgd.meta["label"], NAME_CHARS), c_sgd,
                    [("step", f"{k}"), ("loss", fmt_loss(sgd["loss"][k]))], max_width=width),
            readout(shortened(evo.meta["label"], NAME_CHARS), c_evo,
                    [("round", f"{k}"), ("loss", fmt_loss(evo["loss"][k])), ("evals", f"{int(evo['evals'][k])}")],
                    max_width=width),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.18)

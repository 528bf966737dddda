"""Chapter 2 — two parameters: one point in a plane is one function.

Storyboard: the (a, b) plane beside the curve panel -> the starting parameters as a point, its
curve beside it -> the point walks along SGD's recorded path and the curve follows (linked
views: every position is a recorded step, every curve that step's recorded curve) -> three
recorded points from other runs, three different functions.
"""

from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, UL, UP, Create, FadeIn, FadeOut, Line, MathTex, Text, VGroup, Write

from scenes.kit import speech
from scenes.kit.base import ChapterScene
from scenes.kit.claims import at_best, follows
from scenes.kit.cloud import marker
from scenes.kit.layout import RIGHT_COLUMN_X, fit_width, frame_box, pretty_expr, shortened, with_params
from scenes.kit.layout import label as text_label
from scenes.kit.palette import series_colors
from scenes.kit.panels import CurvePanel, fmt_loss, legend
from scenes.kit.params import ParamPlane
from scenes.kit.params import fmt_param as fp
from scenes.kit.style import (
    DATA_COLOR,
    LABEL_SIZE,
    MUTED,
    SMALL_SIZE,
    TARGET_COLOR,
    TEX_LABEL_SIZE,
    TITLE_SIZE,
    color_for,
)

WALK_RUN = "sgd"
STEP_TIME = 4 / 15     # seconds per recorded step of the walk (a multiple of 1/15)
OTHER_RUNS = ("adam", "momentum", "evolution")


def point_colors(n: int, walked: str) -> list:
    """N colours for the other points: the palette's series (its most distinct colours first), without
    the walked run's colour. Avoiding every optimizer's colour left only the light theme's three
    near-black ones (#3C001E, #00004B beside SGD's #780F00); the labels, not the colours, keep these
    points from standing for optimizers not yet introduced."""
    return series_colors(n, exclude=(walked,))


class ParameterSpace(ChapterScene):
    walk_run = WALK_RUN

    def construct(self) -> None:
        tr = self.trace("sine-2d")
        run = tr.run(self.walk_run)
        color = color_for(run.name, run.meta)
        a, b = tr["landscape/a"], tr["landscape/b"]

        title = Text("Two parameters, one point, one function", font_size=TITLE_SIZE).to_edge(UP, buff=0.25)
        plane = ParamPlane((float(a[0]), float(a[-1])), (float(b[0]), float(b[-1])), side=5.3)
        plane.move_to([-3.75, -0.45, 0])
        self.model = str(tr.meta["config"].get("model", "tanh(a*x + b)"))
        panel_title = text_label(f"function space: f(x) = {pretty_expr(self.model)}", 6.2, SMALL_SIZE, color=MUTED)
        panel_title.next_to(title, DOWN, buff=0.15).align_to([RIGHT_COLUMN_X, 0, 0], LEFT)
        # The panel is short: the readout and the walk's note stack under it, at their full size.
        panel = CurvePanel(tr["data/curve_x"], tr["data/curve_target"], tr["data/x"], tr["data/y"],
                           width=4.9, height=2.5)
        panel.next_to(panel_title, DOWN, buff=0.1).align_to([RIGHT_COLUMN_X + 0.15, 0, 0], LEFT)
        self.plane, self.panel = plane, panel
        plane_title = self._plane_title(plane)
        self.play(Write(title), run_time=1)
        self.play(Create(plane.grid), Create(plane.axes), FadeIn(plane.x_label, plane.y_label, plane_title),
                  run_time=1.2)
        self.play(FadeIn(panel, panel_title), run_time=1)
        self.beat("Two parameters means every possible network is one point on a plane: a across, b up. "
                  "On the right, we will draw the function a point stands for.")

        params, curves = run["params"], run["curve"]
        self.dot = marker(plane.point(params[0]), color)
        self.curve = panel.curve(curves[0], color)
        label = self._label(params[0], run["loss"][0], color, self.model)
        self.column_top = panel.get_bottom()[1] - 0.25   # the text column under the curve panel
        label.move_to([RIGHT_COLUMN_X, self.column_top, 0], aligned_edge=UL)
        self.play(FadeIn(self.dot, scale=2), run_time=0.6)
        self.play(Create(self.curve), FadeIn(label), run_time=1)
        self.wait(1)
        self.beat(f"This point, a at {speech.param(params[0][0])} and b at {speech.param(params[0][1])}, is this "
                  f"curve, with loss {speech.loss(run['loss'][0])}.")

        walk_note = text_label(f"the point walks {shortened(run.meta['label'])}'s {run.steps} recorded steps",
                               6.25, SMALL_SIZE, color=MUTED)
        walk_note.next_to(label, DOWN, buff=0.3).align_to(label, LEFT)
        self.play(FadeIn(walk_note), run_time=0.6)
        path = VGroup().set_z_index(3)
        self.add(path)
        for k in range(1, run.steps + 1):
            seg = Line(plane.point(params[k - 1]), plane.point(params[k]), color=color, stroke_width=3)
            path.add(seg)
            new_label = self._label(params[k], run["loss"][k], color, self.model).move_to(label, aligned_edge=UL)
            self.play(self.dot.animate.move_to(plane.point(params[k])),
                      self.curve.animate.become(panel.curve(curves[k], color)), Create(seg), run_time=STEP_TIME)
            self.remove(label)
            self.add(new_label)
            label = new_label
        self.wait(1)
        end = float(run["loss"][-1])
        settles = self.claims.pick((follows(end, tr["data/y"]), "the curve settles onto the data"),
                                   (at_best(end, float(tr["landscape/min_loss"])),
                                    "the curve gets as close to the data as a and b allow"),
                                   otherwise="the curve moves, but does not settle onto the data")
        self.beat(f"Move the point and the curve moves with it. Along the {run.steps} recorded steps of "
                  f"{run.meta['label']}, {settles}, loss {speech.loss(run['loss'][-1])}.")

        # Three more recorded points, from other runs: three points, three functions.
        # They are points, not yet optimizers: named as points, since momentum, Adam and evolution are
        # introduced chapters later.
        self.others = []
        rows = []
        names = [n for n in OTHER_RUNS if n in tr.run_names]
        for name, c in zip(names, point_colors(len(names), color.to_hex()), strict=True):
            other = tr.run(name)
            k = self._inside_step(plane, other["params"])
            self.others.append((name, k, marker(plane.point(other["params"][k]), c, radius=0.09),
                                panel.curve(other["curve"][k], c, width=3), c))
            p = other["params"][k]
            rows.append((f"another point: ({fp(p[0])}, {fp(p[1])})", c))
        end = params[-1]
        rows.insert(0, (f"{shortened(run.meta['label'], 24)} step {run.steps}: ({fp(end[0])}, {fp(end[1])})", color))
        key = legend([*rows, ("data", DATA_COLOR, "dot"), ("target", TARGET_COLOR)], size=SMALL_SIZE,
                     max_width=6.2)
        key.move_to([RIGHT_COLUMN_X, self.column_top, 0], aligned_edge=UL)
        self.play(FadeOut(label, walk_note), run_time=0.6)
        self.play(*[FadeIn(m, scale=2) for _, _, m, _, _ in self.others],
                  *[Create(c) for _, _, _, c, _ in self.others], FadeIn(key), run_time=1.2)
        self.wait(2)
        self.beat(f"Every point is its own function: here are {speech.small(len(rows))} of them at once. "
                  "Training a network means searching this plane.")

    @staticmethod
    def _plane_title(plane: ParamPlane) -> Text:
        """'parameter space' over the plane's left half, clear of the b label on the b axis (beside
        it on the right when the axis sits too far left for the title)."""
        t = Text("parameter space", font_size=SMALL_SIZE, color=MUTED)
        t.next_to(plane.y_label, LEFT, buff=0.3)
        if t.get_left()[0] < frame_box()[0]:
            t.next_to(plane.y_label, RIGHT, buff=0.3)
        return t

    @staticmethod
    def _inside_step(plane: ParamPlane, params: np.ndarray) -> int:
        """The latest recorded step whose point lies in the shown plane (a run may leave it)."""
        mid = len(params) // 2
        for k in [*range(mid, -1, -1)]:
            if plane.contains(params[k], margin=0.3):
                return k
        return 0

    @staticmethod
    def _label(params: np.ndarray, loss: float, color, model: str) -> VGroup:
        eq = MathTex(rf"(a, b) = ({fp(params[0])},\ {fp(params[1])})", font_size=TEX_LABEL_SIZE, color=color)
        fx = fit_width(Text(f"f(x) = {with_params(model, {'a': params[0], 'b': params[1]})}",
                            font_size=LABEL_SIZE), 6.0)
        loss_t = Text(f"loss {fmt_loss(loss)}", font_size=SMALL_SIZE, color=MUTED)
        return VGroup(eq, fx, loss_t).arrange(DOWN, aligned_edge=LEFT, buff=0.15)

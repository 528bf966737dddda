"""Chapter 4 — the loss landscape over parameter space.

Storyboard: every point (a, b) has a loss, so the whole plane gets a colour: the heatmap with
contours (log-scaled, colour bar beside it) -> the start point of the recorded runs and the
grid's global minimum, with their losses -> the same grid as a 3D surface (height and colour =
log10 loss), seen from above first (it *is* the heatmap), then tilted and turned: a valley.
All values are the sine-2d trace's landscape grid.
"""

from __future__ import annotations

import numpy as np
from manim import (
    DEGREES,
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Create,
    FadeIn,
    FadeOut,
    Line,
    MathTex,
    Text,
    ThreeDAxes,
    VGroup,
    Write,
)

from scenes.kit import speech
from scenes.kit.cloud import marker
from scenes.kit.colorbar import ColorBar
from scenes.kit.landscape import LandscapeView
from scenes.kit.layout import frame_box, label, pretty_expr
from scenes.kit.panels import fmt_loss, legend
from scenes.kit.params import fmt_param as fp
from scenes.kit.style import MINIMUM_COLOR, MUTED, SMALL_SIZE, TEX_LABEL_SIZE, TITLE_SIZE, color_for
from scenes.kit.threed import ChapterThreeDScene, loss_surface, surface_height

START_RUN = "sgd"        # whose start point is marked (all runs share it in sine-2d)
SURFACE_SAMPLES = 25     # grid points per side of the 3D surface (cairo draws every face)
PHI, THETA, TURN, ZOOM = 58 * DEGREES, -150 * DEGREES, 50 * DEGREES, 0.9   # ends at theta = -100°


class LossLandscape(ChapterThreeDScene):
    start_run = START_RUN

    def construct(self) -> None:
        tr = self.trace("sine-2d")
        run = tr.run(self.start_run)
        a, b, loss = tr["landscape/a"], tr["landscape/b"], tr["landscape/loss"]
        best, best_loss = tr["landscape/min"], float(tr["landscape/min_loss"])

        title = Text("The loss landscape over parameter space", font_size=TITLE_SIZE).to_edge(UP, buff=0.25)
        self.add_fixed_in_frame_mobjects(title)
        # The map and its colour bar take the left half; the text column beside them is as wide as the rest.
        view = LandscapeView(a, b, loss, best, side=4.9).place((-3.65, -0.3))
        self.view = view
        bar = ColorBar(loss, height=5.0, label="loss")
        bar.next_to(view.axes, RIGHT, buff=0.35).move_image()
        self.bar = bar
        self.play(Write(title), run_time=1)
        self.add(view.heatmap, bar.image)
        self.play(FadeIn(view.heatmap, bar.image, bar), Create(view.frame), FadeIn(view.x_label, view.y_label),
                  run_time=1.2)
        self.play(Create(view.contours), run_time=1.2)
        column = bar.get_right()[0] + 0.3   # the text column's left edge, right of the bar's numbers
        width = frame_box()[1] - column
        text = VGroup(
            label("every point (a, b) is one network, and every network has a loss:", width, SMALL_SIZE),
            MathTex(r"L(a, b) = \tfrac{1}{n}\sum_i \big(f(x_i) - y_i\big)^2", font_size=TEX_LABEL_SIZE),
            label(f"f(x) = {pretty_expr(str(tr.meta['config'].get('model', 'tanh(a*x + b)')))}, "
                  f"y = {pretty_expr(str(tr.meta['config']['data']['target']))}", width, SMALL_SIZE),
            label(f"evaluated on a {len(a)} × {len(b)} grid: loss {fmt_loss(float(loss.min()))} to "
                  f"{fmt_loss(float(loss.max()))}", width, SMALL_SIZE, color=MUTED),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.2)
        text.next_to(title, DOWN, buff=0.35).align_to([column, 0, 0], LEFT)
        self.play(FadeIn(text), run_time=1)
        self.wait(1)
        self.beat(f"Now compute the loss for every point of a {len(a)} by {len(b)} grid, one network each. "
                  f"Dark means low: the loss ranges from {speech.loss(float(loss.min()))} to "
                  f"{speech.loss(float(loss.max()))}.")

        color = color_for(run.name, run.meta)
        start = marker(view.point(run["params"][0]), color)
        p0 = run["params"][0]
        rows = legend([(f"start ({fp(p0[0])}, {fp(p0[1])}): loss {fmt_loss(run['loss'][0])}", color, "dot"),
                       (f"minimum ({fp(best[0])}, {fp(best[1])}): loss {fmt_loss(best_loss)}", MINIMUM_COLOR,
                        "star")], size=SMALL_SIZE, max_width=width)
        rows.next_to(text, DOWN, buff=0.45).align_to(text, LEFT)
        self.play(FadeIn(start, scale=2), FadeIn(rows[0]), run_time=0.8)
        self.play(FadeIn(view.minimum, view.min_label, scale=2), FadeIn(rows[1]), run_time=0.8)
        valley = label("learning = finding the low ground", width, SMALL_SIZE, color=MUTED)
        valley.next_to(rows, DOWN, buff=0.35).align_to(text, LEFT)
        self.play(FadeIn(valley), run_time=0.6)
        self.wait(1.6)
        self.beat(f"Every optimizer in this video starts from the same point, loss {speech.loss(run['loss'][0])}. "
                  f"The best network, marked by the star, has loss {speech.loss(best_loss)}.")

        # The same grid as a surface: height = colour = log loss, normalised as the heatmap.
        self.renderer.camera.should_apply_shading = False   # exact colormap colours; faces still depth-sorted
        axes = ThreeDAxes(x_range=[a[0], a[-1], 2], y_range=[b[0], b[-1], 2], z_range=[0, 1, 0.5],
                          x_length=5.6, y_length=5.6, z_length=2.0, tips=False,
                          axis_config={"stroke_width": 2, "include_ticks": False})
        self.axes3d = axes
        surface = loss_surface(axes, a, b, loss, samples=SURFACE_SAMPLES)
        self.surface = surface
        lift = 0.03
        # Markers face the camera and are drawn over the surface (like pins on a map).
        low = marker(axes.c2p(best[0], best[1], surface_height(loss, best_loss) + lift), MINIMUM_COLOR, radius=0.1)
        top = marker(axes.c2p(p0[0], p0[1], surface_height(loss, float(run["loss"][0])) + lift), color, radius=0.1)
        pin = Line(low.get_center(), axes.c2p(best[0], best[1], 1.25), color=MINIMUM_COLOR, stroke_width=2)
        self.low, self.top = low, top
        # The floor's front and right edges carry the a and b axes (the axes' own lines would cross under
        # the surface at the origin, hidden).
        axes.set_opacity(0)
        edges = VGroup(Line(axes.c2p(a[0], b[0], 0), axes.c2p(a[-1], b[0], 0)),
                       Line(axes.c2p(a[-1], b[0], 0), axes.c2p(a[-1], b[-1], 0))).set_stroke(MUTED, 2)
        labels = VGroup(MathTex("a", font_size=36).move_to(axes.c2p(0, b[0] - 0.9, 0)),
                        MathTex("b", font_size=36).move_to(axes.c2p(a[-1] + 0.9, 0, 0)))
        caption = Text("height and colour: loss (log scale)", font_size=SMALL_SIZE, color=MUTED)
        caption.to_corner(DOWN + LEFT, buff=0.35)
        key3d = legend([(f"start: loss {fmt_loss(run['loss'][0])}", color, "dot"),
                        (f"minimum a={fp(best[0])}, b={fp(best[1])}: loss {fmt_loss(best_loss)}", MINIMUM_COLOR,
                         "dot")], size=SMALL_SIZE, max_width=7.0)
        key3d.to_corner(UP + LEFT, buff=0.35).shift(DOWN * 0.6)
        self.play(FadeOut(view.heatmap, view, start, text, rows, valley), run_time=1)
        self.add_fixed_in_frame_mobjects(bar.image, bar, caption, key3d)
        self.remove(caption, key3d)
        self.add_fixed_orientation_mobjects(*labels)
        shift = np.array([5.9, -0.3, 0]) - bar.frame.get_center()
        self.play(bar.animate.shift(shift), bar.image.animate.shift(shift), FadeIn(surface), FadeIn(edges, labels),
                  run_time=1.2)
        self.add_fixed_orientation_mobjects(low, top)
        self.add(pin)
        self.play(FadeIn(caption, key3d), run_time=0.6)
        self.move_camera(phi=PHI, theta=THETA, zoom=ZOOM, frame_center=axes.c2p(0, 0, 0.6), run_time=3)
        self.wait(0.6)
        self.beat("Lift the colours into height and the loss becomes a landscape, with the good networks in its "
                  "low ground.")
        self.move_camera(theta=THETA + TURN, run_time=5)
        self.wait(1.4)
        self.beat(f"The valley leads down to the minimum, with a at {speech.param(best[0])} and b at "
                  f"{speech.param(best[1])}. An optimizer never sees this map, only the ground under its feet.")

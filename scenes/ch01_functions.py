"""Chapter 1 — a network approximates a function.

Storyboard: the target sin(x) -> the few data points we actually know -> the network
f(x) = tanh(a·x + b) with its starting parameters (a poor fit) -> the recorded SGD run plays:
the curve bends towards the data, step and loss counting along -> the fitted result.
Every curve is a recorded `curve` row of the sine-2d trace.
"""

from __future__ import annotations

from manim import DOWN, LEFT, UL, UP, Create, FadeIn, Text, VGroup, Write

from scenes.kit import speech
from scenes.kit.base import ChapterScene
from scenes.kit.claims import at_best, follows
from scenes.kit.layout import label, pretty_expr
from scenes.kit.panels import CurvePanel, fmt_loss, legend, readout
from scenes.kit.params import fmt_param as fp
from scenes.kit.replay import replay
from scenes.kit.style import DATA_COLOR, LABEL_SIZE, MUTED, SMALL_SIZE, TARGET_COLOR, TITLE_SIZE, color_for

RUN = "sgd"          # the run whose curve is shown learning
STEP_TIME = 0.4      # seconds per recorded step (a multiple of 1/15)


class Functions(ChapterScene):
    run_name = RUN

    def construct(self) -> None:
        tr = self.trace("sine-2d")
        run = tr.run(self.run_name)
        color = color_for(run.name, run.meta)
        xs, ys = tr["data/x"], tr["data/y"]
        target_expr = tr.meta["config"]["data"]["target"]

        title = Text("A network approximates a function", font_size=TITLE_SIZE).to_edge(UP, buff=0.25)
        panel = CurvePanel(tr["data/curve_x"], tr["data/curve_target"], xs, ys, width=7.4, height=5.0,
                           curves=(run["curve"][0], run["curve"][-1]))
        panel.move_to([-2.6, -0.45, 0])
        self.panel = panel
        self.play(Write(title), run_time=1)
        self.play(Create(panel.axes), FadeIn(panel.x_label, panel.y_label), run_time=1)
        self.play(Create(panel.target), run_time=1.2)
        key = legend([(f"target {pretty_expr(target_expr)}", TARGET_COLOR), ("data points", DATA_COLOR, "dot"),
                      (f"network, trained by {run.meta['label']}", color)], max_width=4.9)
        key.move_to([2.0, 2.75, 0], aligned_edge=UL)
        self.play(FadeIn(key[0]), run_time=0.6)
        # no range read aloud: the curve's ends (±2.25 for the default data) are not the axis's labels (±2)
        self.beat(f"Here is a function we want a network to learn: {speech.formula(target_expr)}.")

        self.play(FadeIn(panel.dots, scale=1.5), FadeIn(key[1]), run_time=1)
        data_note = Text(f"we only know {len(xs)} points of it", font_size=SMALL_SIZE, color=MUTED)
        data_note.next_to(key, DOWN, buff=0.3).align_to(key, LEFT)
        self.play(FadeIn(data_note), run_time=0.6)
        self.beat(f"But we never see the whole curve. We only get {speech.small(len(xs))} points of it: "
                  "that is all the network will learn from.")

        model = str(tr.meta["config"].get("model", "tanh(a*x + b)"))
        formula = label(f"f(x) = {pretty_expr(model)}", 4.9, LABEL_SIZE + 6)
        formula.next_to(data_note, DOWN, buff=0.5).align_to(key, LEFT)
        sub = Text("a tiny network: 2 parameters", font_size=SMALL_SIZE, color=MUTED)
        sub.next_to(formula, DOWN, buff=0.2).align_to(key, LEFT)
        params = run["params"]
        self.curve = panel.curve(run["curve"][0], color)
        status = self._status(run, 0, color).next_to(sub, DOWN, buff=0.5).align_to(key, LEFT)
        self.play(Write(formula), FadeIn(sub), run_time=1.2)
        self.play(Create(self.curve), FadeIn(key[2], status), run_time=1.2)
        poor = self.claims.say(not follows(float(run["loss"][0]), ys), "a poor fit", "already close to the points")
        self.beat(f"Our network is tiny: {speech.formula(model)}, just two numbers, a and b. It starts with a at "
                  f"{speech.param(params[0][0])} and b at {speech.param(params[0][1])}: {poor}.")

        for k in range(1, run.steps + 1):
            new_status = self._status(run, k, color).move_to(status, aligned_edge=LEFT)
            self.play(self.curve.animate.become(panel.curve(run["curve"][k], color)), run_time=STEP_TIME)
            self.remove(status)
            self.add(new_status)
            status = new_status
        self.status = status
        self.wait(2)
        start, end = float(run["loss"][0]), float(run["loss"][-1])
        change = f"from {speech.loss(start)} to {speech.loss(end)}"
        fell = end < start
        went = self.claims.pick((fell and follows(end, ys), f"the curve follows the points: the loss fell {change}"),
                                (fell and at_best(end, float(tr["landscape/min_loss"])),
                                 f"the curve comes as close to the points as a and b allow: the loss fell {change}"),
                                (fell, f"the curve moves toward the points: the loss fell {change}"),
                                otherwise=f"the curve moves away from the points: the loss rose {change}")
        states = [panel.curve(c, color) for c in run["curve"]]
        # the opening sentence is said while the steps play: the step count waits for the last of them
        self.beat(f"Now {run.meta['label']} tunes a and b, one small step at a time. After {run.steps} steps, {went}. "
                  "Learning is nothing more than tuning a and b.", fill=lambda seconds: replay(self, states, seconds))

    @staticmethod
    def _status(run, k: int, color) -> VGroup:
        p = run["params"][k]
        return VGroup(
            readout(run.meta["label"], color, [("step", f"{k}"), ("loss", fmt_loss(run["loss"][k]))], max_width=4.6),
            Text(f"a = {fp(p[0])}   b = {fp(p[1])}", font_size=SMALL_SIZE),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.15)

"""Chapter 10 — momentum and Adam.

Storyboard: on the sine-2d landscape plain SGD, SGD with momentum and Adam start together ->
momentum builds speed (and overshoots), Adam takes evenly sized steps -> why, from the recorded
steps: momentum's step lengths grow while the gradient keeps its direction (a velocity), Adam's first
step is as long in a as in b though the gradient's parts differ (per-parameter sizes) -> on the bumpier
local-minimum landscape (its local minima ringed, from the trace) plain SGD settles in a
shallow minimum while momentum and Adam roll on to the global one -> honestly: from another
start a deep local minimum holds momentum and Adam too. Numbers from the traces throughout.
"""

from __future__ import annotations

import math
from contextlib import nullcontext

import numpy as np
from manim import DOWN, LEFT, RIGHT, UL, UP, FadeIn, FadeOut, GrowFromEdge, Rectangle, Text, VGroup, Write

from scenes.kit import speech
from scenes.kit.arrows import clamp, inside, marks_key, minimum_marks, swap
from scenes.kit.base import ChapterScene
from scenes.kit.cloud import last_visible_step, marker, steps_to_play, trail
from scenes.kit.landscape import LandscapeView
from scenes.kit.layout import frame_box, label, shortened
from scenes.kit.palette import series_colors
from scenes.kit.panels import fmt_loss, readout
from scenes.kit.style import MUTED, SMALL_SIZE, TEXT_COLOR, TITLE_SIZE, color_for

READOUT_EVERY = 5
BARS = 6                  # momentum's first step lengths drawn as bars
BAR_W, BAR_STEP = 0.4, 1.05   # a bar's width, and bar to bar (its number, "0.056", fits under it)
# The column right of the landscape (its tick numbers end near x = -0.2): texts flush with its left edge.
COL_LEFT, COL_RIGHT = 0.45, 6.99
COL_WIDTH = COL_RIGHT - COL_LEFT


class MomentumAdam(ChapterScene):
    def construct(self) -> None:
        title = Text("Momentum and Adam", font_size=TITLE_SIZE).to_edge(UP, buff=0.25)
        self.play(Write(title), run_time=0.8)

        sine = self.trace("sine-2d")
        view = self.show_landscape(LandscapeView.from_trace(sine))
        runs = [sine.run(n) for n in ("sgd", "momentum", "adam")]
        note = Text("same start, same number of steps", font_size=SMALL_SIZE, color=MUTED)
        note.align_to([COL_LEFT, 3.1, 0], UL)
        self.play(FadeIn(note), run_time=0.4)
        group, rows = self._race(view, runs, top=note.get_bottom()[1] - 0.3)
        off = [r for r in runs if not inside(view, r["params"][-1])]
        if off:
            r = off[0]
            # the label cut as its read-out row cuts it: the words that matter here are "left the map"
            msg = VGroup(label(f"{shortened(r.meta['label'])} left the map:", COL_WIDTH, SMALL_SIZE,
                               color=color_for(r.name, r.meta)),
                         Text(f"at step {r.steps} a = {r['params'][-1][0]:.2f}", font_size=SMALL_SIZE,
                              color=color_for(r.name, r.meta)))
            msg.arrange(DOWN, aligned_edge=LEFT, buff=0.1).next_to(rows, DOWN, buff=0.3).align_to(rows, LEFT)
            self.play(FadeIn(msg), run_time=0.4)
            group.add(msg)
        self.wait(1.5)
        momentum = runs[1]["loss"]
        rises = bool((np.diff(np.asarray(momentum, dtype=float)) > 0).any())
        speed = self.claims.say(rises, "so it gathers speed, and here it overshoots: its loss rises on the way",
                                "so it gathers speed")
        self.beat(f"Momentum remembers its last steps, {speed}; Adam rescales each "
                  f"step to about the same size everywhere. After {runs[0].steps} steps, {self._ending(runs)}.")
        group.add(self._why(runs[1], runs[2], below=VGroup(rows, *group[-1:] if off else [])))
        self.play(FadeOut(group, note, *self.view.parts), run_time=0.6)
        self.remove(view.heatmap)

        lm = self.trace("local-minimum")
        view = self.show_landscape(LandscapeView.from_trace(lm))
        marks = minimum_marks(view, lm["landscape/minima"], lm["landscape/minima_loss"],
                              is_global=lm.arrays.get("landscape/minima_global"))
        # the global minimum's loss is said at the chapter's end: the key writes it, as the rings write theirs
        best = speech.loss(float(lm["landscape/minima_loss"][0]))
        key = Text(_key_lines(marks_key(marks, best)), font_size=SMALL_SIZE, color=TEXT_COLOR, line_spacing=0.8)
        key.align_to([COL_LEFT, 3.15, 0], UL)
        self.play(FadeIn(marks), FadeIn(key), run_time=0.6)
        runs = [lm.run(n) for n in ("sgd", "momentum", "adam")]
        self.lm_view = view
        group, rows = self._race(view, runs, top=key.get_bottom()[1] - 0.3)
        self.wait(1.5)
        self.beat("On the bumpier landscape: " + self._endings(runs) + ".")

        deep = [lm.run(n) for n in ("momentum-deep", "adam-deep")]
        # what the second start shows, from the runs' own record (trapped: ended in a minimum above the global one)
        held = all(bool(r.meta.get("trapped")) for r in deep)
        honest = Text(self.claims.say(held, "From another start, a local minimum\nholds them too:",
                                      "From another start:"), font_size=SMALL_SIZE,
                      color=TEXT_COLOR, line_spacing=0.9).next_to(rows, DOWN, buff=0.35).align_to(rows, LEFT)
        self.play(FadeIn(honest), run_time=0.4)
        shown = tuple(color_for(r.name, r.meta).to_hex() for r in runs)
        group2, _ = self._race(view, deep, top=None, below=honest, colors=series_colors(2, exclude=shown))
        self.wait(1.5)
        def name(r) -> str:   # "Momentum" of "Momentum, from another start"
            return r.meta["label"].split(",")[0]

        # a first sentence without numbers, said while the second race plays: the endings it waits for come after
        self.beat(self.claims.say(held, "No guarantee, though. ", "") + "From another start, "
                  + speech.listing([name(r) for r in deep]) + " set off again. "
                  + speech.capital(self._endings(deep, label=name, where=False))
                  + f", while the global minimum has loss {best}.")
        self.final = (group, group2)

    def _endings(self, runs, label=lambda r: r.meta["label"], where: bool = True) -> str:
        """Where each run ends, runs that end alike said together ("all three end at 0.45, in a local
        minimum", "both end at 0.46"; not the same clause twice). WHERE: say whether it is a local minimum."""
        groups: dict[tuple[str, bool], list[str]] = {}
        for r in runs:
            groups.setdefault((speech.loss(r["loss"][-1]), bool(r.meta.get("trapped"))), []).append(label(r))
        parts = []
        for (loss, trapped), labels in groups.items():
            if len(labels) == 1:
                who = labels[0]
            elif len(labels) == len(runs):
                who = "both" if len(labels) == 2 else f"all {speech.small(len(labels))}"
            else:
                who = speech.listing(labels)
            verb = "end" if len(labels) > 1 else "ends"
            parts.append(f"{who} {verb} at {loss}"
                         + (self.claims.say(trapped, ", in a local minimum", "") if where else ""))
        return ("; " if where else " and ").join(parts)

    def _ending(self, runs) -> str:
        """Who ends lowest and who highest, with those two losses (a comparison, not a list of every loss)."""
        final = {r.name: float(r["loss"][-1]) for r in runs}
        ranked = sorted(runs, key=lambda r: (not math.isfinite(final[r.name]), final[r.name]))
        best, worst = ranked[0], ranked[-1]
        lo, hi = speech.losses(final[best.name], final[worst.name])
        top = (f"{worst.meta['label']} diverged" if not math.isfinite(final[worst.name])
               else f"{worst.meta['label']} is highest, at {hi}")
        return self.claims.pick(
            (lo == hi, f"all {speech.small(len(runs))} end level, at {lo}"),
            otherwise=f"{best.meta['label']} ends lowest, at {lo}; {top}")

    def _why(self, momentum, adam, below) -> VGroup:
        """Why they move as they do, from the recorded steps: momentum's steps grow while the gradient keeps
        its direction (a velocity); Adam's first step is about as long in a as in b, whatever the gradient."""
        lengths = np.linalg.norm(np.diff(momentum["params"], axis=0), axis=1)
        grad = np.asarray(momentum["grad"], dtype=float)
        grow = next((k for k in range(len(lengths) - 1) if lengths[k + 1] <= lengths[k]), len(lengths) - 1)
        kept = all(float(grad[k] @ grad[k + 1]) > 0 for k in range(min(grow, len(grad) - 1)))
        shown = [speech.number(x) for x in lengths[:4]]
        step = np.abs(np.asarray(adam["params"][1], dtype=float) - adam["params"][0])
        g = np.abs(np.asarray(adam["grad"][0], dtype=float))
        c_m, c_a = color_for(momentum.name, momentum.meta), color_for(adam.name, adam.meta)
        # The first steps' lengths as bars (growing bars are a velocity building up; the step at `grow`, which
        # the line names, always among them), then Adam's first step beside its gradient, part by part.
        first = list(range(min(len(lengths), BARS)))
        picked = first if grow in first else [*first[:BARS - 1], grow]

        def build(bar_h: float) -> tuple[VGroup, ...]:
            m_bars = _bars([float(lengths[k]) for k in picked], [speech.number(lengths[k]) for k in picked], c_m,
                           bar_h)
            m_head = label(f"momentum's step lengths, steps {_step_list([k + 1 for k in picked])}", COL_WIDTH,
                           SMALL_SIZE, color=c_m)
            parts = ((g, "gradient", TEXT_COLOR), (step, "step", c_a))
            pairs = VGroup(*(VGroup(_bars([float(v[0]), float(v[1])], [speech.number(v[0]), speech.number(v[1])],
                                          color, bar_h),
                                    Text(f"{name}: a, b", font_size=SMALL_SIZE, color=color)).arrange(DOWN, buff=0.08)
                             for v, name, color in parts))
            pairs.arrange(RIGHT, buff=0.8, aligned_edge=DOWN)
            a_head = Text("Adam's first step", font_size=SMALL_SIZE, color=c_a)
            lines = VGroup(VGroup(m_head, m_bars).arrange(DOWN, aligned_edge=LEFT, buff=0.12),
                           VGroup(a_head, pairs).arrange(DOWN, aligned_edge=LEFT, buff=0.12))
            lines.arrange(DOWN, aligned_edge=LEFT, buff=0.3)
            return lines, m_head, m_bars, a_head, pairs

        # the bars take the height the column leaves under the read-outs (two rows of bars)
        room = float(below.get_bottom()[1]) - 0.3 - frame_box()[2]
        bar_h = min(0.9, max(0.3, (room - (build(1.0)[0].height - 2.0)) / 2))
        lines, m_head, m_bars, a_head, pairs = build(bar_h)
        self.why_bars = (m_bars, pairs)   # for checks: the bars and the numbers under them
        lines.next_to(below, DOWN, buff=0.3).align_to(np.array([COL_LEFT, 0, 0]), LEFT)
        self.play(FadeIn(m_head), *(GrowFromEdge(b, DOWN) for b in m_bars[0]), FadeIn(m_bars[1]), run_time=1.0)
        self.play(FadeIn(a_head), *(GrowFromEdge(b, DOWN) for p in pairs for b in p[0][0]),
                  *(FadeIn(p[0][1]) for p in pairs), *(FadeIn(p[1]) for p in pairs), run_time=1.0)
        self.wait(1)
        velocity = self.claims.pick(
            (grow > 0 and kept, f"while the gradient kept its direction, its steps grew from {shown[0]} to "
                                f"{speech.number(lengths[grow])}"),
            (grow > 0, f"its steps grew from {shown[0]} to {speech.number(lengths[grow])}"),
            otherwise=f"here its steps did not grow: the first is {shown[0]}, the next {shown[1]}"
            if len(shown) > 1 else "here it took a single step")
        same = bool(step.min() > 0 and step.max() / step.min() < 1.25)
        differ = bool(g.min() == 0 or g.max() / g.min() > 1.5)
        per_parameter = self.claims.pick(
            (same and differ, f"its first step is about {speech.number(step.max())} in both a and b, though the "
                              f"gradient's parts are {speech.number(g[0])} and {speech.number(g[1])}"),
            (same, f"its first step is about {speech.number(step.max())} in both a and b"),
            otherwise=f"its first step is {speech.number(step[0])} in a and {speech.number(step[1])} in b")
        self.beat(f"Why? Momentum adds each gradient to a velocity: {velocity}. Adam scales each parameter's step "
                  f"by that parameter's own gradient size: {per_parameter}.")
        return lines

    def _race(self, view, runs, top: float | None, below=None, colors=None) -> tuple[VGroup, VGroup]:
        """All runs step together; trails, markers and one read-out row per run."""
        cols = colors or [color_for(r.name, r.meta) for r in runs]
        rows = VGroup(*[self._row(r, 0, c) for r, c in zip(runs, cols, strict=True)])
        rows.arrange(DOWN, aligned_edge=LEFT, buff=0.16)
        if top is not None:
            rows.move_to([3.75, top, 0], aligned_edge=UP)
            rows.align_to(np.array([COL_LEFT, 0, 0]), LEFT)
        else:
            rows.next_to(below, DOWN, buff=0.2).align_to(below, LEFT)
        marks = [marker(view.point(clamp(view, r["params"][0])), c) for r, c in zip(runs, cols, strict=True)]
        trails = [trail([view.point(clamp(view, r["params"][0]))], c, width=3).set_z_index(3)
                  for r, c in zip(runs, cols, strict=True)]
        self.play(FadeIn(rows), *[FadeIn(m) for m in marks], run_time=0.5)
        self.add(*trails)
        steps = max(r.steps for r in runs)
        paths = [[view.point(clamp(view, q)) for q in r["params"][:r.steps + 1]] for r in runs]
        moving = last_visible_step([np.asarray(p) for p in paths])
        # Step by step while a marker visibly moves; the steps after that (the markers sit still) in one
        # short steady play to the end, so the line's left-over time gets a fill, not a stretched still.
        for k, steady in steps_to_play(list(range(1, steps + 1)), moving):
            anims = []
            for i, (r, c) in enumerate(zip(runs, cols, strict=True)):
                kk = min(k, r.steps)
                trails[i].become(trail(paths[i][:kk + 1], c, width=3).set_z_index(3))
                anims.append(marks[i].animate.move_to(paths[i][kk]))
                if k % READOUT_EVERY == 0 or k == steps:
                    swap(rows, i, self._row(r, kk, c).move_to(rows[i], aligned_edge=LEFT))
            with self.steady() if steady else nullcontext():
                self.play(*anims, run_time=0.4 if steady else 2 / 15)
        self.markers = marks
        return VGroup(rows, *marks, *trails), rows

    @staticmethod
    def _row(run, k: int, color) -> VGroup:
        return readout(run.meta["label"], color, [("step", f"{k}"), ("loss", fmt_loss(run["loss"][k]))],
                       size=SMALL_SIZE, max_width=COL_WIDTH)


def _bars(values: list[float], numbers: list[str], color, height: float) -> VGroup:
    """Bars for VALUES on their own scale (the largest `height` tall, none shorter than a hairline),
    each with its number under it: VGroup(bars, numbers)."""
    top = max((v for v in values if math.isfinite(v)), default=0.0) or 1.0
    bars = VGroup(*(Rectangle(width=BAR_W, height=max(0.02, height * min(v, top) / top if math.isfinite(v) else height),
                              stroke_width=0, fill_color=color, fill_opacity=0.85) for v in values))
    bars.arrange(RIGHT, buff=BAR_STEP - BAR_W, aligned_edge=DOWN)
    texts = VGroup(*(Text(n, font_size=SMALL_SIZE, color=TEXT_COLOR).next_to(b, DOWN, buff=0.08)
                     for n, b in zip(numbers, bars, strict=True)))
    return VGroup(bars, texts)


def _step_list(steps: list[int]) -> str:
    """'1–4' for consecutive steps, '1–5 and 9' where the last one jumps."""
    run = steps if steps == list(range(steps[0], steps[0] + len(steps))) else steps[:-1]
    head = f"{run[0]}–{run[-1]}" if len(run) > 1 else f"{run[0]}"
    return head if run is steps else f"{head} and {steps[-1]}"


def _key_lines(key: str) -> str:
    """The marks' key with each line too wide for the column broken before its bracket ("stars: global
    minima" / "(deepest: loss 43)"), so the loss it writes stays whole on one line."""
    out = []
    for line in key.split("\n"):
        if Text(line, font_size=SMALL_SIZE).width > COL_WIDTH and " (" in line:
            head, _, rest = line.partition(" (")
            out += [head, f"  ({rest}"]
        else:
            out.append(line)
    return "\n".join(out)

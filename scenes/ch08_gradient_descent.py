"""Chapter 8 — gradient descent and the learning rate.

Storyboard: the valley of the sine-2d landscape (a crop of the recorded grid) -> at the start the
recorded gradient is an arrow pointing uphill; the step goes against it, lr times as long -> why
gradients are cheap: all D slopes by backprop (one forward + one backward pass) against D + 1
one-parameter probes, timed on the networks of chapter 12 (the `dimensions` trace) -> a
good learning rate walks down in a few steps -> too small barely moves -> too large overshoots
and bounces across the valley -> far too large ends higher than it started (diverged). A loss
plot and one read-out per learning rate carry the numbers; everything is read from the trace.
"""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UL,
    UP,
    Create,
    DashedLine,
    Dot,
    FadeIn,
    FadeOut,
    GrowArrow,
    Rectangle,
    Text,
    VGroup,
    Write,
    config,
)

from scenes.kit import speech
from scenes.kit.arrows import clamp, crop, fmt_vec, hop, swap, vector_arrow
from scenes.kit.base import ChapterScene
from scenes.kit.cloud import marker
from scenes.kit.landscape import LandscapeView
from scenes.kit.layout import boxes_meet
from scenes.kit.palette import series_colors
from scenes.kit.panels import fmt_loss, readout
from scenes.kit.plots import LossPlot
from scenes.kit.style import MUTED, SMALL_SIZE, TEXT_COLOR, TITLE_SIZE
from sim.trace import Trace

LR_RUNS = ("lr-good", "lr-small", "lr-large", "lr-diverge")
# learning-rate variants of SGD, shown only with each other: the palette's series colours
LR_COLORS = dict(zip(LR_RUNS, series_colors(len(LR_RUNS)), strict=True))
GRAD_COLOR = "#FFFFFF"   # drawn on the heatmap
BEND = 0.5  # steps are drawn as arcs so back-and-forth steps along one line stay apart
# The column right of the landscape (its tick numbers end near x = -0.2): the rule, the loss plot and
# the read-outs share it, stacked, so each gets the column's whole width.
COL_LEFT, COL_RIGHT = 0.45, 6.99
COL_WIDTH = COL_RIGHT - COL_LEFT
ROW_GAP = 0.12   # between two read-outs (each is two lines: the run's name, then its numbers)


class GradientDescent(ChapterScene):
    def construct(self) -> None:
        tr = self.trace("sine-2d")
        runs = [tr.run(n) for n in LR_RUNS]
        self.runs = {r.name: r for r in runs}
        self.colors = LR_COLORS
        self.t = 0.0

        title = Text("Gradient descent and the learning rate", font_size=TITLE_SIZE).to_edge(UP, buff=0.25)
        # A square crop of the recorded grid around the learning-rate paths.
        b_max = max(2.0, float(np.ceil(max(np.abs(r["params"][:, 1]).max() for r in runs) * 4) / 4 + 0.25))
        a_hi = float(tr["landscape/a"][-1])
        a, b, loss = crop(tr["landscape/a"], tr["landscape/b"], tr["landscape/loss"],
                          (a_hi - 2 * b_max, a_hi), (-b_max, b_max))
        view = LandscapeView(a, b, loss, tr["landscape/min"], side=5.6).place()
        self.play(Write(title), run_time=0.8)
        self.show_landscape(view)

        good = self.runs["lr-good"]
        p0, g0 = good["params"][0], good["grad"][0]
        start = marker(view.point(p0), TEXT_COLOR)
        rule = Text("step = − lr × gradient", font_size=SMALL_SIZE + 2, color=TEXT_COLOR)
        rule.move_to([0, 3.05, 0]).align_to([COL_LEFT, 0, 0], LEFT)
        self.play(FadeIn(start), FadeIn(rule), run_time=0.6)
        others = [r for r in tr.runs() if r.name not in self.runs]
        same = bool(others) and all(np.allclose(r["params"][0], p0) for r in others)
        where = self.claims.say(same, "from the same point as the others", "from its own starting point")
        self.beat(f"Gradient descent starts {where} and follows one rule: step against the gradient.")

        # The gradient: a recorded vector, drawn uphill; the step goes the other way, lr times as long. Both
        # at one scale (the longer one unit of a), so the picture shows the ratio the narration states.
        lr = good.meta["lr"]
        scale = 1.0 / max(max(1.0, lr) * float(np.linalg.norm(g0)), 1e-9)
        up = vector_arrow(view, p0, g0, GRAD_COLOR, scale=scale)
        # Two lines: on one, the vector and its words are wider than the column.
        g_text = Text(f"gradient ∇L = {fmt_vec(g0)}\npoints uphill", font_size=SMALL_SIZE, color=TEXT_COLOR,
                      line_spacing=0.8).next_to(rule, DOWN, buff=0.2).align_to(rule, LEFT)
        self.grad_arrow = up
        self.play(GrowArrow(up), FadeIn(g_text), run_time=1)
        step = vector_arrow(view, p0, -lr * g0, LR_COLORS["lr-good"], scale=scale)
        self.step_arrow = step
        s_text = Text(f"step = −{lr:g} × ∇L = {fmt_vec(-lr * g0)}", font_size=SMALL_SIZE,
                      color=LR_COLORS["lr-good"]).next_to(g_text, DOWN, buff=0.15).align_to(rule, LEFT)
        parts = [s_text]
        if abs(scale - 1.0) > 0.1:   # drawn larger or smaller than the map's units: say so
            parts.append(Text(f"both arrows drawn {scale:.2g}× their length", font_size=SMALL_SIZE, color=MUTED)
                         .next_to(s_text, DOWN, buff=0.15).align_to(rule, LEFT))
        self.play(GrowArrow(step), *[FadeIn(p) for p in parts], run_time=1)
        self.wait(1)
        self.beat(f"The gradient, the arrow, points where the loss grows fastest. The step goes the other way: "
                  f"the gradient times minus {speech.number(lr)}, the learning rate.")
        self.play(FadeOut(up, step, g_text, *parts, start), run_time=0.4)
        self._why_cheap(self.trace("dimensions"), rule)

        # Loss plot and read-outs on the right.
        steps = max(r.steps for r in runs)
        losses = np.concatenate([r["loss"][np.isfinite(r["loss"])] for r in runs])
        ends = [float(r["loss"][-1]) for r in runs]
        apart = not all(np.isfinite(ends)) or max(ends) > 2 * max(min(ends), 1e-12)
        # Similar endings: is that the bottom, or where every rate stalls? The landscape's lowest loss says.
        lowest = float(tr["landscape/min_loss"]) if not apart else None
        lo = min(float(losses.min()), lowest) if lowest is not None else float(losses.min())
        plot = LossPlot(steps, max(lo, 1e-6), float(losses.max()), width=4.9, height=2.1)
        # As wide as the column leaves beside the y axis's label and numbers (and half the last x number).
        spare = COL_WIDTH - plot.width - 0.1
        plot = LossPlot(steps, max(lo, 1e-6), float(losses.max()), width=4.9 + spare, height=2.1)
        plot.x_label.next_to(plot.axes.x_axis.numbers, DOWN, buff=0.12)   # closer: the read-outs need the room
        plot.next_to(rule, DOWN, buff=0.15).align_to([COL_LEFT, 0, 0], LEFT)
        self.plot = plot
        self.play(FadeIn(plot), run_time=0.6)
        self.rows = VGroup()
        self.trails: dict[str, VGroup] = {}
        said: list[str] = []
        for name, shown in (("lr-good", 6), ("lr-small", 0), ("lr-large", 8), ("lr-diverge", 8)):
            self._play_run(self.runs[name], shown)
            said.append(self._notes(self.runs[name], said[-1] if said else ""))
            self.beat(said[-1])
        for name, trail in self.trails.items():
            _fade(trail, 0.35 if name == "lr-diverge" else 1.0)
        bottom = self._lowest(plot, runs, lowest) if lowest is not None else ""
        self.wait(1)
        one_start = all(np.allclose(r["params"][0], runs[0]["params"][0]) for r in runs)
        same = self.claims.say(one_start, "Same start, same gradients", "Nearby starts")
        endings = self.claims.say(apart, "and very different endings", "and similar endings here")
        self.beat(f"{same}, {speech.small(len(runs))} learning rates, {endings}{bottom}. The learning rate is the "
                  "one knob gradient descent cannot do without.")

    def _lowest(self, plot: LossPlot, runs: list, lowest: float) -> str:
        """The landscape's lowest loss drawn across the loss plot, and what the endings are next to it:
        all near it (the rates agree because they all got down), or none halfway (they all stall)."""
        start = float(runs[0]["loss"][0])
        finite = [float(r["loss"][-1]) for r in runs if np.isfinite(r["loss"][-1])]
        gap = max(start - lowest, 1e-12)
        near = bool(finite) and all(e - lowest <= 0.1 * gap for e in finite)
        stalled = bool(finite) and all(e - lowest > 0.5 * gap for e in finite)
        line = DashedLine(plot.point(0, lowest), plot.point(plot.x_max, lowest), color=MUTED, stroke_width=2)
        text = Text(f"lowest on this landscape: {fmt_loss(lowest)}", font_size=SMALL_SIZE, color=MUTED)
        _beside_line(text, line, plot)
        self.play(Create(line), FadeIn(text), run_time=0.6)
        self.lowest_line = VGroup(line, text)
        return self.claims.pick(
            (near, f": every one ends near this landscape's lowest loss, {speech.loss(lowest)}"),
            (stalled, f": none gets even halfway down to this landscape's lowest loss, {speech.loss(lowest)}; "
                      f"from this start, none of these {speech.small(len(runs))} rates gets there"),
            otherwise=f"; this landscape's lowest loss is {speech.loss(lowest)}")

    def _why_cheap(self, tr: Trace, rule: Text) -> None:
        """All D slopes by backprop vs by one-parameter probes: counts from the trace, times measured."""
        rows, line = slope_table(tr)
        head = VGroup(*[Text(t, font_size=SMALL_SIZE, color=TEXT_COLOR) for t in (
            "Why gradients are cheap: all D slopes by", "backprop = 1 forward + 1 backward pass",
            "probing = D + 1 forward passes", "ratio = probing ÷ backprop (time)")])
        head.arrange(DOWN, aligned_edge=LEFT, buff=0.1)
        cells = VGroup(*[VGroup(*[Text(c, font_size=SMALL_SIZE, color=MUTED if r == 0 else TEXT_COLOR)
                                  for c in row]) for r, row in enumerate(rows)])
        widths = [max(cells[r][c].width for r in range(len(rows))) for c in range(len(rows[0]))]
        for r, row in enumerate(cells):
            x = 0.0
            for c, cell in enumerate(row):
                x += widths[c]
                cell.move_to([x - cell.width / 2, -0.42 * r, 0])   # right-aligned columns
                x += 0.35
        table = VGroup(head, cells).arrange(DOWN, aligned_edge=LEFT, buff=0.25)
        table.next_to(self.view.heatmap, RIGHT, buff=0.35).align_to(rule, UP)   # beside the landscape
        self.slope_table = table
        self.play(FadeOut(rule), FadeIn(head), run_time=0.5)
        self.play(FadeIn(cells, shift=RIGHT * 0.1), run_time=0.8)
        self.wait(1)
        self.beat(line)
        self.play(FadeOut(table), FadeIn(rule), run_time=0.4)

    def _play_run(self, run, detailed: int) -> None:
        """Draw one run: the first `detailed` steps with their gradient arrows, the rest fast."""
        view, color = self.view, LR_COLORS[run.name]
        for other in self.trails.values():
            _fade(other, 0.25)
        p = run["params"]
        trail = VGroup().set_z_index(3)
        self.trails[run.name] = trail
        self.add(trail)
        dot = marker(view.point(clamp(view, p[0])), color)
        first = fmt_loss(run["loss"][0])
        name = self._label(run)   # once: each call records its claim in the beat's ledger
        row = readout(name, color, [("step", "0"), ("loss", first)],
                      size=SMALL_SIZE, max_width=COL_WIDTH)
        # The read-out's place is as tall as its last row (a row may wrap as its numbers grow), so rows
        # placed under it never touch it; its row is swapped, top-left aligned, as the run goes.
        final = readout(name, color, [("step", f"{run.steps}"),
                                                  ("loss", f"{first} → {fmt_loss(run['loss'][-1])}")],
                        size=SMALL_SIZE, max_width=COL_WIDTH)
        spacer = Rectangle(width=max(final.width, row.width), height=max(final.height, row.height))
        spacer.set_stroke(opacity=0).set_fill(opacity=0)
        row.move_to(spacer, aligned_edge=UL)
        slot = VGroup(row, spacer)
        self._place_row(slot)
        self.play(FadeIn(dot), FadeIn(slot), run_time=0.4)
        curve = None
        for k in range(1, run.steps + 1):
            a, b = view.point(clamp(view, p[k - 1])), view.point(clamp(view, p[k]))
            seg = hop(a, b, color, bend=BEND * (1 if k % 2 else -1))
            trail.add(seg)
            anims = [Create(seg), dot.animate.move_to(b)]
            now = f"{first} → {fmt_loss(run['loss'][k])}"
            new_row = readout(name, color, [("step", f"{k}"), ("loss", now)],
                              size=SMALL_SIZE, max_width=COL_WIDTH)
            new_row.move_to(row, aligned_edge=UL)
            new_curve = self.plot.curve(np.arange(k + 1), run["loss"][:k + 1], color)
            if curve is None:
                curve = new_curve
                self.add(curve)
            else:
                anims.append(curve.animate.become(new_curve))
            if k <= detailed:
                arrow = vector_arrow(view, clamp(view, p[k - 1]), -run.meta["lr"] * run["grad"][k - 1], color,
                                     max_length=3.0)
                self.play(GrowArrow(arrow), run_time=0.2)
                self.play(*anims, FadeOut(arrow), run_time=0.4)
            else:
                self.play(*anims, run_time=1 / 15)
            swap(slot, 0, new_row)
            row = new_row
        self.remove(dot)
        trail.add(marker(view.point(clamp(view, p[-1])), color))

    def _place_row(self, row) -> None:
        """Read-outs stack under the loss plot, flush with the column's left edge; when they would pass
        the frame's bottom (a long run label, a larger chapter), their gaps close, the first stays put."""
        if len(self.rows):
            row.next_to(self.rows[-1], DOWN, buff=ROW_GAP)
        else:
            row.next_to(self.plot, DOWN, buff=0.15)
        row.align_to([COL_LEFT, 0, 0], LEFT)
        self.rows.add(row)
        floor = -config.frame_height / 2 + 0.12
        over = floor - self.rows.get_bottom()[1]
        if over > 0 and len(self.rows) > 1:
            gap = max(0.02, ROW_GAP - over / (len(self.rows) - 1))
            self.rows.arrange(DOWN, aligned_edge=LEFT, buff=gap, center=False)
            over = floor - self.rows.get_bottom()[1]
        if over > 0:   # still too tall: into what room the plot leaves above them
            room = self.plot.get_bottom()[1] - 0.05 - self.rows.get_top()[1]
            self.rows.shift(UP * max(0.0, min(over, room)))

    def _label(self, run) -> str:
        """'lr 10 (ends higher)': the learning rate and what its run did, judged by the same tests as
        `_notes` (a config label's own words, like "diverges", are a claim nothing checks)."""
        did = self.claims.pick(*((held, kind) for kind, held in _course(run)), otherwise="descends")
        return f"lr {run.meta['lr']:g} ({did})"

    def _notes(self, run, before: str = "") -> str:
        """What the run did, said from its recorded losses: diverged, overshot, bounced, or descended.
        A descent that says what the line `before` said ends "the same": four identical sentences in a
        row is a template talking."""
        lr = speech.number(run.meta["lr"])
        loss = np.asarray(run["loss"], dtype=float)
        start, end = speech.loss(loss[0]), speech.loss(loss[-1])
        said = {"diverges": "every step overshoots further, and the run diverges",
                "ends higher": f"the steps overshoot: the loss ends at {end}, above its start",
                "bounces": f"the loss bounces up and down on its way from {start} to {end}"}
        descent = f"{run.steps} steps take the loss from {start} to {end}"
        line = self.claims.pick(*((held, said[kind]) for kind, held in _course(run) if kind in said),
                                otherwise=descent)
        if line == descent and before.endswith(f"from {start} to {end}.") and (
                f", {descent}." in before or ", the same: " in before):
            return f"With learning rate {lr}, the same: from {start} to {end}."
        return f"With learning rate {lr}, {line}."


def _course(run) -> list[tuple[str, bool]]:
    """What a run's recorded losses did, as (kind, held) tests in order: the first that holds names it
    (none: it descended). Read-outs and spoken lines both judge a run by these."""
    loss = np.asarray(run["loss"], dtype=float)
    start, end = float(loss[0]), float(loss[-1])
    rises = int((np.diff(loss[np.isfinite(loss)]) > 0).sum())
    return [("diverges", not np.isfinite(end) or end > 10 * start), ("ends higher", end > start),
            ("bounces", rises >= 2), ("barely moves", end > 0.5 * start)]


def slope_table(tr: Trace) -> tuple[list[list[str]], str]:
    """The table of what all D slopes cost (header row first) and the sentence said over it; every
    number the sentence says is in the table as written there. Times come from the timing sidecar;
    without it the table gives the counts of passes only."""
    d = tr["nets/n_params"]
    probes = tr["slopes/probe_passes"]
    wall = tr.wall_stats.get("slopes")
    intro = ("Why are gradients cheap? Backpropagation gets all D slopes from one forward and one backward "
             "pass. Probing them one parameter at a time takes D plus one forward passes.")
    if not wall:
        rows = [["parameters", "backprop passes", "probing passes"]]
        rows += [[f"{int(n):,}", "2", f"{int(p):,}"] for n, p in zip(d, probes, strict=True)]
        return rows, intro + f" At {int(d[-1]):,} parameters that is {int(probes[-1]):,} passes against two."
    ratio = np.asarray(wall["ratio"])
    rows = [["parameters", "backprop", "probing", "ratio"]]
    rows += [[f"{int(n):,}", f"{speech.number(1e3 * b)} ms", f"{speech.number(1e3 * p)} ms", speech.number(r)]
             for n, b, p, r in zip(d, wall["backprop_s"], wall["probes_s"], ratio, strict=True)]
    line = intro + (f" Timed here, at {int(d[-1]):,} parameters probing took {speech.number(ratio[-1])} times as "
                    f"long as backprop; at {int(d[0]):,}, {speech.number(ratio[0])} times.")
    cos = tr["slopes/cosine"]
    if np.isfinite(cos).all() and cos.min() > 0.99:
        line += " Both give the same slopes."
    return rows, line


def _beside_line(text: Text, line: DashedLine, plot: LossPlot) -> None:
    """Put the lowest loss's words by its line, right-aligned: under it if they fit above the x axis
    (the curves are all above it), else over it; a text wider than the axes reaches left past the
    y axis, so heights where it would cover an axis number are skipped."""
    numbers = [*plot.axes.y_axis.labels, *plot.axes.x_axis.numbers]   # a log axis keeps its numbers as labels
    floor = plot.axes.x_axis.get_y() + 0.05
    ceiling = plot.axes.y_axis.get_top()[1]
    fallback = None
    for side, buff in [(DOWN, 0.06 + 0.05 * k) for k in range(8)] + [(UP, 0.06 + 0.05 * k) for k in range(8)]:
        text.next_to(line, side, buff=buff).align_to(line, RIGHT)
        if text.get_bottom()[1] < floor or text.get_top()[1] > ceiling:
            continue
        fallback = fallback or (side, buff)
        if not any(boxes_meet(text, n) for n in numbers):
            return
    side, buff = fallback or (UP, 0.06)
    text.next_to(line, side, buff=buff).align_to(line, RIGHT)


def _fade(trail: VGroup, opacity: float) -> None:
    """Dim a run's steps (strokes only: arcs must not fill) and its end marker."""
    for part in trail:
        if isinstance(part, Dot):
            part.set_opacity(opacity)
        else:
            part.set_stroke(opacity=opacity).set_stroke(opacity=0.55 * opacity, background=True)

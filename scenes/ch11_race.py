"""Chapter 11 — The race: evolution vs SGD + momentum vs Adam, at equal evaluation budgets.

Storyboard: the function fit — three panels, one per optimizer, show each network's curve at
the same number of loss evaluations while a shared budget counter runs up to evolution's
budget, beside the loss-against-evaluations plot -> the numbers (mean ± std over seeds, at
equal evaluations and at equal wall time) -> the same race on the smiley and the portrait:
final reconstructions side by side at the same budget with PSNR/SSIM over seeds, and the loss
curves -> the caveat: pictures are not metrics, the numbers are.
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
    FadeIn,
    FadeOut,
    Group,
    ImageMobject,
    ManimColor,
    ReplacementTransform,
    Text,
    VGroup,
    Write,
)

from scenes.kit import speech
from scenes.kit.base import ChapterScene
from scenes.kit.images import ImagePanel, fmt_psnr, frame_at, framed, image_tile, picture_subject, slot
from scenes.kit.layout import frame_box, label, pretty_expr, shortened
from scenes.kit.palette import with_free_colors
from scenes.kit.panels import CurvePanel, fmt_loss, legend
from scenes.kit.plots import LossPlot
from scenes.kit.style import MUTED, OPTIMIZER_COLORS, SMALL_SIZE, TEXT_COLOR, TITLE_SIZE, color_for
from scenes.kit.traces import pm, shown_race
from sim.errors import GdevoError

RACE_KEYFRAMES = 40
TABLE_SIZE = SMALL_SIZE   # the results table's text: digits 14.5 px tall at 480p
TABLE_WIDTH = 8.4         # the most the table may take beside the loss plot (a 5-unit plot keeps the rest)
WHOLE_LABELS_EXTRA = 0.6  # the table may take this much more to keep its run labels whole (the plot keeps 4.4)
BAND_MIN = 2.2            # the least height of the band under the panels (loss plot, counter and table)
TILE_COL = 2.25           # a picture's column: its caption lines ("12.3 ± 0.2 dB") wrap to this width
PLOT_W = 3.0              # the widest a row's loss plot gets
PLOT_MIN_H = 1.3          # the least height of a row's loss plot with its numbers and title (else its note goes beside)
REACH_W = 2.1             # the "passed ... within N evaluations" note when beside a row's loss plot
ROW_GAP = 0.3             # between the pictures' rows
RUN_ORDER = ("evolution", "sgd", "momentum", "adam")


def ordered_runs(trace) -> list:
    """The seed-0 runs of a trace's race (kinds gradient / evolution; the tuned ones when the trace
    was tuned), evolution first, then by RUN_ORDER."""
    runs = [r for r in trace.runs() if r.kind in ("gradient", "evolution")]
    tuned = [r for r in runs if r.meta.get("tuned")]
    runs = tuned or runs

    def order(r) -> int:
        base = r.meta.get("tuned_from", r.name)
        return RUN_ORDER.index(base) if base in RUN_ORDER else len(RUN_ORDER)
    return sorted(runs, key=order)


SHORT_KEYS = {"population": "pop", "sigma": "σ", "sigma_decay": "σ decay", "lr": "lr", "momentum": "momentum"}


def chosen_text(info: dict) -> str:
    """The settings a run's grid varied, as the tuning chose them: 'pop 40 σ 0.03' ('*': at the grid's
    edge); '' when the grid varied nothing."""
    edge = set(info.get("at_edge", []))
    return " ".join(f"{SHORT_KEYS.get(k, k)} {info['chosen_settings'][k]:g}{'*' if k in edge else ''}"
                    for k in info["keys"] if len(info["values"][k]) > 1)


def tuning_line(tuning: dict, stats: dict) -> str:
    """What each optimizer was tuned over and what won: 'each tuned over 3 seeds at 15,000 evaluations:
    Evolution pop 40 σ 0.03 (best of 9), ...' (only the settings the grid varied)."""
    parts, any_edge = [], False
    for name, info in tuned_in_order(tuning, stats):
        label = stats["groups"].get(info["tuned_run"], {}).get("label", name)
        chosen = chosen_text(info)
        parts.append(f"{label} {chosen} (best of {len(info['settings'])})" if chosen else f"{label} (not tuned)")
        any_edge = any_edge or bool(info.get("at_edge"))
    return (f"Tuned at {tuning['budget']:,} evaluations, {len(tuning['seeds'])} seeds each: " + ", ".join(parts)
            + ("; * = at its grid's edge" if any_edge else ""))


def tuned_in_order(tuning: dict, stats: dict) -> list[tuple[str, dict]]:
    """(run name, its tuning) in the race's order (meta's JSON keeps keys sorted)."""
    by_tuned = {info["tuned_run"]: (name, info) for name, info in tuning["runs"].items()}
    return [by_tuned[g] for g in stats["order"] if g in by_tuned]


def in_race_order(stats: dict) -> list[str]:
    """The groups in the race's order (the panels' order), not the trace JSON's sorted keys."""
    order = [g for g in stats.get("order", []) if g in stats["groups"]]
    return order + [g for g in stats["groups"] if g not in order]


def ranking(stats: dict) -> str:
    """The losses at equal evaluations said as a ranking, lowest first (a run with no result last)."""
    groups = stats["groups"]
    ranked = sorted(in_race_order(stats), key=lambda g: (groups[g]["loss_at_e_star"]["mean"] is None,
                                                         groups[g]["loss_at_e_star"]["mean"] or 0.0))
    said = [f"{groups[g]['label']} {speech.loss(groups[g]['loss_at_e_star']['mean'])}"
            if groups[g]["loss_at_e_star"]["mean"] is not None else f"{groups[g]['label']} no result" for g in ranked]
    head = ("Loss at equal evaluations" if stats["seeds"] == 1
            else f"Mean loss over {speech.small(stats['seeds'])} seeds at equal evaluations")
    return f"{head}, lowest first: " + "; ".join(said) + "."


def verdict(stats: dict, name=lambda text: text) -> str:
    """What the data says, from the trace's stats (said and shown alike): who is best at equal
    evaluations, and how soon it reached the worst one's final loss (progress per evaluation).
    `name` writes a run's label (the screen shortens a long one)."""
    done = {g: s for g, s in stats["groups"].items() if s["loss_at_e_star"]["mean"] is not None}
    if len(done) < 2:
        return "Too few runs finished to compare."
    best = min(done, key=lambda g: done[g]["loss_at_e_star"]["mean"])
    worst = max(done, key=lambda g: done[g]["loss_at_e_star"]["mean"])
    b, w = done[best], done[worst]
    head = f"Best at equal evaluations: {name(b['label'])}."
    reach = b.get("evals_to_reach", {}).get("median")
    if best == worst or not reach:
        return head
    e_star = stats["e_star"]
    return (f"{head} It reached {name(w['label'])}'s mean final loss, {fmt_short(stats['reach_level'])}, after "
            f"{reach:,.0f} evaluations, {speech.number(e_star / reach)} times fewer than {e_star:,.0f}.")


def two_lines(text: str, width: float, **kwargs) -> Text:
    """A run label in at most two lines of `width` at SMALL_SIZE: the words that fit on the first, the rest
    on the second, cut at a word with "…" where it is longer (textwrap's cut could leave "…" alone)."""
    words, first = text.split(), []
    while words and Text(" ".join([*first, words[0]]), font_size=SMALL_SIZE).width <= width:
        first.append(words.pop(0))
    rest = " ".join(words)
    if not first or not rest:
        return label(text, width, SMALL_SIZE, **kwargs)
    chars = len(rest)
    while chars > 4 and Text(shortened(rest, chars), font_size=SMALL_SIZE).width > width:
        chars -= 1
    second = shortened(rest, chars)
    if second.strip("… "):
        return Text(" ".join(first) + "\n" + second, font_size=SMALL_SIZE, line_spacing=0.8, **kwargs)
    while len(first) > 1 and Text(" ".join(first) + " …", font_size=SMALL_SIZE).width > width:
        first.pop()   # no word of the rest fits a line: one line, cut
    return label(" ".join(first) + " …", width, SMALL_SIZE, **kwargs)


def run_colors(runs: list) -> dict[str, ManimColor]:
    """Each run's colour: its optimizer's, or (a project's own optimizer) the palette's next free series colour."""
    known = [color_for(r.name, r.meta).to_hex() if r.name in OPTIMIZER_COLORS
             or r.meta.get("optimizer") in OPTIMIZER_COLORS else None for r in runs]
    return {r.name: c for r, c in zip(runs, with_free_colors(known), strict=True)}


def fmt_short(value: float) -> str:
    """A loss in three significant digits (scientific below 1e-3)."""
    if not np.isfinite(value):
        return "diverged"
    return f"{value:.3g}" if value >= 1e-3 else f"{value:.2e}"


def compact(value: float, digits: int = 3) -> str:
    """A table's number: `digits` significant digits, scientific without the exponent's padding
    ("1.7e-4", "1.33e9"), so a row of spreads keeps its width."""
    if not np.isfinite(value):
        return "diverged"
    text = f"{value:.{digits}g}" if value >= 1e-3 else f"{value:.{digits - 1}e}"
    mantissa, e, exponent = text.partition("e")
    return f"{mantissa}e{int(exponent)}" if e else text


def table_number(stat) -> str:
    """A results-table cell: 'mean ± sd', the spread to two digits."""
    return pm(stat, compact, lambda v: compact(v, 2))


class Race(ChapterScene):
    """Three optimizers, one budget: curves, loss plots and the numbers from the traces."""

    image_traces = ("image-fit-smiley", "image-fit-portrait")
    race_keyframes = RACE_KEYFRAMES

    def construct(self) -> None:
        self.tiles: list[tuple[ImageMobject, np.ndarray]] = []  # (tile, the pixels it shows), for checks
        self.function_race()
        self.image_race()
        self.caveat()

    # ------------------------------------------------------------------ function fit
    def function_race(self) -> None:
        tr = self.trace("function-fit")
        runs = ordered_runs(tr)
        tuning = tr.meta.get("tuning")
        stats, wall = shown_race(tr)   # summaries over seeds, computed at simulation time (tuned if tuned)
        budget = min(float(r["evals"][-1]) for r in runs)
        self.fit_runs, self.fit_budget = runs, budget
        self.colors = colors = run_colors(runs)
        title = Text(f"The race: {', '.join(r.meta['label'] for r in runs)}", font_size=TITLE_SIZE)
        one_line = Text("The race", font_size=TITLE_SIZE).height
        if title.width > 13.4 or title.height > 1.5 * one_line:   # long labels (Pango wraps them): say how many
            title = Text(f"The race: {len(runs)} optimizers, one budget", font_size=TITLE_SIZE)
        title.to_edge(UP, buff=0.25)
        x0, x1, y0, _ = frame_box()
        sub = label(f"{int(tr.meta['n_params']):,}-parameter network on "
                    f"{pretty_expr(tr.meta['config']['data']['target'])} · every optimizer gets "
                    f"{budget:,.0f} loss evaluations", x1 - x0, SMALL_SIZE, color=MUTED)
        sub.next_to(title, DOWN, buff=0.12)
        self.play(Write(title), FadeIn(sub), run_time=1)
        self.title = title

        # Two stages share the top (title, subtitle, run labels) and the panels' top edge. During the race
        # only the loss plot and the counter sit under the panels, so the panels take half of the height
        # left; afterwards (the results) the panels shrink to make room, from the foot up, for the verdict,
        # the tuning line and a band with the loss plot (left) and the counter over the table (right).
        said_verdict = verdict(stats)
        note = label(verdict(stats, name=lambda text: shortened(text, 24)), x1 - x0, SMALL_SIZE, color=TEXT_COLOR)
        note.move_to([0, y0, 0], aligned_edge=DOWN)
        tuned = self._tuning_text(tuning_line(tuning, stats), x1 - x0) if tuning else None
        if tuned is not None:
            tuned.next_to(note, UP, buff=0.15).set_x(0)
        counter = self._counter(0)
        table = self._numbers(stats, wall, colors, width=TABLE_WIDTH)
        plot_right = x1 - max(table.width, counter.width) - 0.4   # the loss plot takes the band's rest

        every = max(1, len(tr["data/x"]) // 30)
        n = len(runs)
        slot_w = (x1 - x0 - 0.3 * (n - 1)) / n
        shown = [c for r in runs for c in (r["curve"][0], r["curve"][-1])]
        labels = [self._panel_label(r, 0, slot_w, colors[r.name]) for r in runs]
        label_h = max(2 * Text("0", font_size=SMALL_SIZE).height * 1.6, *(m.height for m in labels))
        panel_top = float(sub.get_bottom()[1]) - 0.15 - label_h - 0.08
        results_bottom = float((tuned if tuned is not None else note).get_top()[1]) + 0.25
        results_top = results_bottom + max(counter.height + 0.15 + table.height, BAND_MIN)
        race_top = y0 + max(BAND_MIN, 0.45 * (panel_top - y0))   # the race's band: loss plot and counter

        def stage(band_bottom: float, band_top: float, ks: list[int]) -> tuple[VGroup, VGroup, LossPlot, VGroup]:
            """The panels (their curves at frames ks) over a band from band_bottom to band_top, and the loss
            plot in the band's left part with each run's trail up to its frame."""
            panels, curves = VGroup(), VGroup()
            for i, r in enumerate(runs):
                p = self._panel(tr, every, shown, slot_w, panel_top - band_top - 0.25)
                p.move_to([x0 + slot_w / 2 + i * (slot_w + 0.3), 0, 0]).align_to([0, panel_top, 0], UP)
                panels.add(p)
                curves.add(p.curve(r["curve"][ks[i]], colors[r.name]))
            plot = self._fit_plot(budget, runs, x0, plot_right, band_top, band_bottom)
            trails = VGroup(*[plot.curve(r["evals"][: k + 1], r["loss"][: k + 1], colors[r.name])
                              for r, k in zip(runs, ks, strict=True)])
            return panels, curves, plot, trails

        panels, curves, plot, trails = stage(y0, race_top, [0] * n)
        for i in range(n):
            labels[i].next_to(panels[i], UP, buff=0.08)
        counter.move_to([plot_right + 0.4, race_top, 0], aligned_edge=UL)
        self.play(FadeIn(panels), FadeIn(*labels), Create(curves), FadeIn(plot), FadeIn(counter), run_time=1.2)
        self.beat(f"The race: same network, same start, same data, and the same budget of {speech.count(budget)} "
                  f"loss evaluations for {speech.small(len(runs))} optimizers.")

        for e in np.linspace(0, budget, self.race_keyframes + 1)[1:]:
            anims = []
            for i, r in enumerate(runs):
                k = frame_at(r["evals"], e)
                anims.append(curves[i].animate.become(panels[i].curve(r["curve"][k], colors[r.name])))
                anims.append(trails[i].animate.become(plot.curve(r["evals"][: k + 1], r["loss"][: k + 1],
                                                                 colors[r.name])))
                self.remove(labels[i])
                labels[i] = self._panel_label(r, k, slot_w, colors[r.name]).next_to(panels[i], UP, buff=0.08)
                self.add(labels[i])
            new_counter = self._counter(e).move_to(counter, aligned_edge=LEFT)
            self.remove(counter)
            self.add(new_counter)
            counter = new_counter
            self.play(*anims, run_time=0.2)

        # The results: the same picture, smaller, with the numbers under it.
        self.race_panel_h = float(panels[0].height)   # for checks: the panels' height while the race ran
        ends = [frame_at(r["evals"], budget) for r in runs]
        after = stage(results_bottom, results_top, ends)
        self.play(*(ReplacementTransform(a, b) for a, b in zip((panels, curves, plot, trails), after, strict=True)),
                  counter.animate.move_to([plot_right + 0.4, results_top, 0], aligned_edge=UL), run_time=0.8)
        panels, curves, plot, trails = after
        self.panels, self.curves, self.loss_plot, self.trails = panels, curves, plot, trails
        table.next_to(counter, DOWN, buff=0.15).align_to(counter, LEFT)
        self.play(FadeIn(table), run_time=2 / 3)
        self.numbers = table

        extra = VGroup()
        if tuning:
            self.play(FadeIn(tuned), run_time=2 / 3)
            self.tuning_text = tuned
            extra.add(tuned)
            infos = [info for _, info in tuned_in_order(tuning, stats)]
            said = [f"{stats['groups'][info['tuned_run']]['label']}, {speech.small(len(info['settings']))} settings"
                    for info in infos]
            inside = self.claims.pick(
                (any(i["at_edge"] for i in infos), " Where a best sits at its grid's edge, marked with a star, "
                                                   "a better setting may lie beyond it."),
                (any(i.get("widened") for i in infos), " Where a best sat at a grid's edge, the grid grew past it, "
                                                       "so each best now lies inside its grid."),
                otherwise=" Each best lies inside its grid.")
            self.beat("To be fair, each optimizer was first tuned at this budget, over "
                      f"{speech.small(len(tuning['seeds']))} seeds: " + "; ".join(said) +
                      ". The race uses each one's best." + inside)
        self.play(FadeIn(note), run_time=2 / 3)
        self.wait(2.6)
        self.verdict_text = note
        self.beat(ranking(stats) + " " + said_verdict)
        self.fit_group = VGroup(sub, panels, curves, *labels, plot, trails, counter, table, note, extra)

    @staticmethod
    def _tuning_text(line: str, width: float) -> Text:
        """The tuning line across the frame, over the verdict (wrapped, never shrunk)."""
        return label(line, width, SMALL_SIZE, color=MUTED)

    @staticmethod
    def _panel_label(run, k: int, width: float, color: ManimColor) -> Text:
        """'Adam · loss 0.5589' over a panel; where that is wider than the panel, the label (cut at a word)
        over 'loss 0.5589': two lines at most, never shrunk."""
        name, loss = shortened(run.meta["label"], 22), fmt_loss(float(run["loss"][k]))
        text = Text(f"{name} · loss {loss}", font_size=SMALL_SIZE, color=color)
        if text.width <= width:
            return text
        return label(f"{name}\nloss {loss}", width, SMALL_SIZE, color=color, line_spacing=0.8)

    @staticmethod
    def _panel(tr, every: int, shown: list, width: float, height: float) -> CurvePanel:
        """A run's panel filling width × height with its numbers: the y numbers beside the panel's left
        edge and the x numbers under its foot (at the axes, which cross in the middle, they sat on the
        curves and on each other)."""
        def build(w: float, h: float) -> CurvePanel:
            p = CurvePanel(tr["data/curve_x"], tr["data/curve_target"], tr["data/x"][::every], tr["data/y"][::every],
                           width=w, height=h, curves=shown)   # one y range for every panel
            for d in p.dots:
                d.scale(0.5)
            left, foot = float(p.axes.x_axis.get_left()[0]), float(p.axes.y_axis.get_bottom()[1])
            ys = p.axes.y_axis.numbers
            if len(ys) > 2 and h / (len(ys) + 1) < 1.8 * ys[0].height:   # a short panel: the ends only
                ys.remove(*ys[1:-1])
            for number in ys:
                number.shift(RIGHT * (left - 0.12 - float(number.get_right()[0])))
            ends = p.axes.x_axis.numbers[0], p.axes.x_axis.numbers[-1]
            p.axes.x_axis.numbers.remove(*[m for m in p.axes.x_axis.numbers if all(m is not e for e in ends)])
            for number in ends:   # only the range's ends: a step such as 2.5 was drawn rounded ("2")
                number.shift(UP * (foot - 0.12 - float(number.get_top()[1])))
            return p

        w, h = width, height
        for _ in range(3):   # the numbers and the axis letters take the same margins at any size
            p = build(w, h)
            spare_w, spare_h = width - p.width, height - p.height
            if abs(spare_w) < 0.02 and abs(spare_h) < 0.02:
                break
            w, h = w + spare_w, max(h + spare_h, 0.6)
        return p

    @staticmethod
    def _fit_plot(budget: float, runs: list, left: float, right: float, top: float, bottom: float,
                  x_label: str = "loss evaluations", y_label: str = "loss (log)",
                  x_step: float | None = None) -> LossPlot:
        """The loss plot with its numbers and titles filling left..right × bottom..top; its y title
        beside its numbers (the kit's fixed offset met wide numbers)."""
        lo, hi = min(float(r["loss"].min()) for r in runs), max(float(r["loss"].max()) for r in runs)

        def build(w: float, h: float) -> LossPlot:
            plot = LossPlot(budget, lo, hi, width=w, height=h, x_label=x_label, y_label=y_label, x_step=x_step)
            plot.y_label.next_to(plot.axes.y_axis.labels, LEFT, buff=0.15)
            plot.x_label.next_to(plot.axes.x_axis.numbers, DOWN, buff=0.12)
            return plot

        w, h = 4.0, 1.5
        for _ in range(3):
            plot = build(w, h)
            spare_w, spare_h = (right - left) - plot.width, (top - bottom) - plot.height
            if abs(spare_w) < 0.02 and abs(spare_h) < 0.02:
                break
            w, h = w + spare_w, max(h + spare_h, 0.6)
        return plot.move_to([left, top, 0], aligned_edge=UL)

    @staticmethod
    def _counter(e: float) -> Text:
        return Text(f"evaluations used: {e:,.0f}", font_size=SMALL_SIZE + 2, color=TEXT_COLOR)

    @staticmethod
    def _numbers(stats: dict, wall: dict, colors: dict[str, ManimColor], width: float = TABLE_WIDTH) -> VGroup:
        """The results table at its full size, never scaled (issue 17): headers on two lines and run labels
        cut to one line with "…" keep it narrow; a table wider than `width` puts each spread under its mean."""
        t_star = wall.get("t_star")
        size = TABLE_SIZE
        cols = [f"mean ± sd\nover {stats['seeds']} seeds", "equal\nevaluations",
                f"equal time\n({t_star:.2f} s)" if t_star is not None else "equal\ntime"]

        def build(split: bool, label_w: float = 2.4) -> VGroup:
            def cell(stat) -> Text:
                text = table_number(stat)
                return Text(text.replace(" ± ", "\n± ") if split else text, font_size=size, color=TEXT_COLOR,
                            line_spacing=0.8)

            grid = [[Text(c, font_size=size, color=MUTED, line_spacing=0.8) for c in cols]]
            for name in in_race_order(stats):
                s = stats["groups"][name]
                color = colors.get(name, color_for(name, s))
                at_t = wall["groups"][name]["loss_at_t_star"] if wall else None
                grid.append([label(s["label"], label_w, size, min_size=size, max_lines=1, color=color),
                             cell(s["loss_at_e_star"]), cell(at_t)])
            widths = [max(row[c].width for row in grid) for c in range(len(cols))]
            rows = VGroup()
            for row in grid:
                line = VGroup()
                x = 0.0
                for c, cell_mob in enumerate(row):
                    cell_mob.move_to([x, 0, 0], aligned_edge=LEFT)
                    x += widths[c] + 0.22
                    line.add(cell_mob)
                rows.add(line)
            return rows.arrange(DOWN, aligned_edge=LEFT, buff=0.1)

        table = build(split=False, label_w=3.2)   # labels whole ("SGD + momentum") where the plot keeps 4.4 units
        if table.width <= width + WHOLE_LABELS_EXTRA:
            return table
        table = build(split=False)
        if table.width > width:
            table = min((table, build(split=True)), key=lambda t: t.width)
        return table

    # ------------------------------------------------------------------ images
    def image_race(self) -> None:
        new_title = Text("The same race on pictures, at equal evaluations", font_size=TITLE_SIZE).to_edge(UP, buff=0.25)
        self.play(FadeOut(self.fit_group), self.title.animate.become(new_title), run_time=2 / 3)
        races, missing = [], []
        for name in self.image_traces:
            try:
                tr = self.trace(name)
                runs = ordered_runs(tr)
                if not runs or "frames" not in runs[0]:
                    raise GdevoError("no runs with frames")
            except GdevoError as exc:
                missing.append((name, str(exc)))
                continue
            races.append((tr, runs, picture_subject(tr, name)))
        # Every row races the same runs: their names head the columns once (a row's own names took the
        # tiles' height), and the colours need no key at the foot.
        names = {tuple(r.meta["label"] for r in runs) for _, runs, _ in races}
        columns = self._column_heads(races[0][1]) if len(names) == 1 else None
        self.caveat_box = self._caveat_box(key=columns is None)   # made now: the rows take the height above it
        heads = self._tuned_heads(races)
        top = float((heads if len(heads) else new_title).get_bottom()[1]) - 0.2
        if columns is not None:
            top -= columns.height + 0.1
        bottom = float(self.caveat_box.get_top()[1]) + 0.25
        n_rows = len(self.image_traces)
        row_h = (top - bottom - ROW_GAP * (n_rows - 1)) / max(n_rows, 1)
        rows, notes, tuned, seeds_judged = Group(), [], [], []
        for tr, runs, subject in races:
            tuned.append(bool(tr.meta.get("tuning")))
            row, note = self._image_row(tr, runs, subject, row_h, names=columns is None)
            seeds_judged.append(len(tr.meta["tuning"]["seeds"]) if tr.meta.get("tuning") else 0)
            rows.add(row)
            notes.append(note)
        for name, why in missing:
            rows.add(label(f"{name}: no trace ({why[:70]})", 13.4, SMALL_SIZE, color=MUTED))
        rows.arrange(DOWN, buff=ROW_GAP).move_to([0, top, 0], aligned_edge=UP)
        pictures = list(rows)
        above = [m for m in (heads, columns) if m is not None and len(m)]   # come in with the first row
        if columns is not None and races:
            for head, column in zip(columns, rows[0][0], strict=True):   # over the first row's columns
                head.move_to([float(column.get_x()), top + 0.1, 0], aligned_edge=DOWN)
        self.column_heads = columns
        for m in above:
            rows.add_to_back(m)   # they come and go with the pictures
        self.image_rows = rows
        for i, r in enumerate(pictures):
            self.play(FadeIn(r, lag_ratio=0.2), *(FadeIn(m) for m in (above if i == 0 else [])), run_time=1.6)
        self.wait(2.4)
        how = self.claims.pick(
            (bool(tuned) and not any(tuned), " Here each optimizer runs with its configured settings, not tuned ones."),
            (bool(tuned) and all(tuned) and len(set(seeds_judged)) == 1,
             " Each optimizer was first tuned here too, at this budget, over "
             f"{speech.small(seeds_judged[0] if seeds_judged else 0)} seeds; under each picture, the setting "
             "that won."),
            (any(tuned), " Where a row says each tuned, its optimizers were first tuned at its budget."),
            otherwise="")
        self.beat("The same race on pictures, stopped at equal evaluations." + how + " " +
                  (" ".join(notes) if notes else "The image traces are missing: " +
                   ", ".join(n for n, _ in missing) + "."))

    def _image_row(self, tr, runs, image: str, row_h: float, names: bool = True) -> tuple[Group, str]:
        """One picture's race in a row row_h high: the target and each run's final frame with their captions
        (never shrunk: the tiles take the height the captions leave; `names`: each run's name first, else
        the columns' heads name them), then the loss plot over how soon the best passed the worst."""
        budget = min(float(r["evals"][-1]) for r in runs)
        tuning = tr.meta.get("tuning")
        run_stats = {**tr.stats.get("runs", {}), **tr.stats.get("tuned", {}).get("runs", {})}
        colors = run_colors(runs)
        caps = [VGroup(*([Text("target", font_size=SMALL_SIZE, color=TEXT_COLOR)] if names else []),
                       label("PSNR over seeds", TILE_COL, SMALL_SIZE, color=MUTED))]
        notes = []
        shown: dict[str, float] = {}
        frames = []
        for r in runs:
            k = frame_at(r["evals"], budget)
            frames.append(k)
            over_seeds = run_stats.get(r.name, {}).get("psnr")
            many = bool(over_seeds and over_seeds["of"] > 1 and over_seeds["mean"] is not None)
            psnr = pm(over_seeds, ".1f") + " dB" if many else fmt_psnr(float(r["psnr"][k]))
            shown[r.name] = float(over_seeds["mean"]) if many else float(r["psnr"][k])   # the number on its tile
            cap = VGroup(*([two_lines(r.meta["label"], TILE_COL, color=colors[r.name])] if names else []),
                         label(psnr, TILE_COL, SMALL_SIZE, color=TEXT_COLOR))
            info = tuning["runs"].get(r.meta.get("tuned_from", ""), {}) if tuning else {}
            if info:
                cap.add(label(chosen_text(info) or "not tuned", TILE_COL, SMALL_SIZE, color=MUTED))
            caps.append(cap)
            notes.append(f"{r.meta['label']} PSNR {psnr}, SSIM {float(r['ssim'][k]):.3f}")
        # The captions' lines in rows across the tiles (names, PSNRs, settings), whatever each wraps to.
        parts = max(len(c) for c in caps)
        heights = [max(c[i].height for c in caps[1:] if len(c) > i) for i in range(parts)]
        tops = [-sum(heights[:i]) - 0.05 * i for i in range(parts)]
        for cap in caps:
            for part, y in zip(cap, tops, strict=False):
                part.move_to([0, y, 0], aligned_edge=UP)
        tile_h = min(1.75, row_h - max(c.height for c in caps) - 0.08)
        tiles = Group()
        target = slot(framed(image_tile(tr["image/target"], tile_h), TEXT_COLOR), tile_h, tile_h)
        tiles.add(Group(target, caps[0].shift(target.get_bottom() + DOWN * 0.08 - caps[0][0].get_top() * UP)))
        for r, k, cap in zip(runs, frames, caps[1:], strict=True):
            img = ImagePanel(r, k, side=tile_h, color=colors[r.name], caption=False)
            self.tiles.append((img.image, r["frames"][k]))
            img = slot(img, tile_h, tile_h)
            tiles.add(Group(img, cap.shift(img.get_bottom() + DOWN * 0.08 - cap[0].get_top() * UP)))
        tiles.arrange(RIGHT, buff=0.2, aligned_edge=UP)
        finite = {n: v for n, v in shown.items() if np.isfinite(v)}
        best = max(runs, key=lambda r: finite.get(r.name, -np.inf)) if finite else None
        worst = min(runs, key=lambda r: finite.get(r.name, np.inf)) if finite else None
        reach = self._image_reach(tr, runs, best, worst, finite)
        x0, x1 = frame_box()[:2]
        right_w = (x1 - x0) - tiles.width - 0.35   # the column beside the tiles
        passed, below = None, False
        if reach is not None and best is not None and worst is not None:   # progress per evaluation
            whole = (f"{shortened(best.meta['label'], 24)} passed {shortened(worst.meta['label'], 24)}'s "
                     f"final PSNR within {reach:,.0f} evaluations")
            passed = label(whole, right_w, SMALL_SIZE, color=MUTED)
            below = tiles.height - passed.height - 0.1 >= PLOT_MIN_H
            if not below:   # no room under the plot: the note beside it, narrow
                passed = label(whole, REACH_W, SMALL_SIZE, color=MUTED)
        top, foot = float(tiles.get_top()[1]), float(tiles.get_bottom()[1])
        plot_w = min(PLOT_W, right_w - (passed.width + 0.2 if passed is not None and not below else 0.0))
        plot = self._fit_plot(budget, runs, 0.0, plot_w, top, foot + (passed.height + 0.1 if below else 0.0),
                              "evaluations", "loss", x_step=budget)   # one number, the budget: no room for more
        for r in runs:
            plot.add(plot.curve(r["evals"], r["loss"], colors[r.name], width=3))
        column = (Group(plot) if passed is None else
                  Group(plot, passed).arrange(DOWN if below else RIGHT, buff=0.1 if below else 0.2,
                                              aligned_edge=LEFT if below else UP))
        row = Group(tiles, column).arrange(RIGHT, buff=0.35, aligned_edge=UP)
        if best is None or worst is None:
            return row, f"On {image}, no run has a finite PSNR."
        said = (f"On {image}, the highest PSNR, the closest to the target pixel by pixel: "
                f"{best.meta['label']}, {speech.number(finite[best.name], 3)} decibels.")
        if reach is not None:
            said += self.claims.say(True, f" It passed {worst.meta['label']}'s final {finite[worst.name]:.1f} "
                                          f"decibels within the first {reach:,.0f} evaluations.", "")
        return row, said

    @staticmethod
    def _column_heads(runs: list) -> VGroup:
        """'target' and each run's name in its colour, one per column of tiles (placed over them later)."""
        colors = run_colors(runs)
        return VGroup(Text("target", font_size=SMALL_SIZE, color=TEXT_COLOR),
                      *(two_lines(r.meta["label"], TILE_COL, color=colors[r.name]) for r in runs))

    def _tuned_heads(self, races: list) -> VGroup:
        """What the settings under the tiles are, under the title: 'each tuned at 32 evaluations on 3 seeds'
        once when every picture's race was tuned alike; 'each tuned at its race's budget (where its loss plot
        ends) on 3 seeds' when only the budgets differ and each is its race's; else one line per tuned
        picture, named."""
        lines, own_budget = [], []
        for tr, runs, subject in races:
            tuning = tr.meta.get("tuning")
            if tuning:   # the winners of a sweep at this budget
                edge = any(tuning["runs"].get(r.meta.get("tuned_from", ""), {}).get("at_edge") for r in runs)
                tail = f" on {len(tuning['seeds'])} seeds" + ("; * = at its grid's edge" if edge else "")
                lines.append((subject, f"each tuned at {tuning['budget']:,} evaluations" + tail))
                own_budget.append((tuning["budget"] == min(int(r["evals"][-1]) for r in runs), tail))
        if len(lines) == len(races) and len({text for _, text in lines}) == 1:
            lines = lines[:1]
        elif len(lines) == len(races) and all(own for own, _ in own_budget) and len({t for _, t in own_budget}) == 1:
            lines = [("", "each tuned at its race's budget (where its loss plot ends)" + own_budget[0][1])]
        else:
            lines = [(subject, f"{subject}: {text}") for subject, text in lines]
        x0, x1 = frame_box()[:2]
        heads = VGroup(*(label(text, x1 - x0, SMALL_SIZE, color=MUTED) for _, text in lines))
        if len(heads):
            heads.arrange(DOWN, buff=0.08).next_to(self.title, DOWN, buff=0.15)
        return heads

    @staticmethod
    def _image_reach(tr, runs, best, worst, finite: dict[str, float]) -> float | None:
        """Evaluations (median over seeds, at the recorded frames) the best run took to reach the worst
        run's mean final PSNR, from the trace's stats; None when they are one run, some seed never got
        there, or the tiles do not show that level."""
        if best is None or worst is None or best.name == worst.name:
            return None
        stats = tr.stats.get("tuned", {}) if runs[0].meta.get("tuned") else tr.stats
        level, r = stats.get("reach_psnr"), stats.get("runs", {}).get(best.name, {}).get("evals_to_reach")
        if level is None or not r or r.get("median") is None or r["n"] < r["of"]:
            return None
        if f"{level:.1f}" != f"{finite[worst.name]:.1f}":   # single-seed tiles show a frame's own PSNR
            return None
        return float(r["median"])

    # ------------------------------------------------------------------ caveat
    def _caveat_box(self, key: bool = True) -> VGroup:
        """The caveat at the foot: its two sentences across the frame, the runs' key in one row under them
        (`key`: where the pictures' columns are not headed by the runs' names)."""
        x0, x1, y0, _ = frame_box()
        text = VGroup(*(label(line, x1 - x0, SMALL_SIZE, color=TEXT_COLOR) for line in (
            "Pictures are not metrics: a reconstruction can look close and be far off.",
            "Compare the numbers — loss, PSNR, SSIM, mean ± std over seeds."))).arrange(DOWN, buff=0.1)
        if not key:
            return text.move_to([0, y0, 0], aligned_edge=DOWN)
        runs = legend([(shortened(r.meta["label"], 18), self.colors[r.name]) for r in self.fit_runs], size=SMALL_SIZE,
                      max_width=(x1 - x0) / max(len(self.fit_runs), 1) - 0.3)
        runs.arrange(RIGHT, buff=0.5)
        return VGroup(text, runs).arrange(DOWN, buff=0.15).move_to([0, y0, 0], aligned_edge=DOWN)

    def caveat(self) -> None:
        box = getattr(self, "caveat_box", None) or self._caveat_box()
        self.play(FadeIn(box), run_time=2 / 3)
        self.wait(3)
        self.caveat_box = box
        self.beat("But pictures are not measurements: one can look close and be far off. The comparison is in the "
                  "numbers, over several seeds.")


__all__ = ["Race"]

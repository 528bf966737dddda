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
    UP,
    Create,
    FadeIn,
    FadeOut,
    Group,
    ImageMobject,
    ManimColor,
    Text,
    VGroup,
    Write,
    config,
)

from scenes.kit import speech
from scenes.kit.base import ChapterScene
from scenes.kit.images import ImagePanel, fmt_psnr, frame_at, framed, image_tile, picture_subject, slot
from scenes.kit.layout import fit_box, fit_width, label, pretty_expr, shortened
from scenes.kit.palette import with_free_colors
from scenes.kit.panels import CurvePanel, fmt_loss, legend
from scenes.kit.plots import LossPlot
from scenes.kit.style import MIN_TEXT_SIZE, MUTED, OPTIMIZER_COLORS, SMALL_SIZE, TEXT_COLOR, TITLE_SIZE, color_for
from scenes.kit.traces import pm, shown_race
from sim.errors import GdevoError

RACE_KEYFRAMES = 40
TABLE_SIZE = SMALL_SIZE - 2   # the results table's text: 15 px of em at 480p
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
        sub = Text(f"{int(tr.meta['n_params']):,}-parameter network on "
                   f"{pretty_expr(tr.meta['config']['data']['target'])} · every optimizer gets "
                   f"{budget:,.0f} loss evaluations", font_size=SMALL_SIZE, color=MUTED)
        sub.scale_to_fit_width(min(sub.width, 13.2)).next_to(title, DOWN, buff=0.12)
        self.play(Write(title), FadeIn(sub), run_time=1)
        self.title = title

        every = max(1, len(tr["data/x"]) // 30)
        panels, curves, labels = VGroup(), VGroup(), []
        xs = np.linspace(-4.55, 4.55, len(runs)) if len(runs) > 1 else np.array([0.0])
        pw = min(3.9, 12.6 / len(runs) - 0.4)
        shown = [c for r in runs for c in (r["curve"][0], r["curve"][-1])]
        for r, x in zip(runs, xs, strict=True):
            p = CurvePanel(tr["data/curve_x"], tr["data/curve_target"], tr["data/x"][::every], tr["data/y"][::every],
                           width=pw, height=1.9, curves=shown)   # one y range for every panel
            for d in p.dots:
                d.scale(0.5)
            p.move_to([x, 1.15, 0])
            panels.add(p)
            curves.add(p.curve(r["curve"][0], colors[r.name]))
            labels.append(self._panel_label(r, 0, pw, colors[r.name]).next_to(p, UP, buff=0.08))
        # Under the subtitle, whatever the axes' labels and the run labels take (two lines at most).
        room = sub.get_bottom()[1] - 0.1 - (max(float(p.get_top()[1]) for p in panels) + 0.08 + 0.5)
        if room < 0:
            for m in (panels, curves, *labels):
                m.shift(UP * room)
        self.panels, self.curves = panels, curves
        plot = LossPlot(budget, min(float(r["loss"].min()) for r in runs), max(float(r["loss"].max()) for r in runs),
                        width=5.6, height=1.6 if tuning else 2.1, x_label="loss evaluations", y_label="loss (log)")
        plot.move_to([-3.3, -1.6 if tuning else -2.05, 0])   # with tuning, its line goes under the plot
        self.loss_plot = plot
        trails = VGroup(*[plot.curve(r["evals"][:1], r["loss"][:1], colors[r.name]) for r in runs])
        counter = self._counter(0)   # right under the panels: the table and the verdict below it need the room
        counter.move_to([3.6, min(float(p.get_bottom()[1]) for p in panels) - 0.2 - counter.height / 2, 0])
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
                labels[i] = self._panel_label(r, k, pw, colors[r.name]).next_to(panels[i], UP, buff=0.08)
                self.add(labels[i])
            new_counter = self._counter(e).move_to(counter)
            self.remove(counter)
            self.add(new_counter)
            counter = new_counter
            self.play(*anims, run_time=0.2)
        self.trails = trails

        extra = VGroup()
        if tuning:
            tuned = self._tuning_text(tuning_line(tuning, stats))
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
        said_verdict = verdict(stats)
        note = label(verdict(stats, name=lambda text: shortened(text, 24)), 6.5, SMALL_SIZE, color=TEXT_COLOR)
        bottom = -config.frame_height / 2 + 0.15
        room = counter.get_bottom()[1] - 0.2 - bottom   # under the counter: the table, then the verdict
        table = self._numbers(stats, wall, colors, height=room - 0.2 - note.height)
        table.next_to(counter, DOWN, buff=0.2).set_x(counter.get_x() - 3.3 + table.width / 2)   # a 6.6-wide box
        self.play(FadeIn(table), run_time=2 / 3)
        self.numbers = table
        note.next_to(table, DOWN, buff=0.2).align_to(table, LEFT)
        if note.get_bottom()[1] < bottom:   # a verdict taller than the room: table and verdict shrink together
            block = VGroup(table, note)
            block.scale(room / block.height)
            block.next_to(counter, DOWN, buff=0.2)
        self.play(FadeIn(note), run_time=2 / 3)
        self.wait(2.6)
        self.verdict_text = note
        self.beat(ranking(stats) + " " + said_verdict)
        self.fit_group = VGroup(sub, panels, curves, *labels, plot, trails, counter, table, note, extra)

    @staticmethod
    def _tuning_text(line: str) -> Text:
        """The tuning line in three lines under the loss plot (the room there), bottom left."""
        import textwrap

        lines = textwrap.wrap(line, width=-(-len(line) // 3) + 4, break_long_words=False)
        text = Text("\n".join(lines), font_size=SMALL_SIZE, color=MUTED, line_spacing=0.8)
        return fit_box(text, 6.9, 1.05).to_edge(DOWN, buff=0.1).to_edge(LEFT, buff=0.2)

    @staticmethod
    def _panel_label(run, k: int, width: float, color: ManimColor) -> Text:
        text = label(f"{shortened(run.meta['label'])} · loss {fmt_loss(float(run['loss'][k]))}", width, SMALL_SIZE,
                     color=color)
        return fit_box(text, width, 0.5)   # between the subtitle and the panel: two short lines at most

    @staticmethod
    def _counter(e: float) -> Text:
        return Text(f"evaluations used: {e:,.0f}", font_size=SMALL_SIZE + 2, color=TEXT_COLOR)

    @staticmethod
    def _numbers(stats: dict, wall: dict, colors: dict[str, ManimColor], width: float = 6.6,
                 height: float = 3.0) -> VGroup:
        """The results table at a legible size (issue 17): headers on two lines and run labels wrapped
        to their column (one line, cut with "…") give up the width that scaling the table down used to take
        from the text; wide numbers ("1.74e-04 ± 1.83e-04") put their spread on a second line."""
        t_star = wall.get("t_star")
        size = TABLE_SIZE
        cols = [f"mean ± sd\nover {stats['seeds']} seeds", "equal\nevaluations",
                f"equal time\n({t_star:.2f} s)" if t_star is not None else "equal\ntime"]

        def build(split: bool) -> VGroup:
            def cell(stat) -> Text:
                text = table_number(stat)
                return Text(text.replace(" ± ", "\n± ") if split else text, font_size=size, color=TEXT_COLOR,
                            line_spacing=0.8)

            grid = [[Text(c, font_size=size, color=MUTED, line_spacing=0.8) for c in cols]]
            for name in in_race_order(stats):
                s = stats["groups"][name]
                color = colors.get(name, color_for(name, s))
                at_t = wall["groups"][name]["loss_at_t_star"] if wall else None
                grid.append([label(s["label"], 2.4, size, min_size=size, max_lines=1, color=color),
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

        def scale(t: VGroup) -> float:
            return min(1.0, width / t.width, max(height, 0.1) / t.height)

        # One line per number; where that has to shrink, the spread under its mean if that keeps the text larger.
        table = build(split=False)
        if scale(table) < 1.0:
            table = max((table, build(split=True)), key=scale)
        return table.scale(scale(table))

    # ------------------------------------------------------------------ images
    def image_race(self) -> None:
        new_title = Text("The same race on pictures, at equal evaluations", font_size=TITLE_SIZE).to_edge(UP, buff=0.25)
        self.play(FadeOut(self.fit_group), self.title.animate.become(new_title), run_time=2 / 3)
        rows, notes, missing, tuned, seeds_judged = Group(), [], [], [], []
        for name in self.image_traces:
            try:
                tr = self.trace(name)
                runs = ordered_runs(tr)
                if not runs or "frames" not in runs[0]:
                    raise GdevoError("no runs with frames")
            except GdevoError as exc:
                missing.append((name, str(exc)))
                continue
            tuned.append(bool(tr.meta.get("tuning")))
            row, note = self._image_row(tr, runs, picture_subject(tr, name), len(self.image_traces))
            seeds_judged.append(len(tr.meta["tuning"]["seeds"]) if tr.meta.get("tuning") else 0)
            rows.add(row)
            notes.append(note)
        for name, why in missing:
            rows.add(Text(f"{name}: no trace ({why[:70]})", font_size=SMALL_SIZE, color=MUTED))
        rows.arrange(DOWN, buff=0.35)
        if rows.width > 13.4:
            rows.scale_to_fit_width(13.4)
        if rows.height > 5.6:  # leave the bottom for the caveat
            rows.scale_to_fit_height(5.6)
        rows.next_to(self.title, DOWN, buff=0.3)
        self.image_rows = rows
        for r in rows:
            self.play(FadeIn(r, lag_ratio=0.2), run_time=1.6)
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

    def _image_row(self, tr, runs, image: str, n_rows: int = 1) -> tuple[Group, str]:
        budget = min(float(r["evals"][-1]) for r in runs)
        # Every image is fitted into a tile_h square slot (letterboxed), small enough that the rows and
        # their three caption lines fit the 5.6 units above the caveat without scaling their text down.
        tuning = tr.meta.get("tuning")
        tile_h = min(1.75, (5.6 - 0.35 * (n_rows - 1)) / max(n_rows, 1) - 1.2)
        tiles = Group()
        target = slot(framed(image_tile(tr["image/target"], tile_h), TEXT_COLOR), tile_h, tile_h)
        tiles.add(Group(target, VGroup(fit_width(Text("target", font_size=SMALL_SIZE - 2, color=TEXT_COLOR), tile_h),
                                       label("PSNR over seeds", tile_h, SMALL_SIZE - 2, min_size=MIN_TEXT_SIZE,
                                             color=MUTED))
                        .arrange(DOWN, buff=0.05).next_to(target, DOWN, buff=0.08)))
        run_stats = {**tr.stats.get("runs", {}), **tr.stats.get("tuned", {}).get("runs", {})}
        notes = []
        shown: dict[str, float] = {}
        colors = run_colors(runs)
        for r in runs:
            k = frame_at(r["evals"], budget)
            color = colors[r.name]
            img = ImagePanel(r, k, side=tile_h, color=color, caption=False)
            self.tiles.append((img.image, r["frames"][k]))
            img = slot(img, tile_h, tile_h)
            over_seeds = run_stats.get(r.name, {}).get("psnr")
            many = bool(over_seeds and over_seeds["of"] > 1 and over_seeds["mean"] is not None)
            psnr = pm(over_seeds, ".1f") + " dB" if many else fmt_psnr(float(r["psnr"][k]))
            shown[r.name] = float(over_seeds["mean"]) if many else float(r["psnr"][k])   # the number on its tile
            cap = VGroup(label(r.meta["label"], tile_h + 0.25, SMALL_SIZE - 2, min_size=MIN_TEXT_SIZE, max_lines=2,
                               color=color),
                         fit_width(Text(psnr, font_size=SMALL_SIZE - 2, color=TEXT_COLOR), tile_h + 0.25))
            info = tuning["runs"].get(r.meta.get("tuned_from", ""), {}) if tuning else {}
            if info:
                won = chosen_text(info)
                cap.add(label(won or "not tuned", tile_h + 0.25, SMALL_SIZE - 2, min_size=MIN_TEXT_SIZE,
                              color=MUTED))
            cap.arrange(DOWN, buff=0.05).next_to(img, DOWN, buff=0.08)
            tiles.add(Group(img, cap))
            notes.append(f"{r.meta['label']} PSNR {psnr}, SSIM {float(r['ssim'][k]):.3f}")
        tiles.arrange(RIGHT, buff=0.3, aligned_edge=UP)
        finite = {n: v for n, v in shown.items() if np.isfinite(v)}
        best = max(runs, key=lambda r: finite.get(r.name, -np.inf)) if finite else None
        worst = min(runs, key=lambda r: finite.get(r.name, np.inf)) if finite else None
        reach = self._image_reach(tr, runs, best, worst, finite)
        blocks: list[list[str]] = []
        if tuning:   # what the settings under the tiles are: the winners of a sweep at this budget
            edge = any(tuning["runs"].get(r.meta.get("tuned_from", ""), {}).get("at_edge") for r in runs)
            blocks.append(["each tuned at", f"{tuning['budget']:,} evaluations", f"on {len(tuning['seeds'])} seeds"]
                          + (["* = grid's edge"] if edge else []))
        if reach is not None and best is not None and worst is not None:   # progress per evaluation
            blocks.append([f"{shortened(best.meta['label'], 24)} passed",
                           f"{shortened(worst.meta['label'], 24)}'s final", "PSNR within",
                           f"{reach:,.0f} evaluations"])
        plot = LossPlot(budget, min(float(r["loss"].min()) for r in runs), max(float(r["loss"].max()) for r in runs),
                        width=1.7 if blocks else 2.6, height=min(1.7, tile_h - 0.2), x_label="evaluations",
                        y_label="loss",
                        x_step=budget / 2)
        for r in runs:
            plot.add(plot.curve(r["evals"], r["loss"], colors[r.name], width=3))
        row = Group(tiles, plot)
        if blocks:
            row.add(VGroup(*(VGroup(*(label(t, 2.25, SMALL_SIZE - 2, min_size=MIN_TEXT_SIZE, color=MUTED) for t in b))
                             .arrange(DOWN, buff=0.06, aligned_edge=LEFT) for b in blocks))
                    .arrange(DOWN, buff=0.2, aligned_edge=LEFT))
        row.arrange(RIGHT, buff=0.35 if blocks else 0.55, aligned_edge=UP)
        if best is None or worst is None:
            return row, f"On {image}, no run has a finite PSNR."
        said = (f"On {image}, the highest PSNR, the closest to the target pixel by pixel: "
                f"{best.meta['label']}, {speech.number(finite[best.name], 3)} decibels.")
        if reach is not None:
            said += self.claims.say(True, f" It passed {worst.meta['label']}'s final {finite[worst.name]:.1f} "
                                          f"decibels within the first {reach:,.0f} evaluations.", "")
        return row, said

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
    def caveat(self) -> None:
        runs = self.fit_runs
        text = Text("Pictures are not metrics: a reconstruction can look close and be far off.\n"
                    "Compare the numbers — loss, PSNR, SSIM, mean ± std over seeds.",
                    font_size=SMALL_SIZE, color=TEXT_COLOR, line_spacing=0.8)
        key = legend([(r.meta["label"], self.colors[r.name]) for r in runs], size=SMALL_SIZE - 2,
                      max_width=min(6.2, 13.4 - 0.6 - text.width))   # long labels wrap beside the text
        box = VGroup(text, key).arrange(RIGHT, buff=0.6)
        if box.width > 13.4:
            box.scale_to_fit_width(13.4)
        box.to_edge(DOWN, buff=0.15)
        rows = getattr(self, "image_rows", None)
        room = rows.get_bottom()[1] - 0.15 - box.get_top()[1] if rows is not None and len(rows) else 0.0
        if room < 0:   # long run labels: a taller key; the pictures above give up the room
            factor = (rows.height + room) / rows.height
            self.play(rows.animate.scale(factor).next_to(self.title, DOWN, buff=0.3), FadeIn(box), run_time=2 / 3)
        else:
            self.play(FadeIn(box), run_time=2 / 3)
        self.wait(3)
        self.caveat_box = box
        self.beat("But pictures are not measurements: one can look close and be far off. The comparison is in the "
                  "numbers, over several seeds.")


__all__ = ["Race"]

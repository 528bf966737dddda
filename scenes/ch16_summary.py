"""Chapter 16, Summary: what each method did, in one table read from the traces the chapters showed.

Storyboard: a table with one row per method (SGD, SGD + momentum, Adam, evolution) and one column
per task -> the two-parameter landscape (sine-2d: final loss, evaluations) -> the function fit
(function-fit: loss at equal evaluations, mean over seeds) -> the network of step units
(step-activation: final loss, mean over seeds) -> a last row names the lowest loss in each
column, and two findings say where gradients and where evolution come out ahead. Every judgement
is a test on these numbers (scenes/kit/claims.py); every number said is in the table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from manim import DOWN, LEFT, UP, FadeIn, Line, Text, VGroup, Write

from scenes.kit import speech
from scenes.kit.base import ChapterScene
from scenes.kit.layout import keep_in_frame, label
from scenes.kit.style import LABEL_SIZE, MUTED, TEXT_COLOR, TITLE_SIZE, color_for
from scenes.kit.traces import shown_race

# The rows: a method across the chapters, by the run name every experiment gives it.
METHODS: dict[str, str] = {"sgd": "SGD", "momentum": "SGD + momentum", "adam": "Adam", "evolution": "Evolution"}
GRADIENT = ("sgd", "momentum", "adam")


@dataclass(frozen=True)
class Cell:
    """What one method did on one task: its (mean) final loss, its evaluations, whether it blew up."""

    loss: float
    sd: float | None
    evals: float
    diverged: bool

    @property
    def usable(self) -> bool:
        return not self.diverged and math.isfinite(self.loss)


@dataclass(frozen=True)
class Column:
    title: str
    n_params: int
    cells: dict[str, Cell]   # method -> cell; a method the task did not run is absent
    tuned: bool = False      # the cells are the tuned race's (each method at its best setting of a grid)

    def lowest(self) -> str | None:
        """The method with the strictly lowest loss among those that did not blow up (None: none, or a tie)."""
        ok = sorted((c.loss, m) for m, c in self.cells.items() if c.usable)
        if not ok or (len(ok) > 1 and ok[0][0] == ok[1][0]):
            return None
        return ok[0][1]

    def sig(self) -> int:
        """Significant digits (two at least) that tell the lowest loss from every other when said."""
        values = sorted({c.loss for c in self.cells.values() if c.usable})
        return next((s for s in range(2, 6) if all(speech.loss(values[0], s) != speech.loss(v, s) for v in values[1:])),
                    6)

    def shown(self, method: str) -> str:
        """A table cell: the loss with a digit more than the line says (three at least), then the evaluations."""
        c = self.cells.get(method)
        if c is None:
            return "–"
        if not c.usable:
            return "diverged"
        return f"{c.loss:.{max(3, self.sig())}g} ({round(c.evals):,})"


def landscape_column(tr) -> Column:
    cells = {}
    for m in METHODS:
        if m in tr.run_names:
            r = tr.run(m)
            cells[m] = Cell(float(r["loss"][-1]), None, float(r["evals"][-1]), r.meta.get("status") == "diverged")
    return Column("landscape", int(tr.run(next(iter(cells)))["params"].shape[-1]), cells)


def fit_column(tr) -> Column:
    """The race chapter 11 shows (`shown_race`: the tuned one when the trace was tuned), its groups
    named by the method they tuned."""
    stats, _ = shown_race(tr)
    tuned = stats is not tr.stats
    method_of = {info["tuned_run"]: name for name, info in tr.meta["tuning"]["runs"].items()} if tuned else {}
    groups = {method_of.get(g, g): s for g, s in stats["groups"].items()}
    cells = {m: Cell(float(g["loss_at_e_star"]["mean"]), g["loss_at_e_star"].get("sd"), float(g["evals"]),
                     "diverged" in g["status"])
             for m in METHODS if (g := groups.get(m)) is not None and g["loss_at_e_star"].get("mean") is not None}
    return Column("function fit", int(tr.meta["n_params"]), cells, tuned=tuned)


def step_column(tr) -> Column:
    runs = tr.stats["runs"]
    cells = {m: Cell(float(s["final_loss"]["mean"]), s["final_loss"].get("sd"), float(s["evals"]["mean"]), False)
             for m, s in runs.items() if m in METHODS and s["final_loss"].get("mean") is not None}
    return Column("step units", int(tr.meta["n_params"]), cells)


class Summary(ChapterScene):
    def construct(self) -> None:
        sine, fit, step = self.trace("sine-2d"), self.trace("function-fit"), self.trace("step-activation")
        self.columns = [landscape_column(sine), fit_column(fit), step_column(step)]
        seeds = {fit.stats["seeds"], step.stats["seeds"]}

        title = Text("What each method did", font_size=TITLE_SIZE).to_edge(UP, buff=0.25)
        tuned = "; fit: each method tuned" if self.columns[1].tuned else ""
        # wrapped rather than shrunk when the seed counts and the tuning make it wider than the frame
        note = label(f"final loss (evaluations); fit and step units: mean of {' or '.join(map(str, sorted(seeds)))}"
                     f" seeds{tuned}", 13.8, LABEL_SIZE, color=MUTED).next_to(title, DOWN, buff=0.15)
        keep_in_frame(note)
        self.play(Write(title), FadeIn(note), run_time=0.8)

        table, cells = self._table(below=note)
        self.table = table
        self.play(FadeIn(VGroup(table[0], *(row[0] for row in table[1:]), *table_rules(table))), run_time=0.6)
        for j, col in enumerate(self.columns):
            self.play(FadeIn(VGroup(*(cells[i][j] for i in range(len(cells))))), run_time=0.5)
            self.beat(self._column_line(col))

        lowest_row = table[-1]
        self.play(FadeIn(VGroup(*lowest_row[1:])), run_time=0.5)
        scale, no_grad = self._scale_finding(self.columns[1]), self._step_finding(self.columns[2], step)
        findings = VGroup(*(finding_text(s, table.width) for s in (scale, no_grad)))
        findings.arrange(DOWN, aligned_edge=LEFT, buff=0.25).next_to(table, DOWN, buff=0.45).align_to(table, LEFT)
        keep_in_frame(findings)
        self.findings = findings
        self.play(FadeIn(findings), run_time=0.6)
        self.wait(1)
        self.beat(f"{scale}. {no_grad}.")

    # --- the table

    def _table(self, below) -> tuple[VGroup, list[list[Text]]]:
        """Header, one row per method, the 'lowest' row; returns the grid and the data cells (row, column)."""
        header = [Text("method", font_size=LABEL_SIZE, color=MUTED)]
        header += [Text(f"{c.title}\n{c.n_params:,} parameters", font_size=LABEL_SIZE, color=MUTED, line_spacing=0.8)
                   for c in self.columns]
        rows, cells = [header], []
        for m, name in METHODS.items():
            row = [Text(name, font_size=LABEL_SIZE, color=color_for(m))]
            row += [Text(c.shown(m), font_size=LABEL_SIZE, color=TEXT_COLOR) for c in self.columns]
            rows.append(row)
            cells.append(row[1:])
        last = [Text("lowest loss", font_size=LABEL_SIZE, color=MUTED)]
        for c in self.columns:
            best = c.lowest()
            last.append(Text(METHODS[best] if best else "no single one", font_size=LABEL_SIZE,
                             color=color_for(best) if best else MUTED))
        rows.append(last)
        flat = VGroup(*(t for row in rows for t in row))
        flat.arrange_in_grid(rows=len(rows), cols=len(header), buff=(0.55, 0.36), col_alignments="l" + "r" * 3)
        grid = VGroup(*(VGroup(*row) for row in rows))
        grid.next_to(below, DOWN, buff=0.3).set_x(0)
        keep_in_frame(grid)
        return grid, cells

    # --- the lines

    def _column_line(self, col: Column) -> str:
        """One column said: each method's loss (or that it diverged), then which ends lowest, if one does."""
        where = {"landscape": "On the two-parameter landscape", "function fit": "On the function fit",
                 "step units": "On the network of step units"}[col.title]
        budgets = {c.evals for c in col.cells.values()}
        if col.title == "function fit":
            where += self.claims.say(col.tuned, ", each method at its tuned setting", "")
            where += self.claims.pick(
                (len(budgets) == 1, f", at {speech.count(min(budgets))} evaluations each"),
                (max(budgets) <= 1.01 * min(budgets), f", at about {speech.count(min(budgets))} evaluations each"),
                otherwise=", each at its own budget")
        parts = []
        for m, c in col.cells.items():
            said = self.claims.say(not c.usable, f"{METHODS[m]} diverged",
                                   f"{METHODS[m]} {speech.loss(c.loss, col.sig())}")
            parts.append(said)
        best = col.lowest()
        mean = " on average" if any(c.sd is not None for c in col.cells.values()) else ""
        ends = self.claims.pick((best is not None, f"{METHODS[best]} ends lowest{mean}" if best else ""),
                                otherwise="No single method ends lowest")
        extra = ""
        if col.title == "landscape" and "evolution" in col.cells:
            evo = col.cells["evolution"].evals
            grad = max((c.evals for m, c in col.cells.items() if m in GRADIENT), default=evo)
            who = "it" if best == "evolution" else "evolution"   # "Evolution ends lowest, while it used ..."
            extra = self.claims.say(evo > grad, f", while {who} used {speech.count(evo)} loss evaluations to "
                                    f"the gradient methods' {speech.count(grad)}", "")
        return f"{where}: " + "; ".join(parts) + f". {ends}{extra}."

    def _scale_finding(self, col: Column) -> str:
        """Gradients at scale: the best gradient method against evolution on the function fit."""
        evo = col.cells.get("evolution")
        grads = [(c.loss, m) for m, c in col.cells.items() if m in GRADIENT and c.usable]
        if evo is None or not evo.usable or not grads:
            return self.claims.say(False, "", f"With {col.n_params:,} parameters, no comparison: a run blew up")
        g_loss, g = min(grads)
        gc = col.cells[g]
        lower = g_loss < evo.loss
        apart = lower and gc.sd is not None and evo.sd is not None and g_loss + gc.sd < evo.loss - evo.sd
        a, b = speech.losses(g_loss, evo.loss)
        return self.claims.pick(
            (apart, f"With {col.n_params:,} parameters, gradients win: {METHODS[g]} {a}, evolution {b}"),
            (lower, f"With {col.n_params:,} parameters, {METHODS[g]} ends lower than evolution, {a} against {b}, "
                    "within the seeds' spread"),
            otherwise=f"With {col.n_params:,} parameters, evolution ends as low as any gradient method: {b} "
                      f"against {a}")

    def _step_finding(self, col: Column, tr) -> str:
        """Without gradients: evolution against SGD and Adam on the network of step units."""
        evo = col.cells.get("evolution")
        grads = [(c.loss, m) for m, c in col.cells.items() if m in GRADIENT and c.usable]
        if evo is None or not grads:
            return self.claims.say(False, "", "On step units, no comparison")
        zero = all(tr.stats["runs"][m]["max_grad_norm"].get("mean") == 0 for _, m in grads)
        g_loss, _ = min(grads)
        a, b = speech.losses(evo.loss, g_loss)
        where = self.claims.say(zero, "Where the gradient is zero", "On step units")
        wins = self.claims.say(evo.loss < g_loss, f"evolution wins: {a} against {b}",
                               f"evolution does not get lower: {a} against {b}")
        return f"{where}, {wins}"


def finding_text(line: str, width: float) -> Text:
    """A finding at the table's font size; one too wide for WIDTH breaks after its colon."""
    t = Text(line, font_size=LABEL_SIZE, color=TEXT_COLOR)
    if t.width > width and ": " in line:
        head, tail = line.split(": ", 1)
        t = Text(f"{head}:\n    {tail}", font_size=LABEL_SIZE, color=TEXT_COLOR, line_spacing=0.8)
    return t


def table_rules(table: VGroup) -> list[Line]:
    """A rule under the header and one above the 'lowest' row."""
    x0, x1 = table.get_left()[0] - 0.1, table.get_right()[0] + 0.1
    ys = [(table[i].get_bottom()[1] + table[i + 1].get_top()[1]) / 2 for i in (0, len(table) - 2)]
    return [Line([x0, y, 0], [x1, y, 0], stroke_width=1.5, color=MUTED) for y in ys]

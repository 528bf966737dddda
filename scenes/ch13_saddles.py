"""Chapter 13 — Saddles: a critical point of a network that is not a minimum, and how often that happens.

Storyboard: one saddle the search found (the trace's `showcase`): where a descent run was, Newton
steps reached ‖∇L‖ ≈ 0; its Hessian eigenvalues on a strip, negative ones in the palette's negative
colour -> the loss along the most negative eigenvector falls either side, along the largest one it
rises -> per network size the fraction of distinct critical points that are saddles, with 95 % Wilson
intervals; a trend is claimed only when the trace's verdict says the intervals separate.
Every sentence about the data is chosen by a predicate on the trace; every number said is on screen.
"""

from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Axes, Dot, FadeIn, FadeOut, Line, Text, VGroup, Write

from scenes.kit import speech
from scenes.kit.base import ChapterScene
from scenes.kit.claims import Claims
from scenes.kit.layout import label
from scenes.kit.panels import legend
from scenes.kit.style import MUTED, PALETTE, SMALL_SIZE, TEXT_COLOR, TITLE_SIZE

NEG, POS, ZERO = PALETTE.negative, PALETTE.positive, PALETTE.zero
TEXT = SMALL_SIZE   # 23: the smallest text drawn (digits ≥ 14 px tall at 480p)
FLOOR = 1e-6        # |λ| below this is drawn at the centre of the symmetric log strip


def symlog(v: np.ndarray) -> np.ndarray:
    """sign(λ)·log10(|λ|/FLOOR), 0 for |λ| ≤ FLOOR: both tiny and large eigenvalues stay visible."""
    a = np.abs(v)
    return np.where(a <= FLOOR, 0.0, np.sign(v) * np.log10(np.maximum(a, FLOOR) / FLOOR))


def sign_colours(ev: np.ndarray, eig_tol: float) -> list[str]:
    """Each eigenvalue's colour by the trace's own classification (|λ| ≤ eig_tol·max|λ| is zero)."""
    tol = eig_tol * float(np.abs(ev).max(initial=0.0))
    return [NEG if v < -tol else POS if v > tol else ZERO for v in ev]


def shown(x: float) -> str:
    """A number as the screen shows it: the narrator's rounding, with a minus sign."""
    return ("−" if x < 0 else "") + speech.number(abs(x))


def ends(stat: dict, write=speech.loss) -> list[str]:
    """A range of losses' ends as written; one where both write alike ('from 0.18 to 0.18' said nothing)."""
    lo, hi = write(stat["min"]), write(stat["max"])
    return [lo] if lo == hi else [lo, hi]


def span(stat: dict, write=speech.loss, joiner: str = "from") -> str:
    """A range of losses as said ('from 0.17 to 0.45', 'at 0.18') or shown (joiner 'to': '0.17 to 0.45',
    '0.18')."""
    e = ends(stat, write)
    if joiner != "from":
        return " to ".join(e)
    return f"at {e[0]}" if len(e) == 1 else f"from {e[0]} to {e[1]}"


def saddle_lines(show: dict, down: np.ndarray, up: np.ndarray) -> list[str]:
    """What the narration says about the shown saddle: each clause only when the trace bears it out."""
    said = [f"An Adam run, at step {show['start_step']}, had a gradient norm of "
            f"{speech.number(show['start_grad_norm'])}. "
            f"Newton steps from there reached a point where it is {speech.number(show['grad_norm'])}: "
            f"a critical point, at loss {speech.loss(show['loss'])}."]
    said.append(f"Its Hessian has {show['negative']} negative, {show['zero']} zero and {show['positive']} positive "
                "eigenvalues.")
    falls = down[0] < show["loss"] and down[-1] < show["loss"]
    rises = up[0] > show["loss"] and up[-1] > show["loss"]
    if falls and rises:
        said.append("Along the most negative one's direction the loss falls on both sides; along the largest "
                    "one's it rises. Not a minimum: a saddle.")
    return said


def trend_lines(stats: dict, nets: list[dict], claims: Claims | None = None) -> list[str]:
    """What the narration says about saddles by network size, from the trace's verdict and counts; the
    verdict is a claim (CLAIMS records it for the beat: the claims test checks that 'trend' was tested)."""
    pick = (claims or Claims()).pick
    per = stats["nets"]
    have = [k for k, st in enumerate(per) if st["distinct"]]
    none = [nets[k]["n_params"] for k, st in enumerate(per) if not st["distinct"]]
    said = []
    if not have:
        return ["The search found no critical point in any of these networks."]
    total, sad = sum(per[k]["distinct"] for k in have), sum(per[k]["saddles"] for k in have)
    tr = stats["trend"]
    if tr["largest"] is not None:
        a, b = per[tr["smallest"]], per[tr["largest"]]
        pair = (f"{a['saddles']} of {a['distinct']} at {nets[tr['smallest']]['n_params']} parameters, "
                f"{b['saddles']} of {b['distinct']} at {nets[tr['largest']]['n_params']}")
        said.append(pick(
            (tr["verdict"] == "more", f"Larger networks: more saddles. Saddles among the critical points: {pair}; "
                                      "the 95% intervals do not overlap."),
            (tr["verdict"] == "fewer", f"Here the larger network had fewer saddles: {pair}; the 95% intervals do "
                                       "not overlap."),
            otherwise=f"At these sizes the counts show no clear trend with size: {pair}, and the 95% intervals "
                      "overlap."))
    if all(per[k]["saddles"] * 2 > per[k]["distinct"] for k in have):
        said.append(f"What they do show: at every size where we found critical points, most are saddles; "
                    f"in all, {sad} of {total} {'is' if sad == 1 else 'are'}.")
    elif sad == 0:
        said.append("The one critical point found is not a saddle." if total == 1 else
                    f"None of the {total} critical points found is a saddle.")
    else:
        said.append(f"In all, {sad} of {total} {'is a saddle' if sad == 1 else 'are saddles'}.")
    if none:
        said.append(f"At {', '.join(str(n) for n in none)} parameters the search found none.")
    return said


class Saddles(ChapterScene):
    def construct(self) -> None:
        tr = self.trace("saddles")
        self.tr = tr
        show = tr.stats["showcase"]
        if show is not None:
            self.saddle_part(tr, show)
        else:
            note = Text("The search found no saddle in these networks.", font_size=TEXT + 4)
            self.play(FadeIn(note), run_time=0.6)
            self.beat("The search found no saddle in these networks.")
            self.play(FadeOut(note), run_time=0.4)
        self.trend_part(tr)

    # -- one saddle ------------------------------------------------------------------------------
    def saddle_part(self, tr, show: dict, clear: bool = True) -> None:
        """The shown saddle: where it was found, its spectrum, two loss slices (cleared after unless told)."""
        title = Text("A critical point that is not a minimum", font_size=TITLE_SIZE - 2).to_edge(UP, buff=0.25)
        where = label(f"Adam, step {show['start_step']}: ‖∇L‖ = {shown(show['start_grad_norm'])}   →   "
                      f"Newton steps: ‖∇L‖ = {shown(show['grad_norm'])}, loss {shown(show['loss'])}",
                      13.0, TEXT + 2, min_size=TEXT, color=TEXT_COLOR)
        where.next_to(title, DOWN, buff=0.2)
        self.play(Write(title), FadeIn(where), run_time=1)

        ev = tr["showcase/eigvals"]
        ys = symlog(ev)
        top = float(max(np.ceil(np.abs(ys).max()), 1.0))
        strip = Line(LEFT * 5.5, RIGHT * 5.5, color=MUTED, stroke_width=2).shift(UP * 1.35)
        self.strip, self.strip_top = strip, top
        dots = VGroup(*[Dot(self.strip_point(y), radius=0.08, color=c).set_stroke(TEXT_COLOR, 1)
                        for y, c in zip(ys, sign_colours(ev, tr.meta["config"]["search"]["eig_tol"]), strict=True)])
        self.eig_dots = dots
        head = Text(f"Hessian eigenvalues there ({show['n_params']} parameters): {show['negative']} negative, "
                    f"{show['zero']} zero, {show['positive']} positive", font_size=TEXT, color=TEXT_COLOR)
        head.next_to(strip, UP, buff=0.3)
        lo = Text(f"λ = {shown(show['lambda_min'])}", font_size=TEXT, color=NEG).next_to(dots[0], DOWN, buff=0.15)
        hi = Text(f"λ = {shown(show['lambda_max'])}", font_size=TEXT, color=POS).next_to(dots[-1], DOWN, buff=0.15)
        scale = Text("symmetric log scale, 0 in the middle", font_size=TEXT, color=MUTED)
        scale.next_to(strip, DOWN, buff=0.2)
        if scale.get_left()[0] < lo.get_right()[0] + 0.2 or scale.get_right()[0] > hi.get_left()[0] - 0.2:
            scale.next_to(VGroup(lo, hi), DOWN, buff=0.1)
        self.play(FadeIn(head, strip), FadeIn(dots, lo, hi, scale), run_time=1)
        lines = saddle_lines(show, tr["showcase/down"], tr["showcase/up"])
        self.beat(" ".join(lines[:2]))

        t, loss = tr["showcase/t"], show["loss"]
        panels = VGroup()
        self.slice_axes = []
        for values, colour, lam, x in ((tr["showcase/down"], NEG, show["lambda_min"], -3.5),
                                       (tr["showcase/up"], POS, show["lambda_max"], 3.5)):
            ax = Axes(x_range=[-1, 1, 1], y_range=[-1.1, 1.1, 1.1], x_length=5.2, y_length=2.2, tips=False,
                      axis_config={"color": MUTED, "stroke_width": 2})
            ax.move_to([x, -1.75, 0])
            # in units of the slice's own range (t / radius, loss change / largest |change|): the shape is
            # the message, and no axis range is built from spans as small as float rounding
            change = values - loss
            curve = ax.plot_line_graph(t / float(t[-1]), change / (float(np.abs(change).max()) or 1.0),
                                       add_vertex_dots=False, line_color=colour, stroke_width=5)
            centre = Dot(ax.c2p(0.0, 0.0), radius=0.08, color=TEXT_COLOR)
            cap = Text(f"loss along the eigenvector of λ = {shown(lam)}", font_size=TEXT, color=TEXT_COLOR)
            cap.next_to(ax, UP, buff=0.12)
            panels.add(VGroup(ax, curve, centre, cap))
            self.slice_axes.append(ax)
        foot = label("the critical point in the middle; the same distance either side in both panels; "
                     "each panel's height scaled to its own curve", 13.0, TEXT, min_size=TEXT, color=MUTED)
        foot.to_edge(DOWN, buff=0.12)
        self.play(FadeIn(panels), FadeIn(foot), run_time=1.2)
        self.wait(1)
        self.beat(" ".join(lines[2:]) if len(lines) > 2 else
                  "Along these two directions the loss is drawn either side of the point.")
        if clear:
            self.play(FadeOut(VGroup(title, where, head, strip, dots, lo, hi, scale, panels, foot)), run_time=0.6)

    def strip_point(self, y: float) -> np.ndarray:
        """Where a symlog value sits on the eigenvalue strip."""
        a, b = self.strip.get_start(), self.strip.get_end()
        return a + (b - a) * (0.5 + 0.5 * float(y) / self.strip_top)

    # -- by network size ---------------------------------------------------------------------------
    def trend_part(self, tr) -> None:
        nets, per = tr.meta["nets"], tr.stats["nets"]
        title = Text("Saddles among the critical points found, by network size", font_size=TITLE_SIZE - 4)
        title.to_edge(UP, buff=0.25)
        K = len(nets)
        self.axes = Axes(x_range=[0, K + 1, 1], y_range=[0, 1, 0.25], x_length=10.5, y_length=4.2, tips=False,
                         axis_config={"color": MUTED}, x_axis_config={"include_ticks": False})
        ax = self.axes.move_to([0.5, 0.15, 0])   # up under the loss note: the key below takes three lines
        ticks = VGroup(*[Text(f"{v:g}", font_size=TEXT, color=TEXT_COLOR).next_to(ax.c2p(0, v), LEFT, buff=0.15)
                         for v in (0, 0.25, 0.5, 0.75, 1)])
        y_title = Text("saddles / critical points", font_size=TEXT, color=TEXT_COLOR).rotate(np.pi / 2)
        y_title.next_to(ticks, LEFT, buff=0.2)
        self.play(Write(title), FadeIn(ax, ticks, y_title), run_time=1)
        marks = VGroup()
        self.marks = {}
        for k, (net, st) in enumerate(zip(nets, per, strict=True)):
            x = k + 1
            name = Text(f"{net['n_params']:,}", font_size=TEXT, color=TEXT_COLOR)   # "params" once, at the left
            name.next_to(ax.c2p(x, 0), DOWN, buff=0.2)
            if not st["distinct"]:
                marks.add(name, Text("none found", font_size=TEXT, color=MUTED).next_to(ax.c2p(x, 0), UP, buff=0.2))
                continue
            bar = Line(ax.c2p(x, st["ci_low"]), ax.c2p(x, st["ci_high"]), color=NEG, stroke_width=5)
            dot = Dot(ax.c2p(x, st["saddle_fraction"]), radius=0.1, color=NEG).set_stroke(TEXT_COLOR, 1.5)
            count = Text(f"{st['saddles']}/{st['distinct']}", font_size=TEXT, color=TEXT_COLOR)
            count.next_to(dot, RIGHT, buff=0.12)   # beside its dot: never on the axis labels, whatever the interval
            self.marks[k] = dot
            marks.add(name, bar, dot, count)
        unit = Text("parameters:", font_size=TEXT, color=MUTED)   # the size labels' unit, before the first
        unit.next_to(ax.c2p(0.55, 0), DOWN, buff=0.2).align_to(ax.c2p(0.55, 0), RIGHT)
        marks.add(unit)
        tol = tr.meta["config"]["search"]["eig_tol"]
        key = legend([(f"fraction that are saddles (some λ below −{tol:g}·max|λ|);\nsaddles/found beside it",
                       NEG, "dot"), ("its 95% Wilson interval", NEG, "line")], size=TEXT, max_width=12.5)
        key.arrange(DOWN, aligned_edge=LEFT, buff=0.08).to_edge(DOWN, buff=0.15)
        have = [st for st in per if st["distinct"]]
        total = Text(f"in all: {sum(st['saddles'] for st in have)} of {sum(st['distinct'] for st in have)} "
                     "are saddles", font_size=TEXT, color=TEXT_COLOR)
        total.next_to(ax.c2p(K + 1, 1), DOWN + LEFT, buff=0.1)
        self.play(FadeIn(marks), FadeIn(key), FadeIn(total), run_time=1)
        self.beat(" ".join(trend_lines(tr.stats, nets, self.claims)))
        loss_s, loss_m = tr.stats["loss_at_saddles"], tr.stats["loss_at_minima"]
        if loss_s["n"] and loss_m["n"]:
            note = Text(f"loss at saddles {span(loss_s, shown, 'to')};   at the others {span(loss_m, shown, 'to')}",
                        font_size=TEXT, color=TEXT_COLOR)
            note.next_to(title, DOWN, buff=0.15)
            self.play(FadeIn(note), run_time=0.6)
            saddles = "The saddle sits" if loss_s["n"] == 1 else "The saddles sit"
            others = ("the one critical point with no clearly negative eigenvalue" if loss_m["n"] == 1 else
                      "the critical points with no clearly negative eigenvalue")
            one = ends(loss_s)
            where = f"at loss {one[0]}" if len(one) == 1 else f"at losses {span(loss_s)}"
            self.beat(f"{saddles} {where}; {others} {span(loss_m)}.")

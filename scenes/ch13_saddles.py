"""Chapter 13 — Saddles: at the critical points of networks, the Hessian's eigenvalues.

Storyboard: for each network size, every distinct critical point found (‖∇L‖ below the
threshold) as a column of its Hessian eigenvalues on a symmetric log axis — negative ones
(downhill directions: a saddle) in warm colour -> per network: saddles / critical points and
the mean fraction of negative eigenvalues -> the loss at saddles vs at minima.
Every number is read from the `saddles` trace.
"""

from __future__ import annotations

import numpy as np
from manim import DOWN, UP, Axes, Dot, FadeIn, Line, MathTex, Text, VGroup, Write

from scenes.kit import speech
from scenes.kit.base import ChapterScene
from scenes.kit.layout import fit_width, pretty_expr
from scenes.kit.panels import legend
from scenes.kit.style import MUTED, PALETTE, SMALL_SIZE, TEXT_COLOR, TITLE_SIZE

NEG, POS, ZERO = PALETTE.negative, PALETTE.positive, PALETTE.zero
FLOOR = 1e-6   # |λ| below this is drawn on the zero line of the symmetric log axis


def symlog(v: np.ndarray) -> np.ndarray:
    """sign(λ)·log10(|λ|/FLOOR), 0 for |λ| ≤ FLOOR: both tiny and large eigenvalues stay visible."""
    a = np.abs(v)
    return np.where(a <= FLOOR, 0.0, np.sign(v) * np.log10(np.maximum(a, FLOOR) / FLOOR))


class Saddles(ChapterScene):
    def construct(self) -> None:
        tr = self.trace("saddles")
        nets = tr.meta["nets"]
        cfg = tr.meta["config"]
        title = Text("Critical points of networks: minima or saddles?", font_size=TITLE_SIZE - 2)
        title.to_edge(UP, buff=0.25)
        act = cfg["nets"][0].get("activation", "tanh") if cfg.get("nets") else "tanh"
        sub = Text(f"Hessian eigenvalues where ‖∇L‖ < {cfg['search']['grad_tol']:g} ({act} MLPs, "
                   f"y = {pretty_expr(cfg['task']['target'])}); one column per critical point",
                   font_size=SMALL_SIZE - 2, color=MUTED)
        fit_width(sub, 13.2).next_to(title, DOWN, buff=0.1)
        self.play(Write(title), FadeIn(sub), run_time=1)

        eig_all = [tr[f"nets/{i}/eigvals"][tr[f"nets/{i}/unique"]] for i in range(len(nets))]
        flat = np.concatenate([e.ravel() for e in eig_all if e.size] or [np.zeros(1)])
        top = float(np.ceil(max(np.abs(symlog(flat)).max(), 1)))
        n_cols = sum(max(len(e), 1) for e in eig_all) + len(nets)
        width = 11.0
        self.axes = Axes(x_range=[0, n_cols, 1], y_range=[-top, top, 2], x_length=width, y_length=4.0, tips=False,
                         x_axis_config={"stroke_opacity": 0.4},
                         y_axis_config={"include_numbers": False}).move_to([0.6, -0.35, 0])
        ax = self.axes
        ticks = VGroup()
        for y in range(-int(top), int(top) + 1, 2):
            tex = "0" if y == 0 else ("-" if y < 0 else "") + f"10^{{{abs(y) + int(np.log10(FLOOR))}}}"
            ticks.add(MathTex(tex, font_size=SMALL_SIZE - 2, color=TEXT_COLOR)
                      .next_to(ax.c2p(0, y), np.array([-1, 0, 0]), buff=0.12))
        y_title = Text("eigenvalue λ (symmetric log)", font_size=SMALL_SIZE - 4, color=TEXT_COLOR)
        y_title.rotate(np.pi / 2).next_to(ticks, np.array([-1, 0, 0]), buff=0.12)
        self.play(FadeIn(ax, ticks, y_title), run_time=0.8)

        col = 0.5
        self.columns = {}
        lines = []
        for i, net in enumerate(nets):
            eig = eig_all[i]
            start = col
            group = VGroup()
            for c, ev in enumerate(eig):
                x = col + 0.5
                ys = symlog(ev)
                for y in ys:
                    color = NEG if y < 0 else (POS if y > 0 else ZERO)
                    group.add(Dot(ax.c2p(x, y), radius=0.035, color=color))
                self.columns[(i, c)] = x
                col += 1
            if not len(eig):
                col += 1
            label = Text(f"{net['n_params']} params", font_size=SMALL_SIZE - 4, color=TEXT_COLOR)
            label.move_to(ax.c2p((start + col) / 2, -top)).shift(DOWN * 0.3)
            frac = tr[f"nets/{i}/frac_negative"][tr[f"nets/{i}/unique"]]
            stat = Text(f"{net['saddles']}/{net['unique']} saddles" if net["unique"] else "none found",
                        font_size=SMALL_SIZE - 5, color=NEG if net["saddles"] else MUTED)
            stat.next_to(label, DOWN, buff=0.08)
            sep = Line(ax.c2p(col + 0.5, -top), ax.c2p(col + 0.5, top), color=MUTED, stroke_width=1,
                       stroke_opacity=0.4)
            self.play(FadeIn(group), FadeIn(label, stat, sep), run_time=0.8)
            lines.append((net, frac))
            col += 1
        key = legend([("negative λ: a downhill direction", NEG, "dot"), ("positive λ", POS, "dot"),
                      (f"|λ| ≤ {FLOOR:g}", ZERO, "dot")], size=SMALL_SIZE - 4)
        key.arrange(np.array([1, 0, 0]), buff=0.4).to_edge(DOWN, buff=0.15)
        self.play(FadeIn(key), run_time=0.6)
        self.wait(6)
        total = sum(n["unique"] for n in nets)
        sad = sum(n["saddles"] for n in nets)
        parts = []
        for (net, frac), st in zip(lines, tr.stats["nets"], strict=True):
            if len(frac):
                parts.append(f"{net['n_params']} parameters: {net['saddles']} of {net['unique']} saddles, "
                             f"mean {100 * st['negative_fraction_mean']:.0f}% negative eigenvalues")
        self.beat(f"Where the gradient is zero, the landscape is flat: a critical point. Of the {total} we found, "
                  f"{sad} are saddles: downhill in some directions, uphill in others, not minima at all.")
        loss_s, loss_m = tr.stats["loss_at_saddles"], tr.stats["loss_at_minima"]   # ranges, from the trace
        conv = sum(n["converged"] for n in nets)
        starts = sum(n["starts"] for n in nets)
        note = Text(f"loss at saddles: {loss_s['min']:.3g}–{loss_s['max']:.3g}" if loss_s["n"] else "no saddles found",
                    font_size=SMALL_SIZE - 2, color=NEG)
        note2 = Text(f"loss at minima: {loss_m['min']:.3g}–{loss_m['max']:.3g}" if loss_m["n"] else "no minima found",
                     font_size=SMALL_SIZE - 2, color=POS)
        note3 = Text(f"{conv} of {starts} Newton searches converged", font_size=SMALL_SIZE - 4, color=MUTED)
        notes = VGroup(note, note2, note3).arrange(np.array([1, 0, 0]), buff=0.5).next_to(sub, DOWN, buff=0.15)
        self.play(FadeIn(notes), run_time=0.8)
        self.wait(8)
        self.beat((f"The saddles sit at losses from {speech.loss(loss_s['min'])} to {speech.loss(loss_s['max'])}"
                   if loss_s["n"] else "We found no saddles")
                  + (f"; the minima from {speech.loss(loss_m['min'])} to {speech.loss(loss_m['max'])}. "
                     if loss_m["n"] else ". ")
                  + "In many dimensions, a place to stop is rarely a dead end.")

"""Chapter 6 — Evolution at scale: the local search on a 1,741-parameter network, then on images.

Storyboard: the function-fit task (sin(3x), 300 samples, the MLP's size) -> the evolution run's
curve improves generation by generation beside its loss curve, with generation, loss and σ read
from the trace -> the smiley and the portrait reconstructed by evolution over generations, each
frame captioned with its generation and PSNR from the image-fit traces.
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
    Text,
    VGroup,
    Write,
)

from scenes.kit import speech
from scenes.kit.base import ChapterScene
from scenes.kit.images import ImagePanel, fmt_psnr, framed, image_tile, picture_subject, slot
from scenes.kit.layout import fit_box, fit_width, label, pretty_expr
from scenes.kit.panels import CurvePanel, fmt_loss, readout
from scenes.kit.plots import LossPlot
from scenes.kit.style import MUTED, SMALL_SIZE, TEXT_COLOR, TITLE_SIZE, color_for
from sim.errors import GdevoError

CURVE_KEYFRAMES = 40      # generations shown while the curve improves (evenly spaced)
IMAGE_SNAPSHOTS = 4       # reconstructions per image row (plus the target)
SLOT_H = 2.2              # a picture's slot height, unless the rows need the room for their captions


class EvolutionAtScale(ChapterScene):
    """The video's local search on a real network (1,741 parameters) and on pictures."""

    image_traces = ("image-fit-smiley", "image-fit-portrait")
    curve_keyframes = CURVE_KEYFRAMES

    def construct(self) -> None:
        self.tiles: list[tuple[ImageMobject, np.ndarray]] = []  # (tile, the pixels it shows), for checks
        self.function_fit()
        self.images()

    # ------------------------------------------------------------------ the 1,741-parameter fit
    def function_fit(self) -> None:
        tr = self.trace("function-fit")
        evo = tr.run("evolution")
        color = color_for(evo.name, evo.meta)
        n_params = int(tr.meta["n_params"])
        sizes = tr.meta["config"]["model"]["sizes"]
        hidden = len(sizes) - 2
        pop, rounds = int(evo.meta["population"]), int(evo.meta["steps"])

        title = Text(f"Evolution at scale: {n_params:,} parameters", font_size=TITLE_SIZE).to_edge(UP, buff=0.25)
        target = pretty_expr(tr.meta["config"]["data"]["target"])
        sub = label(f"MLP {hidden} hidden layers × {sizes[1]} (LeakyReLU) fits {target} "
                    f"from {len(tr['data/x'])} samples · population {pop} · σ = {evo.meta['sigma']:g}, "
                    f"×{evo.meta['sigma_decay']:g} per generation", 13.2, SMALL_SIZE,
                    color=MUTED).next_to(title, DOWN, buff=0.15)   # wrapped, not shrunk (issue 17)
        self.play(Write(title), FadeIn(sub), run_time=1)

        every = max(1, len(tr["data/x"]) // 40)
        panel = CurvePanel(tr["data/curve_x"], tr["data/curve_target"], tr["data/x"][::every],
                           tr["data/y"][::every], width=5.8, height=3.4, curves=(evo["curve"][0], evo["curve"][-1]))
        for d in panel.dots:
            d.scale(0.6)
        panel.to_edge(LEFT, buff=0.35).set_y(-0.45)   # its numbers beside its left edge, inside the frame
        self.curve_panel = panel
        loss = evo["loss"]
        plot = LossPlot(rounds, float(loss.min()), float(loss.max()), width=4.9, height=3.2,
                        x_label="generation", y_label="loss (MSE, log)")
        plot.move_to([3.55, -0.2, 0])
        self.loss_plot = plot
        self.play(FadeIn(panel), FadeIn(plot), run_time=1)

        curve = panel.curve(evo["curve"][0], color)
        trail = plot.curve(evo["step"][:1], loss[:1], color)
        row = self._row(evo, 0).next_to(panel, DOWN, buff=0.3)
        self.play(Create(curve), FadeIn(row), run_time=2 / 3)
        self.beat(f"Now a real network with {speech.count(n_params)} parameters, fitting this curve. "
                  f"Evolution nudges all of them at once, {speech.small(pop)} children per generation.")

        keys = np.unique(np.linspace(0, rounds, self.curve_keyframes + 1).astype(int))[1:]
        for k in keys:
            new_curve = panel.curve(evo["curve"][k], color)
            new_trail = plot.curve(evo["step"][: k + 1], loss[: k + 1], color)
            new_row = self._row(evo, k).move_to(row, aligned_edge=LEFT)
            self.remove(row)
            self.add(new_row)
            row = new_row
            self.play(curve.animate.become(new_curve), trail.animate.become(new_trail), run_time=0.2)
        self.curve, self.trail, self.row = curve, trail, row
        accepted = int(evo["accepted"].sum())
        note = Text(f"{accepted} of {rounds} generations found a lower child\n"
                    f"{int(evo['evals'][-1]):,} loss evaluations in all",
                    font_size=SMALL_SIZE, color=TEXT_COLOR, line_spacing=0.8).next_to(plot, DOWN, buff=0.2)
        self.play(FadeIn(note), run_time=2 / 3)
        self.wait(2.4)
        fell = self.claims.say(float(loss[-1]) < float(loss[0]), "fell", "went")
        only = self.claims.say(accepted < rounds / 2, "Only ", "")
        self.beat(f"After {speech.count(rounds)} generations and {speech.count(evo['evals'][-1])} evaluations, "
                  f"the loss {fell} from {speech.loss(loss[0])} to {speech.loss(loss[-1])}. {only}{accepted} of the "
                  f"{speech.count(rounds)} generations found a child with a lower loss than its parent.")
        self.title, self.fit_group = title, VGroup(panel, plot, curve, trail, row, note, sub)

    @staticmethod
    def _row(run, k: int) -> VGroup:
        return readout(run.meta.get("label", run.name), color_for(run.name, run.meta),
                       [("gen", f"{int(run['step'][k])}"), ("loss", fmt_loss(float(run["loss"][k]))),
                        ("σ", f"{float(run['sigma'][min(k, len(run['sigma']) - 1)]):.3f}")], max_width=6.2)

    # ------------------------------------------------------------------ pictures
    def images(self) -> None:
        new_title = Text("Evolution paints pictures, generation by generation", font_size=TITLE_SIZE)
        new_title.to_edge(UP, buff=0.25)
        self.play(FadeOut(self.fit_group), self.title.animate.become(new_title), run_time=2 / 3)
        shown, notes, missing = [], [], []
        for name in self.image_traces:
            try:
                tr = self.trace(name)
                evo = tr.run("evolution")
            except GdevoError as exc:
                missing.append((name, str(exc)))
                continue
            shown.append((tr, evo))
            notes.append(self._psnr_course(picture_subject(tr, name), float(evo["psnr"][0]),
                                           float(evo["psnr"][-1])))
        # one line at the smallest legible size; wrapped (never shrunk) if it is wider than the frame
        caption = label("each tile: the parent network's output; PSNR against the target (higher is better)", 13.4,
                        SMALL_SIZE, color=MUTED).to_edge(DOWN, buff=0.2)
        top, bottom = self.title.get_bottom()[1] - 0.3, caption.get_top()[1] + 0.25

        def build(slot_h: float) -> Group:
            self.tiles = []
            rows = Group(*[self._image_row(tr, evo, slot_h) for tr, evo in shown])
            for name, why in missing:
                rows.add(Text(f"{name}: no trace ({why[:60]})", font_size=SMALL_SIZE, color=MUTED))
            return rows.arrange(DOWN, buff=0.35)

        rows = build(SLOT_H)
        if rows.height > top - bottom and shown:   # two-line tile captions: smaller pictures, not smaller text
            rows = build(SLOT_H - (rows.height - (top - bottom)) / len(shown))
        fit_box(rows, 13.4, top - bottom)
        rows.move_to([0, (top + bottom) / 2, 0])
        self.image_rows = rows
        for r in rows:
            self.play(FadeIn(r, lag_ratio=0.25), run_time=2)
        self.play(FadeIn(caption), run_time=2 / 3)
        self.wait(3)
        self.beat("The same search can paint: each tile is the network's picture of the target, one generation "
                  "at a time. " + (f"PSNR, how close a picture is to its target pixel by pixel, {'; and '.join(notes)}."
                                   if notes else
                                   "The image traces are missing: " + ", ".join(n for n, _ in missing) + "."))

    def _psnr_course(self, image: str, first: float, last: float) -> str:
        """How one image's PSNR went, in the tiles' own digits (one decimal): a change under 1 dB is no rise."""
        a, b = f"{first:.1f}", f"{last:.1f}"
        return self.claims.pick(
            (last == np.inf, f"becomes infinite for {image}: an exact copy"),
            (last - first >= 1, f"rises for {image} from {a} to {b} decibels"),
            (first - last >= 1, f"falls for {image} from {a} to {b} decibels"),
            otherwise=f"barely changes for {image}, from {a} to {b} decibels")

    def _image_row(self, tr, evo, slot_h: float = SLOT_H) -> Group:
        """The target and IMAGE_SNAPSHOTS reconstructions, each fitted into the same slot (any aspect ratio)."""
        color = color_for(evo.name, evo.meta)
        n_tiles = 1 + IMAGE_SNAPSHOTS
        slot_w = min(2.4, (13.2 - 0.3 * (n_tiles - 1)) / n_tiles)
        tiles = Group()
        frames = evo["frames"]
        picks = np.unique(np.linspace(0, len(frames) - 1, IMAGE_SNAPSHOTS).astype(int))
        fields = [(f"gen {int(evo['step'][k])}", fmt_psnr(float(evo["psnr"][k]))) for k in picks]
        # the generation and the PSNR on one line when every tile's fit its slot, else each on its own
        one_line = all(Text(f"{g} · {p}", font_size=SMALL_SIZE).width <= slot_w for g, p in fields)
        target = framed(image_tile(tr["image/target"], slot_h, slot_w), TEXT_COLOR)
        tiles.add(self._tile(target, "target", slot_w, slot_h))
        for k, (gen, psnr) in zip(picks, fields, strict=True):
            img = ImagePanel(evo, int(k), side=max(slot_w, slot_h), color=color, caption=False)
            fit_box(img, slot_w, slot_h)
            self.tiles.append((img.image, frames[k]))
            tiles.add(self._tile(img, f"{gen} · {psnr}" if one_line else f"{gen}\n{psnr}", slot_w, slot_h))
        return tiles.arrange(RIGHT, buff=0.3, aligned_edge=UP)

    @staticmethod
    def _tile(image, text: str, slot_w: float, slot_h: float) -> Group:
        box = slot(image, slot_w, slot_h)
        # each line centred under the picture
        cap = fit_width(VGroup(*[Text(line, font_size=SMALL_SIZE, color=TEXT_COLOR) for line in text.split("\n")])
                        .arrange(DOWN, buff=0.1), slot_w)
        return Group(box, cap.next_to(box, DOWN, buff=0.1))

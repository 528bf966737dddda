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
    Rectangle,
    Text,
    VGroup,
    Write,
)
from manim.constants import RESAMPLING_ALGORITHMS

from scenes.kit import speech
from scenes.kit.base import ChapterScene
from scenes.kit.images import ImagePanel
from scenes.kit.panels import CurvePanel, fmt_loss, readout
from scenes.kit.plots import LossPlot
from scenes.kit.style import MUTED, SMALL_SIZE, TEXT_COLOR, TITLE_SIZE, color_for
from sim.errors import GdevoError

CURVE_KEYFRAMES = 40      # generations shown while the curve improves (evenly spaced)
IMAGE_SNAPSHOTS = 4       # reconstructions per image row (plus the target)


def image_tile(pixels: np.ndarray, height: float) -> ImageMobject:
    """A uint8 (H, W) or (H, W, 3) image as ONE ImageMobject, pixels kept sharp."""
    arr = np.asarray(pixels, dtype=np.uint8)
    if arr.ndim == 2:
        arr = np.repeat(arr[..., None], 3, axis=2)
    rgba = np.concatenate([arr[..., :3], np.full((*arr.shape[:2], 1), 255, np.uint8)], axis=2)
    img = ImageMobject(rgba)
    img.set_resampling_algorithm(RESAMPLING_ALGORITHMS["nearest"])
    img.height = height
    return img


def framed(img: ImageMobject, color=MUTED) -> Group:
    box = Rectangle(width=img.width, height=img.height, stroke_color=color, stroke_width=2).move_to(img)
    return Group(img, box)


def frame_at(xs: np.ndarray, x: float) -> int:
    """Index of the last recorded frame with xs <= x."""
    return max(int(np.searchsorted(xs, x + 1e-9, side="right")) - 1, 0)


def fmt_psnr(value: float) -> str:
    return "∞ dB" if not np.isfinite(value) else f"{value:.1f} dB"


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
        target = tr.meta["config"]["data"]["target"].replace("*", "")
        sub = Text(f"MLP {hidden} hidden layers × {sizes[1]} (LeakyReLU) fits {target} "
                   f"from {len(tr['data/x'])} samples · population {pop} · σ = {evo.meta['sigma']:g}, "
                   f"×{evo.meta['sigma_decay']:g} per generation",
                   font_size=SMALL_SIZE, color=MUTED)
        sub.scale_to_fit_width(min(sub.width, 13.2)).next_to(title, DOWN, buff=0.15)
        self.play(Write(title), FadeIn(sub), run_time=1)

        every = max(1, len(tr["data/x"]) // 40)
        panel = CurvePanel(tr["data/curve_x"], tr["data/curve_target"], tr["data/x"][::every],
                           tr["data/y"][::every], width=6.2, height=3.6)
        for d in panel.dots:
            d.scale(0.6)
        panel.move_to([-3.5, -0.45, 0])
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
        self.beat(f"Now a real network with {speech.count(n_params)} parameters, fitting a harder curve. "
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
        note = Text(f"{accepted} of {rounds} generations found a better child\n"
                    f"{int(evo['evals'][-1]):,} loss evaluations in all",
                    font_size=SMALL_SIZE, color=TEXT_COLOR, line_spacing=0.8).next_to(plot, DOWN, buff=0.2)
        self.play(FadeIn(note), run_time=2 / 3)
        self.wait(2.4)
        self.beat(f"After {speech.count(rounds)} generations and {speech.count(evo['evals'][-1])} evaluations, "
                  f"the loss fell from {speech.loss(loss[0])} to {speech.loss(loss[-1])}. Only "
                  f"{speech.ratio(accepted / max(rounds, 1))} generations improved on their parent.")
        self.title, self.fit_group = title, VGroup(panel, plot, curve, trail, row, note, sub)

    @staticmethod
    def _row(run, k: int) -> VGroup:
        return readout(run.meta.get("label", run.name), color_for(run.name, run.meta),
                       [("generation", f"{int(run['step'][k])}"), ("loss", fmt_loss(float(run["loss"][k]))),
                        ("σ", f"{float(run['sigma'][min(k, len(run['sigma']) - 1)]):.3f}")], max_width=6.2)

    # ------------------------------------------------------------------ pictures
    def images(self) -> None:
        new_title = Text("Evolution paints pictures, generation by generation", font_size=TITLE_SIZE)
        new_title.to_edge(UP, buff=0.25)
        self.play(FadeOut(self.fit_group), self.title.animate.become(new_title), run_time=2 / 3)
        rows, notes, missing = Group(), [], []
        for name in self.image_traces:
            try:
                tr = self.trace(name)
                evo = tr.run("evolution")
            except GdevoError as exc:
                missing.append((name, str(exc)))
                continue
            rows.add(self._image_row(tr, evo))
            notes.append(f"the {name.removeprefix('image-fit-')} from {speech.number(float(evo['psnr'][0]))} to "
                         f"{speech.number(float(evo['psnr'][-1]))} decibels")
        for name, why in missing:
            rows.add(Text(f"{name}: no trace ({why[:60]})", font_size=SMALL_SIZE, color=MUTED))
        rows.arrange(DOWN, buff=0.45).next_to(self.title, DOWN, buff=0.4)
        if rows.height > 6.6:
            rows.scale_to_fit_height(6.6).next_to(self.title, DOWN, buff=0.35)
        self.image_rows = rows
        for r in rows:
            self.play(FadeIn(r, lag_ratio=0.25), run_time=2)
        caption = Text("each picture is the parent network's output; PSNR against the target (higher is better)",
                       font_size=SMALL_SIZE - 2, color=MUTED).to_edge(DOWN, buff=0.2)
        self.play(FadeIn(caption), run_time=2 / 3)
        self.wait(3)
        self.beat("The same search can paint: each tile is the network's picture of the target, one generation "
                  "at a time. " + (f"Sharpness, measured as PSNR, rises for {', and '.join(notes)}." if notes else
                                   "The image traces are missing: " + ", ".join(n for n, _ in missing) + "."))

    def _image_row(self, tr, evo) -> Group:
        color = color_for(evo.name, evo.meta)
        tile_h = 2.2
        tiles = Group()
        target = framed(image_tile(tr["image/target"], tile_h), TEXT_COLOR)
        tiles.add(Group(target, Text("target", font_size=SMALL_SIZE, color=TEXT_COLOR)
                        .next_to(target, DOWN, buff=0.1)))
        frames = evo["frames"]
        picks = np.unique(np.linspace(0, len(frames) - 1, IMAGE_SNAPSHOTS).astype(int))
        for k in picks:
            img = ImagePanel(evo, int(k), side=tile_h, color=color, caption=False)
            self.tiles.append((img.image, frames[k]))
            cap = Text(f"gen {int(evo['step'][k])} · {fmt_psnr(float(evo['psnr'][k]))}",
                       font_size=SMALL_SIZE - 2, color=TEXT_COLOR).next_to(img, DOWN, buff=0.1)
            tiles.add(Group(img, cap))
        tiles.arrange(RIGHT, buff=0.3, aligned_edge=UP)
        return tiles

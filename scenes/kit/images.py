"""ImagePanel: one recorded frame of an image-fit run, crisp, framed in its optimizer's colour.

Images of any aspect ratio are fitted into their slot (letterboxed, never cropped).

The network's output is ONE ImageMobject (nearest-neighbour resampling, so a 64×64 frame shows
64×64 sharp squares), a border in `color_for(run)`, and a caption formatted from the trace:
"Adam · step 400 · PSNR 24.1 dB". `show(k)` swaps to another recorded frame in place (pixels and
caption), so an updater or a loop of `show` calls plays the run. Scenes never compute images:
the frames, steps, PSNR and evaluations all come from the trace (docs/traces/image-fit.md).
"""

from __future__ import annotations

import numpy as np
from manim import DOWN, Animation, Group, ImageMobject, ManimColor, Rectangle, Text, VGroup, linear
from manim.constants import RESAMPLING_ALGORITHMS

from scenes.kit.style import MUTED, SMALL_SIZE, TEXT_COLOR, color_for
from sim.trace import Run, Trace


def frame_rgba(frame: np.ndarray) -> np.ndarray:
    """uint8 (H, W) grey or (H, W, 3) RGB -> (H, W, 4) RGBA, opaque."""
    frame = np.asarray(frame, dtype=np.uint8)
    rgb = np.repeat(frame[..., None], 3, axis=2) if frame.ndim == 2 else frame[..., :3]
    alpha = np.full((*rgb.shape[:2], 1), 255, dtype=np.uint8)
    return np.ascontiguousarray(np.concatenate([rgb, alpha], axis=2))


def fit_image(image: ImageMobject, pixels_hw: tuple[int, int], width: float, height: float) -> ImageMobject:
    """Size an image to fit a width × height slot, aspect ratio kept (letterboxed, never cropped)."""
    h, w = pixels_hw
    scale = min(width / w, height / h)
    image.stretch_to_fit_width(w * scale).stretch_to_fit_height(h * scale)
    return image


def image_tile(pixels: np.ndarray, height: float, width: float | None = None) -> ImageMobject:
    """A uint8 (H, W) or (H, W, 3) image as ONE sharp ImageMobject fitted into width × height
    (width defaults to height: a square slot); any aspect ratio keeps its shape."""
    arr = np.asarray(pixels, dtype=np.uint8)
    img = ImageMobject(frame_rgba(arr))
    img.set_resampling_algorithm(RESAMPLING_ALGORITHMS["nearest"])
    return fit_image(img, arr.shape[:2], width if width is not None else height, height)


def framed(img: ImageMobject, color=None) -> Group:
    """An image with a thin outline (the target's frame)."""
    box = Rectangle(width=img.width, height=img.height, stroke_color=color or MUTED, stroke_width=2).move_to(img)
    return Group(img, box)


def slot(mob, width: float, height: float) -> Group:
    """`mob` centred in an invisible width × height box, so tiles of any aspect ratio line up in a grid."""
    box = Rectangle(width=width, height=height, stroke_opacity=0, fill_opacity=0).move_to(mob)
    group = Group(box, mob)
    group.content = mob
    return group


def frame_at(xs: np.ndarray, x: float) -> int:
    """Index of the last recorded frame with xs <= x."""
    return max(int(np.searchsorted(xs, x + 1e-9, side="right")) - 1, 0)


def picture_subject(trace: Trace, name: str) -> str:
    """What the narration calls an image trace's picture ('the astronaut'): recorded at simulation
    time from the config's image (a project's own photo is not called 'the portrait'); traces made
    before that field existed fall back to the experiment's name."""
    return str(trace.meta.get("image", {}).get("subject") or "the " + name.removeprefix("image-fit-"))


def fmt_psnr(value: float) -> str:
    return "∞ dB" if not np.isfinite(value) else f"{value:.1f} dB"


def caption_fields(run: Run, k: int) -> str:
    """'step 400 · PSNR 24.1 dB' ('round' for evolution), from the trace's arrays at frame k."""
    unit = "round" if run.kind == "evolution" else "step"
    return f"{unit} {int(run['step'][k]):,} · PSNR {fmt_psnr(float(run['psnr'][k]))}"


def frame_index(run: Run, evals: float | None = None, seconds: float | None = None) -> int:
    """The last recorded frame with at most `evals` evaluations (or `seconds` of wall time)."""
    if evals is not None:
        return max(0, int(np.searchsorted(run["evals"], evals, side="right")) - 1)
    if seconds is not None and run.wall is not None:
        return max(0, int(np.searchsorted(run.wall, seconds, side="right")) - 1)
    return len(run["step"]) - 1


class ImagePanel(Group):
    """A run's frame k as a framed, captioned image fitted in a `side` × `side` square (aspect ratio kept).

    Parts: `image` (the ImageMobject), `border` (Rectangle in the run's colour), `caption`
    (VGroup of the label in the run's colour and the fields, one line if it fits, else two).
    """

    def __init__(self, run: Run, k: int = -1, side: float = 3.0, label: str | None = None,
                 color: ManimColor | None = None, font_size: int = SMALL_SIZE, border_width: float = 4,
                 caption: bool = True) -> None:
        super().__init__()
        self.run = run
        self.color = color or color_for(run.name, run.meta)
        self.label = label or str(run.meta.get("label", run.name))
        self.font_size = font_size
        self.k = k % len(run["step"])
        frames = run["frames"]
        h, w = frames.shape[1:3]
        self.image = ImageMobject(frame_rgba(frames[self.k]))
        self.image.set_resampling_algorithm(RESAMPLING_ALGORITHMS["nearest"])
        fit_image(self.image, (h, w), side, side)   # the longer side is `side`: any aspect ratio fits
        self.border = Rectangle(width=self.image.width, height=self.image.height, color=self.color,
                                stroke_width=border_width).move_to(self.image)
        self.border.scale(1 + 0.06 / max(side, 1e-6))  # a hair outside, never over the pixels
        self.add(self.image, self.border)
        self.caption = VGroup()
        if caption:
            self.caption = self._caption()
            self.add(self.caption)

    def _caption(self) -> VGroup:
        """One line if it fits under the image; else the label above the fields; else three lines."""
        size, limit = self.font_size, self.border.width + 0.3

        def text(s: str, **kw) -> Text:
            return Text(s, font_size=size, color=kw.pop("color", TEXT_COLOR), **kw)

        name = text(self.label, color=self.color, weight="BOLD")
        fields = caption_fields(self.run, self.k)
        group = VGroup(name, text(" · "), text(fields)).arrange(buff=0.05)
        if group.width > limit:
            group = VGroup(name, text(fields)).arrange(DOWN, buff=0.08)
        if group.width > limit:
            group = VGroup(name, *(text(part) for part in fields.split(" · "))).arrange(DOWN, buff=0.08)
        return group.next_to(self.border, DOWN, buff=0.15)

    def place(self, point) -> ImagePanel:
        """Move the panel so that the image's centre is at `point` (panels align by image, not caption)."""
        return self.shift(np.asarray(point, dtype=float) - self.image.get_center())

    def caption_text(self) -> str:
        """The caption as one line of plain text (what is shown, for tests and speaker notes)."""
        return f"{self.label} · {caption_fields(self.run, self.k)}"

    def show(self, k: int) -> ImagePanel:
        """Swap to recorded frame k in place: pixels and caption (position and size kept)."""
        self.k = k % len(self.run["step"])
        self.image.pixel_array = frame_rgba(self.run["frames"][self.k])
        if len(self.caption):
            # During an animation the scene keeps drawing the mobjects it collected when the
            # animation began, so the old caption is emptied (no points: draws nothing), not just removed.
            old, self.caption = self.caption, self._caption()
            for m in old.get_family():
                m.points = np.zeros((0, 3))
            self.remove(old)
            self.add(self.caption)
        return self

    def show_at(self, evals: float | None = None, seconds: float | None = None) -> ImagePanel:
        """The last frame within `evals` evaluations (or `seconds` of wall time)."""
        return self.show(frame_index(self.run, evals, seconds))


class PlayFrames(Animation):
    """Step an ImagePanel through its recorded frames start..end over the animation's run_time
    (linear in frame index, i.e. in steps). `self.play(PlayFrames(panel, run_time=4))`."""

    def __init__(self, panel: ImagePanel, start: int = 0, end: int = -1, **kwargs) -> None:
        n = len(panel.run["step"])
        self.first, self.last = start % n, end % n
        kwargs.setdefault("rate_func", linear)
        super().__init__(panel, **kwargs)

    def begin(self) -> None:
        self.mobject.show(self.first)
        super().begin()

    def interpolate_mobject(self, alpha: float) -> None:
        k = round(self.first + (self.last - self.first) * self.rate_func(alpha))
        if k != self.mobject.k:
            self.mobject.show(k)


def target_panel(trace: Trace, side: float = 3.0, label: str = "Target", font_size: int = SMALL_SIZE) -> Group:
    """The target image, framed in white, captioned with its size."""
    target = trace["image/target"]
    image = image_tile(target, side)
    h, w = target.shape[:2]
    border = Rectangle(width=image.width, height=image.height, color=TEXT_COLOR, stroke_width=3).move_to(image)
    border.scale(1 + 0.06 / max(side, 1e-6))
    text = Text(f"{label} · {w}×{h}", font_size=font_size, color=TEXT_COLOR).next_to(border, DOWN, buff=0.15)
    group = Group(image, border, text)
    group.image, group.border, group.caption = image, border, text
    group.place = lambda point: group.shift(np.asarray(point, dtype=float) - image.get_center())
    return group


__all__ = ["ImagePanel", "PlayFrames", "caption_fields", "fit_image", "fmt_psnr", "frame_at", "frame_index",
           "frame_rgba", "framed", "image_tile", "picture_subject", "slot", "target_panel"]

"""Render a chapter with its animations skipped and inspect what is on screen at every beat.

At each `beat()` (the end of an idea: a key frame of the video and a slide of the deck) the
scene's mobjects are checked: everything inside the frame, no two text boxes overlapping, no
image drawn over a text (an image covers what was drawn before it wherever it is opaque). The
frame itself can be kept (for contact sheets). Beats are hooked in a test subclass; chapters
are not changed.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
from manim import (
    DecimalNumber,
    ImageMobject,
    Mobject,
    VMobject,
    config,
    tempconfig,
)

from scenes.kit.onscreen import TEXT_TYPES, become_keeps_text, screen_texts, text_units, visible, whole_text
from tests.framecheck import _MEDIA
from tests.scenes.legibility import digit_px

FRAME_TOLERANCE = 0.02   # scene units a box may touch past the frame's edge (stroke widths)
OVERLAP_TOLERANCE = 0.01  # boxes sharing less than this along either axis do not overlap


@dataclass
class Beat:
    index: int
    notes: str
    boxes: list[tuple[str, np.ndarray]]            # (what, [x0, y0, x1, y1]) of every text on screen
    outside: list[str]                              # mobjects (partly) outside the frame
    frame: np.ndarray | None = None
    attrs: dict = field(default_factory=dict)
    texts: list[str] = field(default_factory=list)     # every visible text, whole (for the claims test)
    colours: set[str] = field(default_factory=set)     # every colour drawn by a visible shape or text
    claims: list = field(default_factory=list)         # the scene's claims for this beat (scenes/kit/claims.py)
    sizes: list = field(default_factory=list)          # (text, em px at 480p) of every visible text (legibility.py)
    hidden: list[str] = field(default_factory=list)    # texts an image is drawn over (hidden_texts)


def _box(m: Mobject) -> np.ndarray:
    return np.array([m.get_left()[0], m.get_bottom()[1], m.get_right()[0], m.get_top()[1]])


def _describe(m: Mobject) -> str:
    text = getattr(m, "text", None) or getattr(m, "tex_string", None)
    if text is None and isinstance(m, DecimalNumber):
        text = f"{m.number:g}"
    return f"{type(m).__name__}({str(text)[:40]!r})" if text is not None else type(m).__name__


def text_boxes(mobjects) -> list[tuple[str, np.ndarray]]:
    """The box of every visible text unit."""
    return [(_describe(m), _box(m)) for m in text_units(mobjects)]


def drawn_colours(mobjects) -> set[str]:
    """The colours (#RRGGBB) a viewer sees: strokes and fills of visible shapes and glyphs."""
    out: set[str] = set()
    for top in mobjects:
        for m in top.get_family():
            if isinstance(m, ImageMobject) and m.pixel_array.size:
                px = m.pixel_array.reshape(-1, m.pixel_array.shape[-1])
                rgb = px[px[:, 3] > 5, :3].astype(np.uint32) if px.shape[1] == 4 else px[:, :3].astype(np.uint32)
                out |= {f"#{int(v):06X}" for v in np.unique(rgb[:, 0] << 16 | rgb[:, 1] << 8 | rgb[:, 2])}
                continue
            if not isinstance(m, VMobject) or not len(m.points):
                continue
            if hasattr(m, "get_stroke_opacity") and float(m.get_stroke_opacity()) > 0.02 and m.get_stroke_width() > 0:
                out.add(m.get_stroke_color().to_hex().upper()[:7])
            if hasattr(m, "get_fill_opacity") and float(m.get_fill_opacity()) > 0.02:
                out.add(m.get_fill_color().to_hex().upper()[:7])
    return out


def outside_frame(mobjects, tolerance: float = FRAME_TOLERANCE) -> list[str]:
    """Visible pieces (a whole text, an image, a leaf shape) whose box leaves the frame."""
    w, h = config.frame_width / 2 + tolerance, config.frame_height / 2 + tolerance
    bad: list[str] = []
    seen: set[int] = set()

    def walk(m: Mobject) -> None:
        if id(m) in seen:
            return
        seen.add(id(m))
        unit = isinstance(m, (*TEXT_TYPES, ImageMobject))
        if m.submobjects and not unit:
            for sub in m.submobjects:
                walk(sub)
            return
        if unit and not isinstance(m, ImageMobject):
            if not any(len(g.points) and visible(g) for g in m.get_family()):
                return
        elif not visible(m):
            return
        x0, y0, x1, y1 = _box(m)
        if x0 < -w or x1 > w or y0 < -h or y1 > h:
            bad.append(f"{_describe(m)} at x {x0:.2f}..{x1:.2f}, y {y0:.2f}..{y1:.2f}")

    for top in mobjects:
        walk(top)
    return bad


def overlapping(boxes, tolerance: float = OVERLAP_TOLERANCE) -> list[tuple[str, str]]:
    """Pairs of text boxes that overlap by more than `tolerance` along both axes."""
    pairs = []
    for (na, a), (nb, b) in itertools.combinations(boxes, 2):
        dx = min(a[2], b[2]) - max(a[0], b[0])
        dy = min(a[3], b[3]) - max(a[1], b[1])
        if dx > tolerance and dy > tolerance:
            pairs.append((na, nb))
    return pairs


HIDDEN_COVER = 0.5   # an image hides a text when it covers this share of the text's box ...
HIDDEN_ALPHA = 0.5   # ... with pixels at least this opaque on average


def hidden_texts(camera, mobjects) -> list[str]:
    """Texts that an image drawn after them covers: the camera draws in the order of
    `get_mobjects_to_display` (families in order, then z_index), and an opaque image paints over
    whatever came before it. Images are taken as axis-aligned (2D scenes; tilted 3D beats are skipped)."""
    order = {id(m): i for i, m in enumerate(camera.get_mobjects_to_display(mobjects))}
    images = [(order[id(m)], m) for top in mobjects for m in top.get_family()
              if isinstance(m, ImageMobject) and id(m) in order and visible(m)]
    out: list[str] = []
    for unit in text_units(mobjects):
        drawn = [order[id(g)] for g in unit.get_family() if id(g) in order]
        t = _box(unit)
        area = max((t[2] - t[0]) * (t[3] - t[1]), 1e-9)
        for at, image in images:
            if not drawn or at < max(drawn):
                continue
            b = _box(image)
            x0, y0, x1, y1 = max(t[0], b[0]), max(t[1], b[1]), min(t[2], b[2]), min(t[3], b[3])
            if x1 <= x0 or y1 <= y0 or (x1 - x0) * (y1 - y0) < HIDDEN_COVER * area:
                continue
            alpha = image.pixel_array[..., 3]
            cols = _pixels(x0 - b[0], x1 - b[0], b[2] - b[0], alpha.shape[1])
            rows = _pixels(b[3] - y1, b[3] - y0, b[3] - b[1], alpha.shape[0])   # pixel rows run top down
            if float(alpha[rows, cols].mean()) / 255 >= HIDDEN_ALPHA:
                out.append(f"{_describe(unit)} under {_describe(image)}")
                break
    return out


def _pixels(lo: float, hi: float, size: float, n: int) -> slice:
    """The pixels of an N-pixel image side of SIZE scene units that the span LO..HI (from its start) covers."""
    return slice(int(lo / size * n), max(int(np.ceil(hi / size * n)), 1))


def render_beats(scene_cls, traces: dict, width: int = 214, height: int = 120, keep_frames: bool = False,
                 keep: tuple[str, ...] = (), skip_3d: bool = True, **attrs) -> tuple[object, list[Beat]]:
    """Run the scene with animations skipped; return (scene, one Beat per beat() call and one at the end).

    `keep` names scene attributes to record at each beat (for key-element checks). With `skip_3d`,
    beats while a 3D camera is tilted are recorded without frame checks (their coordinates are 3D).
    """
    beats: list[Beat] = []

    def capture(scene, notes: str) -> None:
        tilted = skip_3d and abs(float(getattr(scene.renderer.camera, "get_phi", lambda: 0.0)())) > 1e-6
        mobs = [m for m in scene.mobjects]
        frame = None
        if keep_frames:
            scene.renderer.update_frame(scene, ignore_skipping=True)
            frame = np.array(scene.renderer.get_frame())
        ledger = getattr(scene, "claims", None)
        beats.append(Beat(len(beats), notes, [] if tilted else text_boxes(mobs),
                          [] if tilted else outside_frame(mobs), frame,
                          {k: getattr(scene, k, None) for k in keep}, screen_texts(mobs), drawn_colours(mobs),
                          list(ledger.pending) if ledger is not None else [],
                          [] if tilted else [(whole_text(m), digit_px(m)) for m in text_units(mobs)],
                          [] if tilted else hidden_texts(scene.renderer.camera, mobs)))

    def beat(self, notes: str = "", *args, **kwargs):
        capture(self, notes)
        return scene_cls.beat(self, notes, *args, **kwargs)

    settings = {"pixel_width": width, "pixel_height": height, "frame_rate": 15, "skip_animations": True,
                "write_to_movie": False, "disable_caching": True, "verbosity": "ERROR", "media_dir": _MEDIA}
    with become_keeps_text(), tempconfig(settings):
        cls = type(f"Beats{scene_cls.__name__}", (scene_cls,), {"traces": traces, "beat": beat, **attrs})
        scene = cls()
        scene.render()
        capture(scene, "(end)")
    return scene, beats


__all__ = ["Beat", "drawn_colours", "hidden_texts", "outside_frame", "overlapping", "render_beats", "screen_texts",
           "text_boxes"]

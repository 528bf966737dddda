"""Chapter 5 draws the evolution parent and its last mutation cloud where the trace puts them."""

from __future__ import annotations

import numpy as np
import pytest

from scenes.ch05_local_search import LocalSearch
from scenes.kit.style import color_for
from tests.framecheck import nearest_match, render_last_frame
from tests.scenes.gd_traces import local_minimum_trace, shows, sine_trace


@pytest.fixture(scope="module")
def rendered():
    return render_last_frame(LocalSearch, width=854, height=480,
                             traces={"sine-2d": sine_trace(), "local-minimum": local_minimum_trace()})


def test_parent_ends_at_its_final_parameters(rendered):
    scene, frame = rendered
    evo = local_minimum_trace().run("evolution")
    xy = scene.to_pixel(scene.view.point(evo["params"][-1]))
    assert nearest_match(frame, xy, color_for("evolution"), radius=2) < 60


def test_zoomed_cloud_children_are_where_the_trace_puts_them(rendered):
    scene, frame = rendered
    evo = local_minimum_trace().run("evolution")
    last = evo.steps - 1
    winner = int(evo["winner"][last])
    zoom = scene.zoom_view
    parent_px = np.array(scene.to_pixel(zoom.point(evo["params"][-1])), dtype=float)
    checked = 0
    for i, child in enumerate(evo["population"][last]):
        xy = scene.to_pixel(zoom.point(child))
        if i == winner or np.linalg.norm(np.array(xy) - parent_px) < 8:
            continue  # the ringed winner and children under the parent marker look different
        assert nearest_match(frame, xy, color_for("evolution"), radius=1) < 80, f"child {i} missing"
        checked += 1
    assert checked >= 3


def test_stall_is_told_with_numbers(rendered):
    scene, _ = rendered
    evo = local_minimum_trace().run("evolution")
    assert shows(scene, f"no real gain since round {evo.meta['plateau_step']}")
    assert any("local minimum" in n for _, n in scene.beats)


# --- issue 17: the children the narration names are seen: 3:1 against the landscape, held 1.5 s ---

PX_PER_UNIT = 60   # 854x480
MIN_CONTRAST, MIN_HOLD = 3.0, 1.5


def _luminance(px: np.ndarray) -> np.ndarray:
    c = px[..., :3].astype(float) / 255
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return lin @ np.array([0.2126, 0.7152, 0.0722])


def ring_contrast(shown: np.ndarray, under: np.ndarray, centre: tuple[int, int], r: float, s: float) -> float:
    """Median WCAG contrast, over the pixels of a dot's outline ring (radius r, width s, in px), between
    the frame with the dot and the frame without it (what lies under the ring)."""
    h, w = shown.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w]
    d = np.hypot(xx + 0.5 - centre[0], yy + 0.5 - centre[1])
    ring = (d >= r - s / 2) & (d <= r + s / 2)
    la, lb = _luminance(shown[ring]), _luminance(under[ring])
    ratio = (np.maximum(la, lb) + 0.05) / (np.minimum(la, lb) + 0.05)
    return float(np.median(ratio)) if ring.any() else 0.0


def cloud_contrasts(scene, cloud, hide) -> list[float]:
    """The ring contrast of every child dot of CLOUD, on a frame rendered with and without it."""
    def frame():
        scene.renderer.update_frame(scene, ignore_skipping=True)
        return np.array(scene.renderer.get_frame())

    shown = frame()
    scene.remove(*hide)
    under = frame()
    scene.add(*hide)
    fw, fh = 854 / PX_PER_UNIT, 480 / PX_PER_UNIT
    out = []
    blockers = [m for m in scene.mobjects if getattr(m, "z_index", 0) > 4 and len(m.points)]   # the parent marker
    for dot in [*cloud.rejected, cloud.best]:
        c = dot.get_center()
        if any(np.linalg.norm(c - b.get_center()) < (b.width + dot.width) / 2 for b in blockers):
            continue   # under the parent marker, which is drawn over the children
        xy = (round((c[0] + fw / 2) * PX_PER_UNIT), round((fh / 2 - c[1]) * PX_PER_UNIT))
        s = dot.get_stroke_width() * 0.01 * PX_PER_UNIT
        out.append(ring_contrast(shown, under, xy, dot.width / 2 * PX_PER_UNIT, max(s, 1.0)))
    return out


@pytest.fixture(scope="module")
def watched():
    """Every round's cloud: its ring contrasts just before it fades, and how long it was fully shown."""
    rounds = []

    def play(self, *anims, **kwargs):
        fading = [a.mobject for a in anims if type(a).__name__ == "FadeOut" and hasattr(a.mobject, "rejected")]
        for cloud in fading:
            record = next(r for r in rounds if r["cloud"] is cloud)
            record.update(held=self.renderer.time - record["shown_at"], contrast=cloud_contrasts(self, cloud, [cloud]))
        before = {id(m) for m in self.mobjects}
        out = LocalSearch.play(self, *anims, **kwargs)
        for m in self.mobjects:
            if hasattr(m, "rejected") and id(m) not in before:
                rounds.append({"cloud": m, "shown_at": self.renderer.time})
        return out

    scene, _ = render_last_frame(LocalSearch, width=854, height=480, play=play,
                                 traces={"sine-2d": sine_trace(), "local-minimum": local_minimum_trace()})
    return scene, rounds


def test_each_rounds_children_are_held_long_enough_to_be_seen(watched):
    _, rounds = watched
    faded = [r for r in rounds if "held" in r]
    assert faded, "no round's children were shown and faded"
    assert all(r["held"] >= MIN_HOLD - 1e-9 for r in faded), [round(r["held"], 2) for r in faded]


def test_children_contrast_with_the_landscape_under_them(watched):
    scene, rounds = watched
    contrasts = [c for r in rounds if "contrast" in r for c in r["contrast"]]
    contrasts += cloud_contrasts(scene, scene.stall_cloud, [scene.stall_cloud])   # the last round, shown at the end
    contrasts += cloud_contrasts(scene, scene.zoom_cloud, [scene.zoom_cloud])
    assert contrasts, "no child measured"
    low = [round(c, 2) for c in contrasts if c < MIN_CONTRAST]
    assert not low, f"{len(low)} of {len(contrasts)} children under {MIN_CONTRAST}:1 against the landscape: {low}"

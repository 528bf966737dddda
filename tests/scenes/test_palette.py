"""The palette: optimizer colours stay apart for normal and deuteranopic vision, in both themes.

Differences are CIEDE2000 (scikit-image) in CIELAB; deuteranopia is colorspacious's Machado
et al. (2009) simulation at full severity.
"""

from __future__ import annotations

import itertools
import subprocess
import sys

import numpy as np
import pytest
from colorspacious import cspace_convert
from skimage.color import deltaE_ciede2000, rgb2lab

from scenes.kit.palette import PALETTES

DEUTERANOPIA = {"name": "sRGB1+CVD", "cvd_type": "deuteranomaly", "severity": 100}


def _rgb(hexes) -> np.ndarray:
    return np.array([[int(h[i:i + 2], 16) / 255 for i in (1, 3, 5)] for h in hexes])


def min_delta_e(hexes, deuteranopia: bool = False) -> float:
    """The smallest CIEDE2000 difference between any two of the colours."""
    rgb = _rgb(hexes)
    if deuteranopia:
        rgb = np.clip(cspace_convert(rgb, DEUTERANOPIA, "sRGB1"), 0, 1)
    lab = rgb2lab(rgb[None])[0]
    return min(float(deltaE_ciede2000(lab[i], lab[j])) for i, j in itertools.combinations(range(len(lab)), 2))


@pytest.mark.parametrize("theme", sorted(PALETTES))
@pytest.mark.parametrize("deuteranopia", [False, True])
def test_optimizer_colours_are_distinguishable(theme, deuteranopia):
    colours = list(PALETTES[theme].optimizers.values())
    assert len(set(colours)) == len(colours)
    assert min_delta_e(colours, deuteranopia) >= 20


@pytest.mark.parametrize("theme", sorted(PALETTES))
def test_series_and_optimizers_stand_out_from_the_background(theme):
    p = PALETTES[theme]
    assert min_delta_e(list(p.series), deuteranopia=True) >= 20
    for colour in (*p.optimizers.values(), *p.series, p.text, p.data):
        assert min_delta_e([colour, p.background]) >= 30, colour
        assert min_delta_e([colour, p.background], deuteranopia=True) >= 30, colour


def test_the_measure_is_not_blind():
    """Red and green that normal vision tells apart collapse under the deuteranopia simulation."""
    assert min_delta_e(["#D81B1B", "#4F8F00"]) > 30
    assert min_delta_e(["#D81B1B", "#4F8F00"], deuteranopia=True) < min_delta_e(["#D81B1B", "#4F8F00"]) / 2


@pytest.mark.parametrize("theme", sorted(PALETTES))
def test_a_scene_process_reads_its_theme_from_the_environment_gdevo_starts_it_with(theme):
    code = "from scenes.kit.style import TEXT_COLOR, BACKGROUND; print(TEXT_COLOR.to_hex(), BACKGROUND.to_hex())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"GDEVO_THEME": theme, "PATH": "/usr/bin:/bin"}).stdout.split()
    assert out == [PALETTES[theme].text.upper(), PALETTES[theme].background.upper()]


def test_the_palette_follows_the_scene_settings_theme_without_reimporting():
    """One process, both themes: the scene's settings value picks the palette, not an import-time read."""
    from manim import Text

    from scenes.kit.base import ChapterScene
    from scenes.kit.settings import SceneSettings
    from tests.framecheck import render_last_frame

    class Plain(ChapterScene):
        def construct(self):
            self.label = Text("x")
            self.add(self.label)

    for theme in ("light", "dark", "light"):
        palette = PALETTES[theme]
        scene, frame = render_last_frame(Plain, width=160, height=90, settings=SceneSettings(theme=theme, voice="off"))
        assert scene.renderer.camera.background_color.to_hex() == palette.background.upper()
        assert tuple(frame[0, 0, :3]) == tuple(int(palette.background[i:i + 2], 16) for i in (1, 3, 5))
        assert scene.label[0].get_fill_color().to_hex() == palette.text.upper()   # the glyph


def test_a_projects_own_optimizer_gets_a_series_colour_no_landscape_run_uses():
    from scenes.kit.style import OPTIMIZER_COLORS, SHOWN_EVERYWHERE, TEXT_COLOR, color_for

    lion = color_for("lion", {"optimizer": "lion.py:Lion"})
    assert lion == color_for("lion", {"optimizer": "lion.py:Lion"})          # the same in every chapter
    assert lion != TEXT_COLOR and lion not in [OPTIMIZER_COLORS[n] for n in SHOWN_EVERYWHERE]


@pytest.mark.parametrize("theme", sorted(PALETTES))
def test_the_target_and_muted_marks_reach_three_to_one_against_the_background(theme):
    """Issue 17: a mark the narration points at has WCAG contrast >= 3:1 with what lies under it. The
    target curve is drawn opaque (at 60 % opacity the light theme's reached only 2:1)."""
    from scenes.kit.palette import contrast

    p = PALETTES[theme]
    bg, target = _rgb([p.background])[0] * 255, _rgb([p.target])[0] * 255
    for colour in (p.target, p.muted, p.text, p.data):
        rgb = _rgb([colour])[0] * 255
        assert contrast(rgb, bg) >= 3, (colour, contrast(rgb, bg))
    faded = 0.6 * target + 0.4 * bg
    assert theme == "dark" or contrast(faded, bg) < 3   # the measure sees what the old 60 % target was

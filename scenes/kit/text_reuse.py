"""A Text made again in the same process reuses its parsed glyphs instead of parsing its SVG again.

manim's SVGMobject keeps every parsed SVG in SVG_HASH_TO_MOB_MAP, keyed by the SVG's file name
and parsing options, and hands out copies; Text opts out (`use_svg_cache=False`, a workaround
for a font-list bug fixed in manim 0.18: ManimCommunity/manim#3316). But a chapter makes most of
its texts twice (the narration's plan runs `construct` once before the render), and labels that
must fit a width are made at several sizes: in ch11, 428 Text constructions spent 48 of a 211 s
profiled render parsing SVG. A Text's SVG file is named by a hash of its text and every style
setting (manim's Text._text2hash), so equal keys are equal glyphs; what Text does after parsing
(colours, ligature splitting, centring) still runs on the copy. MarkupText keeps manim's default.

Text's SVG is also laid out on a fixed surface (SURFACE px wide), not on the render's pixel width:
manim hands Pango `config.pixel_width`, so a line too long for it wraps, and the cached SVG (named
without the resolution) then keeps that shape at every resolution. A 51-character title at
font size 32 came out on two lines at the stress tests' 214 px and on one at 480p: the layout
tests measured a different picture than the film shows, and a 1080p film could differ from 480p.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import manimpango
from manim import Text, config
from manim.mobject.svg.svg_mobject import SVGMobject
from manim.mobject.text import text_mobject

_PATCHED = "_gdevo_text_reuse"
SURFACE = (7680, 4320)   # Pango's surface for every Text: wider than any line the frame can show


def _text2svg(self: Text, color) -> str:
    """manim 0.21's Text._text2svg with a fixed surface (and a file name that says so)."""
    size = self._font_size / text_mobject.TEXT2SVG_ADJUSTMENT_FACTOR
    line_spacing = self.line_spacing / text_mobject.TEXT2SVG_ADJUSTMENT_FACTOR
    dir_name = config.get_dir("text_dir")
    dir_name.mkdir(parents=True, exist_ok=True)
    file_name = dir_name / f"{self._text2hash(color)}-{SURFACE[0]}.svg"
    if file_name.exists():
        return str(file_name.resolve())
    return manimpango.text2svg(self._text2settings(color), size, line_spacing, self.disable_ligatures,
                               str(file_name.resolve()), text_mobject.START_X, text_mobject.START_Y, *SURFACE,
                               self.text)


_CLEAN: set[tuple[str, int, int]] = set()   # (path, mtime, size) of SVG files already without a last M


def remove_last_m(file_name: str) -> None:
    """manimpango's PangoUtils.remove_last_M, which Text calls on its SVG every time it is made: it
    rewrote the file even when nothing changed (1 ms each, 864 times in a ch08 plan; and another
    chapter's process reading the same file meanwhile could find it empty). The same edit, written
    (to a temporary name, then renamed) only when it changes the file; a file seen clean is not read again."""
    path = Path(file_name)
    stat = path.stat()
    if (str(path), stat.st_mtime_ns, stat.st_size) in _CLEAN:
        return
    content = path.read_text()
    fixed = re.sub(r'Z M [^A-Za-z]*? "\/>', 'Z "/>', content)
    if fixed != content:
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(fixed)
        os.replace(tmp, path)
        stat = path.stat()
    _CLEAN.add((str(path), stat.st_mtime_ns, stat.st_size))


def install() -> None:
    """Make every Text use manim's SVG cache and a fixed Pango surface, and clean its SVG file only
    once (idempotent)."""
    if getattr(SVGMobject, _PATCHED, False):
        return
    manimpango.PangoUtils.remove_last_M = staticmethod(remove_last_m)
    original = SVGMobject.init_svg_mobject

    def init_svg_mobject(self, use_svg_cache: bool):
        return original(self, use_svg_cache or type(self) is Text)

    SVGMobject.init_svg_mobject = init_svg_mobject
    Text._text2svg = _text2svg
    setattr(SVGMobject, _PATCHED, True)


install()

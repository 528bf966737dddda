"""A Text's glyphs are parsed once per glyph shape, not once per character of every new text.

Pango writes a Text as an SVG that defines each glyph once (`<symbol><path d=…/></symbol>`) and
places it with `<use x= y=>`. manim parses the whole file with svgelements, which copies the
glyph's path into every `<use>` and converts each copy to points again: a profile of ch11 spent
17 of 83 s in parsing 242 distinct texts (~70 ms each), though they share a few dozen glyphs.

Here a Text's SVG is read with ElementTree; each glyph, with the styles around it, goes through
manim's own pipeline (svgelements, VMobjectFromSVGPath, the style rules) once per process, drawn
at the origin, and every `<use>` gets a copy shifted to its place. The result has the same glyphs
in the same order, with the same styles and the same points up to rounding (tests/scenes/
test_text_glyphs.py compares them with manim's parse). An SVG of any other shape (an element
other than groups and uses in the body, a symbol with more or other than one path) is parsed by
manim as before. Only `Text` takes this path: MarkupText and Tex keep manim's.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from typing import Any

import numpy as np
import svgelements as se
from manim import Text, VGroup, VMobject
from manim.mobject.svg.svg_mobject import SVGMobject

_PATCHED = "_gdevo_text_glyphs"
SVG = "{http://www.w3.org/2000/svg}"
HREF = "{http://www.w3.org/1999/xlink}href"
_GLYPHS: dict[tuple, VMobject | None] = {}      # glyph + its surroundings -> its mobject at the origin
_MATRICES: dict[tuple, np.ndarray] = {}          # the root's attributes -> its user-space 2×2 matrix
ORIGINAL: dict[str, Any] = {}                     # manim's generate_mobject, for the fallback and the tests


class Unusual(Exception):
    """The SVG is not the shape Pango writes: manim parses it."""


def _attrs(element: ET.Element) -> tuple[tuple[str, str], ...]:
    """ELEMENT's attributes but its id (Pango numbers each file's surface group: id="surface216")."""
    return tuple(sorted((k, v) for k, v in element.attrib.items() if k != "id"))


def _uses(element: ET.Element, chain: tuple) -> list[tuple[tuple, ET.Element]]:
    """Every <use> under ELEMENT in document order, with the attributes of the groups around it."""
    out = []
    for child in element:
        if child.tag == f"{SVG}g":
            out += _uses(child, (*chain, _attrs(child)))
        elif child.tag == f"{SVG}use":
            out.append((chain, child))
        elif child.tag != f"{SVG}defs":
            raise Unusual(child.tag)
    return out


def _symbols(root: ET.Element) -> dict[str, ET.Element]:
    """Symbol id -> its one path."""
    out = {}
    for defs in root.iter(f"{SVG}defs"):
        for symbol in defs.iter(f"{SVG}symbol"):
            paths = list(symbol)
            if len(paths) != 1 or paths[0].tag != f"{SVG}path" or "transform" in paths[0].attrib:
                raise Unusual("symbol")
            out[symbol.get("id", "")] = paths[0]
    return out


def _document(scene_root: ET.Element, chain: tuple, body: ET.Element) -> str:
    """A one-element SVG with ROOT's attributes and the groups of CHAIN around BODY."""
    root = ET.Element(scene_root.tag, scene_root.attrib)
    parent = root
    for attrs in chain:
        parent = ET.SubElement(parent, f"{SVG}g", dict(attrs))
    parent.append(body)
    return ET.tostring(root, encoding="unicode")


def _parse(owner: SVGMobject, text: str) -> list[VMobject]:
    """manim's own reading of an SVG document (generate_mobject without the file and the flip)."""
    tree = owner.modify_xml_tree(ET.ElementTree(ET.fromstring(text)))
    buffer = io.StringIO()
    tree.write(buffer, encoding="unicode")
    buffer.seek(0)
    return owner.get_mobjects_from(se.SVG.parse(buffer))[0]


def _matrix(owner: SVGMobject, root: ET.Element) -> np.ndarray:
    """Where the root's viewBox and size send user-space x and y (svgelements' own mapping)."""
    key = _attrs(root)
    if key not in _MATRICES:
        probe = ET.Element(f"{SVG}path", {"d": "M 0 0 L 1 0 L 1 1 L 0 1 Z"})
        mob = _parse(owner, _document(root, (), probe))[0]
        xs, ys = mob.points[:, 0], mob.points[:, 1]
        # the unit square's corners: (0,0) at the first point, (1,0) and (0,1) among the others
        origin = np.array([xs[0], ys[0]])
        ex = np.array([xs.max() - origin[0], 0.0]) if xs.max() != origin[0] else np.array([xs.min() - origin[0], 0.0])
        ey = np.array([0.0, ys.max() - origin[1]]) if ys.max() != origin[1] else np.array([0.0, ys.min() - origin[1]])
        _MATRICES[key] = np.column_stack([ex, ey])
    return _MATRICES[key]


def _glyph(owner: SVGMobject, root: ET.Element, chain: tuple, path: ET.Element) -> VMobject | None:
    """The glyph PATH as manim makes it inside CHAIN, placed at the origin; None if it has no points."""
    key = (repr(sorted((owner.svg_default or {}).items())), repr(sorted(owner.path_string_config.items())),
           _attrs(root), chain, _attrs(path))
    if key not in _GLYPHS:
        use = ET.Element(f"{SVG}g")
        use.append(ET.Element(path.tag, path.attrib))
        mobs = _parse(owner, _document(root, chain, use))
        if len(mobs) > 1:
            raise Unusual("glyph")
        _GLYPHS[key] = mobs[0] if mobs else None
    return _GLYPHS[key]


def glyph_mobjects(owner: SVGMobject, root: ET.Element) -> list[VMobject]:
    """The mobjects manim's get_mobjects_from makes of a Pango SVG, one glyph parse per shape."""
    if root.tag != f"{SVG}svg":
        raise Unusual(root.tag)
    symbols = _symbols(root)
    matrix = _matrix(owner, root)
    out = []
    for chain, use in _uses(root, ()):
        if set(use.attrib) - {HREF, "x", "y"} or not use.get(HREF, "").startswith("#"):
            raise Unusual("use")
        path = symbols.get(use.get(HREF)[1:])
        if path is None:
            raise Unusual("href")
        glyph = _glyph(owner, root, chain, path)
        if glyph is None:
            continue
        mob = glyph.copy()
        dx, dy = matrix @ np.array([float(use.get("x", 0)), float(use.get("y", 0))])
        mob.points = mob.points + np.array([dx, dy, 0.0])
        out.append(mob)
    return out


def install() -> None:
    """Make Text's SVGs take the glyph path (idempotent)."""
    if getattr(SVGMobject, _PATCHED, False):
        return
    original = ORIGINAL.setdefault("generate_mobject", SVGMobject.generate_mobject)

    def generate_mobject(self: Any) -> Any:
        if type(self) is not Text:
            return original(self)
        try:
            mobjects = glyph_mobjects(self, ET.parse(self.get_file_path()).getroot())
        except (Unusual, ET.ParseError, ValueError):
            return original(self)
        self.add(*mobjects)
        self.id_to_vgroup_dict = {"root": VGroup(*mobjects)}
        self.flip(np.array([1.0, 0.0, 0.0]))  # manim's y flip (RIGHT)
        return self

    SVGMobject.generate_mobject = generate_mobject
    setattr(SVGMobject, _PATCHED, True)


install()

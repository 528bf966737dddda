"""One Tex SVG cache for every chapter, safe for manim processes that run side by side.

manim compiles each Tex/MathTex string (latex, then dvisvgm: ~130 ms) into its tex_dir, named by a
hash of the .tex source, and gdevo gives every scene its own media folder: the same tick digits
were compiled again in every chapter (18 compiles, 4 s, in ch05 alone). manim's tex_dir cannot
simply be shared: it writes the .tex, .dvi and .svg in place (another process may read them
half-written) and after each compile deletes every file in the folder that is not .svg or .tex
(another process's .aux or .dvi, mid-compile). So manim compiles here in a private temporary
folder inside the shared one, and only the finished SVG is renamed into place (os.replace, atomic
on one filesystem): a process finds a complete SVG by its hash or none. Two processes compiling
the same string both rename the same content over the same name. The shared folder is manim's
tex_dir, set in manim.cfg. A scene reads the SVG through a link in a folder of its own process:
manim's SVGMobject writes a restyled copy beside the file it parses ({stem}_.svg) and deletes it,
which processes sharing one folder would trip over. Text (Pango) SVGs stay in each scene's media folder: they cost about
2 ms each (0.11 s in ch05), too little to share.

A failed compile keeps its temporary folder, so the .log that manim's error names is still there.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from functools import cache
from pathlib import Path

import manim.mobject.text.tex_mobject as tex_mobject
from manim import config
from manim.utils import tex_file_writing
from manim.utils.tex import TexTemplate

from scenes.kit.patching import install_once

_PATCHED = "_gdevo_shared"


def svg_name(expression: str, environment: str | None, template: TexTemplate) -> str:
    """The shared SVG's file name: a hash of the whole .tex source and of how it is compiled."""
    if environment is not None:
        code = template.get_texcode_for_expression_in_env(expression, environment)
    else:
        code = template.get_texcode_for_expression(expression)
    return tex_file_writing.tex_hash(f"{template.tex_compiler}|{template.output_format}|{code}") + ".svg"


def tex_to_svg_file(expression: str, environment: str | None = None, tex_template: TexTemplate | None = None) -> Path:
    """The SVG of EXPRESSION from the shared folder, compiled (privately) and added there if missing."""
    folder = config.get_dir("tex_dir")
    svg = folder / svg_name(expression, environment, tex_template or config["tex_template"])
    if svg.is_file():
        return own_link(svg)
    folder.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".compile-", dir=folder))
    shared = config.tex_dir
    config.tex_dir = work   # manim writes, compiles and cleans up in here, out of other processes' way
    try:
        made = tex_file_writing.tex_to_svg_file(expression, environment, tex_template)
    finally:
        config.tex_dir = shared
    os.replace(made, svg)
    for leftover in work.iterdir():
        leftover.unlink()
    work.rmdir()
    return own_link(svg)


@cache
def own_folder() -> Path:
    """This process's folder of links to shared SVGs (removed when the process exits)."""
    folder = Path(tempfile.mkdtemp(prefix="gdevo-tex-"))
    atexit.register(shutil.rmtree, folder, True)
    return folder


def own_link(svg: Path) -> Path:
    """SVG as a file in own_folder(): a hard link (a copy across filesystems)."""
    mine = own_folder() / svg.name
    if not mine.exists():
        try:
            os.link(svg, mine)
        except OSError:
            shutil.copyfile(svg, mine)
    return mine


def install() -> None:
    """Make MathTex/Tex (manim's SingleStringMathTex) get their SVGs here (idempotent)."""
    install_once(tex_mobject, _PATCHED, tex_to_svg_file=tex_to_svg_file)


install()

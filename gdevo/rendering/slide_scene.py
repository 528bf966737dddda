"""The file manim renders for every scene: the manim-slides Slide variant of one scene.

gdevo.rendering.manim_run runs `manim render gdevo/rendering/slide_scene.py CLASS` with GDEVO_SLIDE_MODULE (a dotted
module such as scenes.landscape) and GDEVO_SLIDE_CLASS naming the scene; this module then
defines a class of that name whose beats are slides. manim still writes the whole scene movie,
and manim-slides writes the slides (JSON + one clip per slide) into GDEVO_SLIDES_OUT: one pass,
every output. Imported without those variables (tests, gdevo.outputs.slides) it only defines
`slide_variant`.

`slide_variant(SceneCls)`: its `close_beat(notes)` (the end of every `beat`) closes the current
slide and attaches the notes to *that* slide (manim-slides' own `next_slide(notes=...)` would
give them to the next one), so each slide's speaker notes are what was said about it.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path


def slide_variant(base: type) -> type:
    """The manim-slides Slide version of a Scene subclass (same name, beats become slides)."""
    from manim import ThreeDScene, config
    from manim_slides.slide import Slide, ThreeDSlide

    slide_base = ThreeDSlide if issubclass(base, ThreeDScene) else Slide

    class DeckBeats:
        skip_reversing = True   # reversed clips are only for `manim-slides present`'s reverse key

        def __init__(self, *args, **kwargs):
            out = os.environ.get("GDEVO_SLIDES_OUT")
            if out:
                kwargs.setdefault("output_folder", Path(out))
            super().__init__(*args, **kwargs)
            if config.dry_run:   # manim-slides' Slide turned write_to_movie on: no movie was set up to write
                config.write_to_movie = False

        def _save_slides(self, *args, **kwargs) -> None:
            if not config.dry_run:   # a dry run makes no partial movies to cut slides from
                super()._save_slides(*args, **kwargs)

        def close_beat(self, notes: str = "") -> None:
            super().close_beat(notes)
            if self._current_animation > self._start_animation:
                self._base_slide_config.notes = notes   # the notes describe the slide this beat ends
                self.next_slide()
            elif self._slides and notes:   # two beats with nothing in between: one slide, both notes
                last = self._slides[-1]
                last.notes = f"{last.notes}\n\n{notes}" if last.notes else notes

    # plan_class: the narration's plan (scenes/kit/pacing.py) runs the plain scene, not a second deck
    return type(base.__name__, (DeckBeats, slide_base, base), {"__doc__": base.__doc__, "plan_class": base})


if os.environ.get("GDEVO_SLIDE_MODULE") and os.environ.get("GDEVO_SLIDE_CLASS"):
    from gdevo.rendering.encoding import install

    install()   # holds converted once, x264's preset per quality (gdevo/rendering/encoding.py)
    _base = getattr(importlib.import_module(os.environ["GDEVO_SLIDE_MODULE"]), os.environ["GDEVO_SLIDE_CLASS"])
    _variant = slide_variant(_base)
    _variant.__module__ = __name__   # so manim finds it in this file
    globals()[_base.__name__] = _variant

"""The file manim renders for the lecture deck: the manim-slides Slide variant of one scene.

`gdevo slides` runs `manim render gdevo/slide_scene.py CLASS` with GDEVO_SLIDE_MODULE (a dotted
module such as scenes.landscape) and GDEVO_SLIDE_CLASS naming the scene; this module defines a
class of the same name whose beats are slides (see gdevo.slides.slide_variant).
"""

from __future__ import annotations

import importlib
import os

from gdevo.slides import slide_variant

_base = getattr(importlib.import_module(os.environ["GDEVO_SLIDE_MODULE"]), os.environ["GDEVO_SLIDE_CLASS"])
_variant = slide_variant(_base)
_variant.__module__ = __name__   # so manim finds it in this file
globals()[_base.__name__] = _variant

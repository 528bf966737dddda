"""Rendering: the manim subprocess, the one render engine, chapters joined into the explainer, `render all`."""

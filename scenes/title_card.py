"""The title card a project's explainer opens with: its title and subtitle (or credit line).

The text comes from the scene's settings (scenes/kit/settings.py), which `gdevo` fills from the
project's gdevo.toml (or the film's own title), so this scene needs no trace and no import of gdevo. A long title wraps
onto a second line and then shrinks, so any text stays inside the frame.
"""

from __future__ import annotations

import textwrap

from manim import DOWN, FadeIn, FadeOut, Line, Text, VGroup, Write, config

from scenes.kit import style
from scenes.kit.base import ChapterScene

MAX_WIDTH = 0.84     # of the frame width
MAX_LINES = 3


def balanced_lines(text: str, chars_per_line: int) -> list[str]:
    """TEXT wrapped into as few lines as CHARS_PER_LINE allows (at most MAX_LINES; longer lines are
    shrunk later), of about equal length: no single word left alone on the last line."""
    n = min(MAX_LINES, max(1, len(textwrap.wrap(text, chars_per_line))))
    width = -(-len(text) // n)
    while len(lines := textwrap.wrap(text, width) or [""]) > n:
        width += 1
    return lines


def fitted_text(text: str, font_size: float, color, max_width: float, chars_per_line: int) -> VGroup:
    """TEXT as centred, balanced lines (see balanced_lines), shrunk to MAX_WIDTH if still too wide."""
    lines = balanced_lines(" ".join(text.split()), chars_per_line)
    group = VGroup(*(Text(line, font_size=font_size, color=color) for line in lines))
    group.arrange(DOWN, buff=0.18)
    if group.width > max_width:
        group.scale_to_fit_width(max_width)
    return group


class TitleCard(ChapterScene):
    """Title, a rule, subtitle; held for a few seconds, then faded out."""

    hold = 3.0

    def construct(self) -> None:
        title_text, subtitle_text = self.settings.title, self.settings.subtitle
        max_width = config.frame_width * MAX_WIDTH
        title = fitted_text(title_text, style.TITLE_SIZE * 1.75, style.TEXT_COLOR, max_width, 28)
        parts = [title]
        rule = Line([-1, 0, 0], [1, 0, 0], color=style.MUTED, stroke_width=2)
        rule.width = min(title.width, max_width * 0.5)
        parts.append(rule)
        subtitle = None
        if subtitle_text:
            subtitle = fitted_text(subtitle_text, style.LABEL_SIZE * 1.1, style.MUTED, max_width, 48)
            parts.append(subtitle)
        card = VGroup(*parts).arrange(DOWN, buff=0.4)
        if card.height > config.frame_height * 0.86:
            card.scale_to_fit_height(config.frame_height * 0.86)
        card.move_to([0, 0, 0])
        self.card = card
        self.play(Write(title), run_time=1.2)
        self.play(FadeIn(rule), *([FadeIn(subtitle, shift=0.1 * DOWN)] if subtitle else []), run_time=0.8)
        self.wait(self.hold)
        self.beat(f"{title_text}" + (f" — {subtitle_text}" if subtitle_text else ""))
        self.play(FadeOut(card), run_time=0.6)

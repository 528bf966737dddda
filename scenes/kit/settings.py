"""The scene side of gdevo's settings: read once from the environment manim was started with.

gdevo passes its settings to manim's subprocess as GDEVO_* variables (gdevo.settings.Settings.to_env);
scenes may not import gdevo, so this small frozen value reads them back, once per process
(`scene_settings`), and the scene base class hands it to the palette, the voice, the title card
and the trace loader. A plain `manim -ql scenes/X.py Scene` run with no variables gets the
defaults: dark theme, the default voice, the repository's caches, no project.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scenes.kit.palette import Palette

ROOT = Path(__file__).resolve().parents[2]
TITLE = "How neural networks learn"          # the film's title and subtitle, said once (gdevo uses these)
SUBTITLE = "Gradient descent vs evolution"


@dataclass(frozen=True)
class SceneSettings:
    theme: str = "dark"
    title: str = TITLE
    subtitle: str = SUBTITLE
    voice: str | None = None
    voice_dir: str = ""
    piper_model: str = ""
    espeak_voice: str | None = None
    wpm: str | None = None
    device: str | None = None
    project: Path | None = None
    cache: Path = ROOT / ".cache" / "traces"
    voice_cache: Path = ROOT / ".cache" / "voice"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SceneSettings:
        def path(var: str) -> Path | None:
            return Path(env[var]) if env.get(var) else None

        base = cls()
        return cls(theme=env.get("GDEVO_THEME", "dark").strip().lower(),
                   title=env.get("GDEVO_TITLE", "").strip() or TITLE,
                   subtitle=env.get("GDEVO_SUBTITLE", SUBTITLE).strip(), voice=env.get("GDEVO_VOICE") or None,
                   voice_dir=env.get("GDEVO_VOICE_DIR", ""), piper_model=env.get("GDEVO_PIPER_MODEL", ""),
                   espeak_voice=env.get("GDEVO_ESPEAK_VOICE") or None, wpm=env.get("GDEVO_VOICE_WPM") or None,
                   device=env.get("GDEVO_DEVICE") or None, project=path("GDEVO_PROJECT"),
                   cache=path("GDEVO_CACHE") or base.cache, voice_cache=path("GDEVO_VOICE_CACHE") or base.voice_cache)

    @property
    def palette(self) -> Palette:
        """The theme's palette; an unknown name falls back to dark (gdevo validates it first)."""
        from scenes.kit.palette import PALETTES  # manim: only where a picture is drawn

        return PALETTES.get(self.theme, PALETTES["dark"])


@functools.cache
def scene_settings() -> SceneSettings:
    """This process's settings, read from its environment once."""
    return SceneSettings.from_env(os.environ)


__all__ = ["SUBTITLE", "TITLE", "SceneSettings", "scene_settings"]

"""Settings: every option of one gdevo run in one frozen value (like black's `Mode`).

Built once, where the CLI has parsed its arguments and found the project (gdevo.cli), then
passed as a value to commands, the pipeline and render jobs. It becomes environment variables
only at the manim subprocess boundary (`to_env`, used by gdevo.rendering.manim_run), where the scene side
reads it back once (scenes/kit/settings.py). `picture_key` names what changes a picture or a
sound: the render key hashes it, so moving the renders or cache folder re-renders nothing.

The few environment variables a user may set (GDEVO_CACHE, GDEVO_RENDERS, GDEVO_PROJECT,
GDEVO_VOICE and its options, DASK_SCHEDULER_ADDRESS, GDEVO_CONNECT_TIMEOUT) are read once, by
`from_environ`, when the CLI parses its arguments.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from scenes.kit.settings import SUBTITLE, TITLE, SceneSettings
from sim.cache import DEFAULT_CACHE, ROOT

SCHEDULER_ENV = "DASK_SCHEDULER_ADDRESS"      # Dask's own documented variable
CONNECT_TIMEOUT_ENV = "GDEVO_CONNECT_TIMEOUT"  # seconds to reach the scheduler and see a worker


@dataclass(frozen=True)
class Settings:
    """One run's options. Folders are where files go; the rest can change what is rendered."""

    project: Path | None = None
    theme: str = "dark"
    voice: str | None = None            # None: the scenes' default voice
    voice_dir: Path | None = None       # recorded voice: WAV/FLAC files named by beat ID
    piper_model: Path | None = None     # piper voice: the .onnx file
    espeak_voice: str | None = None
    wpm: str | None = None              # words per minute of the silent voice (as given)
    title: str = TITLE
    subtitle: str = SUBTITLE
    quality: str = "low"
    device: str | None = None
    renders: Path = ROOT / "renders"
    cache: Path = DEFAULT_CACHE
    voice_cache: Path = ROOT / ".cache" / "voice"
    vendor: Path = ROOT / ".cache" / "vendor"
    scheduler: str | None = None        # a Dask scheduler address; None renders and simulates here
    connect_timeout: float = 10.0

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Settings:
        """The defaults a user set in the environment (read once, at CLI parse time)."""
        def path(var: str) -> Path | None:
            return Path(environ[var]).expanduser() if environ.get(var) else None

        base = cls()
        return replace(
            base, project=path("GDEVO_PROJECT"), voice=environ.get("GDEVO_VOICE") or None,
            voice_dir=_absolute(path("GDEVO_VOICE_DIR")), piper_model=_absolute(path("GDEVO_PIPER_MODEL")),
            espeak_voice=environ.get("GDEVO_ESPEAK_VOICE") or None, wpm=environ.get("GDEVO_VOICE_WPM") or None,
            renders=path("GDEVO_RENDERS") or base.renders, cache=path("GDEVO_CACHE") or base.cache,
            voice_cache=path("GDEVO_VOICE_CACHE") or base.voice_cache, vendor=path("GDEVO_VENDOR") or base.vendor,
            scheduler=environ.get(SCHEDULER_ENV) or None,
            connect_timeout=float(environ.get(CONNECT_TIMEOUT_ENV) or base.connect_timeout))

    @property
    def full_title(self) -> str:
        """The film's one-line title (descriptions, the MP4's metadata, the narration script)."""
        if (self.title, self.subtitle) == (TITLE, SUBTITLE):   # a project's title stands alone
            return f"{TITLE}: {SUBTITLE[:1].lower()}{SUBTITLE[1:]}"
        return self.title

    def to_env(self) -> dict[str, str]:
        """The GDEVO_* variables manim's subprocess reads back once (scenes/kit/settings.py)."""
        env = {"GDEVO_THEME": self.theme, "GDEVO_TITLE": self.title, "GDEVO_SUBTITLE": self.subtitle,
               "GDEVO_CACHE": str(self.cache), "GDEVO_VOICE_CACHE": str(self.voice_cache)}
        for var, value in (("GDEVO_PROJECT", self.project), ("GDEVO_VOICE", self.voice),
                           ("GDEVO_VOICE_DIR", self.voice_dir), ("GDEVO_PIPER_MODEL", self.piper_model),
                           ("GDEVO_ESPEAK_VOICE", self.espeak_voice), ("GDEVO_VOICE_WPM", self.wpm),
                           ("GDEVO_DEVICE", self.device)):
            if value is not None:
                env[var] = str(value)
        return env

    def scene(self) -> SceneSettings:
        """What a scene process will see: the same conversion manim's subprocess makes."""
        return SceneSettings.from_env(self.to_env())

    def picture_key(self) -> dict[str, str | None]:
        """The options that change a picture or a sound (not where files go, nor the device:
        traces are named by their config and device already)."""
        return {"theme": self.theme, "title": self.title, "subtitle": self.subtitle, "voice": self.voice,
                "voice_dir": _text(self.voice_dir), "piper_model": _text(self.piper_model),
                "espeak_voice": self.espeak_voice, "wpm": self.wpm}


def _absolute(path: Path | None) -> Path | None:
    return None if path is None else path.resolve()


def _text(path: Path | None) -> str | None:
    return None if path is None else str(path)


__all__ = ["SUBTITLE", "TITLE", "Settings"]

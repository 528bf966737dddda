"""A project folder: a user's own explainer, outside the repository.

    DIR/gdevo.toml      title card, chapters (which, in what order), theme, quality, narration voice
    DIR/overrides/      NAME.toml per experiment: only the config keys the user changes
    DIR/renders/        everything gdevo writes for this project

`gdevo --project DIR ...` (or running gdevo anywhere inside DIR: found by walking up from the
working directory, like manim.cfg) activates it. Activation fills the run's settings
(gdevo.settings.Settings, `Project.settings`) before any work, and every layer -- manim's
subprocess too, through Settings.to_env -- gets the same project: its folder (the trace resolver
merges DIR/overrides/NAME.toml, see sim/overrides.py), renders folder, theme, title, subtitle,
quality and voice (a command's own --voice options still win). Traces stay in the usual cache
(GDEVO_CACHE or the repository's): keys hash the merged config, so sharing is safe and unchanged
experiments are not simulated again.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from gdevo.rendering.manim_run import QUALITIES
from gdevo.settings import Settings
from scenes.kit.voices import DEFAULT_VOICE, VOICES
from sim.cache import ROOT as SIM_ROOT
from sim.config import format_validation_error, read_toml
from sim.errors import ConfigError, GdevoError
from sim.overrides import OVERRIDES, overrides_names
from sim.trace import atomic_write_bytes

PROJECT_FILE = "gdevo.toml"
QUALITY_NAMES = tuple(QUALITIES)   # the render qualities, named once in gdevo.rendering.manim_run


def _chapter_entries() -> dict[str, object]:
    from scenes.storyboard import chapters

    return {e.name: e for e in chapters()}


class ProjectConfig(BaseModel):
    """gdevo.toml. Unknown keys are errors: a typo must not be silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = Field(min_length=1, max_length=200, description="the title card's big line")
    subtitle: str = Field(default="", max_length=300, description="subtitle or credit line under the title")
    chapters: list[str | int] | None = Field(default=None, description="chapter names or numbers, in the order "
                                             "shown; absent = every chapter in storyboard order")
    theme: Literal["dark", "light"] = "dark"
    quality: Literal[QUALITY_NAMES] = "low"  # type: ignore[valid-type]
    voice: Literal[VOICES] | None = Field(default=None,  # type: ignore[valid-type]
                                          description="narration voice")
    voice_dir: str | None = Field(default=None, min_length=1, description="recorded voice: a folder of WAV/FLAC "
                                  "files named by beat ID (relative to the project)")
    piper_model: str | None = Field(default=None, min_length=1, description="piper voice: the .onnx file "
                                    "(relative to the project)")

    @field_validator("title", "subtitle")
    @classmethod
    def _one_paragraph(cls, v: str) -> str:
        return " ".join(v.split())

    @field_validator("chapters")
    @classmethod
    def _known_chapters(cls, v: list[str | int] | None) -> list[str] | None:
        if v is None:
            return None
        known = _chapter_entries()
        by_number = {e.chapter: name for name, e in known.items()}  # type: ignore[attr-defined]
        names: list[str] = []
        for item in v:
            name = by_number.get(item) if isinstance(item, int) else item
            if name not in known:
                raise ValueError(f"unknown chapter {item!r}; chapters: "
                                 f"{', '.join(f'{e.chapter}={n}' for n, e in known.items())}")  # type: ignore[attr-defined]
            if name in names:
                raise ValueError(f"chapter {name!r} is listed twice")
            names.append(name)
        if not names:
            raise ValueError("list at least one chapter (or leave `chapters` out for all of them)")
        return names


@dataclass(frozen=True)
class Project:
    dir: Path
    config: ProjectConfig

    @property
    def file(self) -> Path:
        return self.dir / PROJECT_FILE

    @property
    def renders(self) -> Path:
        return self.dir / "renders"

    @property
    def overrides(self) -> Path:
        return self.dir / OVERRIDES

    def settings(self, base: Settings) -> Settings:
        """BASE (the environment's settings) working on this project: its folder, renders, theme,
        title, subtitle, quality and the voice options it sets."""
        cfg = self.config
        voice = {name: value for name, value in (("voice", cfg.voice), ("voice_dir", self.path(cfg.voice_dir)),
                                                 ("piper_model", self.path(cfg.piper_model))) if value is not None}
        return replace(base, project=self.dir, renders=self.renders, theme=cfg.theme, title=cfg.title,
                       subtitle=cfg.subtitle, quality=cfg.quality, **voice)

    def path(self, value: str | None) -> Path | None:
        """A path from gdevo.toml: relative ones are relative to the project folder."""
        return None if value is None else (self.dir / Path(value).expanduser()).resolve()

    @cached_property
    def chapters(self) -> list:
        """The explainer's scenes: the title card, then the chosen chapters in the chosen order."""
        from scenes.storyboard import chapters, get_scene

        card = get_scene("title-card")
        known = _chapter_entries()
        chosen = [known[n] for n in self.config.chapters] if self.config.chapters else chapters()
        if card is None:
            return chosen
        return [replace(card, title=self.config.title), *chosen]


def find_project(start: Path) -> Path | None:
    """The nearest folder at or above START holding a gdevo.toml (like manim finds manim.cfg)."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / PROJECT_FILE).is_file():
            return folder
    return None


def load_project(folder: Path) -> Project:
    """Read and validate DIR/gdevo.toml and every DIR/overrides/*.toml (ConfigError: one line)."""
    folder = Path(folder).expanduser().resolve()
    path = folder / PROJECT_FILE
    if not folder.is_dir():
        raise ConfigError(f"{folder}: no such project folder (create one with `gdevo init {folder}`)")
    if not path.is_file():
        raise ConfigError(f"{folder}: not a gdevo project (no {PROJECT_FILE}; create one with `gdevo init`)")
    try:
        cfg = ProjectConfig.model_validate(read_toml(path))
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, str(path))) from None
    return Project(folder, cfg)


def validate_overrides(project: Project) -> None:
    """Merge and validate every overrides file now, so a bad key stops a command before any work."""
    from sim.cache import config_names, resolve

    known = config_names()
    for name in overrides_names(project.dir):
        if name not in known:
            raise ConfigError(f"{project.overrides / f'{name}.toml'}: no experiment {name!r} to override "
                              f"(the file name must be one of: {', '.join(known)})")
        resolve(name, device="cpu", project=project.dir)   # cpu: validation only; a GPU preset need not run here


def activate(explicit: Path | None = None, from_env: Path | None = None, cwd: Path | None = None) -> Project | None:
    """Find the project (--project DIR, else FROM_ENV -- GDEVO_PROJECT, read once by the CLI -- else
    walking up from CWD) and validate it and its overrides. None when there is no project."""
    if explicit is not None:
        folder: Path | None = Path(explicit)
    elif from_env is not None:
        folder = from_env
    else:
        folder = find_project(cwd or Path.cwd())
    if folder is None:
        return None
    project = load_project(folder)
    validate_overrides(project)
    return project


def current(settings: Settings) -> Project | None:
    """The project the settings work on, or None."""
    return load_project(settings.project) if settings.project is not None else None


def explainer_entries(settings: Settings) -> list | None:
    """The settings' project's explainer scenes (title card + chosen chapters), or None: the default."""
    project = current(settings)
    return project.chapters if project is not None else None


# --- gdevo init ------------------------------------------------------------------------------

def project_toml(title: str, subtitle: str, theme: str, quality: str) -> str:
    """The commented gdevo.toml `gdevo init` writes: every chapter listed, so removing a line drops it."""
    def row(key_value: str, comment: str) -> str:
        return f"{key_value:<31} # {comment}"

    rows = "\n".join(row(f'    "{name}",', f"{e.chapter}. {e.title}")  # type: ignore[attr-defined]
                     for name, e in _chapter_entries().items())
    settings = "\n".join([
        row(f"title = {_toml_string(title)}", "the title card's big line"),
        row(f"subtitle = {_toml_string(subtitle)}", "under it: a subtitle or a credit"),
        row(f'theme = "{theme}"', '"dark" or "light" (light for docs pages and printed handouts)'),
        row(f'quality = "{quality}"', 'default --quality: "low" (480p), "medium", "high" (1080p), "4k"'),
        row(f'# voice = "{DEFAULT_VOICE}"', f"narration: {', '.join(VOICES)} (see `gdevo script`)"),
        row('# voice_dir = "voice"', 'voice = "recorded": your WAV/FLAC files, named by beat ID'),
    ])
    return f"""\
# A gdevo project: `gdevo render explainer` here (or with --project DIR) renders into renders/.
# Experiments are changed in overrides/ (see overrides/README.md), never in the gdevo repository.

{settings}

# The explainer: a title card, then these chapters in this order. Delete or reorder lines freely;
# numbers (e.g. 11) work too.
chapters = [
{rows}
]
"""


OVERRIDES_README = """\
# overrides/

One TOML file per experiment you change, named like the experiment (`gdevo list` shows them;
the defaults are the gdevo repository's configs/NAME.toml). Write only the keys you change:
they are merged over the defaults and validated like any config, and a bad key or value stops
every command with one line naming this file and the key.

Your own function (function-fit.toml):

    [data]
    target = "x*cos(2*x) + 0.3*abs(x)"     # parsed with a whitelist, never eval'ed

Your own photo (image-fit-portrait.toml), a file next to this README or in the project folder:

    image = "me.jpg"
    color = "rgb"

One run's setting: a table named after the run changes only that run

    [runs.adam]
    lr = 0.01

while an array (`[[runs]]`) replaces the whole list. Which chapter shows which experiment:
`gdevo list`.
"""

PROJECT_GITIGNORE = "renders/\n.cache/\n"


def init_project(folder: Path, title: str | None = None, subtitle: str = "", theme: str = "dark",
                 quality: str = "low") -> list[Path]:
    """Write a new project into FOLDER; refuse (writing nothing) if one is there already."""
    folder = Path(folder).expanduser()
    if folder.exists() and not folder.is_dir():
        raise GdevoError(f"{folder} exists and is not a folder")
    if folder.resolve() in (SIM_ROOT, *SIM_ROOT.parents):
        raise GdevoError(f"{folder} is the gdevo repository (or above it); a project goes in a folder of its own, "
                         "e.g. `gdevo init talk`")
    planned = {folder / PROJECT_FILE: None, folder / OVERRIDES / "README.md": OVERRIDES_README,
               folder / ".gitignore": PROJECT_GITIGNORE}
    clash = [p for p in planned if p.exists()]
    if clash or (folder / OVERRIDES).is_file():
        raise GdevoError(f"{folder} already holds a project ({clash[0] if clash else folder / OVERRIDES} exists); "
                         "nothing was written")
    title = title if title is not None else folder.resolve().name.replace("-", " ").replace("_", " ").title()
    text = project_toml(title, subtitle, theme, quality)
    try:
        ProjectConfig.model_validate(_loads(text))
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, "gdevo init")) from None
    planned[folder / PROJECT_FILE] = text
    written = []
    for path, body in planned.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        data = (body or "").encode()
        atomic_write_bytes(path, lambda fh, data=data: fh.write(data))
        written.append(path)
    return written


def _toml_string(text: str) -> str:
    """A TOML basic string (JSON's escapes are valid TOML)."""
    import json

    return json.dumps(text, ensure_ascii=False)


def _loads(text: str) -> dict:
    import tomllib

    return tomllib.loads(text)

"""gdevo list: experiments (configs) and scenes."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from sim.errors import GdevoError

if TYPE_CHECKING:
    from gdevo.settings import Settings

NAME = "list"


def register(sub) -> None:
    sub.add_parser(NAME, help="list experiments and scenes")


def run(args: argparse.Namespace, settings: Settings) -> int:
    from gdevo.project import current
    from scenes.storyboard import SCENES, is_available
    from sim.cache import CONFIG_DIR, config_names, preset_device, resolve
    from sim.config import read_toml
    from sim.linked import sources
    from sim.overrides import overrides_file

    project = current(settings)
    if project is not None:
        chosen = ", ".join(e.name for e in project.chapters)
        print(f"project {project.dir} (theme {project.config.theme}): {chosen}")
    print("experiments (gdevo sim NAME):")
    import torch

    gpu = torch.cuda.is_available()
    for name in config_names():
        if preset_device(name) == "cuda" and not gpu:
            kind = read_toml(CONFIG_DIR / f"{name}.toml").get("experiment", "?")
            print(f"  {name:<22} {kind:<16} {'GPU preset':<14} needs a CUDA GPU (gdevo sim {name} --device cuda)")
            continue
        try:
            res = resolve(name, cache=settings.cache, project=settings.project)
            cached = "cached" if res.path.is_file() else "not simulated"
            desc = getattr(res.config, "summary", "")   # the description, numbers filled from the config
            changed = [(f"takes {other}'s task, " if other != name else "") + f"changed by {path}"
                       for other in (name, *sources(res.config.model_dump(mode="json")))
                       if (path := overrides_file(other, settings.project)) is not None]
            if changed:
                desc = "".join(f"[{c}] " for c in changed) + desc
            print(f"  {name:<22} {res.kind:<16} {cached:<14} {desc}")
        except GdevoError as exc:
            print(f"  {name:<22} invalid config: {exc}")
    print("scenes (gdevo render NAME), in storyboard order:")
    for s in SCENES:
        if is_available(s):
            print(f"  {s.name:<22} {s.title}  [traces: {', '.join(s.traces)}]")
    return 0

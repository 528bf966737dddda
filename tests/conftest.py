"""Shared fixtures: an isolated trace cache and renders folder, the settings that use them, and
small sine-2d configs."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

import pytest

import sim.cache
from gdevo.settings import Settings
from scenes.kit.settings import scene_settings
from sim.experiments.sine2d import Sine2DConfig, simulate

# Scenes keep their animation's own timing unless a test asks for a voice (scenes/kit/voices.py);
# set for the whole session, so module-scoped fixtures that render see it too.
os.environ["GDEVO_VOICE"] = "off"
os.environ["GDEVO_VOICE_CACHE"] = tempfile.mkdtemp(prefix="gdevo-voice-")
atexit.register(shutil.rmtree, os.environ["GDEVO_VOICE_CACHE"], True)


@pytest.fixture(autouse=True)
def isolated_outputs(tmp_path, monkeypatch):
    """Every test gets its own cache and renders folder: tests never touch the user's files.
    The variables reach the CLI (read once per command) and scenes run in this process (read once
    per test); sim's default cache is the test's too."""
    monkeypatch.setenv("GDEVO_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("GDEVO_RENDERS", str(tmp_path / "renders"))
    monkeypatch.setenv("GDEVO_VOICE_CACHE", str(tmp_path / "voice-cache"))
    monkeypatch.setattr(sim.cache, "DEFAULT_CACHE", tmp_path / "cache")
    scene_settings.cache_clear()
    yield tmp_path
    scene_settings.cache_clear()


@pytest.fixture
def settings(isolated_outputs) -> Settings:
    """The settings of a run in the test's folders, without narration (as the CLI would build them)."""
    return Settings.from_environ(os.environ)


def small_sine_config(seed: int = 0, **kw) -> Sine2DConfig:
    runs = [
        dict(name="sgd", optimizer="sgd", lr=0.5, steps=12),
        dict(name="momentum", optimizer="sgd", lr=0.2, momentum=0.9, steps=12),
        dict(name="adam", optimizer="adam", lr=0.15, steps=12),
        dict(name="evolution", optimizer="evolution", population=6, sigma=0.3, steps=12),
    ]
    data = dict(seed=seed, start=(-1.0, 2.0), runs=runs, landscape=dict(resolution=41))
    data.update(kw)
    return Sine2DConfig.model_validate(data)


@pytest.fixture(scope="session")
def sine_trace():
    """A small sine-2d trace, simulated once per test session."""
    return simulate(small_sine_config(), "sine-2d")


@pytest.fixture
def without_scenes(monkeypatch, tmp_path):
    """`without_scenes("race", ...)`: make storyboard scenes look not yet written (module absent),
    so tests of 'does not exist yet' paths keep working as chapters land."""
    import scenes.storyboard as sb

    def hide(*names: str) -> None:
        present = tmp_path / "scenes-present"
        present.mkdir(exist_ok=True)
        for entry in sb.SCENES:
            if entry.name not in names and (sb.SCENES_DIR / f"{entry.module}.py").is_file():
                (present / f"{entry.module}.py").touch()
        monkeypatch.setattr(sb, "SCENES_DIR", present)

    return hide

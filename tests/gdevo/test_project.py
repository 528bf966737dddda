"""A project folder: `gdevo init`, overrides merged and validated, commands run on it from inside,
outputs in DIR/renders (never the repository's), a title card and the chosen chapters."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from gdevo.cli import main
from gdevo.project import PROJECT_FILE, load_project

ROOT = Path(__file__).resolve().parents[2]
SMALL_SINE = "[landscape]\nresolution = 41\n\n[runs.sgd]\nsteps = 4\n"


def snapshot(*folders: Path) -> dict[str, tuple[int, int]]:
    """Every file under FOLDERS with its size and mtime: to show a run left them alone."""
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for f in folders for p in sorted(f.rglob("*"))
            if p.is_file()}


def make_project(root: Path, toml: str = "", **overrides: str) -> Path:
    assert main(["init", str(root), "--title", "My talk", "--subtitle", "by A. Person"]) == 0
    if toml:
        (root / PROJECT_FILE).write_text(toml)
    for name, text in overrides.items():
        (root / "overrides" / f"{name}.toml").write_text(text)
    return root


def one_line_error(capsys, code: int) -> str:
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    return err


def test_init_writes_a_valid_project_and_never_clobbers_one(tmp_path, capsys):
    from scenes.storyboard import chapters

    folder = tmp_path / "talk"
    folder.mkdir()
    (folder / "me.jpg").write_bytes(b"a photo already there")
    assert main(["init", str(folder), "--theme", "light", "--title", 'My "talk"']) == 0
    assert {p.relative_to(folder).as_posix() for p in folder.rglob("*")} == {
        "gdevo.toml", "overrides", "overrides/README.md", ".gitignore", "me.jpg"}
    project = load_project(folder)
    assert (project.config.title, project.config.theme, project.config.quality) == ('My "talk"', "light", "low")
    assert [e.name for e in project.chapters] == ["title-card", *(e.name for e in chapters())]
    before = snapshot(folder)
    capsys.readouterr()
    err = one_line_error(capsys, main(["init", str(folder)]))
    assert "already holds a project" in err and "nothing was written" in err
    assert snapshot(folder) == before
    assert "is the gdevo repository" in one_line_error(capsys, main(["init", str(ROOT)]))
    assert not (ROOT / PROJECT_FILE).exists()


def test_overrides_are_merged_over_the_defaults_with_paths_relative_to_the_project(tmp_path, monkeypatch):
    from functools import partial

    from PIL import Image

    from sim.cache import resolve

    default = resolve("function-fit")
    folder = make_project(tmp_path / "talk", **{
        "function-fit": '[data]\ntarget = "x*cos(2*x) + 0.3*abs(x)"\n\n[runs.adam]\nlr = 0.01\n',
        "image-fit-portrait": 'image = "me.jpg"\ncolor = "rgb"\n'})
    Image.new("RGB", (60, 40), "orange").save(folder / "overrides" / "me.jpg")
    resolve = partial(resolve, project=folder)
    monkeypatch.chdir(tmp_path)   # paths resolve against the overrides file, not the working directory
    cfg = resolve("function-fit").config
    assert cfg.data.target == "x*cos(2*x) + 0.3*abs(x)"
    runs = {r.name: r for r in cfg.runs}
    assert runs["adam"].lr == 0.01 and runs["momentum"].lr == default.config.runs[1].lr
    assert cfg.data.n == default.config.data.n and cfg.model == default.config.model
    assert resolve("function-fit").path != default.path      # cached under its own key
    image = resolve("image-fit-portrait").config
    assert Path(image.image) == (folder / "overrides" / "me.jpg").resolve() and image.color == "rgb"


@pytest.mark.parametrize("gdevo_toml, overrides, needles", [
    ("", {"sine-2d": "[landscape]\nresolutin = 3\n"}, ["overrides/sine-2d.toml", "landscape.resolutin"]),
    ("", {"sine-2d": "seed = -1\n"}, ["overrides/sine-2d.toml", "seed", "greater than or equal to 0"]),
    ("", {"sine-2d": "[runs.nope]\nlr = 1\n"}, ["overrides/sine-2d.toml", "runs.nope", "sgd"]),
    ("", {"sine-2d": "[runs.sgd]\nlr = -1\n"}, ["overrides/sine-2d.toml", "runs.0.lr"]),
    ("", {"sine-2d": "seed = [\n"}, ["overrides/sine-2d.toml", "not valid TOML"]),
    ("", {"function-fit": "[data]\ntarget = \"__import__('os')\"\n"},
     ["overrides/function-fit.toml", "data.target", "not allowed"]),
    ("", {"image-fit-smiley": 'image = "missing.png"\n'}, ["image-fit-smiley.toml", "image", "missing.png"]),
    ("", {"sine2d": "seed = 1\n"}, ["overrides/sine2d.toml", "no experiment 'sine2d'", "sine-2d"]),
    ('title = "t"\ntheme = "blue"\n', {}, ["gdevo.toml", "theme", "'dark' or 'light'"]),
    ('title = "t"\nthem = "dark"\n', {}, ["gdevo.toml", "them", "Extra inputs"]),
    ('title = "t"\nchapters = ["functions", "nope"]\n', {}, ["gdevo.toml", "chapters", "unknown chapter 'nope'"]),
    ('title = "t"\nchapters = [1, "functions"]\n', {}, ["gdevo.toml", "listed twice"]),
    ('subtitle = "no title"\n', {}, ["gdevo.toml", "title", "Field required"]),
    ('title = "t"\nvoice = "robot"\n', {}, ["gdevo.toml", "voice", "espeak-ng"]),
])
def test_a_bad_key_or_value_is_one_line_naming_the_file_and_key_and_touches_nothing(
        tmp_path, capsys, gdevo_toml, overrides, needles):
    folder = make_project(tmp_path / "talk", gdevo_toml, **overrides)
    (folder / "renders").mkdir()
    (folder / "renders" / "explainer.mp4").write_bytes(b"an earlier render")
    before = snapshot(folder)
    capsys.readouterr()
    err = one_line_error(capsys, main(["sim", "sine-2d", "--project", str(folder)]))
    for needle in needles:
        assert needle in err
    assert snapshot(folder) == before
    assert not (tmp_path / "cache").exists(), "nothing may be simulated"
    assert "GDEVO_PROJECT" not in os.environ


def test_commands_find_the_project_from_inside_it_and_write_only_there(tmp_path):
    folder = make_project(tmp_path / "talk", **{"sine-2d": SMALL_SINE})
    repo_before = snapshot(ROOT / "configs", ROOT / "renders")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GDEVO_CACHE": str(tmp_path / "cache")}
    proc = subprocess.run([sys.executable, "-m", "gdevo", "report", "sine-2d"], cwd=folder / "overrides", env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (folder / "renders" / "report.md").is_file()
    assert not (tmp_path / "renders").exists()      # conftest's GDEVO_RENDERS: the project's folder wins
    traces = list((tmp_path / "cache").glob("sine-2d-*.npz"))
    assert len(traces) == 1
    from sim.trace import load_trace

    meta = load_trace(traces[0]).meta
    sgd = next(r for r in meta["config"]["runs"] if r["name"] == "sgd")
    assert sgd["steps"] == 4 and meta["config"]["landscape"]["resolution"] == 41
    assert snapshot(ROOT / "configs", ROOT / "renders") == repo_before


def test_the_projects_quality_is_the_default_and_a_flag_still_wins(tmp_path, monkeypatch):
    import gdevo.commands.render as render_cmd

    folder = make_project(tmp_path / "talk", 'title = "t"\nquality = "medium"\n')
    seen = []
    monkeypatch.setattr(render_cmd, "run", lambda args, settings: seen.append((args.quality, settings.quality)) or 0)
    assert main(["render", "loss", "--project", str(folder)]) == 0
    assert main(["render", "loss", "--project", str(folder), "--quality", "high"]) == 0
    assert main(["render", "loss"]) == 0
    assert seen == [("medium", "medium"), ("high", "high"), ("low", "low")]


def test_the_project_fills_the_settings_every_layer_gets(tmp_path):
    from gdevo.settings import Settings

    folder = make_project(tmp_path / "talk", 'title = "T"\nsubtitle = "S"\ntheme = "light"\nvoice = "recorded"\n'
                                             'voice_dir = "voice"\n')
    base = Settings(cache=tmp_path / "cache", voice="none", wpm="120")
    settings = load_project(folder).settings(base)
    assert (settings.project, settings.renders, settings.theme, settings.title, settings.subtitle) == (
        folder.resolve(), folder.resolve() / "renders", "light", "T", "S")
    assert (settings.voice, settings.voice_dir, settings.wpm) == ("recorded", folder.resolve() / "voice", "120")
    assert settings.cache == tmp_path / "cache"   # traces stay in the usual cache
    env = settings.to_env()   # what manim's subprocess gets
    assert {k: env[k] for k in ("GDEVO_PROJECT", "GDEVO_THEME", "GDEVO_TITLE", "GDEVO_SUBTITLE", "GDEVO_VOICE",
                                "GDEVO_VOICE_DIR")} == {
        "GDEVO_PROJECT": str(folder.resolve()), "GDEVO_THEME": "light", "GDEVO_TITLE": "T", "GDEVO_SUBTITLE": "S",
        "GDEVO_VOICE": "recorded", "GDEVO_VOICE_DIR": str(folder.resolve() / "voice")}
    scene = settings.scene()   # and reads back
    assert (scene.project, scene.theme, scene.title, scene.subtitle, scene.voice, scene.voice_dir) == (
        folder.resolve(), "light", "T", "S", "recorded", str(folder.resolve() / "voice"))


def test_title_card_shows_the_projects_title_inside_the_frame():
    from manim import Text, config

    from scenes.kit.settings import SceneSettings
    from scenes.title_card import TitleCard
    from tests.framecheck import render_last_frame

    title = "Evolution strategies against gradient descent, a very long title for a lecture on optimisers"

    class Held(TitleCard):
        settings = SceneSettings(title=title, subtitle="Ada Lovelace · Analytical Engine Society", voice="off")

        def construct(self):
            super().construct()
            self.add(self.card)

    scene, frame = render_last_frame(Held, width=427, height=240)
    texts = [m for m in scene.card.get_family() if isinstance(m, Text)]
    assert "".join(t.text for t in texts[:-1]) == title.replace(" ", "")   # manim's Text.text drops spaces
    for m in texts:
        assert abs(m.get_left()[0]) <= config.frame_width / 2 and abs(m.get_right()[0]) <= config.frame_width / 2
        assert abs(m.get_top()[1]) <= config.frame_height / 2 and abs(m.get_bottom()[1]) <= config.frame_height / 2
    assert (np.abs(frame[..., :3].astype(int) - frame[0, 0, :3]).sum(axis=-1) > 100).mean() > 0.01


def _clip(path: Path, seconds: float) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", f"testsrc=s=854x480:r=15:d={seconds}",
                    "-c:v", "libx264", "-pix_fmt", "yuv420p", str(path)], check=True)


@pytest.mark.slow
def test_the_explainer_opens_with_the_title_card_then_only_the_chosen_chapters(tmp_path, monkeypatch):
    """The title card is really rendered by manim (from gdevo.toml, through the environment); the chosen
    chapters are stood in for by short clips (their own renders are tested elsewhere)."""
    import gdevo.rendering.manim_run as runner
    from gdevo.rendering import stamps

    toml = 'title = "Learning, two ways"\nsubtitle = "a test"\nchapters = [3, "functions"]\n'
    folder = make_project(tmp_path / "talk", toml, **{"sine-2d": SMALL_SINE})
    real = runner.render_scene_once
    rendered = []

    def chapters_as_clips(job, fmt, settings, force=False, encoders=None):
        rendered.append(job.name)
        if job.name == "title-card":
            return real(job, fmt, settings, force, encoders)
        movie, slides = runner.movie_path(job, fmt, settings.renders), runner.slides_path(job, fmt, settings.renders)
        movie.parent.mkdir(parents=True, exist_ok=True)
        slides.parent.mkdir(parents=True, exist_ok=True)
        _clip(movie, 1.0)
        slides.write_text("{}")
        key = runner.render_key(job, fmt, settings)
        stamps.write(settings.renders, "render", f"{job.name}@{fmt.folder}", {"key": key})
        return runner.Rendered(job.name, fmt, key, movie, slides, 0.1, False)

    monkeypatch.setattr(runner, "render_scene_once", chapters_as_clips)
    repo_before = snapshot(ROOT / "configs", ROOT / "renders")
    assert main(["render", "explainer", "--project", str(folder), "--jobs", "2"]) == 0
    assert sorted(rendered) == ["functions", "loss", "title-card"]
    out = folder / "renders" / "explainer.mp4"
    info = json.loads(subprocess.run(["ffprobe", "-v", "error", "-print_format", "json", "-show_chapters",
                                      "-show_format", str(out)], capture_output=True, text=True, check=True).stdout)
    assert [c["tags"]["title"] for c in info["chapters"]] == [
        "Learning, two ways", "3. How wrong is the network? The loss", "1. A network approximates a function"]
    assert info["format"]["tags"]["title"] == "Learning, two ways"
    card = float(info["chapters"][0]["end_time"])
    assert 3.0 < card < 10.0 and float(info["format"]["duration"]) == pytest.approx(card + 2.0, abs=0.2)
    png = tmp_path / "card.png"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-ss", f"{card / 2:.2f}", "-i", str(out), "-frames:v", "1",
                    str(png)], check=True)
    from PIL import Image

    img = np.asarray(Image.open(png).convert("L")).astype(int)
    middle = img[160:320, 100:-100]
    assert (np.abs(middle - img[5, 5]) > 80).mean() > 0.01, "the title card shows no text"
    assert snapshot(ROOT / "configs", ROOT / "renders") == repo_before


def test_list_says_which_overrides_change_an_experiment_through_its_task(tmp_path, capsys):
    """strong-es takes sine-2d's task (sim/linked.py): a project's sine-2d override changes it too, and
    `gdevo list` says so instead of showing strong-es as untouched."""
    folder = make_project(tmp_path / "talk", **{"sine-2d": SMALL_SINE})
    capsys.readouterr()
    assert main(["list", "--project", str(folder)]) == 0
    line = next(ln for ln in capsys.readouterr().out.splitlines() if ln.strip().startswith("strong-es"))
    assert "takes sine-2d's task, changed by" in line and "sine-2d.toml" in line
    assert "function-fit" not in line.split("]")[0]

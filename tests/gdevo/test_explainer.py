"""The explainer join: chapter markers, titles, durations, thumbnail, skipping, bad input.

Parts are tiny synthetic clips (ffmpeg's lavfi testsrc) encoded like manim's low quality
output; one test runs the real `render_explainer` code path on two tiny real chapter renders.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from gdevo.rendering.chapters import Part, chapters_metadata, join_chapters
from sim.errors import GdevoError

ROOT = Path(__file__).resolve().parents[2]


def ffprobe(path: Path) -> dict:
    out = subprocess.run(["ffprobe", "-v", "error", "-print_format", "json", "-show_streams", "-show_format",
                          "-show_chapters", str(path)], capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def clip(path: Path, seconds: float, color: str | None = None, size: str = "160x90", fps: int = 15) -> Path:
    """A small H.264 clip: testsrc, or a solid COLOR (to find it again in the joined file)."""
    src = f"color=c={color}:s={size}:r={fps}:d={seconds}" if color else f"testsrc=s={size}:r={fps}:d={seconds}"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", src, "-c:v", "libx264", "-pix_fmt",
                    "yuv420p", str(path)], check=True)
    return path


def frame_at(path: Path, t: float) -> np.ndarray:
    png = path.with_suffix(f".{t:.2f}.png")
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-ss", f"{t}", "-i", str(path), "-frames:v", "1", str(png)],
                   check=True)
    return np.asarray(Image.open(png).convert("RGB")).astype(float)


@pytest.fixture
def parts(tmp_path):
    return [Part(clip(tmp_path / "one.mp4", 1.0, "red"), "1. Red = first"),
            Part(clip(tmp_path / "two.mp4", 2.0, "green"), "2. Green; second"),
            Part(clip(tmp_path / "three.mp4", 1.4, "blue"), "3. Blue #3")]


def test_join_has_one_chapter_per_part_with_titles_and_boundaries(parts, tmp_path):
    out, thumb = tmp_path / "out" / "explainer.mp4", tmp_path / "out" / "explainer.png"
    join_chapters(parts, out, "Colours", thumbnail=thumb)
    info = ffprobe(out)
    chapters = info["chapters"]
    assert [c["tags"]["title"] for c in chapters] == [p.title for p in parts]
    durations = [float(ffprobe(p.path)["format"]["duration"]) for p in parts]
    assert float(info["format"]["duration"]) == pytest.approx(sum(durations), abs=0.1)
    bounds = np.cumsum([0.0, *durations])
    for c, start, end in zip(chapters, bounds[:-1], bounds[1:], strict=True):
        assert float(c["start_time"]) == pytest.approx(start, abs=0.01)
        assert float(c["end_time"]) == pytest.approx(end, abs=0.01)
    # Streams were copied in order: the middle of each chapter shows that part's colour.
    for (start, end), rgb in zip(itertools.pairwise(bounds), ([255, 0, 0], [0, 128, 0], [0, 0, 255]), strict=True):
        px = frame_at(out, (start + end) / 2)[45, 80]
        assert np.linalg.norm(px - rgb) < 60, f"chapter at {start:.1f}s shows {px}, expected {rgb}"
    # The thumbnail is a frame of the first chapter (1 s before its end -> its first frame here).
    img = np.asarray(Image.open(thumb).convert("RGB")).astype(float)
    assert img.shape[:2] == (90, 160) and np.linalg.norm(img[45, 80] - [255, 0, 0]) < 60
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")], "temporary files left behind"


def test_each_part_starts_at_the_frames_before_it_not_at_their_rounded_duration(tmp_path):
    """16 frames at 15 fps last 1.0667 s; the MP4 says 1.067 s. The second part's first frame must be
    shown at 16/15 s (the sound and captions are cut there), as must its chapter mark."""
    parts = [Part(clip(tmp_path / "a.mp4", 16 / 15, "red"), "A"), Part(clip(tmp_path / "b.mp4", 1.0, "blue"), "B")]
    assert float(ffprobe(parts[0].path)["format"]["duration"]) != pytest.approx(16 / 15, abs=1e-4)
    out = join_chapters(parts, tmp_path / "out.mp4", "Exact")
    times = sorted(float(t) for t in subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts_time", "-of", "csv=p=0",
         str(out)], capture_output=True, text=True, check=True).stdout.split())
    assert len(times) == 31
    assert times[16] == pytest.approx(16 / 15, abs=1e-4)
    assert float(ffprobe(out)["chapters"][1]["start_time"]) == pytest.approx(16 / 15, abs=6e-4)


def test_mixed_sizes_are_re_encoded_to_the_first_parts_size(tmp_path):
    parts = [Part(clip(tmp_path / "a.mp4", 1.0), "A"), Part(clip(tmp_path / "b.mp4", 1.0, size="320x180", fps=30), "B")]
    out = tmp_path / "mixed.mp4"
    join_chapters(parts, out, "Mixed")
    info = ffprobe(out)
    video = next(s for s in info["streams"] if s["codec_type"] == "video")
    assert (video["width"], video["height"], video["r_frame_rate"]) == (160, 90, "15/1")
    assert [c["tags"]["title"] for c in info["chapters"]] == ["A", "B"]
    assert float(info["format"]["duration"]) == pytest.approx(2.0, abs=0.15)


def test_metadata_escapes_special_characters():
    text = chapters_metadata(["a=b; c#d\\e"], [1.5], "the film")
    assert "title=a\\=b\\; c\\#d\\\\e" in text and "START=0" in text and "END=1500" in text


def test_a_broken_part_is_one_clear_error_and_keeps_the_old_output(parts, tmp_path):
    out = tmp_path / "explainer.mp4"
    out.write_bytes(b"old")
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"not a video")
    with pytest.raises(GdevoError, match="cannot read video"):
        join_chapters([parts[0], Part(bad, "broken")], out, "Broken")
    assert out.read_bytes() == b"old"
    with pytest.raises(GdevoError, match="missing"):
        join_chapters([Part(tmp_path / "nope.mp4", "x")], out, "Missing")


def test_render_explainer_renders_in_parallel_joins_and_skips_what_is_unchanged(settings, monkeypatch):
    """The real render_explainer path (parallel batch, stamps, publishing, join, thumbnail); manim itself is
    replaced by tiny clips so this stays fast (manim's own path is tested by test_render.py / test_slides.py)."""
    import gdevo.rendering.chapters as render
    import gdevo.rendering.manim_run as runner
    from gdevo.rendering import stamps
    from scenes.storyboard import SceneEntry

    calls: list[str] = []
    lengths = {"tiny-a": (1.0, "red"), "tiny-b": (2.0, "blue")}

    def fake_render_scene_once(job, fmt, settings, force=False, encoders=None):
        calls.append(job.name)
        movie, slides = runner.movie_path(job, fmt, settings.renders), runner.slides_path(job, fmt, settings.renders)
        movie.parent.mkdir(parents=True, exist_ok=True)
        slides.parent.mkdir(parents=True, exist_ok=True)
        clip(movie, *lengths[job.name])
        slides.write_text("{}")
        key = runner.render_key(job, fmt, settings)
        stamps.write(settings.renders, "render", f"{job.name}@{fmt.folder}", {"key": key})
        return runner.Rendered(job.name, fmt, key, movie, slides, 0.1, False)

    monkeypatch.setattr(runner, "render_scene_once", fake_render_scene_once)
    entries = [SceneEntry("tiny-a", "tiny", "A", (), "First tiny", 1),
               SceneEntry("tiny-b", "tiny", "B", (), "Second tiny", 2)]
    out = render.render_explainer(settings, entries=entries, jobs=2, quiet=True)
    assert sorted(calls) == ["tiny-a", "tiny-b"]
    info = ffprobe(out)
    assert [c["tags"]["title"] for c in info["chapters"]] == ["1. First tiny", "2. Second tiny"]
    assert info["format"]["tags"]["title"] == settings.full_title   # the film's one title
    assert float(info["format"]["duration"]) == pytest.approx(3.0, abs=0.1)
    assert float(info["chapters"][1]["start_time"]) == pytest.approx(1.0, abs=0.02)
    assert (out.parent / "explainer.png").is_file()
    assert float(ffprobe(out.parent / "tiny-b.mp4")["format"]["duration"]) == pytest.approx(2.0, abs=0.1)

    # Nothing changed: no chapter is rendered and neither the chapter copies nor the join are rewritten.
    mtimes = {p.name: p.stat().st_mtime_ns for p in out.parent.glob("*.mp4")}
    render.render_explainer(settings, entries=entries, jobs=2, quiet=True)
    assert len(calls) == 2 and {p.name: p.stat().st_mtime_ns for p in out.parent.glob("*.mp4")} == mtimes

    # One chapter's inputs change: only it is rendered again, and the explainer is re-joined.
    real_key = runner.render_key
    monkeypatch.setattr(runner, "render_key",
                        lambda job, *a, **k: real_key(job, *a, **k) + ("x" if job.name == "tiny-b" else ""))
    lengths["tiny-b"] = (1.4, "blue")
    render.render_explainer(settings, entries=entries, jobs=2, quiet=True)
    assert calls[2:] == ["tiny-b"]
    assert float(ffprobe(out)["format"]["duration"]) == pytest.approx(2.4, abs=0.1)
    assert out.parent.joinpath("tiny-a.mp4").stat().st_mtime_ns == mtimes["tiny-a.mp4"]


def test_cli_bad_jobs_is_one_line_exit_2(tmp_path):
    env = {**os.environ, "GDEVO_RENDERS": str(tmp_path / "r"), "GDEVO_CACHE": str(tmp_path / "c")}
    proc = subprocess.run([sys.executable, "-m", "gdevo", "render", "explainer", "--jobs", "0"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "--jobs" in proc.stderr and "Traceback" not in proc.stderr


def test_a_chapter_depends_on_its_own_module_and_the_kit_it_imports_not_on_other_chapters():
    from gdevo.rendering.manim_run import scene_sources

    names = {p.relative_to(ROOT).as_posix() for p in scene_sources("ch04_landscape")}
    assert {"scenes/ch04_landscape.py", "scenes/kit/threed.py", "scenes/kit/base.py", "scenes/kit/colorbar.py",
            "scenes/kit/landscape.py"} <= names
    assert not any(n.startswith("scenes/ch0") and n != "scenes/ch04_landscape.py" for n in names)
    assert "scenes/kit/threed.py" not in {p.relative_to(ROOT).as_posix() for p in scene_sources("ch01_functions")}


def test_render_all_bad_jobs_is_one_line_exit_2_before_anything_runs(capsys):
    from gdevo.cli import main

    assert main(["render", "all", "--jobs", "0"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "--jobs" in err and "Traceback" not in err

"""gdevo gif: real ffmpeg GIFs, read back with Pillow (frames, delays, loop, size budget), and bad requests."""

from __future__ import annotations

import os
import subprocess

import numpy as np
import pytest
from PIL import Image

from gdevo.cli import main
from gdevo.media.ffmpeg_io import video_info
from gdevo.outputs.export import _encode_gif, _ladder, make_gif
from tests.gdevo.deck_fixture import render_tiny_mp4


@pytest.fixture(scope="module")
def tiny_mp4(tmp_path_factory):
    return render_tiny_mp4(tmp_path_factory.mktemp("tiny-media"))


@pytest.fixture(scope="module")
def noisy_mp4(tmp_path_factory):
    """Random noise compresses badly: a GIF of it must shrink to meet a small budget."""
    out = tmp_path_factory.mktemp("noise") / "noise.mp4"
    noise = "nullsrc=s=480x270:r=15:d=2,geq=random(1)*255:128:128"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", noise, "-pix_fmt", "yuv420p", str(out)], check=True)
    return out


def gif_facts(path):
    with Image.open(path) as im:
        durations = []
        for i in range(im.n_frames):
            im.seek(i)
            durations.append(im.info["duration"])
        return im.n_frames, durations, im.info.get("loop"), im.size


@pytest.mark.parametrize("fps, start, end", [(10, 0.2, 1.2), (15, 0.0, 1.0), (20, 0.4, 1.4)])
def test_gif_has_the_requested_frames_delays_and_loops_forever(tiny_mp4, tmp_path, fps, start, end):
    dst = tmp_path / "out.gif"
    result = make_gif(tiny_mp4, dst, start=start, end=end, width=240, fps=fps, max_mb=1)
    frames, durations, loop, size = gif_facts(dst)
    assert frames == result.frames == round((end - start) * fps)
    assert loop == 0
    assert size == (240, 135) and (result.width, result.height) == size
    # GIF delays are centiseconds: 1/15 s is written as 7, 6, 7 cs…; the total is exact to one centisecond.
    assert all(abs(d - 1000 / fps) < 10 for d in durations)
    assert abs(sum(durations) - 1000 * frames / fps) <= 10
    assert dst.stat().st_size == result.size <= 1_000_000
    umask = os.umask(0)
    os.umask(umask)
    assert dst.stat().st_mode & 0o777 == 0o666 & ~umask   # an ordinary file, not mkstemp's owner-only


def test_gif_window_matches_the_source_frames(tiny_mp4, tmp_path):
    """The first GIF frame is the source frame at --start (circle still blue), the last the square (orange)."""
    dst = tmp_path / "w.gif"
    make_gif(tiny_mp4, dst, start=0.4, end=1.4, width=320, fps=15, max_mb=1)
    with Image.open(dst) as im:
        first = np.asarray(im.convert("RGB"), dtype=float)
        im.seek(im.n_frames - 1)
        last = np.asarray(im.convert("RGB"), dtype=float)
    # TinyDeck: a blue circle (beat 1, t<0.4 s) turns into an orange square (0.4–0.8 s).
    def orange(a):
        return ((a[..., 0] > 180) & (a[..., 1] > 80) & (a[..., 1] < 200) & (a[..., 2] < 90)).sum()
    assert orange(first) < 20 < orange(last)


def test_gif_too_big_lowers_colours_fps_width_until_it_fits(noisy_mp4, tmp_path):
    dst = tmp_path / "noise.gif"
    result = make_gif(noisy_mp4, dst, width=480, fps=15, max_mb=0.4)
    assert dst.stat().st_size <= 400_000
    assert len(result.tried) > 1 and (result.width, result.fps, result.colors) != (480, 15, 256)
    frames, durations, loop, size = gif_facts(dst)
    assert frames == result.frames == round(2 * result.fps) and size[0] == result.width and loop == 0
    assert abs(sum(durations) - 1000 * frames / result.fps) <= 10


def test_gif_is_the_first_rung_that_fits_and_a_rung_ten_times_over_is_never_encoded(noisy_mp4, tmp_path):
    """Every rung encoded, in the ladder's order, finds the one a GIF should get; make_gif gets the same
    one from a cheap narrow probe without encoding the full-width GIF (here ~10x the limit)."""
    limit = 400_000
    ladder = _ladder(15, 480)
    sizes = []
    for f, w, c in ladder:
        _encode_gif(noisy_mp4, tmp_path / "rung.gif", 0.0, 2.0, w, f, c)
        sizes.append((tmp_path / "rung.gif").stat().st_size)
    assert sizes[0] > 5 * limit
    first = next(rung for rung, n in zip(ladder, sizes, strict=True) if n <= limit)
    result = make_gif(noisy_mp4, tmp_path / "noise.gif", width=480, fps=15, max_mb=limit / 1e6)
    assert (result.fps, result.width, result.colors) == first
    assert result.size == sizes[ladder.index(first)] == (tmp_path / "noise.gif").stat().st_size
    assert not [t for t in result.tried if t.startswith("480px/15fps/")], result.tried
    assert len(result.tried) <= 3, result.tried


def test_gif_that_cannot_fit_is_one_clear_error_and_writes_nothing(noisy_mp4, tmp_path):
    from sim.errors import GdevoError

    dst = tmp_path / "never.gif"
    with pytest.raises(GdevoError, match="cannot fit"):
        make_gif(noisy_mp4, dst, width=480, fps=15, max_mb=0.001)
    assert list(tmp_path.iterdir()) == []


def run_cli(capsys, *argv):
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_gif_cuts_the_scene_render(tiny_mp4, isolated_outputs, monkeypatch, capsys):
    import gdevo.outputs.export

    monkeypatch.setattr(gdevo.outputs.export, "rendered_video", lambda entry, width, device=None, quiet=False: tiny_mp4)
    code, out, _ = run_cli(capsys, "gif", "landscape", "--width", "200", "--fps", "10", "--end", "1")
    gif = isolated_outputs / "renders" / "landscape.gif"
    assert code == 0 and "10 fps" in out and "200×" in out
    frames, durations, loop, size = gif_facts(gif)
    assert (frames, set(durations), loop, size[0]) == (10, {100}, 0, 200)


def test_cli_lists_presets_and_marks_missing_scenes_unavailable(capsys, without_scenes):
    without_scenes("race")  # chapter 11 stands in for any scene not written yet
    code, out, _ = run_cli(capsys, "gif", "--list")
    assert code == 0
    lines = {ln.split()[0]: ln for ln in out.splitlines()[1:]}
    assert "scene landscape" in lines["mutation-cloud"]
    assert "unavailable" in lines["image-race"] and "'race' (chapter 11)" in lines["image-race"]


@pytest.mark.parametrize("argv, needle", [
    (["gif", "nope"], "unknown scene or preset 'nope'"),
    (["gif", "landscape", "--max-mb", "0"], "--max-mb must be a size > 0"),
    (["gif", "landscape", "--max-mb", "nan"], "--max-mb must be a size > 0"),
    (["gif", "landscape", "--start", "5", "--end", "3"], "--start 5 s must be before --end 3 s"),
    (["gif", "landscape", "--start", "-1"], "--start must be ≥ 0"),
    (["gif", "landscape", "--fps", "0"], "--fps must be between"),
    (["gif", "landscape", "--width", "20"], "--width must be at least"),
    (["gif", "landscape", "--width", "9000"], "wider than the largest render"),
    (["gif", "image-race"], "needs scene 'race' (chapter 11), which does not exist yet"),
    (["gif", "race"], "scene 'race' does not exist yet"),
    (["gif", "landscape", "--fps", "ten"], "invalid int value"),
    (["gif"], "name a preset or scene"),
])
def test_bad_gif_requests_are_one_line_exit_2_and_keep_existing_files(argv, needle, isolated_outputs, monkeypatch,
                                                                      capsys, without_scenes):
    without_scenes("race")  # chapter 11 stands in for any scene not written yet
    import gdevo.outputs.export

    def no_render(*a, **k):
        raise AssertionError("a bad request must be rejected before rendering")

    monkeypatch.setattr(gdevo.outputs.export, "rendered_video", no_render)
    renders = isolated_outputs / "renders"
    renders.mkdir()
    kept = {renders / "landscape.gif": b"GIF89a old", renders / "landscape.mp4": b"old video"}
    for path, data in kept.items():
        path.write_bytes(data)
    code, _, err = run_cli(capsys, *argv)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and needle in err and "Traceback" not in err
    assert all(p.read_bytes() == data for p, data in kept.items())
    assert sorted(p.name for p in renders.iterdir()) == ["landscape.gif", "landscape.mp4"]


def test_start_past_the_end_of_the_render_is_one_line(tiny_mp4, isolated_outputs, monkeypatch, capsys):
    import gdevo.outputs.export

    monkeypatch.setattr(gdevo.outputs.export, "rendered_video", lambda *a, **k: tiny_mp4)
    duration = video_info(tiny_mp4).duration
    code, _, err = run_cli(capsys, "gif", "landscape", "--start", "30")
    assert code == 2 and f"past the end of tiny.mp4 ({duration:.2f} s long)" in err
    assert not (isolated_outputs / "renders" / "landscape.gif").exists()

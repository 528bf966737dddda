"""gdevo still: the PNG is exactly the render's frame at --at (or its last frame); bad requests keep files."""

from __future__ import annotations

import av
import numpy as np
import pytest
from PIL import Image

from gdevo.cli import main
from gdevo.outputs.export import make_still
from tests.gdevo.deck_fixture import render_tiny_mp4


@pytest.fixture(scope="module")
def tiny_mp4(tmp_path_factory):
    return render_tiny_mp4(tmp_path_factory.mktemp("tiny-media"))


def decoded_frames(path):
    with av.open(str(path)) as container:
        return [(float(f.time), f.to_ndarray(format="rgb24")) for f in container.decode(video=0)]


def png(path):
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"))


def test_default_still_is_the_last_frame(tiny_mp4, tmp_path):
    frames = decoded_frames(tiny_mp4)
    make_still(tiny_mp4, tmp_path / "s.png")
    got = png(tmp_path / "s.png")
    assert got.shape == frames[-1][1].shape == (180, 320, 3)
    diffs = [np.abs(got.astype(int) - f.astype(int)).mean() for _, f in frames]
    assert int(np.argmin(diffs)) == len(frames) - 1 and diffs[-1] < 1.0


@pytest.mark.parametrize("at", [0.0, 0.6, 1.0])
def test_still_at_is_the_frame_at_that_time(tiny_mp4, tmp_path, at):
    frames = decoded_frames(tiny_mp4)
    t_used = make_still(tiny_mp4, tmp_path / "s.png", at)
    got = png(tmp_path / "s.png").astype(int)
    expected = min(range(len(frames)), key=lambda i: abs(frames[i][0] - at))
    diffs = [np.abs(got - f.astype(int)).mean() for _, f in frames]
    assert t_used == at and diffs[expected] < 1.0
    assert diffs[expected] == min(diffs)


def run_cli(capsys, *argv):
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_still_of_a_preset_uses_its_key_moment(tiny_mp4, isolated_outputs, monkeypatch, capsys):
    import gdevo.outputs.export

    monkeypatch.setattr(gdevo.outputs.export, "rendered_video", lambda *a, **k: tiny_mp4)
    code, out, _ = run_cli(capsys, "still", "landscape", "--at", "0.4")
    assert code == 0 and "frame at 0.40 s" in out
    assert png(isolated_outputs / "renders" / "landscape.png").shape == (180, 320, 3)
    # The preset's key moment is 4.4 s after the scene's 2nd beat (tiny.beats.json: 0.8 s), past the 1.4 s video.
    code, out, err = run_cli(capsys, "still", "mutation-cloud")
    assert code == 2 and "--at 5.2 s is past the end" in err


@pytest.mark.parametrize("argv, needle", [
    (["still", "nope"], "unknown scene or preset 'nope'"),
    (["still", "landscape", "--at", "-1"], "--at must be ≥ 0"),
    (["still", "landscape", "--at", "99"], "--at 99 s is past the end of tiny.mp4"),
    (["still", "image-race"], "which does not exist yet"),
])
def test_bad_still_requests_are_one_line_exit_2_and_keep_existing_files(argv, needle, tiny_mp4, isolated_outputs,
                                                                        monkeypatch, capsys, without_scenes):
    without_scenes("race")  # chapter 11 stands in for any scene not written yet
    import gdevo.outputs.export

    monkeypatch.setattr(gdevo.outputs.export, "rendered_video", lambda *a, **k: tiny_mp4)
    renders = isolated_outputs / "renders"
    renders.mkdir()
    (renders / "landscape.png").write_bytes(b"old png")
    code, _, err = run_cli(capsys, *argv)
    assert code == 2 and len(err.strip().splitlines()) == 1 and needle in err and "Traceback" not in err
    assert (renders / "landscape.png").read_bytes() == b"old png"
    assert [p.name for p in renders.iterdir()] == ["landscape.png"]


def test_preset_moments_are_placed_from_the_scene_beats(tiny_mp4, tmp_path):
    """TinyDeck's beats end at 0.4 s and 0.8 s (its run_times): narration holds would move them, the preset follows."""
    from gdevo.outputs.export import AfterBeat, seconds
    from sim.errors import GdevoError

    assert seconds(AfterBeat(2, 0.1), tiny_mp4) == pytest.approx(0.9, abs=1e-6)
    assert seconds(AfterBeat(1), tiny_mp4) == pytest.approx(0.4, abs=1e-6)
    assert seconds(1.25, tiny_mp4) == 1.25 and seconds(None, tiny_mp4) is None
    with pytest.raises(GdevoError, match="no such beat"):
        seconds(AfterBeat(9), tiny_mp4)
    lone = tmp_path / "lone.mp4"
    lone.write_bytes(tiny_mp4.read_bytes())
    with pytest.raises(GdevoError, match=r"lone\.beats\.json"):
        seconds(AfterBeat(1), lone)

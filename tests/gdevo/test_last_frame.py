"""gdevo/media/last_frame.py: a video's last frame read from its last keyframe is the frame
manim-slides' own reader (every frame decoded) gives, for videos of one and of many keyframes."""

from __future__ import annotations

import subprocess
from pathlib import Path

import av
import numpy as np
import pytest
from manim_slides import convert
from manim_slides.convert import FrameIndex, read_image_from_video_file

from gdevo.media.last_frame import fast_last_frames, last_frame


def _video(path: Path, seconds: float, keyint: int, bframes: int = 3) -> Path:
    """A moving test pattern in H.264 as manim's partial movies are (yuv420p, B-frames)."""
    src = f"testsrc2=s=320x180:r=15:d={seconds},drawtext=text='%{{n}}':fontsize=40:x=10:y=10"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", src, "-c:v", "libx264", "-preset", "veryfast",
                    "-g", str(keyint), "-bf", str(bframes), "-pix_fmt", "yuv420p", str(path)], check=True)
    return path


def _keyframes(path: Path) -> int:
    with av.open(str(path)) as c:
        return sum(1 for p in c.demux(video=0) if p.is_keyframe)


@pytest.mark.parametrize("seconds, keyint, bframes", [(4.0, 250, 3), (7.0, 12, 3), (3.0, 7, 0), (0.2, 250, 3)])
def test_the_last_frame_from_the_last_keyframe_is_manim_slides_last_frame(tmp_path, seconds, keyint, bframes):
    video = _video(tmp_path / "v.mp4", seconds, keyint, bframes)
    if keyint < 250:
        assert _keyframes(video) > 3
    ours, theirs = last_frame(video), read_image_from_video_file(video, FrameIndex.last)
    assert ours.size == theirs.size and ours.mode == theirs.mode
    assert np.array_equal(np.asarray(ours), np.asarray(theirs))
    first = read_image_from_video_file(video, FrameIndex.first)
    assert not np.array_equal(np.asarray(ours), np.asarray(first))   # the pattern moves: not the first frame


def test_inside_the_block_only_last_frames_are_read_so(tmp_path, monkeypatch):
    video = _video(tmp_path / "v.mp4", 2.0, 10)
    calls = []
    monkeypatch.setattr("gdevo.media.last_frame.last_frame", lambda f: calls.append(f) or "ours")
    original = convert.read_image_from_video_file
    with fast_last_frames():
        assert convert.read_image_from_video_file(video, FrameIndex.last) == "ours"
        assert convert.read_image_from_video_file(video, "last") == "ours"   # PDF keeps the enum's value
        assert np.array_equal(np.asarray(convert.read_image_from_video_file(video, FrameIndex.first)),
                              np.asarray(original(video, FrameIndex.first)))
    assert convert.read_image_from_video_file is original and len(calls) == 2

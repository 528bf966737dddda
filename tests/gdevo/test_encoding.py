"""gdevo/rendering/encoding.py: a hold converted once decodes to what manim's per-frame encoder wrote,
frame for frame; a render through the Slide variant uses the quality's x264 preset."""

from __future__ import annotations

import subprocess
from fractions import Fraction
from pathlib import Path

import numpy as np

W, H = 64, 48


def _frames(seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(3):
        f = rng.integers(0, 256, (H, W, 4), dtype=np.uint8)
        f[..., 3] = 255
        out.append(f)
    return out


def _encode(path: Path, writes: list[tuple[np.ndarray, int]], held: bool) -> None:
    """Write (frame, count) pairs as manim 0.21's encoder does (held=False) or with encode_held."""
    import av

    from gdevo.rendering.encoding import encode_held

    container = av.open(str(path), mode="w")
    # Lossless x264 (qp 0): the decoded frames are exactly the YUV frames handed to the encoder, so the
    # hold's one conversion is compared and not x264's lossy choices. At crf 23 on one thread, a hold's
    # first frame still differed in the bottom chroma rows twice in loaded full-suite runs (f6a5b57,
    # 21754fb's fresh clone), never in 300 loaded reruns of this test alone.
    stream = container.add_stream("libx264", rate=Fraction(15), options={"an": "1", "qp": "0", "threads": "1"})
    stream.pix_fmt, stream.width, stream.height = "yuv420p", W, H
    for frame, count in writes:
        if held:
            encode_held(stream, container, frame, count)
        else:
            for _ in range(count):   # manim's _PartialMovieEncodeJob._encode_and_write_frame
                for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgba")):
                    container.mux(packet)
    for packet in stream.encode():
        container.mux(packet)
    container.close()


def _decode(path: Path) -> tuple[list[np.ndarray], list[int]]:
    import av

    with av.open(str(path)) as c:
        frames = list(c.decode(video=0))
    return [f.to_ndarray(format="yuv420p") for f in frames], [f.pts for f in frames]


def test_a_hold_converted_once_decodes_to_manims_frames_with_the_same_count_and_times(tmp_path):
    a, b, c = _frames(0)
    writes = [(a, 1), (b, 7), (c, 1), (a, 5)]   # a moving frame, a hold, a moving frame, a hold
    _encode(tmp_path / "manim.mp4", writes, held=False)
    _encode(tmp_path / "held.mp4", writes, held=True)
    ref, ref_pts = _decode(tmp_path / "manim.mp4")
    got, got_pts = _decode(tmp_path / "held.mp4")
    assert len(got) == len(ref) == 14
    assert got_pts == ref_pts and len(set(got_pts)) == 14   # one timestamp per frame, none repeated
    for i, (x, y) in enumerate(zip(ref, got, strict=True)):
        assert np.array_equal(x, y), f"frame {i} differs"
    # every frame of a hold decodes to the same picture as its first frame
    for i in range(2, 8):
        assert np.abs(got[i].astype(int) - got[1].astype(int)).max() <= 2


def test_a_render_uses_the_qualitys_preset_and_keeps_its_frames(settings, tmp_path):
    from dataclasses import replace

    from gdevo.rendering.manim_run import PRESETS, Format, SceneJob, render_scene_once

    run = replace(settings, renders=tmp_path / "renders")
    fmt = Format("low", (160, 90))
    rendered = render_scene_once(SceneJob("tiny", "tests.gdevo.deck_fixture", "TinyDeck"), fmt, run, force=True)
    sei = rendered.movie.read_bytes()
    # x264 writes its options into the stream; the presets differ in subme (veryfast 2, medium 7)
    subme = {"ultrafast": 0, "superfast": 1, "veryfast": 2, "faster": 4, "fast": 6, "medium": 7}
    assert f" subme={subme[PRESETS['low']]} ".encode() in sei
    frames = subprocess.run(["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v",
                             "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", str(rendered.movie)],
                            capture_output=True, text=True, check=True).stdout.strip()
    assert int(frames) == 21   # (0.4 s × 3 + a 0.2 s wait) × 15 fps, as manim alone writes it


def test_manims_movie_carries_the_mixed_narration_losslessly(tmp_path):
    """The narration manim mixes goes into its movie as ALAC (gdevo encodes the chapter's AAC once,
    in gdevo.media.audio): the track decodes to manim's own mixed WAV, sample for sample."""
    import shutil

    import av
    import pytest

    from tests.gdevo.voice_fixture import render_tiny

    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng not installed")
    movie = render_tiny("TinyA", tmp_path / "media", "espeak-ng", env={"GDEVO_VOICE_CACHE": str(tmp_path / "vc")})

    def samples(path: Path, container_stream: str) -> np.ndarray:
        with av.open(str(path)) as c:
            assert c.streams.audio[0].codec_context.name == container_stream
            return np.concatenate([f.to_ndarray().reshape(-1) for f in c.decode(audio=0)])

    got, wav = samples(movie, "alac"), samples(movie.with_suffix(".wav"), "pcm_s16le")
    assert len(wav) > 22050 and np.abs(wav).max() > 1000   # a line was said
    assert np.array_equal(got, wav)

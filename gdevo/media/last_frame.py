"""A slide's picture for the PDF deck: the last frame of its video, decoded from its last keyframe.

manim-slides' PDF converter (`read_image_from_video_file`, FrameIndex.last) decodes every frame of
a slide's video to keep the last one: the whole deck decoded again, 72 videos, 3–4 s of the deck's
~20 s. Seeking to the last keyframe and decoding from there gives the same frame (a keyframe of
these H.264 files starts a closed group of pictures, so nothing after it refers back before it)
while decoding one group instead of the whole video; tests/gdevo/test_last_frame.py compares the
two on videos of one and of many groups. Any other request goes to manim-slides' own function.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import av
from PIL import Image


def last_frame(file: Path) -> Image.Image:
    """The video's last frame, as manim-slides reads it (RGB PIL image)."""
    with av.open(str(file)) as container:
        stream = container.streams.video[0]
        if stream.duration is not None and stream.duration > 0:
            container.seek((stream.start_time or 0) + stream.duration, stream=stream, backward=True, any_frame=False)
        frame = deque(container.decode(stream), 1)
        if not frame:   # the seek passed the end: read it all, as manim-slides would
            container.seek(0)
            frame = deque(container.decode(stream), 1)
        return frame[0].to_image()


@contextmanager
def fast_last_frames() -> Iterator[None]:
    """manim-slides' converters read a slide's last frame with `last_frame` while inside."""
    import manim_slides.convert as convert

    original = convert.read_image_from_video_file

    def read(file: Path, frame_index: Any) -> Image.Image:
        if frame_index == convert.FrameIndex.last:
            return last_frame(file)
        return original(file, frame_index)

    convert.read_image_from_video_file = read
    try:
        yield
    finally:
        convert.read_image_from_video_file = original

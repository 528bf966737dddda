"""How manim encodes its partial movies, adjusted inside manim's own process (slide_scene.py calls
`install` there, so every render gdevo starts gets it; scenes/ stay free of it).

- Holds: a frozen stretch (a Wait, a beat's hold: Scene.play_internal -> freeze_current_frame ->
  add_frame(frame, num_frames=N)) reaches manim 0.21's encoder as one RGBA frame and a count, and
  the encoder converts that same frame to YUV N times. Here it is converted once and the one YUV
  frame is handed to x264 N times (its timestamp cleared each time, so PyAV numbers it as manim
  would): the same frames, the same count, the same decoded bytes (tests/gdevo/test_encoding.py).
- Preset: manim 0.21 has no setting for x264's options (crf 23, x264's default preset `medium`).
  GDEVO_X264_PRESET, set by gdevo.rendering.manim_run per quality (PRESETS there, with the
  measurements), picks x264's preset for the partial movies; crf stays 23. `manim` leaves manim's
  encoder as it is (the baseline `gdevo bench --render --presets manim,...` compares against).
- Sound: the narration manim mixes goes into its movie losslessly (ALAC), since gdevo encodes the
  chapter's AAC itself afterwards (`lossless_narration`).
"""

from __future__ import annotations

import os

PRESET_ENV = "GDEVO_X264_PRESET"


def encode_held(stream, container, frame, num_frames: int) -> None:
    """Encode the RGBA array FRAME NUM_FRAMES times into STREAM, converting it to the stream's
    pixel format once (what PyAV would do per frame, with the same reformatter defaults)."""
    import av

    ctx = stream.codec_context
    converted = av.VideoFrame.from_ndarray(frame, format="rgba")
    if num_frames > 1:
        converted = converted.reformat(ctx.width, ctx.height, ctx.format, threads=ctx.thread_count)
    for _ in range(num_frames):
        converted.pts = None   # PyAV stamps a frame without pts with the encoder's frame number
        for packet in stream.encode(converted):
            container.mux(packet)


def lossless_narration(convert):
    """manim's `convert_audio` (CONVERT), except that a movie's narration (codec "aac", an .mp4) is
    written as ALAC in an MP4 container under the name manim gives. The movie manim writes is not the
    chapter: gdevo.media.audio.finish_chapter decodes its sound, sets its loudness and encodes the
    chapter's one AAC track. manim's own AAC was a first lossy generation before that one and took
    ~1.3 s of CPU for 90 s of narration (ALAC ~0.2 s)."""

    def convert_audio(input_path, output_path, codec_name: str) -> None:
        import av

        with av.open(str(input_path)) as source:
            heard = source.streams.audio[0].codec_context
            layout = {1: "mono", 2: "stereo"}.get(heard.channels)   # pydub's WAV says "1 channels": no encoder opens it
            if codec_name == "aac" and layout is not None:
                with av.open(str(output_path), "w", format="mp4") as target:
                    stream = target.add_stream("alac", rate=heard.sample_rate, layout=layout)
                    stream.format = "s16p" if heard.format.bytes <= 2 else "s32p"   # the samples as they are
                    for frame in source.decode(audio=0):
                        for packet in stream.encode(frame):
                            target.mux(packet)
                    for packet in stream.encode():
                        target.mux(packet)
                return None
        return convert(input_path, output_path, codec_name)

    convert_audio._gdevo_lossless = True
    return convert_audio


def install() -> None:
    """Patch manim's partial-movie encoder (holds converted once; the preset from the environment)
    and its movie's sound (lossless, `lossless_narration`)."""
    from manim.scene import scene_file_writer as sfw

    if not getattr(sfw.convert_audio, "_gdevo_lossless", False):
        sfw.convert_audio = lossless_narration(sfw.convert_audio)
    preset = os.environ.get(PRESET_ENV)
    if preset == "manim":
        return
    job_cls = sfw._PartialMovieEncodeJob
    if getattr(job_cls, "_gdevo_holds", False):
        return

    def _encode_and_write_frame(self, frame, num_frames: int) -> None:
        encode_held(self.stream, self.container, frame, num_frames)

    job_cls._encode_and_write_frame = _encode_and_write_frame
    job_cls._gdevo_holds = True
    if not preset:
        return
    opened = sfw.SceneFileWriter.open_partial_movie_stream

    def open_partial_movie_stream(self, file_path=None) -> None:
        opened(self, file_path)
        job = self._current_encode_job
        if job is not None and job.stream.codec_context.name == "libx264":
            ctx = job.stream.codec_context
            ctx.options = {**(ctx.options or {}), "preset": preset}   # read when the codec opens (first frame)

    sfw.SceneFileWriter.open_partial_movie_stream = open_partial_movie_stream

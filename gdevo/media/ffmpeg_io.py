"""ffmpeg, driven one way: graphs built with ffmpeg-python (or, for the narration's filter_complex
chains, argument lists) run by `run_args` (or `decode`, to a pipe), files read by `video_info` (one
ffprobe call) or `probe`.

Every command that cuts, joins or inspects a video goes through here, so an ffmpeg failure
is always one line (what was being done, ffmpeg's last stderr line) and a missing ffmpeg is
reported as such instead of a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from sim.errors import GdevoError


def _tail(exc: Exception) -> str:
    text = (getattr(exc, "stderr", b"") or b"").decode(errors="replace").strip().splitlines()
    return text[-1].strip() if text else str(exc)


def _run(args: list[str], what: str) -> tuple[bytes, str]:
    """Run ffmpeg with ARGS (no leading 'ffmpeg'), overwriting, quiet; return its stdout and stderr.
    The one place that starts ffmpeg: a failure is one GdevoError line."""
    import subprocess

    cmd = ["ffmpeg", "-hide_banner", "-nostdin", "-y", *args]
    try:
        proc = subprocess.run(cmd, capture_output=True)
    except FileNotFoundError:
        raise GdevoError(f"ffmpeg is not installed (needed for {what}); run scripts/setup.sh") from None
    err = proc.stderr.decode(errors="replace")
    if proc.returncode != 0:
        tail = [ln.strip() for ln in err.splitlines() if ln.strip()][-1:] or ["(no output)"]
        raise GdevoError(f"ffmpeg failed {what}: {tail[0]}")
    return proc.stdout, err


def run_args(args: list[str], what: str) -> str:
    """Run ffmpeg with ARGS; return its stderr (ebur128 reports there)."""
    return _run(args, what)[1]


def decode(args: list[str], what: str) -> bytes:
    """Run ffmpeg with ARGS writing raw output to its stdout ('-' is added); return those bytes."""
    return _run(["-v", "error", *args, "-"], what)[0]


def run_ffmpeg(node, what: str) -> str:
    """Run an ffmpeg-python output node through `run_args`; returns ffmpeg's stderr."""
    return run_args(node.get_args(), what)


def probe(path: Path, **options) -> dict:
    """ffprobe's JSON for PATH: format and streams, and whatever OPTIONS ask for (ffmpeg-python's
    keywords: `count_packets=None`, `show_chapters=None`, `show_entries="packet=pts_time"`); an
    unreadable file is one GdevoError line."""
    import ffmpeg

    try:
        return ffmpeg.probe(str(path), **options)
    except FileNotFoundError:
        raise GdevoError("ffprobe is not installed; run scripts/setup.sh") from None
    except ffmpeg.Error as exc:
        raise GdevoError(f"cannot read video {path}: {_tail(exc)}") from None


@dataclass(frozen=True)
class VideoInfo:
    """What the pipeline needs to know about a video file (its first video stream), read by one ffprobe.

    Three lengths, each for what needs it: `length` (counted frames / frame rate, exact: the narration is
    cut to it), `duration` (the stream's, else the container's: export windows) and `container_duration`
    (the container's, as players show it: chapter marks)."""

    path: Path
    width: int
    height: int
    rate: Fraction           # the exact frame rate (0 when ffprobe has none)
    frames: int              # packets counted by ffprobe
    duration: float          # seconds: the stream's, else the container's
    container_duration: float
    start: float             # the video stream's start time (a stream-copied join can shift it)
    has_audio: bool
    signature: tuple         # equal for parts that can be joined by stream copy

    @property
    def fps(self) -> float:
        return float(self.rate)

    @property
    def length(self) -> float:
        """Exact video length in seconds: counted frames at the frame rate."""
        return float(self.frames / self.rate) if self.rate else 0.0

    @classmethod
    def of(cls, info: dict, path: Path) -> VideoInfo:
        streams = info.get("streams", [])
        video = next((s for s in streams if s.get("codec_type") == "video"), None)
        if video is None:
            raise GdevoError(f"{path} has no video stream")
        num, den = (int(x) for x in video.get("r_frame_rate", "0/1").split("/"))
        rate = Fraction(num, den) if den else Fraction(0)
        container = float(info.get("format", {}).get("duration") or 0.0)
        duration = float(video.get("duration") or container)
        frames = int(video.get("nb_read_packets") or video.get("nb_frames") or 0)
        audio = tuple(sorted((s.get("codec_name"), s.get("sample_rate"), s.get("channels"))
                             for s in streams if s.get("codec_type") == "audio"))
        signature = (video.get("codec_name"), video.get("width"), video.get("height"), video.get("pix_fmt"),
                     video.get("r_frame_rate"), video.get("time_base"), audio)
        return cls(Path(path), int(video["width"]), int(video["height"]), rate, frames, duration, container,
                   float(video.get("start_time") or 0.0), bool(audio), signature)


def video_info(path: Path) -> VideoInfo:
    """The one way a video file is read: one ffprobe call, one VideoInfo."""
    return VideoInfo.of(probe(path, count_packets=None), Path(path))   # packets counted: exact frame counts

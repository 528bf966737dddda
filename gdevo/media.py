"""ffmpeg, driven one way: graphs built with ffmpeg-python (or, for the narration's filter_complex
chains, argument lists) run by `run_args`, files read by `probe` (ffmpeg-python's ffprobe).

Every command that cuts, joins or inspects a video goes through here, so an ffmpeg failure
is always one line (what was being done, ffmpeg's last stderr line) and a missing ffmpeg is
reported as such instead of a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sim.errors import GdevoError


def _tail(exc: Exception) -> str:
    text = (getattr(exc, "stderr", b"") or b"").decode(errors="replace").strip().splitlines()
    return text[-1].strip() if text else str(exc)


def run_args(args: list[str], what: str) -> str:
    """Run ffmpeg with ARGS (no leading 'ffmpeg'), overwriting, quiet; return its stderr (ebur128
    reports there). The one place that starts ffmpeg: a failure is one GdevoError line."""
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
    return err


def run_ffmpeg(node, what: str) -> str:
    """Run an ffmpeg-python output node through `run_args`; returns ffmpeg's stderr."""
    return run_args(node.get_args(), what)


def probe(path: Path, count_packets: bool = False) -> dict:
    """ffprobe's JSON for PATH (format, streams, chapters; with COUNT_PACKETS each stream's exact
    nb_read_packets); an unreadable file is one GdevoError line."""
    import ffmpeg

    extra = {"count_packets": None} if count_packets else {}
    try:
        return ffmpeg.probe(str(path), show_chapters=None, **extra)
    except FileNotFoundError:
        raise GdevoError("ffprobe is not installed; run scripts/setup.sh") from None
    except ffmpeg.Error as exc:
        raise GdevoError(f"cannot read video {path}: {_tail(exc)}") from None


@dataclass(frozen=True)
class VideoInfo:
    """What the pipeline needs to know about a video file (its first video stream)."""

    width: int
    height: int
    fps: float
    duration: float          # seconds: the stream's, else the container's
    frames: int              # nb_frames when the container says, else duration × fps rounded
    signature: tuple         # equal for parts that can be joined by stream copy

    @classmethod
    def of(cls, info: dict, path: Path) -> VideoInfo:
        streams = info.get("streams", [])
        video = next((s for s in streams if s.get("codec_type") == "video"), None)
        if video is None:
            raise GdevoError(f"{path} has no video stream")
        num, den = (int(x) for x in video.get("r_frame_rate", "0/1").split("/"))
        fps = num / den if den else 0.0
        duration = float(video.get("duration") or info.get("format", {}).get("duration") or 0.0)
        frames = int(video.get("nb_frames") or round(duration * fps))
        audio = tuple(sorted((s.get("codec_name"), s.get("sample_rate"), s.get("channels"))
                             for s in streams if s.get("codec_type") == "audio"))
        signature = (video.get("codec_name"), video.get("width"), video.get("height"), video.get("pix_fmt"),
                     video.get("r_frame_rate"), video.get("time_base"), audio)
        return cls(int(video["width"]), int(video["height"]), fps, duration, frames, signature)


def video_info(path: Path) -> VideoInfo:
    return VideoInfo.of(probe(path), Path(path))


def duration(path: Path) -> float:
    """A file's duration in seconds (the container's, as players show it)."""
    return float(probe(path)["format"]["duration"])

"""ffmpeg, driven one way: ffmpeg-python graphs run by `run_ffmpeg`, files read by `probe`.

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


def run_ffmpeg(node, what: str) -> None:
    """Run an ffmpeg-python output node (overwriting, quiet); a failure is one GdevoError line."""
    import ffmpeg

    try:
        node.global_args("-hide_banner", "-nostdin").overwrite_output().run(quiet=True)
    except FileNotFoundError:
        raise GdevoError(f"ffmpeg is not installed (needed for {what}); run scripts/setup.sh") from None
    except ffmpeg.Error as exc:
        raise GdevoError(f"ffmpeg failed {what}: {_tail(exc)}") from None


def probe(path: Path) -> dict:
    """ffprobe's JSON for PATH (format, streams, chapters); an unreadable file is one GdevoError line."""
    import ffmpeg

    try:
        return ffmpeg.probe(str(path), show_chapters=None)
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

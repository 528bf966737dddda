"""`gdevo bench --render`: how fast manim renders a chapter, against ffmpeg encoding the same frames.

A benchmark, not a test. In one run it
1. renders one scene (its one manim pass: movie + slides) into a scratch folder, so manim's
   partial-movie cache cannot help, once per --encoders value (manim 0.21's
   --max-inflight-encoders; 1 = encode each animation before drawing the next) and per x264
   --presets value for the partial movies (gdevo/rendering/encoding.py);
2. decodes the movie to raw RGBA frames (what manim hands its encoder), untimed;
3. times ffmpeg encoding those frames with manim's own settings (libx264, crf 23, yuv420p,
   the default preset, same size and rate).
The ratio render fps / encode fps says how much of a render is drawing rather than encoding.
"""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from gdevo.settings import Settings


@dataclass
class RenderBench:
    scene: str
    folder: str
    frames: int
    renders: list[tuple[str, float]] = field(default_factory=list)   # (variant, wall seconds)
    encode_seconds: float = 0.0
    repeats: int = 1
    notes: list[str] = field(default_factory=list)

    @property
    def encode_fps(self) -> float:
        return self.frames / self.encode_seconds

    def fps(self, seconds: float) -> float:
        return self.frames / seconds

    def markdown(self) -> str:
        lines = [f"# gdevo bench --render: {self.scene} at {self.folder}, {self.frames} frames "
                 f"(medians of {self.repeats})", "",
                 "| what | wall s | frames/s | ratio to ffmpeg encode |", "|---|---:|---:|---:|"]
        for variant, secs in self.renders:
            lines.append(f"| manim render, {variant} | {secs:.2f} | {self.fps(secs):.1f} | "
                         f"{self.fps(secs) / self.encode_fps:.3f}× |")
        lines.append(f"| ffmpeg encode of the same frames (libx264 crf 23 yuv420p) | {self.encode_seconds:.2f} | "
                     f"{self.encode_fps:.1f} | 1× |")
        lines += ["", *[f"- {n}" for n in self.notes]]
        return "\n".join(lines) + "\n"


def bench_render(settings: Settings, scene: str = "loss", encoders: list[int] | None = None,
                 repeats: int = 1, say=None, presets: list[str] | None = None, fps: int | None = None,
                 keep: Path | None = None) -> RenderBench:
    """Render SCENE at the settings' quality (and FPS) with each encoder count and x264 preset (each
    run into an empty renders folder of its own, so no cached partial movie is reused). KEEP: a
    folder that gets each variant's first movie (SCENE@FOLDER-PRESET-encN.mp4), to compare pictures."""
    import ffmpeg

    from gdevo.media.ffmpeg_io import run_ffmpeg, video_info
    from gdevo.rendering.manim_run import PRESETS, Format, SceneJob, render_scene_once
    from scenes.storyboard import get_scene, scene_names
    from sim.cache import ensure_trace
    from sim.errors import GdevoError

    say = say or (lambda msg: None)
    entry = get_scene(scene)
    if entry is None:
        raise GdevoError(f"unknown scene {scene!r}; available: {', '.join(scene_names())}")
    for name in entry.traces:
        ensure_trace(name, device=settings.device, quiet=True, cache=settings.cache, project=settings.project)
    job, fmt = SceneJob.from_entry(entry), Format(settings.quality, fps=fps)
    result = RenderBench(scene, fmt.folder, 0)
    variants = [(enc, preset) for preset in (presets or [PRESETS[fmt.quality]]) for enc in (encoders or [1])]
    times: dict[tuple[int, str], list[float]] = {v: [] for v in variants}
    encodes: list[float] = []
    with tempfile.TemporaryDirectory(prefix="gdevo-bench-") as scratch:
        raw, info = Path(scratch) / "frames.rgba", None
        for r in range(max(1, repeats)):   # interleaved, so load from other processes hits every variant
            for i, (enc, preset) in enumerate(variants):
                run = replace(settings, renders=Path(scratch) / f"run{r}-{i}")   # empty: no cached partials
                say(f"rendering {scene} ({fmt.folder}) with --max-inflight-encoders {enc}, x264 preset {preset} …")
                t0 = time.perf_counter()
                rendered = render_scene_once(job, fmt, run, force=True, encoders=enc, preset=preset)
                times[(enc, preset)].append(time.perf_counter() - t0)
                if keep is not None and r == 0:
                    keep.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(rendered.movie, keep / f"{scene}@{fmt.folder}-{preset}-enc{enc}.mp4")
                if info is None:
                    info = video_info(rendered.movie)
                    run_ffmpeg(ffmpeg.input(str(rendered.movie)).output(str(raw), f="rawvideo", pix_fmt="rgba"),
                               "decoding frames")   # untimed: what manim hands its encoder
            say("encoding the same frames with ffmpeg …")
            out = Path(scratch) / "encoded.mp4"
            t0 = time.perf_counter()
            run_ffmpeg(ffmpeg.input(str(raw), f="rawvideo", pix_fmt="rgba", s=f"{info.width}x{info.height}",
                                    framerate=fmt.frame_rate)
                       .output(str(out), vcodec="libx264", crf=23, pix_fmt="yuv420p", an=None),   # preset medium
                       "encoding frames")
            encodes.append(time.perf_counter() - t0)
    result.frames = info.frames
    result.renders = [(f"--max-inflight-encoders {enc}, preset {preset}", statistics.median(ts))
                      for (enc, preset), ts in times.items()]
    result.encode_seconds = statistics.median(encodes)
    result.repeats = max(1, repeats)
    result.notes += [
        "render wall time is the whole manim process (start-up, scene construction, drawing, encoding, "
        "joining the partial movies, writing the slides), from an empty media folder",
        f"{os.cpu_count()} CPU cores; other load on the machine affects both sides alike only if it is steady",
    ]
    return result

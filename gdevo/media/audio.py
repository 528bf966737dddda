"""The narrated files: each chapter's and the explainer's audio, loudness and soft subtitles.

- `finish_chapter(produced, out)`: manim's movie -> renders/NAME.mp4 with its narration padded to
  exactly the video's length (so a stream-copied join never shifts the next chapter), normalized
  to -16 LUFS integrated (measured, gained, peaks limited), and the captions as a mov_text track;
  also renders/NAME.srt and the beats sidecar renders/.beats/NAME.json.
- `finish_explainer(parts, out)`: after the video join, one continuous audio track built from the
  chapters' audio, each cut or padded to its chapter's exact video length (sample-exact
  boundaries, so there is no drift and no AAC priming gap between chapters), brought to the target
  as a whole by one linear gain, plus the captions shifted by each chapter's start; writes
  explainer.srt/.vtt, chapters.vtt and description.txt beside it.

Loudness is measured with ebur128 and set by one linear gain (peaks limited to TRUE_PEAK), which
is what loudnorm's second, linear pass does, without loudnorm's 192 kHz analysis: ~0.2 s for a
chapter instead of ~2.5 s, ~3 s for the whole film instead of ~40 s. The chapters are at the target
already, so the whole film's gain is a fraction of a dB (the gate of the integrated measure sees the
chapters together).
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from gdevo.media import captions, ffmpeg_io
from gdevo.settings import Settings
from sim.errors import GdevoError
from sim.trace import atomic_write_bytes

TARGET_LUFS = -16.0
TRUE_PEAK = -1.5
RATE = 48000
# The narration is one voice, the same in both channels: the files carry it once (mono, the average
# of the two channels, so the level is unchanged), which halves the AAC encoding. A mono file's
# loudness is measured as dual-mono (ebur128 dualmono: played on two speakers), as the stereo was.
TO_MONO = "pan=mono|c0=0.5*c0+0.5*c1"
AS_JOINED = f"aresample={RATE},aformat=channel_layouts=stereo"   # a chapter's sound as the film takes it
AUDIO_BITRATE = "96k"
# ffmpeg's AAC encoder with its fast coder: 11 minutes of narration in 4 s instead of 26 s (the default
# two-loop coder, stereo 160k), at the same waveform error against the source (9.0 vs 9.0 dB SNR).
AAC = ["-c:a", "aac", "-aac_coder", "fast", "-b:a", AUDIO_BITRATE]
POST_VERSION = "4"   # bump when what the finishing writes changes (part of the render key)


def voice_key(settings: Settings) -> dict:
    """What a chapter's narration depends on besides the scene code and the settings' voice options:
    the voice's fingerprint (engine version, recordings) and the finishing's version."""
    from scenes.kit.voices import VoiceError, voice_for

    try:
        voice = voice_for(settings.scene())
        voice.check()
        fingerprint = voice.fingerprint()
    except VoiceError as exc:
        raise GdevoError(str(exc)) from None
    return {"voice": fingerprint, "post": POST_VERSION}


def check_voice(settings: Settings) -> str:
    """Fail early, in one line, if the chosen voice cannot speak here; return its name."""
    from scenes.kit.voices import VoiceError, voice_for

    try:
        voice = voice_for(settings.scene())
        voice.check()
    except VoiceError as exc:
        raise GdevoError(str(exc)) from None
    return voice.name


ffmpeg = ffmpeg_io.run_args   # the narration's filter_complex chains go through the one ffmpeg runner


def _integrated(err: str, what: str) -> float:
    """The integrated loudness in ebur128's summary (the last 'I: … LUFS' ffmpeg printed)."""
    values = re.findall(r"I:\s+(-?[\d.]+|-inf) LUFS", err)
    if not values:
        raise GdevoError(f"no loudness measurement for {what}")
    return float(values[-1])


def integrated_loudness(path: Path) -> float:
    """Integrated loudness (LUFS) of a file's audio, measured with ffmpeg's EBU R128 filter (a mono
    track as dual-mono, i.e. as it sounds from two speakers)."""
    err = ffmpeg(["-i", str(path), "-map", "0:a:0", "-af", "ebur128=dualmono=true", "-f", "null", "-"],
                 "measuring loudness")
    return _integrated(err, str(path))


def _gained_audio(inputs: list[str], graph: str, label: str, samples: int, work: Path) -> Path:
    """Run GRAPH (ending in [LABEL]) twice: measure its integrated loudness (ebur128), then apply the
    one linear gain that brings it to TARGET_LUFS, with a look-ahead limiter holding the peaks under
    TRUE_PEAK (delay compensated); a mono WAV of exactly SAMPLES. Why not loudnorm: module docstring."""
    err = ffmpeg([*inputs, "-filter_complex", f"{graph};[{label}]ebur128[m]", "-map", "[m]", "-f", "null", "-"],
                 "measuring loudness")
    measured = _integrated(err, "the narration")
    gain = "anull" if measured == float("-inf") else f"volume={TARGET_LUFS - measured:.2f}dB"
    limit = f"alimiter=limit={10 ** (TRUE_PEAK / 20):.4f}:level=false:latency=true"
    wav = work / "audio.wav"
    ffmpeg([*inputs, "-filter_complex",
            f"{graph};[{label}]{gain},{limit},aresample={RATE},aformat=sample_fmts=s16:channel_layouts=stereo,"
            f"{TO_MONO},apad=whole_len={samples},atrim=end_sample={samples}[n]", "-map", "[n]", "-c:a", "pcm_s16le",
            str(wav)], "normalizing loudness")
    return wav


def _mux(video: Path, audio: Path | None, cues: list[captions.Cue], out: Path, work: Path,
         chapters_from_video: bool = False) -> None:
    """OUT = VIDEO's picture (copied) + AUDIO (AAC) + CUES (mov_text), written atomically.

    OUT may be VIDEO itself: ffmpeg writes into WORK first. The picture is moved to start at 0 (the
    concat demuxer delays a joined video by the first part's AAC priming), where audio and cues start."""
    srt_file = captions.write_srt(cues, work / "captions.srt")
    start = ffmpeg_io.video_info(video).start
    args = ["-itsoffset", f"{-start:.6f}", "-i", str(video)] if start else ["-i", str(video)]
    maps = ["-map", "0:v:0"]
    n_inputs = 1
    if audio is not None:
        args += ["-i", str(audio)]
        maps += ["-map", f"{n_inputs}:a:0"]
        n_inputs += 1
    if cues:
        args += ["-i", str(srt_file)]
        maps += ["-map", f"{n_inputs}:s:0"]
        n_inputs += 1
    meta = ["-map_metadata", "0", "-map_chapters", "-1"]
    if chapters_from_video:   # chapter marks as the join wrote them: against the picture, not the shifted input
        args += ["-i", str(video)]
        meta = ["-map_metadata", str(n_inputs), "-map_chapters", str(n_inputs)]
    codecs = ["-c:v", "copy", *AAC, "-c:s", "mov_text",
              "-metadata:s:s:0", "language=eng", "-metadata:s:a:0", "language=eng"]
    tmp = work / f"muxed-{out.name}"
    ffmpeg([*args, *maps, *codecs, *meta, "-movflags", "+faststart", "-f", "mp4", str(tmp)], f"writing {out.name}")
    with open(tmp, "rb") as fh_in:
        atomic_write_bytes(out, lambda fh: shutil.copyfileobj(fh_in, fh))


def beats_dir(renders: Path) -> Path:
    return renders / ".beats"


def finish_chapter(produced: Path, out: Path) -> Path:
    """manim's movie PRODUCED -> OUT with normalized narration padded to the video and soft captions."""
    sidecar_path = produced.with_suffix(".beats.json")
    sidecar = captions.read_sidecar(sidecar_path) if sidecar_path.is_file() else None
    movie = ffmpeg_io.video_info(produced)
    cues = captions.chapter_cues(sidecar) if sidecar else []
    out.parent.mkdir(parents=True, exist_ok=True)
    if sidecar is not None:
        body = json.dumps({**sidecar, "video_duration": movie.length}, indent=1).encode()
        atomic_write_bytes(beats_dir(out.parent) / f"{out.stem}.json", lambda fh: fh.write(body))
        captions.write_srt(cues, out.with_suffix(".srt"))
    with tempfile.TemporaryDirectory(prefix=".finish-", dir=out.parent) as work:
        work = Path(work)
        samples = round(movie.length * RATE)   # the audio ends exactly where the picture ends
        # measured as the explainer takes it, whatever manim wrote (its mix as it is: mono at the
        # voice's rate, gdevo.rendering.encoding.lossless_narration)
        audio = (_gained_audio(["-i", str(produced)], f"[0:a:0]{AS_JOINED}[a]", "a", samples, work)
                 if movie.has_audio else None)
        _mux(produced, audio, cues, out, work)
    return out


def finish_explainer(parts: list, out: Path, title: str, say: Callable[[str], None] | None = None) -> dict:
    """Give the joined OUT one continuous normalized audio track and the captions of all PARTS
    (TITLE heads the description).

    PARTS are the chapters (objects with .path and .title) in order; their sidecars are in
    renders/.beats/. Writes explainer.srt/.vtt, chapters.vtt and description.txt beside OUT and
    returns a summary (measured loudness, durations, recorded lines that fell back).
    """
    say = say or (lambda msg: print(msg, file=sys.stderr))
    medias = [ffmpeg_io.video_info(p.path) for p in parts]
    durations = [m.length for m in medias]
    starts = [sum(durations[:i]) for i in range(len(parts))]
    cues: list[captions.Cue] = []
    said: list[tuple[float, str]] = []
    fallbacks: list[str] = []
    for p, start in zip(parts, starts, strict=True):
        sidecar_path = beats_dir(out.parent) / f"{p.path.stem}.json"
        if sidecar_path.is_file():
            sidecar = captions.read_sidecar(sidecar_path)
            cues += captions.shifted(captions.chapter_cues(sidecar), start)
            said += [(t + start, w) for t, w in captions.chapter_words(sidecar)]
            fallbacks += [b["id"] for b in sidecar["beats"] if b.get("fallback")]
    has_audio = any(m.has_audio for m in medias)
    with tempfile.TemporaryDirectory(prefix=".finish-", dir=out.parent) as work:
        work = Path(work)
        audio = None
        if has_audio:
            inputs, chains = [], []
            bounds = [round(s * RATE) for s in [*starts, sum(durations)]]
            for i, m in enumerate(medias):
                n = bounds[i + 1] - bounds[i]   # sample-exact: chapter i starts where its video starts
                if m.has_audio:
                    inputs += ["-i", str(m.path)]
                    src = f"[{len(inputs) // 2 - 1}:a:0]{AS_JOINED},"
                else:
                    src = f"anullsrc=r={RATE}:cl=stereo,"
                chains.append(f"{src}apad=whole_len={n},atrim=end_sample={n}[c{i}]")
            graph = ";".join(chains) + ";" + "".join(f"[c{i}]" for i in range(len(medias))) + \
                f"concat=n={len(medias)}:v=0:a=1[a]"
            audio = _gained_audio(inputs, graph, "a", bounds[-1], work)
        _mux(out, audio, cues, out, work, chapters_from_video=True)
    titles = [p.title for p in parts]
    captions.write_srt(cues, out.with_suffix(".srt"))
    captions.write_vtt(cues, out.with_suffix(".vtt"), said)
    captions.write_chapters_vtt(titles, durations, out.parent / "chapters.vtt")
    body = captions.description_text(title, titles, durations).encode()
    atomic_write_bytes(out.parent / "description.txt", lambda fh: fh.write(body))
    summary = {"cues": len(cues), "duration": sum(durations), "fallbacks": fallbacks,
               "lufs": integrated_loudness(out) if has_audio else None}
    if has_audio:
        say(f"narration: {len(cues)} captions, audio at {summary['lufs']:.1f} LUFS integrated "
            f"(target {TARGET_LUFS:g}); captions {out.with_suffix('.srt').name}/.vtt, chapters.vtt, description.txt")
    else:
        say(f"silent explainer with {len(cues)} captions; {out.with_suffix('.srt').name}/.vtt, chapters.vtt, "
            "description.txt")
    if fallbacks:
        listing = out.parent / "missing-recordings.txt"
        text = "\n".join(fallbacks) + "\n"
        atomic_write_bytes(listing, lambda fh: fh.write(text.encode()))
        say(f"recorded voice: {len(fallbacks)} line(s) had no recording and were spoken by espeak-ng "
            f"(listed in {listing.name}): {', '.join(fallbacks[:8])}{' …' if len(fallbacks) > 8 else ''}")
    return summary


__all__ = ["check_voice", "finish_chapter", "finish_explainer", "integrated_loudness", "voice_key"]

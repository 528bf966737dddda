"""Narration: numbers said aloud, caption cues, voices and their cache, and the narrated files.

The end-to-end tests render two tiny real chapters (tests/gdevo/voice_fixture.py) with espeak-ng,
finish them, join them and check the result with ffprobe and by measuring the decoded audio.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from gdevo.media import audio, captions
from gdevo.media.ffmpeg_io import video_info
from gdevo.rendering.chapters import Part, join_chapters
from scenes.kit import speech
from scenes.kit.captions import MAX_CHARS, chunks, cues
from scenes.kit.settings import SceneSettings
from scenes.kit.spoken import spoken
from scenes.kit.voice_hibari import LEAD, HibariVoice, with_phonemes
from scenes.kit.voices import (
    CachedSynth,
    EspeakVoice,
    PiperVoice,
    RecordedVoice,
    SilentVoice,
    VoiceError,
    audio_duration,
    voice_for,
)
from sim.errors import GdevoError
from tests.gdevo.voice_fixture import LINES_A, LINES_B, ROOT, render_tiny

HAS_ESPEAK = subprocess.run(["which", "espeak-ng"], capture_output=True).returncode == 0
needs_espeak = pytest.mark.skipif(not HAS_ESPEAK, reason="espeak-ng not installed (scripts/setup.sh installs it)")
RATE = 16000


# ------------------------------------------------------------------ words and cues

@pytest.mark.parametrize(("value", "said"), [(0.001534, "0.0015"), (0.25, "0.25"), (3.0, "3"), (12345, "12,000"),
                                             (2.4e6, "2.4 million"), (3.2e-7, "3.2 × 10⁻⁷"),
                                             (-0.0421, "minus 0.042"), (float("nan"), "not a number")])
def test_numbers_are_said_as_a_person_would(value, said):
    assert speech.number(value) == said
    assert "e-" not in speech.number(value)


def test_fractions_counts_and_losses_in_words():
    assert speech.ratio(0.01) == "about one in a hundred"
    assert speech.ratio(0.33) == "about one in three"
    assert speech.ratio(0.5) == "about half"
    assert speech.ratio(0.98) == "nearly all" and speech.ratio(0) == "none"
    assert speech.count(600) == "600" and speech.count(15031) == "about 15,000" and speech.count(12000) == "12,000"
    assert speech.loss(float("inf")) == "diverged"
    assert (speech.param(-8.3e-17), speech.param(-1.0), speech.param(1.234)) == ("0", "minus 1", "1.23")
    assert speech.losses(1.62, 1.58) == ("1.62", "1.58")
    with pytest.raises(ValueError):
        speech.ratio(1.5)


def test_long_lines_split_into_cues_of_two_lines_of_42_characters():
    text = ("Evolution tried about one in a hundred directions that helped, so after 600 rounds the loss was "
            "0.0015, while gradient descent reached 0.0002 in a tenth of the evaluations. That is the whole story.")
    parts = chunks(text)
    assert len(parts) > 1 and " ".join(parts) == text
    timed = cues(text, 2.0, 10.0)
    assert timed[0][0] == 2.0 and timed[-1][1] == pytest.approx(12.0)
    for (s, e, body), nxt in zip(timed, [*timed[1:], None], strict=True):
        lines = body.split("\n")
        assert len(lines) <= 2 and all(len(ln) <= MAX_CHARS for ln in lines) and e > s
        if nxt:
            assert nxt[0] == pytest.approx(e)
    assert cues("A short line.", 0, 1.5) == [(0, 1.5, "A short line.")]


@pytest.mark.parametrize("number", ["1.7 × 10⁻⁸", "0.52 ± 0.13"])
def test_a_number_is_never_split_across_cues_or_lines(number):
    """Wherever the 42-character lines fall, a number with spaces in it stays whole on one line."""
    for pad in range(0, 60, 3):
        text = f"{'word ' * (pad // 5)}{'x' * (pad % 5)} the search ended at {number} after many rounds of mutation."
        timed = cues(text, 0.0, 8.0)
        assert " ".join(" ".join(body.split("\n")) for _, _, body in timed) == " ".join(text.split())
        assert any(number in line for _, _, body in timed for line in body.split("\n")), (pad, timed)


@pytest.mark.parametrize(("shown", "said"), [
    ("tanh", "tanch"),
    ("sin(3x)", "sine of three x"),
    ("sin(3*x)", "sine of three x"),
    ("1.7e-8", "one point seven times ten to the minus eight"),
    ("1.7 × 10⁻⁸", "one point seven times ten to the minus eight"),
    ("1e-3", "ten to the minus three"),
    ("σ = 0.5", "sigma equals zero point five"),
    ("± 0.2", "plus or minus zero point two"),
    ("θ", "theta"),
    ("3 × 4", "three times four"),
    ("0.001234", "about zero point zero zero one two"),
    ("about 0.001234", "about zero point zero zero one two"),
    ("loss 1.62 against 1.58", "loss one point six two against one point five eight"),
    ("tanh(1.20·x − 0.30)", "tanch of one point two x minus zero point three"),
    ("SGD ends at 0.0015.", "S G D ends at zero point zero zero one five."),
    ("RMSprop and CMA-ES beat SNES; Adam too.", "R M S prop and C-M-A-E-S beat S N E S; Adam too."),
    ("a 1-D slice of x-1", "a one-D slice of x minus one"),
    ("SGD + momentum, lr 0.03 (too small)", "S G D plus momentum, learning rate zero point zero three (too small)"),
    ("x*cos(2*x) + 0.3*abs(x)", "x times cosine of two x plus zero point three times the absolute value of x"),
    ("exp(-x^2)", "e to the minus x squared"),
    ("x**3 - 2*x", "x cubed minus two x"),
    ("x^2 + 0.3·sin(5·x)", "x squared plus zero point three times sine of five x"),
    ("f(x) = tanh(a·x + b)", "f of x equals tanch of a times x plus b"),
    ("sin(x)^2 + (x - 1)^2", "sine of x, all squared plus (x minus one), all squared"),
    ("x/4", "x over four"),
    ("about 12,000 evaluations over 600 rounds", "about twelve thousand evaluations over six hundred rounds"),
    ("2.4 million, 3.4 percent, 45%", "two point four million, three point four percent, forty-five percent"),
    ("a one-in-ten chance, full-data gradient descent", "a one-in-ten chance, full-data gradient descent"),
])
def test_spoken_form_reads_math_numbers_and_names_as_a_person_would(shown, said):
    assert spoken(shown) == said


def test_formulas_and_tiny_numbers_are_displayed_as_math_and_spoken_in_words():
    shown = speech.formula("x**2 + 0.3*sin(5*x)")
    assert shown == "x^2 + 0.3·sin(5·x)"
    assert spoken(shown) == "x squared plus zero point three times sine of five x"
    assert spoken(f"loss {speech.number(1.7e-8)}") == "loss one point seven times ten to the minus eight"


def test_engines_say_the_spoken_form_and_cache_it(tmp_path, monkeypatch):
    """The engine gets the spoken form; the caller (captions) keeps the displayed text."""
    import wave

    heard: list[str] = []

    class Recorder(CachedSynth):
        name = "recorder"

        def version(self) -> str:
            return "1"

        def synthesize(self, text: str, wav: Path) -> None:
            heard.append(text)
            with wave.open(str(wav), "wb") as w:
                w.setnchannels(1), w.setsampwidth(2), w.setframerate(8000)
                w.writeframes(b"\0\0" * 8000)

    v = Recorder()
    v.cache = tmp_path
    line = v.line("t-01", "SGD ends at 0.0015.")
    assert heard == ["S G D ends at zero point zero zero one five."] and line.duration == pytest.approx(1.0)
    v.line("t-01", "SGD ends at 0.0015.")
    assert len(heard) == 1   # cached
    assert SilentVoice(wpm=60).line("t", "SGD").duration == pytest.approx(3.0)   # "S G D": three words said


def test_hibari_refuses_voices_that_would_download(monkeypatch):
    import hibari.voices

    def no_network(*args, **kwargs):
        raise AssertionError("hibari tried to download a voice")

    monkeypatch.setattr(hibari.voices, "download", no_network)
    for name in ("emma", "fenrir", "robot"):
        with pytest.raises(VoiceError, match=f"hibari voice '{name}' is not in the package") as err:
            HibariVoice(name)
        assert "\n" not in str(err.value)
    HibariVoice().check()


def test_hibari_speaks_offline_from_the_bundled_voice(tmp_path, monkeypatch):
    import socket

    import hibari.voices

    monkeypatch.setattr(hibari.voices, "download", lambda *a, **k: pytest.fail("hibari tried to download"))
    monkeypatch.setattr(socket.socket, "connect", lambda *a, **k: pytest.fail("hibari opened a connection"))
    v = voice_for(SceneSettings(voice="hibari", voice_cache=tmp_path))
    short, long = v.line("a", "Loss."), v.line("b", "Adam ends at 0.0015, SGD at 0.012, with tanh units.")
    info = streams(long.path)["streams"][0]
    assert (info["sample_rate"], info["channels"]) == ("24000", 1)
    assert long.path.parent == tmp_path / "hibari" and long.engine == "hibari"
    assert 0.2 < short.duration < 2.0 and long.duration > 3 * short.duration
    assert rms_db(pcm(long.path)) > -35
    again = voice_for(SceneSettings(voice_cache=tmp_path)).line("b", "Adam ends at 0.0015, SGD at 0.012, "
                                                                      "with tanh units.")
    assert again.path == long.path
    # hibari reads a lone "a" as the article; as a variable it is the letter
    assert with_phonemes("a times x, a and b, a at 2. A circle, a big one.") == (
        "[a](/ˈA/) times x, [a](/ˈA/) and b, [a](/ˈA/) at 2. A circle, a big one.")


def test_hibari_says_a_line_sentence_by_sentence_and_reports_when_each_starts(tmp_path):
    from scenes.kit.captions import cues, words

    v = voice_for(SceneSettings(voice="hibari", voice_cache=tmp_path))
    text = ("The loss fell to 0.0015 after forty steps of gradient descent. Evolution stalled at 0.4 after a "
            "long, slow walk downhill.")
    line = v.line("c", text)
    marks = line.marks
    assert len(marks.segments) == 2 and sum(marks.segments) == pytest.approx(line.duration, abs=0.05)
    assert [len(w) for w in marks.words] == [len(spoken(s).split()) for s in text.split(". ")]
    x = pcm(line.path)
    cut = marks.segments[0]
    def level(a: float, b: float) -> float:
        return rms_db(x[int(a * RATE): int(b * RATE)])

    # speech, then the pause between the sentences around the reported cut, then speech again
    assert level(cut - 1.3, cut - 0.8) > -35 and level(cut - 0.4, cut + 0.1) < -60 and level(cut + 0.3, cut + 0.8) > -35
    said = words(text, 10.0, line.duration, marks)
    assert [w for _, w in said] == text.split()
    assert [t for t, _ in said] == sorted(t for t, _ in said)
    # every word at the engine's own time: "Evolution" after the pause that opens its sentence (a share of the
    # sentence's characters would put it at the cut, in the silence), speech right after each first word
    evolution = said[text.split().index("Evolution")][0] - 10.0
    assert evolution == pytest.approx(cut + marks.words[1][0]) and marks.words[1][0] > 0.2
    assert level(evolution - 0.3, evolution - 0.2) < -60 and level(evolution + 0.02, evolution + 0.15) > -30
    first = said[0][0] - 10.0   # the line's opening silence is cut to LEAD before its first word
    assert first == pytest.approx(LEAD, abs=0.01) and level(0, first - 0.06) < -45
    assert level(first + 0.02, first + 0.15) > -30
    _, second = cues(text, 10.0, line.duration, marks)
    assert second[0] == pytest.approx(10.0 + evolution, abs=1e-6)   # the second cue starts with its first word
    assert v.line("c", text).marks == marks   # cached with its marks


def test_hibari_word_marks_come_from_the_engine_without_changing_its_audio(tmp_path):
    """The timed session is hibari's graph with one more output: the audio is hibari's own, sample for sample."""
    from hibari import Hibari

    from scenes.kit.voice_hibari import HibariVoice, model_file, phoneme_ids, with_phonemes, word_starts

    sentence = "Adam ends at zero point zero zero one five, a times x plus b."
    voice = HibariVoice()
    voice.cache = tmp_path
    audio, starts = voice._sentence(sentence, 0.9)
    own = Hibari(model=str(model_file("heart")))
    assert np.array_equal(audio, own(with_phonemes(sentence), speed=0.9, seed=0))
    assert len(starts) == len(sentence.split()) and starts == sorted(starts) and starts[-1] < len(audio) / 24000
    ids, firsts = phoneme_ids("ðə lˈɔs, fˈɛl.", own.vocab)
    assert ids == own.ids("ðə lˈɔs, fˈɛl.") and firsts == [1, 4, 10]   # the pad, then "ð", "l", "f"
    # 10 duration units laid out over 20 frames of 300 samples at 24 kHz: a unit is 25 ms
    assert word_starts([4, 1, 2, 3], [1, 3], 20) == pytest.approx([0.1, 0.175])


def test_hibari_keeps_its_timed_graph_so_later_processes_need_no_onnx(tmp_path):
    """The graph with the durations output is written once into the voice cache (named by the bundled
    file's hash); a process that finds it loads hibari from it without importing onnx (0.76 s)."""
    import subprocess
    import sys

    code = ("import sys; from pathlib import Path; from scenes.kit.voice_hibari import HibariVoice; "
            "v = HibariVoice(); v.cache = Path(sys.argv[1]); v._sentence('The loss falls.', 0.9); "
            "print('onnx' in sys.modules)")

    def run() -> str:
        done = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True,
                              cwd=Path(__file__).resolve().parents[2], check=True)
        return done.stdout.strip()

    assert run() == "True"   # the first process makes the graph
    graphs = list((tmp_path / "hibari").glob("model-*-durations.onnx"))
    assert len(graphs) == 1 and graphs[0].stat().st_size > 1_000_000
    assert not list((tmp_path / "hibari").glob(".*.tmp"))
    assert run() == "False"  # the next one reads it
    graphs[0].write_bytes(b"not a graph")   # damaged: made again, the line still said
    assert run() == "True" and graphs[0].stat().st_size > 1_000_000


def test_description_and_timestamps_start_at_zero():
    text = captions.description_text("T", ["1. One", "2. Two"], [65.4, 3000.0])
    assert "\n0:00 1. One\n1:05 2. Two\n" in text
    assert captions.timestamp(3725, hours=True) == "1:02:05"


# ------------------------------------------------------------------ voices

def test_voice_choice_and_one_line_errors(tmp_path, monkeypatch):
    assert voice_for(SceneSettings(voice="none")).name == "none"
    assert voice_for(SceneSettings.from_env({"GDEVO_VOICE": "none", "GDEVO_VOICE_WPM": "120"})).wpm == 120
    assert voice_for(SceneSettings()).name == "hibari"
    assert voice_for(SceneSettings(voice="espeak-ng")).name == "espeak-ng"
    assert voice_for(SceneSettings(voice_cache=tmp_path / "vc")).cache == tmp_path / "vc"
    with pytest.raises(VoiceError, match="unknown voice 'robot'"):
        voice_for(SceneSettings(voice="robot"))
    with pytest.raises(VoiceError, match="GDEVO_PIPER_MODEL"):
        PiperVoice("").check()
    model = tmp_path / "voice.onnx"
    model.write_bytes(b"x")
    monkeypatch.setenv("PATH", str(tmp_path))   # no piper program on PATH
    with pytest.raises(VoiceError, match="piper is not installed"):
        PiperVoice(str(model)).check()
    with pytest.raises(VoiceError, match="GDEVO_VOICE_DIR"):
        RecordedVoice("").check()


def test_silent_voice_times_lines_by_words_per_minute():
    v = SilentVoice(wpm=120)
    assert v.line("x-01", " ".join(["word"] * 10)).duration == pytest.approx(5.0)
    assert v.line("x-02", "Hi.").duration == 1.0 and v.line("x-03", "").duration == 0.0


def test_cli_unknown_or_unavailable_voice_is_one_line_exit_2(tmp_path):
    import os

    env = {**os.environ, "GDEVO_RENDERS": str(tmp_path / "r"), "GDEVO_CACHE": str(tmp_path / "c")}
    for args in (["--voice", "robot"], ["--voice", "piper"]):
        proc = subprocess.run([sys.executable, "-m", "gdevo", "render", "loss", *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1


@needs_espeak
def test_espeak_cache_resynthesizes_only_a_changed_line(tmp_path):
    v = voice_for(SceneSettings(voice="espeak-ng", voice_cache=tmp_path / "vc"))
    assert isinstance(v, EspeakVoice)
    first = [v.line(f"t-{i}", text) for i, text in enumerate(["One line.", "Another line.", "A third one."])]
    stamps = {ln.path: ln.path.stat().st_mtime_ns for ln in first}
    again = [v.line(f"t-{i}", text) for i, text in enumerate(["One line.", "Another line, changed.", "A third one."])]
    assert again[0].path == first[0].path and again[2].path == first[2].path and again[1].path != first[1].path
    assert all(p.stat().st_mtime_ns == stamps[p] for p in (first[0].path, first[2].path))
    assert len(list((tmp_path / "vc" / "espeak-ng").glob("*.wav"))) == 4
    # The words come out: a longer line lasts longer, roughly in proportion.
    short, long = v.line("a", "Loss."), v.line("b", "The loss fell from 0.5 to 0.0015 in 600 rounds of evolution.")
    assert 0.3 < short.duration < 2.0 and long.duration > 3 * short.duration


@needs_espeak
def test_recorded_voice_uses_recordings_and_lists_missing_lines(tmp_path):
    rec = tmp_path / "rec"
    rec.mkdir()
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=f=440:d=1.5", str(rec / "ch05-01.flac")],
                   check=True)
    v = RecordedVoice(str(rec))
    v.check()
    have, missing = v.line("ch05-01", "Said by me."), v.line("ch05-02", "Not recorded yet.")
    assert have.engine == "recorded" and have.duration == pytest.approx(1.5, abs=0.05) and not have.fallback
    assert missing.engine == "espeak-ng" and missing.fallback and missing.path.is_file()


# ------------------------------------------------------------------ the narrated files

def pcm(path: Path) -> np.ndarray:
    """The file's audio as mono floats at RATE Hz."""
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-map", "0:a:0", "-ac", "1", "-ar", str(RATE),
                          "-f", "s16le", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, dtype=np.int16).astype(float) / 32768


def rms_db(x: np.ndarray) -> float:
    return 20 * np.log10(np.sqrt(np.mean(x ** 2)) + 1e-12)


def streams(path: Path) -> dict:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", str(path)],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)


@pytest.fixture(scope="module")
def narrated(tmp_path_factory):
    """TinyA and TinyB rendered with espeak-ng, finished, joined and finished as an explainer."""
    if not HAS_ESPEAK:
        pytest.skip("espeak-ng not installed")
    work = tmp_path_factory.mktemp("narrated")
    renders = work / "renders"
    parts, produced = [], []
    for cls in ("TinyA", "TinyB"):
        movie = render_tiny(cls, work / "media", "espeak-ng", env={"GDEVO_VOICE_CACHE": str(work / "voice-cache")})
        produced.append(movie)
        parts.append(Part(audio.finish_chapter(movie, renders / f"{cls}.mp4"), f"{len(parts) + 1}. {cls}"))
    out = renders / "explainer.mp4"
    join_chapters(parts, out, "A narrated test")
    summary = audio.finish_explainer(parts, out, "A narrated test", say=lambda msg: None)
    return {"parts": parts, "out": out, "summary": summary, "produced": produced, "renders": renders}


def test_chapters_and_explainer_carry_aac_audio_and_mov_text_captions(narrated):
    for path in [narrated["out"], *(p.path for p in narrated["parts"])]:
        info = streams(path)
        kinds = {s["codec_type"]: s["codec_name"] for s in info["streams"]}
        assert kinds.get("audio") == "aac" and kinds.get("subtitle") == "mov_text", (path, kinds)
        video = next(s for s in info["streams"] if s["codec_type"] == "video")
        sound = next(s for s in info["streams"] if s["codec_type"] == "audio")
        assert float(video.get("start_time", 0)) == pytest.approx(0, abs=1e-3)
        assert float(sound["duration"]) == pytest.approx(float(video["duration"]), abs=1 / 15)
        assert audio.integrated_loudness(path) == pytest.approx(audio.TARGET_LUFS, abs=1.0)


def test_caption_count_equals_narrated_beats_and_files_are_written(narrated):
    renders = narrated["renders"]
    srt_cues = [c for c in (renders / "explainer.srt").read_text().split("\n\n") if c.strip()]
    assert len(srt_cues) == len(LINES_A) + len(LINES_B) == narrated["summary"]["cues"]
    assert [c.split("\n", 2)[2] for c in srt_cues] == [*LINES_A, *LINES_B]
    vtt = (renders / "explainer.vtt").read_text()
    assert vtt.startswith("WEBVTT")
    for block in vtt.split("\n\n")[1:]:   # every word after a cue's first carries the time it is said
        if not block.strip():
            continue
        span, text = block.split("\n", 1)
        start, end = (_seconds(t) for t in span.split(" --> "))
        marks = [_seconds(m) for m in re.findall(r"<([\d:.]+)>", text)]
        assert len(marks) == len(re.sub(r"<[^>]+>", "", text).split()) - 1
        assert marks == sorted(marks) and all(start <= m <= end for m in marks)
    assert "1. TinyA" in (renders / "chapters.vtt").read_text()
    assert "\n0:00 1. TinyA\n" in (renders / "description.txt").read_text()
    assert (renders / "TinyA.srt").read_text().count("-->") == len(LINES_A)


def _seconds(stamp: str) -> float:
    h, m, s = stamp.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


def test_each_beat_lasts_at_least_its_line_and_lines_never_overlap(narrated):
    for movie in narrated["produced"]:
        beats = json.loads(movie.with_suffix(".beats.json").read_text())["beats"]
        for beat, nxt in zip(beats, [*beats[1:], None], strict=True):
            assert beat["end"] - beat["start"] >= beat["line"] + 0.3
            if nxt:   # the next line starts when this beat ends, or later when its pace delays it
                assert nxt["start"] == pytest.approx(beat["end"] + nxt["delay"])


def test_audio_is_audible_in_every_cue_and_quiet_between(narrated):
    out = narrated["out"]
    import srt

    x = pcm(out)
    cue_list = [(c.start.total_seconds(), c.end.total_seconds())
                for c in srt.parse((out.with_suffix(".srt")).read_text())]
    for s, e in cue_list:
        assert rms_db(x[int(s * RATE): int(e * RATE)]) > -35, f"cue {s:.2f}-{e:.2f} s is silent"
    bounds = [0.0, *[t for c in cue_list for t in c], len(x) / RATE]
    gaps = [(a + 0.05, b - 0.05) for a, b in zip(bounds[::2], bounds[1::2], strict=True) if b - a > 0.25]
    assert gaps, "the fixture has quiet stretches between lines"
    for a, b in gaps:
        assert rms_db(x[int(a * RATE): int(b * RATE)]) < -50, f"gap {a:.2f}-{b:.2f} s is not quiet"


def test_every_line_is_heard_where_its_beat_places_it(narrated):
    """Each line's own audio is found in its finished chapter at the start its beat records (what the
    captions and reveals are timed by), within pydub's 1 ms placement: manim's AAC had put every line
    one AAC frame (21 ms) late. Found as `gdevo sync` finds a chapter's voice in the film."""
    from gdevo.media import sync_check

    for part, movie in zip(narrated["parts"], narrated["produced"], strict=True):
        heard = sync_check.mono(part.path)
        beats = json.loads(movie.with_suffix(".beats.json").read_text())["beats"]
        assert beats and all(b["audio"] for b in beats)
        for beat in beats:
            line = np.pad(sync_check.mono(Path(beat["audio"])), (0, int(sync_check.MATCH_SECONDS * sync_check.RATE)))
            lag = sync_check.find_sound(heard, line, beat["start"])   # ms; a short line padded to the excerpt
            assert lag is not None and abs(lag) <= 1.5, f"{beat['id']}: line heard {lag} ms from its beat's start"


def test_chapters_sum_to_the_total_and_stay_in_sync_at_the_boundary(narrated):
    """Picture and sound of chapter 2 both start where chapter 1 ends, within one frame."""
    from PIL import Image
    from scipy.signal import correlate

    parts, out = narrated["parts"], narrated["out"]
    durations = [video_info(p.path).length for p in parts]
    total = video_info(out)
    assert total.length == pytest.approx(sum(durations), abs=1 / 15)
    boundary = durations[0]
    marks = [float(c["start_time"]) for c in json.loads(subprocess.run(
        ["ffprobe", "-v", "error", "-show_chapters", "-of", "json", str(out)], capture_output=True, text=True,
        check=True).stdout)["chapters"]]
    assert marks == pytest.approx([0.0, boundary], abs=0.002)   # chapter marks where the picture changes
    # Picture: red background just before the boundary, green just after.
    for t, rgb in ((boundary - 1.5 / 15, (252, 98, 85)), (boundary + 0.5 / 15, (131, 193, 103))):
        png = out.parent / f"frame-{t:.3f}.png"
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-ss", f"{t:.4f}", "-i", str(out), "-frames:v", "1", str(png)],
                       check=True)
        px = np.asarray(Image.open(png).convert("RGB"))[2, 2].astype(float)
        assert np.linalg.norm(px - rgb) < 60, f"frame at {t:.3f} s shows {px}, expected {rgb}"
    # Sound: chapter 2's own audio is found in the explainer's at the boundary (cross-correlation lag).
    joined, own = pcm(out), pcm(parts[1].path)
    n = int(2.0 * RATE)
    ref = own[:n]
    lo = int((boundary - 0.5) * RATE)
    window = joined[lo: lo + n + RATE]
    scores = correlate(window, ref, mode="valid", method="fft")
    lag = (lo + int(np.argmax(scores))) / RATE - boundary
    assert abs(lag) <= 1 / 15, f"chapter 2's audio is {lag * 1000:.0f} ms off its picture"


def test_sync_finds_every_chapter_in_the_joined_file_where_it_belongs(narrated):
    """`gdevo sync`'s measure: picture on the frame, sound and captions to the millisecond."""
    from gdevo.media.sync_check import measure

    parts, out = narrated["parts"], narrated["out"]
    found = measure(out, [p.path for p in parts])
    assert [b.chapter for b in found] == ["TinyA", "TinyB"]
    assert found[1].expected == pytest.approx(video_info(parts[0].path).length)
    for b in found:
        assert b.in_sync and b.picture_frames == 0, b
        assert abs(b.picture_ms) < 0.1 and abs(b.sound_ms) <= 0.25, b
        assert b.captions_ms <= 1.0 and abs(b.mark_ms) <= 1.0, b


def test_sync_reports_sound_that_lags_its_picture(narrated, tmp_path):
    """The same explainer with its sound 200 ms late: every chapter measured 200 ms off, exit 1."""
    import shutil

    from gdevo.cli import main
    from gdevo.media.sync_check import measure

    parts, out = narrated["parts"], narrated["out"]
    late = tmp_path / "late.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(out), "-map", "0:v", "-map", "0:a", "-c:v", "copy",
                    "-af", "adelay=200:all=1", "-c:a", "aac", str(late)], check=True)
    shutil.copy(out.with_suffix(".srt"), late.with_suffix(".srt"))
    found = measure(late, [p.path for p in parts])
    assert [round(b.sound_ms) for b in found] == [200, 200]
    assert not any(b.in_sync for b in found)
    assert main(["sync", str(late), "--chapters", *(str(p.path) for p in parts)]) == 1
    assert main(["sync", str(out), "--chapters", *(str(p.path) for p in parts)]) == 0
    assert main(["sync", str(tmp_path / "none.mp4")]) == 2


def test_voice_none_gives_a_silent_video_with_captions(tmp_path):
    movie = render_tiny("TinyB", tmp_path / "media", "none")
    out = audio.finish_chapter(movie, tmp_path / "renders" / "TinyB.mp4")
    kinds = [s["codec_type"] for s in streams(out)["streams"]]
    assert "audio" not in kinds and "subtitle" in kinds
    beats = json.loads(movie.with_suffix(".beats.json").read_text())["beats"]
    assert [b["text"] for b in beats] == list(LINES_B) and all(b["audio"] is None for b in beats)
    assert video_info(out).length >= sum(b["line"] for b in beats)


def test_a_broken_sidecar_is_one_clear_error(tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text("{nope")
    with pytest.raises(GdevoError, match="cannot read the beats file"):
        captions.read_sidecar(bad)


def test_script_collects_every_beat_with_its_id_from_the_scene_or_the_last_render(tmp_path, monkeypatch, settings):
    import scenes.storyboard
    from gdevo.outputs import script
    from scenes.storyboard import SceneEntry
    from tests.gdevo.voice_fixture import TinyA

    monkeypatch.setattr(scenes.storyboard, "load_scene_class", lambda entry: TinyA)
    entry = SceneEntry("tiny-a", "voice_fixture", "TinyA", (), "Tiny A", 1)
    md, sheet, chapters = script.write_script([entry], settings)
    assert chapters[0].source == "scene run"
    assert sheet.read_text() == "".join(f"tinya-{i:02d}\t{t}\n" for i, t in enumerate(LINES_A, 1))
    assert "## 1. Tiny A" in md.read_text() and f"**tinya-02** — {LINES_A[1]}" in md.read_text()
    # An up-to-date render's sidecar is read instead of running the scene.
    from types import SimpleNamespace

    import gdevo.rendering.manim_run

    sidecar = tmp_path / "media" / "tiny-a.beats.json"
    sidecar.parent.mkdir()
    sidecar.write_text(json.dumps({"beats": [{"id": "ch01-01", "text": "From the render."}]}))
    monkeypatch.setattr(gdevo.rendering.manim_run, "find_render",
                        lambda *a, **k: SimpleNamespace(movie=sidecar.parent / "tiny-a.mp4"))
    got = script.collect([entry], settings, say=lambda msg: None)
    assert got[0].source == "last render" and got[0].lines == [script.ScriptLine("ch01-01", "From the render.")]


def test_deck_slides_get_their_narration_cut_from_the_chapter(narrated, tmp_path):
    """Each narrated slide gets an <audio data-autoplay> with its beat's stretch of the chapter's audio."""
    from types import SimpleNamespace

    from gdevo.media.deck_audio import add_narration

    renders = narrated["renders"]
    sidecar = json.loads((renders / ".beats" / "TinyA.json").read_text())
    html = tmp_path / "deck.html"
    section = '<section data-background-size=contain data-background-video="x.mp4">\n<aside>n</aside></section>\n'
    html.write_text("<html>" + section * 3 + "</html>")
    slides = [SimpleNamespace(notes=t) for t in (*LINES_A, "")]   # the last slide: after the last beat
    n = add_narration(html, [SimpleNamespace(name="TinyA")], [SimpleNamespace(slides=slides)], renders)
    text = html.read_text()
    assert n == 2 and text.count("<audio data-autoplay") == 2
    clips = sorted((tmp_path / "deck_assets" / "narration").glob("*.m4a"))
    assert [c.name for c in clips] == ["000-TinyA.m4a", "001-TinyA.m4a"]
    for clip, beat in zip(clips, sidecar["beats"], strict=True):
        assert f'src="deck_assets/narration/{clip.name}"' in text
        assert audio_duration(clip) == pytest.approx(beat["end"] - beat["start"], abs=0.1)
        assert rms_db(pcm(clip)) > -40


def test_a_voiced_scene_runs_with_animations_skipped():
    """gdevo script and the frame tests run scenes without a movie: narration must still time the beats."""
    from tests.framecheck import render_last_frame
    from tests.gdevo.voice_fixture import TinyB

    scene, _ = render_last_frame(TinyB, width=160, height=90, settings=SceneSettings(voice="none"))
    assert [r["text"] for r in scene.narration] == list(LINES_B)
    assert scene.renderer.time >= sum(r["line"] for r in scene.narration)


def test_lines_without_a_recording_are_listed_after_the_join(narrated, tmp_path):
    """A recorded voice's missing lines (spoken by espeak-ng instead) end up in missing-recordings.txt."""
    import shutil

    renders = tmp_path / "renders"
    shutil.copytree(narrated["renders"], renders)
    sidecar = renders / ".beats" / "TinyB.json"
    data = json.loads(sidecar.read_text())
    data["beats"][1]["fallback"] = True
    sidecar.write_text(json.dumps(data))
    parts = [Part(renders / p.path.name, p.title) for p in narrated["parts"]]
    said: list[str] = []
    summary = audio.finish_explainer(parts, renders / "explainer.mp4", "A narrated test", say=said.append)
    assert summary["fallbacks"] == [data["beats"][1]["id"]]
    assert (renders / "missing-recordings.txt").read_text() == f"{data['beats'][1]['id']}\n"
    assert any("no recording" in s and data["beats"][1]["id"] in s for s in said)


def test_hibari_brings_each_line_into_the_listeners_pace(tmp_path):
    """At hibari's one speed, lines dense with short spoken words ran at 193 words per minute and
    sparse ones at 124; each line is now said at a speed that lands it in PACE (140-165)."""
    from scenes.kit.spoken import spoken
    from scenes.kit.voice_hibari import PACE, paced_speed, spoken_words

    v = voice_for(SceneSettings(voice="hibari", voice_cache=tmp_path))
    for text in ("But we never see the whole curve. We only get three points of it: that is all the network will "
                 "learn from.",   # 193 wpm at speed 0.9
                 "To reach loss 0.005: at 2 parameters, evolution needs fewer evaluations than gradient descent."):
        line = v.line("p", text)   # 124 wpm at speed 0.9
        wpm = 60 * spoken_words(spoken(text)) / line.duration
        assert PACE[0] <= wpm <= PACE[1], (text, wpm)
    assert spoken_words("twenty-one steps, it's S G D") == 7
    assert paced_speed(0.9, 30, 10.0) < 0.9 < paced_speed(0.9, 20, 10.0)   # 180 and 120 wpm
    assert paced_speed(0.9, 25, 10.0) == 0.9                               # 150 wpm: left alone
    assert paced_speed(0.9, 60, 10.0) == 0.7 and paced_speed(1.2, 5, 10.0) == 1.2   # within PACE_SPEEDS

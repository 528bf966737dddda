"""gdevo slides: a tiny 3-beat scene → manim-slides → an offline reveal.js deck that Chromium opens from disk,
a PDF and a PPTX with one slide per beat, speaker notes on the slide they describe."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from gdevo.cli import main
from gdevo.outputs.slides import DeckScene, build_deck, slide_variant
from gdevo.settings import Settings
from tests.gdevo.deck_fixture import BEAT_NOTES, TinyDeck

TINY = DeckScene("tiny", "tests.gdevo.deck_fixture", "TinyDeck")


@pytest.fixture(scope="module")
def deck(tmp_path_factory):
    root = tmp_path_factory.mktemp("deck")
    return build_deck([TINY], deck_settings(root / "renders"), resolution=(160, 90), fps=15, quiet=True)


def deck_settings(renders: Path) -> Settings:
    """The settings of a run writing into RENDERS (the deck fixture's), without narration."""
    return Settings(voice="off", renders=renders, cache=renders.parent / "cache",
                    voice_cache=renders.parent / "voice-cache")


def test_slide_variant_is_a_slide_of_the_same_scene():
    from manim_slides.slide import Slide

    cls = slide_variant(TinyDeck)
    assert cls.__name__ == "TinyDeck" and issubclass(cls, Slide) and issubclass(cls, TinyDeck)


def test_one_slide_per_beat_with_the_notes_of_that_beat(deck):
    assert deck.slides == len(BEAT_NOTES) == 3 and deck.per_scene == [("tiny", 3)]
    assert deck.notes == list(BEAT_NOTES)


def test_html_uses_only_local_files(deck):
    html = deck.html.read_text()
    live = re.sub(r"<!--.*?-->", "", html, flags=re.S)   # the template keeps a few commented-out links
    refs = re.findall(r'(?:src|href|data-background-video)="([^"]+)"', live)
    assert refs and not [r for r in refs if re.match(r"[a-z]+:", r) or r.startswith("//")]
    assert "cdn" not in live.lower() and not re.search(r"https?:", live)
    for ref in refs:
        assert (deck.html.parent / ref).is_file(), ref
    assert (deck.html.parent / "reveal.js" / ".gdevo-version").read_text().split()[0] == "6.0.1"
    for note in BEAT_NOTES:
        assert f'<aside class="notes" data-markdown>{note}</aside>' in html


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium not installed (scripts/setup.sh --test)")
def test_chromium_opens_the_deck_offline_and_reveal_counts_the_slides(deck, tmp_path):
    probe = deck.html.with_name("probe.html")   # the deck plus a line that reports what reveal.js sees
    probe.write_text(deck.html.read_text().replace(
        "</body>", "<script>setTimeout(() => { document.body.dataset.total = Reveal.getTotalSlides();"
        " document.body.dataset.ready = Reveal.isReady(); }, 500);</script></body>"))
    with tempfile.TemporaryDirectory() as profile:
        proc = subprocess.run(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", "--proxy-server=127.0.0.1:9", "--virtual-time-budget=3000",
             "--dump-dom", probe.as_uri()], capture_output=True, text=True, timeout=120)
    dom = proc.stdout
    assert 'data-ready="true"' in dom and 'data-total="3"' in dom, dom[-2000:]
    assert re.search(r'class="reveal [^"]*\bready\b', dom)
    assert len(re.findall(r"<section\b", dom)) == 3


def test_pdf_and_pptx_have_one_page_per_slide(deck):
    info = subprocess.run(["pdfinfo", str(deck.pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+3$", info, re.M)
    import pptx

    prs = pptx.Presentation(str(deck.pptx))
    assert len(prs.slides) == 3
    assert [s.notes_slide.notes_text_frame.text for s in prs.slides] == list(BEAT_NOTES)


def no_manim(monkeypatch):
    """Make any attempt to start manim fail the test."""
    import gdevo.rendering.manim_run

    def refuse(cmd, *a, **k):
        raise AssertionError(f"manim started: {cmd}")

    monkeypatch.setattr(gdevo.rendering.manim_run.subprocess, "run", refuse)


def test_unchanged_scene_is_not_rendered_again(deck, monkeypatch):
    no_manim(monkeypatch)
    html = deck.html.stat().st_mtime_ns
    again = build_deck([TINY], deck_settings(deck.html.parent.parent), resolution=(160, 90), fps=15, quiet=True)
    assert again.slides == 3 and again.notes == list(BEAT_NOTES)
    assert deck.html.stat().st_mtime_ns == html   # same slides, same options: not even converted again


def test_slides_after_the_explainer_start_no_manim(settings, monkeypatch):
    """One manim pass per chapter: the explainer's render already made the slides the deck needs."""
    from gdevo.rendering.chapters import render_explainer
    from scenes.storyboard import SceneEntry

    entry = SceneEntry("tiny", "tests.gdevo.deck_fixture", "TinyDeck", (), "Tiny", 1)
    explainer = render_explainer(settings, entries=[entry], quiet=True)
    assert explainer.is_file() and (explainer.parent / "tiny.mp4").is_file()
    no_manim(monkeypatch)
    built = build_deck([DeckScene.from_entry(entry)], settings, quiet=True, pptx=False)
    assert built.per_scene == [("tiny", 3)] and built.notes == list(BEAT_NOTES) and built.pdf.is_file()


def test_what_is_made_from_a_scene_is_made_in_its_slot_once_it_is_rendered(settings, monkeypatch):
    """The render engine's AFTER sees each scene's finished render (movie and slides on disk), made now or
    up to date, so a chapter file or a GIF is cut while other scenes still render."""
    from gdevo.rendering.engine import render_batch
    from gdevo.rendering.manim_run import Format, SceneJob

    seen = []

    def after(job, r):
        seen.append((job.name, r.skipped, r.movie.is_file(), r.slides.is_file()))

    job = SceneJob("tiny", "tests.gdevo.deck_fixture", "TinyDeck")
    fmt = Format("low", (160, 90), 15)
    first = render_batch([job], fmt, settings, after=after)
    assert seen == [("tiny", False, True, True)] and first.rendered["tiny"].movie.is_file()
    no_manim(monkeypatch)
    render_batch([job], fmt, settings, after=after)
    assert seen[1:] == [("tiny", True, True, True)]   # up to date: no manim, AFTER still runs


@pytest.mark.parametrize("argv, needle", [
    (["slides", "nope"], "scene 'nope' is unknown"),
    (["slides", "race"], "scene 'race' does not exist yet"),
    (["slides", "--quality", "ultra"], "invalid choice: 'ultra'"),
    (["slides", "--jobs", "0"], "--jobs must be at least 1"),
])
def test_bad_slides_requests_are_one_line_and_keep_the_deck(argv, needle, isolated_outputs, capsys, without_scenes):
    without_scenes("race")  # chapter 11 stands in for any scene not written yet
    slides = isolated_outputs / "renders" / "slides"
    slides.mkdir(parents=True)
    (slides / "gdevo-deck.html").write_text("old deck")
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1 and needle in err and "Traceback" not in err
    assert (slides / "gdevo-deck.html").read_text() == "old deck"
    assert [p.name for p in Path(slides).iterdir()] == ["gdevo-deck.html"]


def test_scenes_keep_the_given_order_with_parallel_renders_and_beats_map_to_slides(deck, monkeypatch):
    two = DeckScene("tiny-two", "tests.gdevo.deck_fixture", "TinyDeckTwo")
    both = build_deck([two, TINY], deck_settings(deck.html.parent.parent), resolution=(160, 90), fps=15, quiet=True,
                      pptx=False, jobs=2)
    assert both.per_scene == [("tiny-two", 2), ("tiny", 3)]
    assert both.notes == ["first note\n\nsecond note", "", *BEAT_NOTES]
    info = subprocess.run(["pdfinfo", str(both.pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+5$", info, re.M)


@pytest.mark.parametrize(("theme", "reveal"), [("dark", "black"), ("light", "white")])
def test_the_deck_page_follows_the_theme(theme, reveal):
    from gdevo.outputs.slides import deck_style
    from scenes.kit.palette import PALETTES

    assert deck_style(Settings(theme=theme)) == {"background_color": PALETTES[theme].background, "reveal_theme": reveal}

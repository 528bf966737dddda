"""The lecture deck: the explainer's chapters as manim-slides slides, one slide per beat.

- The slides come from the one manim pass per scene (gdevo.rendering.manim_run renders each scene's
  manim-slides Slide variant, gdevo/rendering/slide_scene.py): after `gdevo render explainer`, the deck
  at the same quality starts no manim process; only missing or stale scenes are rendered.
- `build_deck` converts the scenes, in the given order, to an offline reveal.js HTML deck (a
  local copy of reveal.js, no CDN), a PDF (last frame of each slide) and a PPTX; the conversion
  is skipped when the scenes' renders and the options are unchanged.

reveal.js comes from the npm registry once (`npm pack reveal.js@6.0.1`, integrity pinned below),
is cached in .cache/vendor/ and unpacked beside the deck (renders/slides/reveal.js/).
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from gdevo.rendering import stamps
from gdevo.rendering.manim_run import Format, SceneJob
from gdevo.rendering.slide_scene import slide_variant
from gdevo.settings import Settings
from sim.errors import GdevoError

DECK_NAME = "gdevo-deck"
DECK_VERSION = "1"         # bump when the conversion writes something else from the same slides
REVEAL_VERSION = "6.0.1"
REVEAL_INTEGRITY = "sha512-9eacArNIgqO2HGWOK+93gJNn+gvdGDVbSq+i2u3Ja9kjiHps0XNLpgYTZTYjKRH91uXy3clGimeGiw4umHG/tg=="
REVEAL_DIR = "reveal.js"   # beside the deck; the HTML's cdn_url points here (relative)
REVEAL_LAYOUT = "2"        # bump when install_reveal keeps other files

DeckScene = SceneJob   # one scene of the deck: name, dotted module, class, the experiments it reads


def slides_dir(renders: Path) -> Path:
    return renders / "slides"


# ---------------------------------------------------------------- reveal.js (offline)

def _integrity_ok(path: Path) -> bool:
    digest = base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()
    return f"sha512-{digest}" == REVEAL_INTEGRITY


def reveal_tarball(vendor: Path) -> Path:
    """The reveal.js npm tarball: cached in VENDOR, else fetched once with `npm pack` (integrity checked)."""
    tgz = vendor / f"reveal.js-{REVEAL_VERSION}.tgz"
    if tgz.is_file() and _integrity_ok(tgz):
        return tgz
    npm = shutil.which("npm")
    if npm is None:
        raise GdevoError(f"the offline deck needs reveal.js {REVEAL_VERSION} from npm once, but npm is not "
                         "installed; run scripts/setup.sh (it installs nodejs/npm)")
    vendor.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=vendor) as tmp:
        proc = subprocess.run([npm, "pack", f"reveal.js@{REVEAL_VERSION}", "--pack-destination", tmp, "--silent"],
                              capture_output=True, text=True, timeout=300)
        got = Path(tmp) / tgz.name
        if proc.returncode != 0 or not got.is_file():
            tail = (proc.stderr.strip().splitlines() or ["no tarball written"])[-1]
            raise GdevoError(f"`npm pack reveal.js@{REVEAL_VERSION}` failed: {tail}")
        if not _integrity_ok(got):
            raise GdevoError(f"reveal.js {REVEAL_VERSION} tarball from npm does not match the pinned integrity")
        os.replace(got, tgz)
    return tgz


def install_reveal(dest: Path, vendor: Path) -> Path:
    """Unpack reveal.js's dist/ (and LICENSE) into DEST/reveal.js once per version (the tarball
    cached in VENDOR); returns that folder."""
    target = dest / REVEAL_DIR
    marker = target / ".gdevo-version"
    stamp = f"{REVEAL_VERSION} {REVEAL_LAYOUT}"
    if marker.is_file() and marker.read_text().strip() == stamp and (target / "dist" / "reveal.js").is_file():
        return target
    tgz = reveal_tarball(vendor)
    dest.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".reveal.", dir=dest))
    stage.chmod(0o755)
    try:
        with tarfile.open(tgz, "r:gz") as tar:
            for member in tar.getmembers():
                rel = Path(member.name)
                if not member.isfile() or ".." in rel.parts or rel.parts[0] != "package":
                    continue
                inner = Path(*rel.parts[1:])
                in_dist = inner.parts[0] == "dist" and not inner.name.endswith((".d.ts", ".mjs"))  # UMD only
                keep = in_dist or inner.as_posix() == "LICENSE"
                if not keep:
                    continue
                (stage / inner).parent.mkdir(parents=True, exist_ok=True)
                with tar.extractfile(member) as src, open(stage / inner, "wb") as dst:
                    shutil.copyfileobj(src, dst)
        (stage / ".gdevo-version").write_text(stamp + "\n")
        _swap_in(stage, target)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return target


def _swap_in(new: Path, target: Path) -> None:
    """Replace TARGET (file or folder) by NEW with two renames; the old one is removed afterwards."""
    old = target.with_name(f".{target.name}.old")
    if old.exists():
        shutil.rmtree(old) if old.is_dir() else old.unlink()
    if target.exists():
        os.replace(target, old)
    os.replace(new, target)
    if old.exists():
        shutil.rmtree(old) if old.is_dir() else old.unlink()


# ---------------------------------------------------------------- the deck

@dataclass
class Deck:
    html: Path
    pdf: Path
    pptx: Path | None
    slides: int
    per_scene: list[tuple[str, int]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def deck_style(settings: Settings) -> dict[str, str]:
    """The deck page follows the scenes' theme (the settings'): the palette's background around and
    between the slide videos, and reveal.js's light or dark theme for its own controls and text."""
    pal = settings.scene().palette
    return {"background_color": pal.background, "reveal_theme": "white" if pal.name == "light" else "black"}


def build_deck(scenes: list[DeckScene], settings: Settings, *, resolution: tuple[int, int] | None = None,
               fps: int | None = None, force: bool = False, quiet: bool = False,
               pptx: bool = True, jobs: int = 1) -> Deck:
    """Get every scene's slides from its one render at the settings' quality (rendering only the
    missing or stale ones, JOBS at a time), then write DECK.html (+ assets), DECK.pdf and DECK.pptx
    in renders/slides/."""
    from gdevo.rendering.engine import render_batch

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")   # conversion never needs a display
    if not scenes:
        raise GdevoError("no scenes to put in the deck")
    if jobs < 1:
        raise GdevoError(f"--jobs must be at least 1 (got {jobs})")
    fmt = Format(settings.quality, resolution, fps)
    out = slides_dir(settings.renders)
    install_reveal(out, settings.vendor)   # first: without reveal.js there is no deck, so do not render for nothing
    say = (lambda msg: None) if quiet else (lambda msg: print(msg, file=sys.stderr, flush=True))
    batch = render_batch(list(scenes), fmt, settings, force=force, workers=jobs, say=say)
    rendered = [batch.rendered[s.name] for s in scenes]
    html, pdf, pptx_file = (out / f"{DECK_NAME}{ext}" for ext in (".html", ".pdf", ".pptx"))
    from gdevo.web.page import add_deck_slide, explorer_page

    key = stamps.digest({"v": DECK_VERSION, "scenes": [[s.name, r.key] for s, r in zip(scenes, rendered, strict=True)],
                         "pptx": pptx, "title": settings.full_title, "reveal": REVEAL_VERSION,
                         "explorer": explorer_page(settings.renders).is_file(), "style": deck_style(settings)})
    from manim_slides.config import PresentationConfig

    configs = [PresentationConfig.from_file(r.slides) for r in rendered]
    per_scene = [(s.name, len(c.slides)) for s, c in zip(scenes, configs, strict=True)]
    notes = [slide.notes for c in configs for slide in c.slides]
    made = stamps.fresh(settings.renders, "deck", DECK_NAME, key, html, pdf, *([pptx_file] if pptx else []))
    if made is not None and not force:
        say(f"deck up to date: {html}")
        return Deck(html, pdf, pptx_file if made.get("pptx") else None, sum(n for _, n in per_scene), per_scene,
                    notes)
    stamps.clear(settings.renders, "deck", DECK_NAME)
    from manim_slides.convert import PDF, PowerPoint, RevealJS

    stage = Path(tempfile.mkdtemp(prefix=".deck.", dir=out))
    try:
        RevealJS(presentation_configs=configs, cdn_url=REVEAL_DIR, reveal_version=REVEAL_VERSION,
                 title=settings.full_title, **deck_style(settings)).convert_to(stage / html.name)
        from gdevo.media.deck_audio import add_narration

        add_narration(stage / html.name, scenes, configs, settings.renders)   # each slide's narration, from its chapter
        add_deck_slide(stage / html.name, settings, out)   # a last slide that opens the local web explorer, if written
        from gdevo.media.last_frame import fast_last_frames

        with fast_last_frames():   # each slide's last frame decoded from its last keyframe, not from its start
            PDF(presentation_configs=configs).convert_to(stage / pdf.name)
        made_pptx = None
        if pptx:
            try:
                PowerPoint(presentation_configs=configs).convert_to(stage / pptx_file.name)  # 1280×720 slides
                made_pptx = pptx_file
            except Exception as exc:   # PPTX is a bonus: never lose the HTML/PDF deck over it
                print(f"gdevo: warning: PPTX not written ({type(exc).__name__}: {exc})", file=sys.stderr)
        for item in [f"{DECK_NAME}_assets", html.name, pdf.name] + ([pptx_file.name] if made_pptx else []):
            _swap_in(stage / item, out / item)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    stamps.write(settings.renders, "deck", DECK_NAME,
                 {"key": key, "pptx": made_pptx is not None, "slides": sum(n for _, n in per_scene)})
    return Deck(html, pdf, made_pptx, sum(n for _, n in per_scene), per_scene, notes)


__all__ = ["DECK_NAME", "Deck", "DeckScene", "build_deck", "install_reveal", "slide_variant", "slides_dir"]

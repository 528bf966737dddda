"""The lecture deck: the explainer's chapters as manim-slides slides, one slide per beat.

- `slide_variant(SceneCls)` makes the manim-slides `Slide` version of a scene. Its
  `close_beat(notes)` (the end of every `beat`) closes the current slide and attaches the notes
  to *that* slide (manim-slides' own `next_slide(notes=...)` would give them to the next one),
  so each slide's speaker notes are the numbers said about what it just showed.
- `render_scene_slides` renders one scene with manim (gdevo/slide_scene.py) into
  renders/slides/scenes/CLASS.json + files/, with a per-scene media dir; unchanged scenes are
  skipped (same stamp idea as gdevo.render).
- `build_deck` converts the scenes, in storyboard order, to an offline reveal.js HTML deck (a
  local copy of reveal.js, no CDN), a PDF (last frame of each slide) and a PPTX.

reveal.js comes from the npm registry once (`npm pack reveal.js@6.0.1`, integrity pinned below),
is cached in .cache/vendor/ and unpacked beside the deck (renders/slides/reveal.js/).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from sim.cache import ROOT
from sim.errors import GdevoError

DECK_NAME = "gdevo-deck"
DECK_TITLE = "How neural networks learn: gradient descent vs evolution"
REVEAL_VERSION = "6.0.1"
REVEAL_INTEGRITY = "sha512-9eacArNIgqO2HGWOK+93gJNn+gvdGDVbSq+i2u3Ja9kjiHps0XNLpgYTZTYjKRH91uXy3clGimeGiw4umHG/tg=="
REVEAL_DIR = "reveal.js"   # beside the deck; the HTML's cdn_url points here (relative)
REVEAL_LAYOUT = "2"        # bump when install_reveal keeps other files


# ---------------------------------------------------------------- Slide variants

def slide_variant(base: type) -> type:
    """The manim-slides Slide version of a ChapterScene subclass (same name, beats become slides)."""
    from manim import ThreeDScene
    from manim_slides.slide import Slide, ThreeDSlide

    slide_base = ThreeDSlide if issubclass(base, ThreeDScene) else Slide

    class DeckBeats:
        skip_reversing = True   # reversed clips are only for `manim-slides present`'s reverse key

        def __init__(self, *args, **kwargs):
            out = os.environ.get("GDEVO_SLIDES_OUT")
            if out:
                kwargs.setdefault("output_folder", Path(out))
            super().__init__(*args, **kwargs)

        def close_beat(self, notes: str = "") -> None:
            super().close_beat(notes)
            if self._current_animation > self._start_animation:
                self._base_slide_config.notes = notes   # the notes describe the slide this beat ends
                self.next_slide()
            elif self._slides and notes:   # two beats with nothing in between: one slide, both notes
                last = self._slides[-1]
                last.notes = f"{last.notes}\n\n{notes}" if last.notes else notes

    return type(base.__name__, (DeckBeats, slide_base, base), {"__doc__": base.__doc__})


@dataclass(frozen=True)
class DeckScene:
    """One scene of the deck: a dotted module and class, and the experiments it reads."""

    name: str
    module: str        # dotted, e.g. scenes.landscape
    cls: str
    traces: tuple[str, ...] = ()

    @classmethod
    def from_entry(cls, entry) -> DeckScene:
        return cls(entry.name, f"scenes.{entry.module}", entry.cls, tuple(entry.traces))


def slides_dir() -> Path:
    from gdevo.render import renders_dir

    return renders_dir() / "slides"


def _digest(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.as_posix().encode())
        h.update(p.read_bytes() if p.is_file() else b"")
    return h.hexdigest()


def _module_file(dotted: str) -> Path:
    import importlib.util

    spec = importlib.util.find_spec(dotted)
    if spec is None or not spec.origin:
        raise GdevoError(f"scene module {dotted} not found")
    return Path(spec.origin)


def _slide_key(scene: DeckScene, render_args: list[str], device: str | None) -> str:
    from sim.cache import resolve

    sources = [*sorted((ROOT / "scenes").rglob("*.py")), ROOT / "manim.cfg", _module_file(scene.module),
               Path(__file__), ROOT / "gdevo" / "slide_scene.py"]
    traces = [resolve(t, device=device).path.name for t in scene.traces]
    blob = json.dumps({"src": _digest(sources), "traces": traces, "args": render_args, "cls": scene.cls})
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def render_scene_slides(scene: DeckScene, quality: str = "low", *, resolution: tuple[int, int] | None = None,
                        fps: int | None = None, device: str | None = None, force: bool = False,
                        quiet: bool = False) -> Path:
    """Render SCENE's slides into renders/slides/scenes/ (skipped when nothing changed); returns its JSON."""
    from gdevo.render import QUALITIES
    from sim.cache import ensure_trace

    if quality not in QUALITIES:
        raise GdevoError(f"unknown quality {quality!r}; choose from {', '.join(QUALITIES)}")
    for name in scene.traces:
        ensure_trace(name, device=device, quiet=quiet)
    out = slides_dir() / "scenes"
    config_file = out / f"{scene.cls}.json"
    render_args = [f"-q{QUALITIES[quality].flag}"]
    if resolution:
        render_args += ["-r", f"{resolution[0]},{resolution[1]}"]
    if fps:
        render_args += ["--fps", str(fps)]
    key = _slide_key(scene, render_args, device)
    stamp = slides_dir() / ".stamps" / f"{scene.name}.json"
    if not force and config_file.is_file() and stamp.is_file():
        try:
            if json.loads(stamp.read_text()).get("key") == key:
                return config_file
        except ValueError:
            pass
    media = slides_dir() / "media" / scene.name
    cmd = [sys.executable, "-m", "manim", "render", *render_args, "gdevo/slide_scene.py", scene.cls,
           "--media_dir", str(media), "--progress_bar", "none"]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
               GDEVO_SLIDE_MODULE=scene.module, GDEVO_SLIDE_CLASS=scene.cls, GDEVO_SLIDES_OUT=str(out.resolve()),
               QT_QPA_PLATFORM="offscreen")
    if device:
        env["GDEVO_DEVICE"] = device
    log = slides_dir() / "logs" / f"{scene.name}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    if not quiet:
        print(f"rendering slides of {scene.name} … log: {log}", file=sys.stderr)
    with open(log, "w") as fh:
        proc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT)
    if proc.returncode != 0 or not config_file.is_file():
        tail = (log.read_text().strip().splitlines() or ["(no output)"])[-1].strip()
        raise GdevoError(f"manim failed rendering the slides of {scene.name} (see {log}): {tail}")
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(json.dumps({"key": key, "quality": quality}))
    return config_file


# ---------------------------------------------------------------- reveal.js (offline)

def vendor_dir() -> Path:
    return Path(os.environ.get("GDEVO_VENDOR", ROOT / ".cache" / "vendor"))


def _integrity_ok(path: Path) -> bool:
    digest = base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()
    return f"sha512-{digest}" == REVEAL_INTEGRITY


def reveal_tarball() -> Path:
    """The reveal.js npm tarball: cached, else fetched once with `npm pack` (integrity checked)."""
    tgz = vendor_dir() / f"reveal.js-{REVEAL_VERSION}.tgz"
    if tgz.is_file() and _integrity_ok(tgz):
        return tgz
    npm = shutil.which("npm")
    if npm is None:
        raise GdevoError(f"the offline deck needs reveal.js {REVEAL_VERSION} from npm once, but npm is not "
                         "installed; run scripts/setup.sh (it installs nodejs/npm)")
    vendor_dir().mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=vendor_dir()) as tmp:
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


def install_reveal(dest: Path) -> Path:
    """Unpack reveal.js's dist/ (and LICENSE) into DEST/reveal.js once per version; returns that folder."""
    target = dest / REVEAL_DIR
    marker = target / ".gdevo-version"
    stamp = f"{REVEAL_VERSION} {REVEAL_LAYOUT}"
    if marker.is_file() and marker.read_text().strip() == stamp and (target / "dist" / "reveal.js").is_file():
        return target
    tgz = reveal_tarball()
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


def build_deck(scenes: list[DeckScene], quality: str = "low", *, resolution: tuple[int, int] | None = None,
               fps: int | None = None, device: str | None = None, force: bool = False, quiet: bool = False,
               pptx: bool = True, jobs: int = 1) -> Deck:
    """Render every scene's slides (JOBS manim processes at a time), then write DECK.html (+ assets),
    DECK.pdf and DECK.pptx in renders/slides/."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")   # conversion never needs a display
    os.environ.setdefault("TQDM_DISABLE", "1")              # manim-slides' per-slide progress bars
    if not scenes:
        raise GdevoError("no scenes to put in the deck")
    if jobs < 1:
        raise GdevoError(f"--jobs must be at least 1 (got {jobs})")
    out = slides_dir()
    install_reveal(out)   # first: without reveal.js there is no deck, so do not render for nothing
    for s in scenes:      # simulate any missing trace once, before parallel renders
        for name in s.traces:
            from sim.cache import ensure_trace

            ensure_trace(name, device=device, quiet=quiet)

    def render(s: DeckScene) -> Path:
        return render_scene_slides(s, quality, resolution=resolution, fps=fps, device=device, force=force,
                                   quiet=quiet)

    if jobs == 1:
        configs_files = [render(s) for s in scenes]
    else:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=jobs) as pool:
            configs_files = list(pool.map(render, scenes))
    from manim_slides.config import PresentationConfig
    from manim_slides.convert import PDF, PowerPoint, RevealJS

    configs = [PresentationConfig.from_file(f) for f in configs_files]
    stage = Path(tempfile.mkdtemp(prefix=".deck.", dir=out))
    try:
        html = stage / f"{DECK_NAME}.html"
        RevealJS(presentation_configs=configs, cdn_url=REVEAL_DIR, reveal_version=REVEAL_VERSION,
                 title=DECK_TITLE).convert_to(html)
        pdf = stage / f"{DECK_NAME}.pdf"
        PDF(presentation_configs=configs).convert_to(pdf)
        made_pptx = None
        if pptx:
            try:
                PowerPoint(presentation_configs=configs).convert_to(stage / f"{DECK_NAME}.pptx")  # 1280×720 slides
                made_pptx = stage / f"{DECK_NAME}.pptx"
            except Exception as exc:   # PPTX is a bonus: never lose the HTML/PDF deck over it
                print(f"gdevo: warning: PPTX not written ({type(exc).__name__}: {exc})", file=sys.stderr)
        for item in [f"{DECK_NAME}_assets", html.name, pdf.name] + ([made_pptx.name] if made_pptx else []):
            _swap_in(stage / item, out / item)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    per_scene = [(s.name, len(c.slides)) for s, c in zip(scenes, configs, strict=True)]
    notes = [slide.notes for c in configs for slide in c.slides]
    return Deck(out / f"{DECK_NAME}.html", out / f"{DECK_NAME}.pdf", out / f"{DECK_NAME}.pptx" if made_pptx else None,
                sum(n for _, n in per_scene), per_scene, notes)

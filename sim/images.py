"""Target images for image-fit: any file Pillow reads, a scikit-image sample, or the drawn smiley.

`load_image(spec, resolution, color, background)` returns uint8 (H, W) or (H, W, 3):
- `spec` is a path (relative paths are tried from the current directory, then the repository
  root) or `skimage:NAME` for one of scikit-image's bundled public-domain samples (read from the
  installed package, never downloaded).
- Size: the image is shrunk (Lanczos) to fit inside resolution × resolution, keeping its aspect
  ratio; a smaller image is never enlarged. Files over MAX_PIXELS pixels are refused (decompression
  bombs); anything up to that is read (JPEGs via draft mode, so a huge photo stays cheap).
- Modes: grey, RGB, CMYK, palette, 16-bit and 32-bit integer/float grey are converted; alpha
  (RGBA, LA, palette transparency) is flattened onto `background`; EXIF rotation is applied;
  of an animation the first frame is used.
- Anything unreadable (missing, not an image, corrupt, truncated, too large) raises ImageError,
  one sentence naming the file.

`python -m sim.images` rewrites assets/smiley.png from `draw_smiley` (the committed generator).
"""

from __future__ import annotations

import hashlib
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageColor, ImageDraw, ImageOps, UnidentifiedImageError

ROOT = Path(__file__).resolve().parent.parent
MAX_PIXELS = 100_000_000  # refuse larger files: a 100-megapixel image is already ~400 MB decoded
SKIMAGE_SAMPLES = ("astronaut", "camera", "cat", "chelsea", "coffee", "rocket", "moon", "page",
                   "text", "coins", "horse", "immunohistochemistry", "hubble_deep_field")


class ImageError(ValueError):
    """The image cannot be used; the message is one sentence naming the file."""


def resolve_path(spec: str) -> Path:
    path = Path(spec).expanduser()
    if not path.is_absolute() and not path.exists() and (ROOT / path).exists():
        return ROOT / path
    return path


def parse_background(value: str) -> tuple[int, int, int]:
    try:
        rgb = ImageColor.getrgb(value)
    except ValueError:
        raise ImageError(f"background {value!r} is not a colour (e.g. 'white', 'black', '#808080')") from None
    return tuple(int(c) for c in rgb[:3])  # type: ignore[return-value]


def open_image(spec: str) -> Image.Image:
    """Open and fully decode `spec` (a path or skimage:NAME); ImageError on any problem."""
    if spec.startswith("skimage:"):
        name = spec.removeprefix("skimage:")
        if name not in SKIMAGE_SAMPLES:
            raise ImageError(f"{spec!r}: unknown scikit-image sample (known: {', '.join(SKIMAGE_SAMPLES)})")
        import skimage.data

        try:
            arr = getattr(skimage.data, name)()
        except Exception as exc:  # e.g. a sample that needs a download (pooch)
            raise ImageError(f"{spec!r}: scikit-image cannot provide this sample here ({type(exc).__name__})") from None
        arr = np.asarray(arr)
        if arr.dtype != np.uint8:
            arr = (np.clip(arr.astype(np.float64) / max(float(arr.max()), 1e-12), 0, 1) * 255).astype(np.uint8)
        return Image.fromarray(arr)
    path = resolve_path(spec)
    if not path.is_file():
        raise ImageError(f"image file {spec!r} does not exist" if not path.exists()
                         else f"image path {spec!r} is not a file")
    old_limit = Image.MAX_IMAGE_PIXELS
    try:
        Image.MAX_IMAGE_PIXELS = MAX_PIXELS
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(path)
            if img.format == "JPEG":
                img.draft("RGB" if img.mode != "L" else "L", (4096, 4096))
            img.seek(0)
            img.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError(f"image file {spec!r} is larger than {MAX_PIXELS:,} pixels; shrink it first") from None
    except UnidentifiedImageError:
        raise ImageError(f"image file {spec!r} is not an image Pillow can read") from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ImageError(f"image file {spec!r} is corrupt or truncated ({exc})") from None
    finally:
        Image.MAX_IMAGE_PIXELS = old_limit
    try:
        img = ImageOps.exif_transpose(img)
    except Exception:  # a broken EXIF block only loses the rotation
        pass
    return img


def _flatten(img: Image.Image, background: tuple[int, int, int]) -> Image.Image:
    """RGB or L with any alpha composited onto the background; high-bit-depth grey scaled to 8 bit."""
    if img.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        arr = np.asarray(img, dtype=np.float64)
        top = 1.0 if img.mode == "F" and arr.max() <= 1.0 else (255.0 if arr.max() <= 255 else 65535.0)
        return Image.fromarray((np.clip(arr / top, 0, 1) * 255 + 0.5).astype(np.uint8), "L")
    if img.mode == "P":
        img = img.convert("RGBA" if "transparency" in img.info else "RGB")
    if img.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in img.info:
        rgba = img.convert("RGBA")
        base = Image.new("RGBA", rgba.size, (*background, 255))
        return Image.alpha_composite(base, rgba).convert("RGB")
    if img.mode in ("L", "RGB"):
        return img
    if img.mode == "1":
        return img.convert("L")
    return img.convert("RGB")


def load_image(spec: str, resolution: int, color: str = "grey", background: str = "white") -> np.ndarray:
    """The target as uint8 (H, W) ('grey') or (H, W, 3) ('rgb'), fitted inside resolution²."""
    bg = parse_background(background)
    img = _flatten(open_image(spec), bg)
    w, h = img.size
    if max(w, h) > resolution:
        scale = resolution / max(w, h)
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        img = img.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    img = img.convert("L" if color == "grey" else "RGB")
    return np.asarray(img, dtype=np.uint8).copy()


def image_digest(spec: str) -> str:
    """A content hash of the image source, so a changed file never serves a stale cached trace."""
    if spec.startswith("skimage:"):
        import skimage

        return f"{spec}@skimage-{skimage.__version__}"
    path = resolve_path(spec)
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    except OSError:
        return "unreadable"


def draw_smiley(size: int = 64) -> Image.Image:
    """A smiley face, drawn (not downloaded): dark face outline and features on a light ground."""
    s = 4 * size  # draw large, then shrink with Lanczos for smooth (anti-aliased) edges
    img = Image.new("L", (s, s), 235)
    d = ImageDraw.Draw(img)
    m = s * 0.06
    d.ellipse([m, m, s - m, s - m], fill=200, outline=30, width=round(s * 0.04))
    ex, ey, er = s * 0.33, s * 0.38, s * 0.07
    for cx in (ex, s - ex):
        d.ellipse([cx - er, ey - er * 1.3, cx + er, ey + er * 1.3], fill=30)
    d.arc([s * 0.27, s * 0.3, s * 0.73, s * 0.76], start=20, end=160, fill=30, width=round(s * 0.045))
    return img.resize((size, size), Image.Resampling.LANCZOS)


if __name__ == "__main__":
    out = ROOT / "assets" / "smiley.png"
    out.parent.mkdir(exist_ok=True)
    draw_smiley(64).save(out, optimize=True)
    print(f"wrote {out} ({out.stat().st_size} bytes)")

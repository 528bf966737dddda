"""User images: anything Pillow reads loads to the stated size; anything else is one clear line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import sim.images
from sim.images import ImageError, draw_smiley, load_image

ROOT = Path(__file__).resolve().parents[2]


def _gradient(w: int, h: int) -> np.ndarray:
    return np.add.outer(np.arange(h) * 255 // max(h - 1, 1), np.zeros(w, dtype=int)).astype(np.uint8)


def test_grey_rgb_rgba_16bit_palette_load_to_the_stated_size(tmp_path):
    grey = Image.fromarray(_gradient(40, 20))
    grey.save(tmp_path / "grey.png")
    Image.merge("RGB", [grey, grey.transpose(Image.Transpose.FLIP_TOP_BOTTOM), grey]).save(tmp_path / "rgb.jpg")
    rgba = Image.new("RGBA", (30, 30), (255, 0, 0, 255))
    rgba.paste((0, 0, 0, 0), (0, 0, 15, 30))  # left half fully transparent
    rgba.save(tmp_path / "rgba.png")
    sixteen = np.add.outer(np.arange(32, dtype=np.uint16) * 2000, np.zeros(32, dtype=np.uint16))
    Image.fromarray(sixteen).save(tmp_path / "deep.png")  # 16-bit grey (0 .. 62000)
    pal = Image.new("P", (24, 24), 0)
    pal.putpalette([0, 0, 255, 0, 255, 0] + [0] * 762)
    pal.paste(1, (0, 12, 24, 24))
    pal.save(tmp_path / "pal.png", transparency=0)  # index 0 (blue, top half) is transparent

    g = load_image(str(tmp_path / "grey.png"), 16)
    assert g.shape == (8, 16) and g.dtype == np.uint8 and g[0, 0] < 20 and g[-1, 0] > 235
    assert load_image(str(tmp_path / "grey.png"), 64).shape == (20, 40)  # never enlarged
    c = load_image(str(tmp_path / "rgb.jpg"), 20, color="rgb")
    assert c.shape == (10, 20, 3) and c[0, 0, 1] > 200 and c[0, 0, 0] < 40
    a = load_image(str(tmp_path / "rgba.png"), 30, color="rgb", background="black")
    assert a[15, 2].tolist() == [0, 0, 0] and a[15, 27].tolist() == [255, 0, 0]
    assert load_image(str(tmp_path / "rgba.png"), 30, color="rgb")[15, 2].tolist() == [255, 255, 255]
    d = load_image(str(tmp_path / "deep.png"), 32)
    assert d.shape == (32, 32) and d[0, 0] == 0 and 235 <= d[-1, 0] <= 245  # 62000/65535·255 ≈ 241, not clipped
    assert 120 < d[16, 0] < 135
    p = load_image(str(tmp_path / "pal.png"), 24, color="rgb", background="#808080")
    assert p[2, 2].tolist() == [128, 128, 128] and p[20, 2].tolist() == [0, 255, 0]


def test_a_huge_image_is_shrunk_to_the_resolution(tmp_path):
    big = Image.fromarray(_gradient(4800, 3200))
    big.save(tmp_path / "big.png", compress_level=1)
    img = load_image(str(tmp_path / "big.png"), 48)
    assert img.shape == (32, 48)
    assert img[0, 0] < 10 and img[-1, -1] > 245


def test_decompression_bomb_is_refused(tmp_path, monkeypatch):
    Image.new("L", (300, 200)).save(tmp_path / "bomb.png")
    monkeypatch.setattr(sim.images, "MAX_PIXELS", 10_000)
    with pytest.raises(ImageError, match="larger than 10,000 pixels"):
        load_image(str(tmp_path / "bomb.png"), 32)
    assert Image.MAX_IMAGE_PIXELS != 10_000  # Pillow's global limit is restored


def test_skimage_sample_and_smiley():
    astro = load_image("skimage:astronaut", 128, color="rgb")
    assert astro.shape == (128, 128, 3)
    with pytest.raises(ImageError, match="unknown scikit-image sample"):
        load_image("skimage:nope", 16)
    committed = np.asarray(Image.open(ROOT / "assets/smiley.png"))
    assert np.array_equal(committed, np.asarray(draw_smiley(64)))  # the asset is what the code draws


def gdevo(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gdevo", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ}, timeout=300)


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory):
    d = tmp_path_factory.mktemp("bad")
    (d / "notes.png").write_text("this is not an image\n")
    draw_smiley(64).save(d / "ok.png")
    data = (d / "ok.png").read_bytes()
    (d / "truncated.png").write_bytes(data[: len(data) // 2])
    return d


@pytest.mark.parametrize("file, needles", [
    ("notes.png", ["not an image Pillow can read"]),
    ("truncated.png", ["corrupt or truncated"]),
])
def test_bad_image_is_one_line_naming_field_and_file(bad_files, file, needles):
    path = str(bad_files / file)
    proc = gdevo("sim", "image-fit-smiley", "--set", f"image={path}")
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert "image" in lines[0] and path in lines[0]
    for needle in needles:
        assert needle in lines[0]


def test_missing_image_is_a_config_error_naming_the_field(tmp_path):
    from sim.config import validate_config
    from sim.errors import ConfigError
    from sim.experiments.image_fit import ImageFitConfig

    data = dict(image=str(tmp_path / "gone.png"), budget_evals=4, runs=[dict(name="adam", optimizer="adam")])
    with pytest.raises(ConfigError) as err:
        validate_config(ImageFitConfig, data, "x.toml")
    msg = str(err.value)
    assert msg.startswith("x.toml: image: ") and "gone.png' does not exist" in msg and "\n" not in msg


def test_an_image_too_thin_for_ssim_is_refused(tmp_path):
    from sim.config import validate_config
    from sim.errors import ConfigError
    from sim.experiments.image_fit import ImageFitConfig

    Image.fromarray(_gradient(400, 20)).save(tmp_path / "banner.png")
    data = dict(image=str(tmp_path / "banner.png"), resolution=64, budget_evals=4,
                runs=[dict(name="adam", optimizer="adam")])
    with pytest.raises(ConfigError, match=r"64×3 after fitting into resolution 64²; SSIM needs at least 7"):
        validate_config(ImageFitConfig, data, "x.toml")


def test_editing_the_image_file_changes_the_cache_key(tmp_path):
    from sim.cache import resolve

    img = tmp_path / "me.png"
    Image.fromarray(_gradient(16, 16)).save(img)
    conf = tmp_path / "mine.toml"
    conf.write_text(f'experiment = "image-fit"\nimage = "{img}"\nresolution = 16\nbudget_evals = 4\n'
                    '[[runs]]\nname = "adam"\noptimizer = "adam"\n')
    before = resolve("mine", config_file=conf).path
    assert resolve("mine", config_file=conf).path == before
    Image.fromarray(255 - _gradient(16, 16)).save(img)
    assert resolve("mine", config_file=conf).path != before

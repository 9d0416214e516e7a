"""Pictures in every mode go in, the input's mode comes out, and nothing is half-written."""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import pydream
from pydream.media.images import atomic_path, load_image, save_image

from .conftest import IMAGES, require


def png_header_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims width x height pixels, with almost no data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 10))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    ("mode", "make"),
    [
        ("L", lambda a: Image.fromarray(a[..., 0])),
        ("RGBA", lambda a: Image.fromarray(np.dstack([a, a[..., :1]]))),
        ("P", lambda a: Image.fromarray(a).convert("P")),
        ("CMYK", lambda a: Image.fromarray(a).convert("CMYK")),
        ("I;16", lambda a: Image.fromarray(a[..., 0].astype(np.uint16) * 257)),
        ("LA", lambda a: Image.fromarray(a).convert("LA")),
    ],
)
def test_every_mode_loads_as_rgb(mode, make):
    array = np.random.default_rng(0).integers(0, 256, (20, 30, 3)).astype(np.uint8)
    picture = make(array)
    loaded = load_image(picture)
    assert loaded.rgb.shape == (20, 30, 3) and loaded.rgb.dtype == np.uint8
    assert loaded.mode == picture.mode
    if mode == "I;16":
        np.testing.assert_array_equal(loaded.rgb[..., 0], array[..., 0])
    assert (loaded.alpha is not None) == (mode in ("RGBA", "LA"))


def test_exif_orientation_is_applied(tmp_path):
    array = np.zeros((10, 20, 3), np.uint8)
    array[:, :5] = 255  # white on the left
    picture = Image.fromarray(array)
    exif = picture.getexif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    path = tmp_path / "rotated.jpg"
    picture.save(path, exif=exif, quality=100)
    loaded = load_image(path)
    assert loaded.rgb.shape == (20, 10, 3)
    assert loaded.rgb[:5].mean() > 200  # the white band is now on top


@pytest.mark.parametrize(
    ("source", "mode"), [("grayscale_camera.png", "L"), ("alpha_coffee.png", "RGBA")]
)
def test_outputs_keep_the_input_mode_and_alpha(tiny_models, tmp_path, source, mode):
    path = IMAGES / source
    require(path.is_file(), f"example photo not found: {path}")
    image = Image.open(path)
    image.thumbnail((96, 96))
    small = tmp_path / source
    image.save(small)
    out = tmp_path / "out.png"
    pydream.deep_dream(
        small, {"square": 1}, model="tiny", weights=None, iterations=2, num_octave=2, output=out
    )
    written = Image.open(out)
    assert written.mode == mode and written.size == image.size
    if mode == "RGBA":
        np.testing.assert_array_equal(np.asarray(written)[..., 3], np.asarray(image)[..., 3])


def test_png_output_carries_the_settings(tiny_models, photo, tmp_path):
    out = tmp_path / "out.png"
    pydream.deep_dream(
        photo, {"square": 2}, model="tiny", weights=None, iterations=1, output=out, seed=3
    )
    settings = json.loads(Image.open(out).text["pydream:settings"])
    assert (
        settings["layers"] == {"square": 2.0}
        and settings["seed"] == 3
        and settings["model"] == "tiny"
    )


def test_jpeg_output_of_rgba_input_drops_alpha(tiny_models, tmp_path):
    rgba = np.random.default_rng(0).integers(0, 256, (40, 40, 4)).astype(np.uint8)
    out = tmp_path / "out.jpg"
    pydream.deep_dream(rgba, {"square": 1}, model="tiny", weights=None, iterations=1, output=out)
    assert Image.open(out).mode == "RGB"


def test_atomic_write_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "result.png"
    target.write_bytes(b"old")
    with pytest.raises(KeyboardInterrupt), atomic_path(target) as temporary:
        temporary.write_bytes(b"half")
        raise KeyboardInterrupt
    assert target.read_bytes() == b"old"
    assert list(tmp_path.iterdir()) == [target]


def test_save_img_round_trips(tmp_path):
    rgb = np.random.default_rng(2).integers(0, 256, (12, 9, 3)).astype(np.uint8)
    path = pydream.save_img(rgb, tmp_path / "x.png")
    np.testing.assert_array_equal(np.asarray(Image.open(path)), rgb)
    save_image(rgb, tmp_path / "y.tif")
    np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "y.tif")), rgb)


BAD_FILES = {
    "missing": (None, FileNotFoundError, "input image not found"),
    "empty.jpg": (b"", ValueError, "is empty"),
    "text.jpg": (b"this is not a picture\n" * 20, ValueError, "not a picture Pillow can read"),
    "huge.png": (png_header_claiming(60000, 60000), ValueError, "too large to open safely"),
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_bad_files_give_one_clear_error(tmp_path, name):
    content, error, words = BAD_FILES[name]
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(error, match=words):
        pydream.deep_dream(path, {"mixed3": 1}, weights=None, output=tmp_path / "out.png")
    assert not (tmp_path / "out.png").exists()
    if content is not None:
        assert path.read_bytes() == content


def test_truncated_jpeg(tmp_path):
    source = tmp_path / "full.jpg"
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (200, 200, 3)).astype(np.uint8)).save(
        source
    )
    truncated = tmp_path / "truncated.jpg"
    truncated.write_bytes(source.read_bytes()[:2000])
    with pytest.raises(ValueError, match="truncated or corrupt"):
        load_image(truncated)


@pytest.mark.parametrize(
    ("array", "words"),
    [(np.zeros((4, 4, 2), np.uint8), "H x W"), (np.zeros((4, 4), np.float32) + 0.5, "uint8"),
     (np.zeros((0, 4, 3), np.uint8), "empty")],
)  # fmt: skip
def test_bad_arrays(array, words):
    with pytest.raises(ValueError, match=words):
        load_image(array)


def test_image_of_the_wrong_type():
    with pytest.raises(TypeError, match="image must be a file path"):
        load_image(42)


def test_output_equal_to_input_is_refused_unless_asked(tiny_models, photo):
    before = Path(photo).read_bytes()
    with pytest.raises(ValueError, match="is the input file"):
        pydream.deep_dream(
            photo, {"square": 1}, model="tiny", weights=None, iterations=1, output=photo
        )
    assert Path(photo).read_bytes() == before
    pydream.deep_dream(
        photo,
        {"square": 1},
        model="tiny",
        weights=None,
        iterations=1,
        output=photo,
        overwrite=True,
        step=0.5,
    )
    assert Path(photo).read_bytes() != before


def test_bad_output_paths_fail_before_any_work(tiny_models, photo, tmp_path):
    with pytest.raises(ValueError, match="cannot tell the image format"):
        pydream.deep_dream(
            photo, {"square": 1}, model="tiny", weights=None, output=tmp_path / "x.xyz"
        )
    with pytest.raises(ValueError, match="does not exist"):
        pydream.deep_dream(
            photo, {"square": 1}, model="tiny", weights=None, output=tmp_path / "no" / "x.png"
        )


INPUT_MODES = {
    "1": lambda a: Image.fromarray(a[..., 0]).convert("1"),
    "L": lambda a: Image.fromarray(a[..., 0]),
    "LA": lambda a: Image.fromarray(a).convert("LA"),
    "P": lambda a: Image.fromarray(a).convert("P"),
    "PA": lambda a: Image.fromarray(np.dstack([a, a[..., :1]])).convert("PA"),
    "RGB": lambda a: Image.fromarray(a),
    "RGBA": lambda a: Image.fromarray(np.dstack([a, a[..., :1]])),
    "CMYK": lambda a: Image.fromarray(a).convert("CMYK"),
    "YCbCr": lambda a: Image.fromarray(a).convert("YCbCr"),
    "I;16": lambda a: Image.frombytes(
        "I;16", (a.shape[1], a.shape[0]), (a[..., 0].astype("<u2") * 257).tobytes()
    ),
    "I": lambda a: Image.fromarray(a[..., 0]).convert("I"),
    "F": lambda a: Image.fromarray(a[..., 0]).convert("F"),
}
EXPECTED_PNG_MODES = {
    "1": "L",
    "P": "RGB",
    "PA": "RGBA",
    "CMYK": "RGB",
    "YCbCr": "RGB",
    "I": "I;16",
}
EXPECTED_PNG_MODES |= {"F": "L"}


@pytest.mark.parametrize("mode", list(INPUT_MODES))
@pytest.mark.parametrize("extension", [".png", ".jpg", ".tif", ".webp", ".bmp"])
def test_every_input_mode_is_written_to_every_format(tiny_models, tmp_path, mode, extension):
    """A 16-bit grey PNG used to dream and then fail to write ("Invalid mode for data type")."""
    array = np.random.default_rng(1).integers(0, 256, (24, 32, 3)).astype(np.uint8)
    source = tmp_path / f"input_{mode.replace(';', '')}.png"
    picture = INPUT_MODES[mode](array)
    if picture.mode not in ("CMYK", "YCbCr", "F", "PA", "I"):  # PNG cannot hold these
        picture.save(source)
        picture = Image.open(source)
    assert picture.mode == mode
    out = tmp_path / f"out{extension}"
    pydream.deep_dream(picture, {"square": 1}, model="tiny", weights=None, iterations=1, output=out)
    written = Image.open(out)
    written.load()
    assert written.size == (32, 24)
    if extension == ".png":
        assert written.mode == EXPECTED_PNG_MODES.get(mode, mode)
    if extension == ".png" and written.mode == "I;16":
        values = np.asarray(written)
        assert values.max() > 255 and np.all(values % 257 == 0)  # 8-bit levels spread to 16

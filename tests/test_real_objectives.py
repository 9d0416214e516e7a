"""Real Inception-v3 weights: channels, guides, masks, smoother gradients and the gallery make
the dreams they should, on the jellyfish photo at 320 pixels (one octave)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage

import pydream

from .conftest import IMAGES, LONG_TESTS, REAL_WEIGHTS, needs_real_weights, require

pytestmark = [needs_real_weights, pytest.mark.real_weights]

# 10 steps of 0.02 pass every check below with the margins of 20 steps of 0.01 (channel
# correlation 0.08, masked half 0.00, detail ratios 0.30 and 0.06), in half the steps;
# PYDREAM_LONG_TESTS=1 dreams the 20.
ONE_OCTAVE = {
    "weights": str(REAL_WEIGHTS),
    "num_octave": 1,
    "iterations": 20 if LONG_TESTS else 10,
    "step": 0.01 if LONG_TESTS else 0.02,
    "max_loss": None,
    "seed": 0,
}


@pytest.fixture(scope="module")
def jellyfish_320(tmp_path_factory):
    source = IMAGES / "jellyfish.jpg"
    require(source.is_file(), f"example photo not found: {source}")
    image = Image.open(source)
    image.thumbnail((320, 320))
    path = tmp_path_factory.mktemp("photos") / "jellyfish_320.png"
    image.save(path)
    return path


@pytest.fixture(scope="module")
def changes(jellyfish_320):
    """The change each dream makes to the photo, in 0..255 levels, float (H, W, 3)."""
    photo = np.asarray(Image.open(jellyfish_320), dtype=np.float64)
    width = photo.shape[1]
    mask = np.ones(photo.shape[:2])
    mask[:, : width // 2] = 0
    dreams = {
        "mixed3": {"layers": {"mixed3": 1}},
        "channel 97": {"layers": {"mixed4:97": 1}},
        "channel 120": {"layers": {"mixed4:120": 1}},
        "guided": {"layers": {"mixed3": 1}, "guide": IMAGES / "sky_clouds.jpg"},
        "masked": {"layers": {"mixed3": 1}, "mask": mask},
        "laplacian": {"layers": {"mixed3": 1}, "normalize": "laplacian"},
        "smoothing": {"layers": {"mixed3": 1}, "smoothing": 2.0},
    }
    return {
        name: pydream.deep_dream(jellyfish_320, **ONE_OCTAVE, **settings) - photo
        for name, settings in dreams.items()
    }


def pixel_detail(change: np.ndarray) -> float:
    """Share of the change's energy finer than a 1-pixel Gaussian (pixel-level detail)."""
    fine = change - ndimage.gaussian_filter(change, (1, 1, 0))
    return float(np.sum(fine**2) / np.sum(change**2))


def test_two_channels_dream_different_things(changes):
    first, second = changes["channel 97"].ravel(), changes["channel 120"].ravel()
    assert np.corrcoef(first, second)[0, 1] < 0.5
    assert np.abs(first).mean() > 2 and np.abs(second).mean() > 2


def test_a_guided_dream_differs_from_the_unguided_one(changes):
    guided, plain = changes["guided"].ravel(), changes["mixed3"].ravel()
    assert np.abs(guided).mean() > 2
    assert np.corrcoef(guided, plain)[0, 1] < 0.7


def test_a_half_black_mask_keeps_that_half_the_photo(changes):
    change = np.abs(changes["masked"]).mean(axis=2)
    middle = change.shape[1] // 2
    assert change[:, : middle - 8].mean() < 1.0
    assert change[:, middle + 8 :].mean() > 4.0


def test_laplacian_and_smoothing_dream_less_pixel_detail(changes):
    plain = pixel_detail(changes["mixed3"])
    assert pixel_detail(changes["laplacian"]) < 0.5 * plain
    assert pixel_detail(changes["smoothing"]) < 0.5 * plain
    assert np.abs(changes["laplacian"]).mean() > 2 and np.abs(changes["smoothing"]).mean() > 2


def test_a_gallery_of_four_layers(jellyfish_320, tmp_path):
    out = tmp_path / "sheet.png"
    sheet = pydream.dream_gallery(
        jellyfish_320, ["mixed3", "mixed4", "mixed5", "mixed6"], size=192, output=out,
        weights=str(REAL_WEIGHTS), iterations=10, num_octave=2, max_loss=None,
    )  # fmt: skip
    assert np.array_equal(np.asarray(Image.open(out)), sheet)
    width, height = Image.open(jellyfish_320).size
    tile_height = round(height * 192 / width)
    # 5 tiles (the photo and 4 dreams) in 3 columns and 2 rows, each labelled below
    assert sheet.shape[:2] == (2 * (tile_height + 22 + 4) + 4, 3 * (192 + 4) + 4)
    first_row = sheet[4 : 4 + tile_height]
    tiles = [first_row[:, 4 + i * 196 : 4 + i * 196 + 192].astype(float) for i in range(3)]
    assert np.abs(tiles[1] - tiles[0]).mean() > 3 and np.abs(tiles[2] - tiles[1]).mean() > 3

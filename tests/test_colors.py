"""original_colors: the dream's brightness with the photo's colours (YCbCr, BT.601)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import pydream
from pydream.engine.colors import keep_original_colors, to_ycbcr

from .conftest import REAL_WEIGHTS, needs_real_weights, shrunk_jellyfish


def _mean_chroma_change(picture: np.ndarray, original: np.ndarray) -> float:
    return float(np.abs(to_ycbcr(picture)[..., 1:] - to_ycbcr(original)[..., 1:]).mean())


def _mean_brightness_change(picture: np.ndarray, original: np.ndarray) -> float:
    return float(np.abs(to_ycbcr(picture)[..., 0] - to_ycbcr(original)[..., 0]).mean())


def test_ycbcr_is_jpegs():
    rgb = np.random.default_rng(0).integers(0, 256, (16, 16, 3), dtype=np.uint8)
    pillow = np.asarray(Image.fromarray(rgb).convert("YCbCr"), dtype=np.float64)
    assert np.abs(to_ycbcr(rgb) - pillow).max() <= 1.0


def test_the_colour_stays_and_the_brightness_is_the_dreams():
    rng = np.random.default_rng(1)
    original = rng.integers(40, 216, (32, 48, 3), dtype=np.uint8)
    dream = np.clip(original.astype(int) + rng.integers(-30, 31, original.shape), 0, 255)
    kept = keep_original_colors(dream.astype(np.uint8), original)
    assert kept.dtype == np.uint8 and kept.shape == original.shape
    assert _mean_chroma_change(kept, original) <= 1.0
    # where no channel is clipped, Y is the dream's (up to rounding)
    brightness_error = np.abs(to_ycbcr(kept)[..., 0] - to_ycbcr(dream)[..., 0])
    assert np.median(brightness_error) <= 1.0


def test_only_a_channel_past_0_or_255_is_clipped():
    original = np.full((4, 4, 3), (20, 40, 230), np.uint8)  # a saturated blue
    white = np.full((4, 4, 3), 255, np.uint8)  # a dream that wants full brightness
    kept = keep_original_colors(white, original)
    assert np.abs(to_ycbcr(kept)[..., 0] - to_ycbcr(white)[..., 0]).max() <= 40
    assert kept[..., 2].min() == 255  # the blue channel is clipped, its hue stays blue
    assert (kept[..., 2] > kept[..., 0]).all() and (kept[..., 2] > kept[..., 1]).all()


def test_a_dream_with_original_colors_keeps_the_photos_colours(tiny_models, photo):
    settings = dict(model="tiny", weights=None, layers={"square": 1.0}, num_octave=2,
                    iterations=6, step=0.2, border=0, seed=3)  # fmt: skip
    original = np.asarray(Image.open(photo).convert("RGB"))
    plain = pydream.deep_dream(photo, **settings)
    kept = pydream.deep_dream(photo, original_colors=True, **settings)
    # the same dream, its colours put back (this photo is saturated: clipping is common)
    assert np.array_equal(kept, keep_original_colors(plain, original))
    assert _mean_brightness_change(plain, original) > 2.0
    assert _mean_chroma_change(plain, original) > 2 * _mean_chroma_change(kept, original)


@needs_real_weights
@pytest.mark.real_weights
def test_the_jellyfish_keeps_its_colours_and_dreams_as_bright(tmp_path):
    photo = shrunk_jellyfish(tmp_path, 320)
    original = np.asarray(Image.open(photo).convert("RGB"))
    settings = dict(preset="jellyfish", weights=str(REAL_WEIGHTS), num_octave=3, iterations=8)
    plain = pydream.deep_dream(photo, **settings)
    kept = pydream.deep_dream(photo, original_colors=True, **settings)
    Image.fromarray(np.concatenate([original, plain, kept], axis=1)).save(
        tmp_path / "original-plain-kept.png"
    )
    assert _mean_chroma_change(kept, original) <= 1.0
    plain_change = _mean_brightness_change(plain, original)
    kept_change = _mean_brightness_change(kept, original)
    assert abs(kept_change - plain_change) <= 0.2 * plain_change

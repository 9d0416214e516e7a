"""Octaves: the successive image sizes of a dream, and lost-detail reinjection."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np


def octave_shapes(
    shape: tuple[int, int], num_octave: int, octave_scale: float, min_size: int = 1
) -> list[tuple[int, int]]:
    """The (height, width) of each octave, smallest first, ending with ``shape`` itself.

    Octave ``i`` (``i = 0 .. num_octave - 1``, counted down from the full size) is
    ``(int(height / octave_scale**i), int(width / octave_scale**i))``. Octaves whose height
    or width would fall below ``min_size`` pixels are left out with a warning.

    Raises:
        ValueError: if ``shape`` itself is below ``min_size``.
    """
    height, width = shape
    if min(height, width) < min_size:
        raise ValueError(
            f"the image is {width}x{height} pixels; the model needs at least "
            f"{min_size}x{min_size}: use a larger image"
        )
    shapes = []
    for index in range(num_octave):
        factor = octave_scale**index
        octave = (int(height / factor), int(width / factor))
        if min(octave) < min_size:
            warnings.warn(
                f"only {index} of {num_octave} octaves fit: octave {index + 1} would be "
                f"{octave[1]}x{octave[0]} pixels, below the model's minimum of {min_size}",
                stacklevel=2,
            )
            break
        shapes.append(octave)
    return shapes[::-1]


def _interpolation(size_in: int, size_out: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Source rows (lower, upper) and weights of the upper one for each output row.

    Half-pixel centres, as TensorFlow's bilinear resize without antialiasing: output row
    ``i`` samples ``(i + 0.5) * size_in / size_out - 0.5``, clamped to the image.
    """
    scale = np.float32(size_in) / np.float32(size_out)
    centres = (np.arange(size_out, dtype=np.float32) + np.float32(0.5)) * scale - np.float32(0.5)
    floor = np.floor(centres)
    weights = (centres - floor).astype(np.float32)
    lower = np.clip(floor, 0, size_in - 1).astype(np.intp)
    upper = np.clip(floor + 1, 0, size_in - 1).astype(np.intp)
    return lower, upper, weights


def resize_img(image: Any, size: tuple[int, int]) -> np.ndarray:
    """Bilinear resize of a float image batch (1, H, W, C) to ``size`` = (height, width).

    Half-pixel centres and no antialiasing (as TensorFlow's ``tf.image.resize``), computed
    with NumPy so that every Keras backend resizes alike. Returns float32
    (1, height, width, C). Resizing to the same size returns the values unchanged.
    """
    array = np.asarray(image, dtype=np.float32)
    height, width = int(size[0]), int(size[1])
    if array.shape[1:3] == (height, width):
        return array.copy()
    lower, upper, weights = _interpolation(array.shape[1], height)
    top, bottom = array[:, lower], array[:, upper]
    rows = top + (bottom - top) * weights[None, :, None, None]
    lower, upper, weights = _interpolation(array.shape[2], width)
    left, right = rows[:, :, lower], rows[:, :, upper]
    return (left + (right - left) * weights[None, None, :, None]).astype(np.float32)


def reinject_lost_detail(
    dream: np.ndarray, original: np.ndarray, shrunk: np.ndarray, shape: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray]:
    """Add back the detail the octave's downscaling lost.

    ``dream += resize(original, shape) - resize(shrunk, shape)``, where ``shrunk`` is the
    original at the previous octave's size.

    Returns:
        The corrected dream and the new ``shrunk`` (the original at ``shape``).
    """
    same_size_original = resize_img(original, shape)
    upscaled_shrunk = resize_img(shrunk, shape)
    return dream + (same_size_original - upscaled_shrunk), same_size_original

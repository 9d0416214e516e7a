"""Octaves: the successive image sizes of a dream, and lost-detail reinjection."""

from __future__ import annotations

import warnings

import numpy as np
import tensorflow as tf


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


def resize_img(image: np.ndarray | tf.Tensor, size: tuple[int, int]) -> np.ndarray:
    """Bilinear resize of a float image batch (1, H, W, C) to ``size`` = (height, width).

    Returns float32 (1, height, width, C). Resizing to the same size returns the values
    unchanged.
    """
    tensor = tf.convert_to_tensor(image, dtype=tf.float32)
    if tuple(tensor.shape[1:3]) == tuple(size):
        return np.array(tensor.numpy(), dtype=np.float32)
    return tf.image.resize(tensor, size, method="bilinear").numpy()


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

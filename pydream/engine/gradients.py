"""What is done to a gradient before it is added to the image.

In order: an optional Gaussian blur (``smoothing``), a normalisation (``mean_abs``, ``std`` or
``laplacian``), then the mask. Gradients are float32 tensors (1, H, W, C); everything here is
written with ``keras.ops`` and works inside a compiled step.

The Laplacian pyramid (``laplacian_split``) is the Burt-Adelson one: ``blur`` is the
separable 5-tap binomial filter ``[1, 4, 6, 4, 1] / 16`` with zero padding, ``down(x)`` keeps
every second pixel of ``blur(x)``, and ``up(x, shape)`` puts ``x`` on every second pixel of a
zero image of ``shape`` and returns ``4 * blur`` of it. Band ``i`` is
``x_i - up(down(x_i))`` with ``x_0`` the gradient and ``x_{i+1} = down(x_i)``; the last band
is the low-pass rest. The pyramid recombines exactly: ``x_i = up(x_{i+1}) + band_i``.
"""

from __future__ import annotations

import numpy as np
from keras import ops

BINOMIAL_TAPS = np.array([1.0, 4.0, 6.0, 4.0, 1.0], dtype=np.float32) / 16.0
GAUSSIAN_TRUNCATE = 3.0  # the blur kernel reaches this many sigmas on each side


def normalize_gradient(gradient, normalize: str, lap_levels: int = 4):  # type: ignore[no-untyped-def]
    """Scale a gradient so that a step's size does not depend on the loss's scale.

    ``"mean_abs"``: ``g / max(mean(|g|), 1e-7)``. ``"std"``: ``g / (std(g) + 1e-8)``.
    ``"laplacian"``: split ``g`` into a Laplacian pyramid of ``lap_levels`` bands
    (``laplacian_split``), divide each band by ``max(std(band), 1e-8)``, recombine, and
    divide the result by ``std(result) + 1e-8`` (so a step means what it means with
    ``"std"``). Coarse bands are no longer drowned by pixel-level detail, so the dream
    grows larger, smoother shapes.
    """
    if normalize == "std":
        return gradient / (ops.std(gradient) + 1e-8)
    if normalize == "laplacian":
        bands = laplacian_split(gradient, lap_levels)
        merged = laplacian_merge([band / ops.maximum(ops.std(band), 1e-8) for band in bands])
        return merged / (ops.std(merged) + 1e-8)
    return gradient / ops.maximum(ops.mean(ops.abs(gradient)), 1e-7)


def _depthwise(image, kernel: np.ndarray):  # type: ignore[no-untyped-def]
    """Convolve each channel of ``image`` (1, H, W, C) with the 2-D ``kernel`` (zero padding).

    ``kernel`` is a (kh, 1) or (1, kw) NumPy array with odd sides; the output keeps the size.
    """
    channels = int(image.shape[-1])
    weights = np.repeat(kernel[:, :, None, None], channels, axis=2).astype(np.float32)
    return ops.depthwise_conv(image, ops.convert_to_tensor(weights), strides=1, padding="same")


def separable_blur(image, taps: np.ndarray):  # type: ignore[no-untyped-def]
    """Blur every channel of ``image`` (1, H, W, C) with ``taps`` down columns then rows."""
    vertical = _depthwise(image, taps[:, None])
    return _depthwise(vertical, taps[None, :])


def _downsample(image):  # type: ignore[no-untyped-def]
    return separable_blur(image, BINOMIAL_TAPS)[:, ::2, ::2, :]


def _upsample(image, like):  # type: ignore[no-untyped-def]
    """``4 * blur`` of ``image`` spread over every second pixel of a zero image like ``like``."""
    shape = ops.shape(image)
    channels = int(image.shape[-1])
    zeros = ops.zeros_like(image)
    rows = ops.reshape(ops.stack([image, zeros], axis=2), (1, shape[1] * 2, shape[2], channels))
    spread = ops.reshape(
        ops.stack([rows, ops.zeros_like(rows)], axis=3),
        (1, shape[1] * 2, shape[2] * 2, channels),
    )
    target = ops.shape(like)
    spread = spread[:, : target[1], : target[2], :]
    return 4.0 * separable_blur(spread, BINOMIAL_TAPS)


def laplacian_split(image, levels: int) -> list:  # type: ignore[no-untyped-def]
    """The ``levels`` bands of ``image`` (1, H, W, C), finest first, the low-pass rest last.

    ``levels=1`` returns ``[image]``. See the module docstring for the exact filters.
    """
    bands = []
    current = image
    for _ in range(levels - 1):
        low = _downsample(current)
        bands.append(current - _upsample(low, current))
        current = low
    bands.append(current)
    return bands


def laplacian_merge(bands: list):  # type: ignore[no-untyped-def]
    """Recombine ``laplacian_split``'s bands (finest first) into one image."""
    image = bands[-1]
    for band in reversed(bands[:-1]):
        image = _upsample(image, band) + band
    return image


def gaussian_taps(sigma: float) -> np.ndarray:
    """The 1-D Gaussian kernel of ``sigma`` pixels, ``2 * round(3 * sigma) + 1`` taps, sum 1."""
    radius = max(1, int(GAUSSIAN_TRUNCATE * sigma + 0.5))
    positions = np.arange(-radius, radius + 1, dtype=np.float64)
    taps = np.exp(-0.5 * (positions / sigma) ** 2)
    return (taps / taps.sum()).astype(np.float32)


def smooth_gradient(gradient, sigma: float):  # type: ignore[no-untyped-def]
    """Gaussian blur of ``gradient`` (1, H, W, C) with ``sigma`` pixels; 0 returns it as is.

    Near the edges the blur averages only the pixels inside the image: it is
    ``blur(g) / blur(1)`` with zero padding, so edges are not darkened.
    """
    if sigma <= 0:
        return gradient
    taps = gaussian_taps(sigma)
    weight = separable_blur(ops.ones_like(gradient[..., :1]), taps)
    return separable_blur(gradient, taps) / weight


def mask_gradient(gradient, mask):  # type: ignore[no-untyped-def]
    """``gradient * mask``: ``mask`` (1, H, W, 1) in 0..1, 0 where the photo must stay."""
    return gradient * mask


def resize_mask(values: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """A mask (H, W) in 0..1 resized (bilinear, area-averaged when shrinking) to ``shape``.

    Returns float32 (1, height, width, 1), ready for ``mask_gradient``.
    """
    from PIL import Image

    height, width = shape
    picture = Image.fromarray(np.asarray(values, dtype=np.float32))  # mode "F"
    resized = picture.resize((width, height), Image.Resampling.BILINEAR, reducing_gap=None)
    array = np.clip(np.asarray(resized, dtype=np.float32), 0.0, 1.0)
    return array[None, :, :, None]

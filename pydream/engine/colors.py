"""Colour controls: a dream's brightness with the photo's own colours (``original_colors``),
and an animation's colours held to a reference frame's (``color_lock``).

The split is YCbCr as JPEG defines it (ITU-R BT.601, full range 0..255): Y is the brightness
the eye weighs most (0.299 R + 0.587 G + 0.114 B) and Cb, Cr are the blue and red
differences, so that a picture keeps its hues and saturation when only Y changes. It is
linear in RGB, so it is exact and cheap, and it is the split neural-style tools use for
"original colours". Converted back, a channel that would pass 0 or 255 is clipped: where a
dream is much brighter or darker than a saturated colour allows, that colour is a little
less saturated there, and the dream keeps its brightness. (Holding the brightness inside
the colour's range instead keeps the colour exactly but takes a quarter of the dream's
brightness away from a dark, saturated photo such as the jellyfish.)

``color_lock`` matches each frame to a reference in RGB, channel by channel. ``"mean_std"``
(the default) moves each channel's mean and spread to the reference's: an affine change of
each channel, so the dream's own contrasts and shapes stay and only the cast and the overall
brightness that a long zoom accumulates are taken away. ``"histogram"`` maps each channel's
values to the reference's by their ranks: the distribution is matched exactly, which holds
the colours more tightly but can flatten a dream's new highlights into the reference's.
"""

from __future__ import annotations

import numpy as np

# RGB -> YCbCr (rows: Y, Cb, Cr), and the YCbCr -> RGB coefficients of Cb and Cr per channel
_TO_YCBCR = np.array(
    [[0.299, 0.587, 0.114], [-0.168736, -0.331264, 0.5], [0.5, -0.418688, -0.081312]]
)
_CHROMA_TO_RGB = np.array([[0.0, 1.402], [-0.344136, -0.714136], [1.772, 0.0]])


def to_ycbcr(rgb: np.ndarray) -> np.ndarray:
    """RGB (..., 3), 0..255 -> float Y, Cb, Cr (..., 3), each 0..255 (Cb, Cr centred on 128)."""
    ycbcr = rgb.astype(np.float64) @ _TO_YCBCR.T
    ycbcr[..., 1:] += 128.0
    return ycbcr


def keep_original_colors(dream_rgb: np.ndarray, original_rgb: np.ndarray) -> np.ndarray:
    """The dream's brightness with the original's colour.

    Args:
        dream_rgb: the dream, uint8 RGB (H, W, 3).
        original_rgb: the picture it was dreamed from, uint8 RGB of the same shape.

    Returns:
        uint8 RGB (H, W, 3): Y from the dream, Cb and Cr from the original, clipped to 0..255.
    """
    brightness = to_ycbcr(dream_rgb)[..., 0]
    chroma = to_ycbcr(original_rgb)[..., 1:] - 128.0
    rgb = brightness[..., None] + chroma @ _CHROMA_TO_RGB.T  # R, G, B = Y + offsets
    return np.clip(np.rint(rgb), 0, 255).astype(np.uint8)


def match_colors(rgb: np.ndarray, reference: np.ndarray, method: str = "mean_std") -> np.ndarray:
    """``rgb`` with each channel's statistics matched to ``reference``'s.

    Args:
        rgb: uint8 RGB (H, W, 3), the frame to correct.
        reference: uint8 RGB (h, w, 3), any size: the colours to hold to.
        method: ``"mean_std"`` (per-channel mean and standard deviation) or ``"histogram"``
            (per-channel histogram match by ranks).

    Returns:
        uint8 RGB (H, W, 3), rounded and clipped to 0..255.
    """
    source = rgb.reshape(-1, 3).astype(np.float64)
    target = reference.reshape(-1, 3).astype(np.float64)
    if method == "histogram":
        matched = np.stack([_match_histogram(source[:, c], target[:, c]) for c in range(3)], axis=1)
    else:
        spread = source.std(axis=0)
        scale = np.where(spread > 1e-6, target.std(axis=0) / np.maximum(spread, 1e-6), 1.0)
        matched = (source - source.mean(axis=0)) * scale + target.mean(axis=0)
    return _hold_means(matched, target.mean(axis=0)).astype(np.uint8).reshape(rgb.shape)


def _hold_means(values: np.ndarray, means: np.ndarray, rounds: int = 4) -> np.ndarray:
    """``values`` (N, 3) rounded and clipped to 0..255 with each column's mean moved back to
    ``means``: clipping (and a histogram's tied values) move the mean a little, which a long
    zoom would add up. A few rounds of shifting and clipping again reach it where the range
    allows."""
    held = np.clip(np.rint(values), 0, 255)
    for _ in range(rounds):
        error = means - held.mean(axis=0)
        if np.abs(error).max() < 0.05:
            break
        held = np.clip(np.rint(held + error), 0, 255)
    return held


def _match_histogram(values: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """``values`` mapped to ``reference``'s distribution: each value to the reference's
    quantile at its own rank (ties share a rank)."""
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    quantiles = (np.cumsum(counts) - 0.5 * counts) / values.size
    reference_levels = np.sort(reference)
    positions = np.linspace(0.0, 1.0, reference_levels.size)
    return np.interp(quantiles, positions, reference_levels)[inverse]

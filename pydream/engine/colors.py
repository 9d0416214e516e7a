"""Colour controls: a dream's brightness with the photo's own colours (``original_colors``).

The split is YCbCr as JPEG defines it (ITU-R BT.601, full range 0..255): Y is the brightness
the eye weighs most (0.299 R + 0.587 G + 0.114 B) and Cb, Cr are the blue and red
differences, so that a picture keeps its hues and saturation when only Y changes. It is
linear in RGB, so it is exact and cheap, and it is the split neural-style tools use for
"original colours". Converted back, a channel that would pass 0 or 255 is clipped: where a
dream is much brighter or darker than a saturated colour allows, that colour is a little
less saturated there, and the dream keeps its brightness. (Holding the brightness inside
the colour's range instead keeps the colour exactly but takes a quarter of the dream's
brightness away from a dark, saturated photo such as the jellyfish.)
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

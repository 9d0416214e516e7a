"""How a visualisation's picture is held as variables: pixels or a Fourier spectrum, colours
decorrelated or not, squashed into the valid range, and mapped to the network's input.

The picture is built from the variables in three steps, all written with ``keras.ops`` (so
TensorFlow, JAX and PyTorch run them and differentiate through them):

1. spatial: ``param="pixel"`` holds one value per pixel and channel, (N, H, W, 3);
   ``param="fft"`` holds a real 2-D spectrum per channel in rfft2 layout, real and
   imaginary parts as variables, (N, 3, H, W // 2 + 1, 2), scaled by ``1 / f ** fft_decay``
   and transformed back to (N, H, W, 3) pixels. Low frequencies then move faster than high
   ones, so the optimisation paints broad shapes before fine texture instead of the
   high-frequency noise that pixel gradients favour.
2. colour: with ``decorrelate=True`` the three values of a pixel are mixed through the square
   root of ImageNet's colour covariance (``COLOR_SQRT``), so that each variable moves along one
   of the natural image's principal colour directions.
3. squash: ``"sigmoid"`` (default) or ``"clip"`` to unit RGB, 0..1; ``network_input`` then maps
   unit RGB to the network's input range (InceptionV3: -1..1) with the model's preprocessing.

``image_to_param`` runs the three steps backwards from a photo (0..255), for starting a
visualisation from it; ``param_to_image`` runs them forwards, to 0..255.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
from keras import ops

from ..checks import check_choice, check_flag, check_float, check_int
from ..nets.models import ModelSpec

Tensor = Any
"""A tensor of the Keras backend."""

PARAMS = ("pixel", "fft")
SQUASHES = ("sigmoid", "clip")

# The square root of ImageNet's 3x3 RGB colour covariance, as U * sqrt(S) of its singular
# value decomposition (columns: the principal colour directions, scaled by their standard
# deviations). The numbers are those lucid publishes (tensorflow/lucid, the colour module of
# its parameterisations, "color_correlation_svd_sqrt"), rounded there to two decimals. The
# first column is the brightness direction (all three channels alike), the second red
# against blue, the third green against red and blue.
COLOR_SQRT_RAW = np.array(
    [[0.26, 0.09, 0.02], [0.27, 0.00, -0.05], [0.27, -0.09, 0.03]], dtype=np.float64
)
COLOR_SQRT = COLOR_SQRT_RAW / np.max(np.linalg.norm(COLOR_SQRT_RAW, axis=0))
"""``COLOR_SQRT_RAW`` divided by its largest column norm (the brightness column's, 0.4619):
a unit step along the brightness direction changes a pixel by about as much as a unit step
of a pixel variable would. Applied as ``rgb = values @ COLOR_SQRT.T`` on the last axis."""
COLOR_SQRT_INVERSE = np.linalg.inv(COLOR_SQRT)
"""The inverse of ``COLOR_SQRT``: ``values = rgb @ COLOR_SQRT_INVERSE.T``."""

FFT_IMAGE_DIVISOR = 4.0
"""The spectrum's image is divided by this (lucid's and lucent's constant): with the
``sqrt(H * W)`` scaling, a spectrum of standard deviation 0.01 gives a faint, grey start."""

SIGMOID_MARGIN = 1.0 / 1024.0
"""Unit RGB is held this far inside 0..1 before the sigmoid is inverted (a quarter of one
0..255 level), so a photo's pure black or white starts from a finite value."""


def spectrum_scale(height: int, width: int, fft_decay: float) -> np.ndarray:
    """The factor of each rfft2 coefficient, (H, W // 2 + 1) float64.

    ``sqrt(H * W) / max(f, 1 / max(H, W)) ** fft_decay`` with ``f = sqrt(fx**2 + fy**2)`` the
    coefficient's spatial frequency in cycles per pixel (``numpy.fft.fftfreq``): the zero
    frequency is treated as one cycle across the longer side, as lucid does. ``fft_decay=0``
    gives a flat spectrum (the spectrum's image is then a plain orthonormal transform of the
    variables). ``sqrt(H * W)`` undoes the ``1 / (H * W)`` of the inverse transform in part,
    so that a variable's effect on the image does not shrink with the picture's size.
    """
    fy = np.fft.fftfreq(height)[:, None]
    fx = np.fft.rfftfreq(width)[None, :]
    frequency = np.maximum(np.sqrt(fx * fx + fy * fy), 1.0 / max(height, width))
    return np.sqrt(height * width) / frequency**fft_decay


def irfft2(real: Tensor, imag: Tensor, width: int) -> Tensor:
    """The inverse real 2-D FFT of a spectrum over its last two axes, as ``numpy.fft.irfft2``
    with ``s=(H, width)``: (…, H, width // 2 + 1) real and imaginary parts -> (…, H, width).

    ``keras.ops`` has a 1-D complex ``fft`` and a 1-D inverse real ``irfft`` on the last axis
    on all three backends, and its ``ifft2`` is not the real transform: the rows' inverse is
    taken as ``conj(fft(conj(x))) / H`` on the swapped axes, then ``irfft`` along the columns.
    """
    height = int(real.shape[-2])
    real_t, imag_t = ops.swapaxes(real, -1, -2), ops.swapaxes(imag, -1, -2)
    forward_real, forward_imag = ops.fft((real_t, -imag_t))
    rows_real = ops.swapaxes(forward_real, -1, -2) / height
    rows_imag = ops.swapaxes(-forward_imag, -1, -2) / height
    return ops.irfft((rows_real, rows_imag), fft_length=width)


def _as_pixels(rgb_0_255: Any) -> np.ndarray:
    """A picture (H, W, 3) or batch (N, H, W, 3) of 0..255 values as float64 (N, H, W, 3)."""
    pixels = np.asarray(rgb_0_255, dtype=np.float64)
    if pixels.ndim == 3:
        pixels = pixels[None]
    if pixels.ndim != 4 or pixels.shape[-1] != 3:
        raise ValueError(f"a picture must be (H, W, 3) or (N, H, W, 3), not {pixels.shape}")
    return pixels


@dataclasses.dataclass(frozen=True)
class ImageParam:
    """A parameterisation of an H x W RGB picture (a batch of N of them).

    Attributes:
        height, width: the picture's size in pixels.
        param: ``"pixel"`` (variables (N, H, W, 3)) or ``"fft"`` (variables
            (N, 3, H, W // 2 + 1, 2): real and imaginary rfft2 coefficients per channel).
        fft_decay: the spectrum's power-law exponent (see ``spectrum_scale``), >= 0.
        decorrelate: colours through ``COLOR_SQRT`` (ImageNet's colour covariance's root).
        squash: how values reach unit RGB 0..1. ``"sigmoid"`` (the default, lucid's choice
            for fft + decorrelate) is smooth and never stops a gradient, and every variable
            value gives a valid picture, so the optimiser needs no projection; ``"clip"``
            (``clip(v + 0.5, 0, 1)``) is linear inside the range but passes no gradient to a
            saturated pixel, which then stays stuck. Both map 0 to mid grey.
    """

    height: int
    width: int
    param: str = "fft"
    fft_decay: float = 1.0
    decorrelate: bool = True
    squash: str = "sigmoid"

    def __post_init__(self) -> None:
        check_int("size", self.height, minimum=1)
        check_int("size", self.width, minimum=1)
        check_choice("param", self.param, PARAMS)
        check_float("fft_decay", self.fft_decay, minimum=0.0)
        check_flag("decorrelate", self.decorrelate)
        check_choice("squash", self.squash, SQUASHES)

    def shape(self, batch: int = 1) -> tuple[int, ...]:
        """The variables' shape for ``batch`` pictures."""
        if self.param == "fft":
            return (batch, 3, self.height, self.width // 2 + 1, 2)
        return (batch, self.height, self.width, 3)

    def initial(self, batch: int, rng: np.random.Generator, scale: float = 0.01) -> np.ndarray:
        """Random variables, normal with standard deviation ``scale`` (lucid's start: a
        faint, nearly grey picture), float32 of ``shape(batch)``."""
        return (rng.standard_normal(self.shape(batch)) * scale).astype(np.float32)

    def spatial(self, values: Tensor) -> Tensor:
        """Step 1: the variables as (N, H, W, 3) values before colour and squash."""
        if self.param == "pixel":
            return values
        dtype = values.dtype
        scale = ops.cast(spectrum_scale(self.height, self.width, self.fft_decay), dtype)
        real = values[..., 0] * scale
        imag = values[..., 1] * scale
        image = irfft2(real, imag, self.width) / FFT_IMAGE_DIVISOR  # (N, 3, H, W)
        return ops.transpose(image, (0, 2, 3, 1))

    def to_unit(self, values: Tensor) -> Tensor:
        """The variables as unit RGB (N, H, W, 3), 0..1, in the variables' float dtype."""
        image = self.spatial(values)
        if self.decorrelate:
            image = ops.matmul(image, ops.cast(COLOR_SQRT.T, image.dtype))
        if self.squash == "sigmoid":
            return ops.sigmoid(image)
        return ops.clip(image + 0.5, 0.0, 1.0)

    def to_pixels(self, values: Tensor) -> Tensor:
        """The variables as RGB (N, H, W, 3) in 0..255 (floats)."""
        return self.to_unit(values) * 255.0

    def from_pixels(self, rgb_0_255: Any, dtype: str = "float32") -> np.ndarray:
        """Variables whose picture is ``rgb_0_255`` ((H, W, 3) or (N, H, W, 3), 0..255, of
        this parameterisation's size): ``to_pixels(from_pixels(x)) == x`` up to rounding,
        for values inside 0.25..254.75 with ``"sigmoid"`` and 0..255 with ``"clip"``."""
        pixels = _as_pixels(rgb_0_255)
        if pixels.shape[1:3] != (self.height, self.width):
            raise ValueError(
                f"the picture is {pixels.shape[2]}x{pixels.shape[1]}, the parameterisation "
                f"{self.width}x{self.height}"
            )
        unit = pixels / 255.0
        if self.squash == "sigmoid":
            unit = np.clip(unit, SIGMOID_MARGIN, 1.0 - SIGMOID_MARGIN)
            image = np.log(unit) - np.log1p(-unit)
        else:
            image = unit - 0.5
        if self.decorrelate:
            image = image @ COLOR_SQRT_INVERSE.T
        if self.param == "pixel":
            return image.astype(dtype)
        spectrum = np.fft.rfft2(np.transpose(image, (0, 3, 1, 2)) * FFT_IMAGE_DIVISOR)
        spectrum /= spectrum_scale(self.height, self.width, self.fft_decay)
        return np.stack([spectrum.real, spectrum.imag], axis=-1).astype(dtype)


def image_to_param(
    rgb_0_255: Any,
    *,
    param: str = "fft",
    fft_decay: float = 1.0,
    decorrelate: bool = True,
    squash: str = "sigmoid",
    dtype: str = "float32",
) -> np.ndarray:
    """The variables of a picture (for starting a visualisation from a photo): see
    ``ImageParam.from_pixels``. ``rgb_0_255``: (H, W, 3) or (N, H, W, 3), 0..255."""
    pixels = _as_pixels(rgb_0_255)
    height, width = pixels.shape[1:3]
    return ImageParam(height, width, param, fft_decay, decorrelate, squash).from_pixels(
        pixels, dtype
    )


def param_to_image(
    values: Tensor,
    *,
    param: str = "fft",
    width: int | None = None,
    fft_decay: float = 1.0,
    decorrelate: bool = True,
    squash: str = "sigmoid",
) -> Tensor:
    """The picture of the variables, RGB (N, H, W, 3) in 0..255, a tensor in their dtype.

    ``values``: (N, H, W, 3) for ``"pixel"``, (N, 3, H, W // 2 + 1, 2) for ``"fft"``, whose
    ``width`` is ambiguous by one (``None``: the even one, ``2 * (W // 2)``).
    """
    values = ops.convert_to_tensor(values)
    if param == "fft":
        height = int(values.shape[2])
        width = width if width is not None else 2 * (int(values.shape[3]) - 1)
    else:
        height, width = int(values.shape[1]), int(values.shape[2])
    return ImageParam(height, width, param, fft_decay, decorrelate, squash).to_pixels(values)


def network_input(unit_rgb: Tensor, spec: ModelSpec) -> Tensor:
    """Unit RGB (N, H, W, 3), 0..1, as the network's input (its preprocessing, see
    ``input_affine``): InceptionV3's ``2 * x - 1``, -1..1."""
    matrix, offset = input_affine(spec)
    dtype = unit_rgb.dtype
    return ops.matmul(unit_rgb, ops.cast(matrix, dtype)) + ops.cast(offset, dtype)


def input_affine(spec: ModelSpec) -> tuple[np.ndarray, np.ndarray]:
    """The model's preprocessing as ``x @ matrix + offset`` on unit RGB: (3, 3) and (3,)
    float32, read off ``spec.preprocess`` (channel order swaps included, as Caffe's BGR).

    Raises:
        ValueError: the preprocessing is not affine per pixel (a custom function).
    """
    basis = np.concatenate([np.zeros((1, 3)), np.eye(3)]).reshape(1, 4, 3) * 255.0
    mapped = np.asarray(spec.preprocess(basis), np.float64).reshape(4, 3)
    offset, matrix = mapped[0], mapped[1:] - mapped[0]
    probe = np.random.default_rng(0).uniform(0, 255, (1, 8, 3))
    expected = probe[0] / 255.0 @ matrix + offset
    found = np.asarray(spec.preprocess(probe), np.float64).reshape(8, 3)
    if not np.allclose(found, expected, rtol=1e-4, atol=1e-4 * np.abs(matrix).max()):
        raise ValueError(
            f"model {spec.name!r}: a visualisation needs a preprocessing that scales and "
            "shifts each pixel (an affine map); this one does not"
        )
    return matrix.astype(np.float32), offset.astype(np.float32)

"""Robustness transforms: small random changes of the picture before the network sees it at
each step (pad, shift, scale, rotate), so that a visualisation must work at every offset,
size and angle instead of exploiting one exact pixel grid (lucid's "transformation
robustness"). Written with ``keras.ops``: differentiable on TensorFlow, JAX and PyTorch.

Pictures are unit RGB (N, H, W, C), 0..1. A chain's random values are drawn in NumPy
(``TransformChain.draw``, repeatable with a seed) and passed to ``TransformChain.apply`` as
one float32 vector, so that a compiled step takes them as an argument: every transform keeps
a shape that does not depend on its random values, and the step is traced once.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
from keras import ops

from ..checks import check_choice, check_float, check_int
from ..errors import SettingError

Tensor = Any
"""A tensor of the Keras backend."""

NAMES = ("pad", "shift", "scale", "rotate")
PAD_MODES = ("constant", "reflect")
PAD_GREY = 0.5  # unit RGB of lucid's constant padding


def pad(images: Tensor, pixels: int, mode: str = "constant") -> Tensor:
    """``pixels`` added on every side: (N, H, W, C) -> (N, H + 2p, W + 2p, C). ``"constant"``
    fills with mid grey (0.5, lucid's choice); ``"reflect"`` mirrors the picture's border."""
    if pixels == 0:
        return images
    widths = ((0, 0), (pixels, pixels), (pixels, pixels), (0, 0))
    if mode == "reflect":
        return ops.pad(images, widths, mode="reflect")
    return ops.pad(images, widths, mode="constant", constant_values=PAD_GREY)


def shift(images: Tensor, offsets: Tensor, pixels: int) -> Tensor:
    """The (H - p, W - p) window at ``offsets`` = (rows, columns), each 0..p, an int pair or
    int tensor of shape (2,): ``out[:, y, x] = images[:, y + rows, x + columns]``. Offsets
    drawn uniformly move the picture by up to ``p`` pixels between two steps (lucid's
    ``jitter``), without wrapping anything around."""
    if pixels == 0:
        return images
    batch, height, width, channels = (int(size) for size in images.shape)
    if isinstance(offsets, (tuple, list)):
        start: Any = [0, int(offsets[0]), int(offsets[1]), 0]
    else:
        zero = ops.zeros((1,), "int32")
        start = ops.concatenate([zero, ops.cast(offsets, "int32"), zero])
    return ops.slice(images, start, (batch, height - pixels, width - pixels, channels))


def affine_sample(images: Tensor, matrix: Tensor) -> Tensor:
    """Bilinear resampling about the picture's centre, keeping its size.

    The output pixel at ``p`` (row, column) takes the input at ``matrix @ (p - c) + c``, with
    ``c`` the centre and ``matrix`` a (2, 2) tensor in (row, column) coordinates; points
    beyond the border take the nearest border pixel. The gradient reaches the input through
    the four neighbours' weights (a gather, on every backend).
    """
    batch, height, width, channels = (int(size) for size in images.shape)
    dtype = images.dtype
    rows, columns = np.mgrid[0:height, 0:width].astype(np.float32)
    centred = np.stack([rows.ravel() - (height - 1) / 2, columns.ravel() - (width - 1) / 2])
    source = ops.matmul(ops.cast(matrix, "float32"), ops.convert_to_tensor(centred))
    y = ops.clip(source[0] + (height - 1) / 2, 0.0, height - 1.0)
    x = ops.clip(source[1] + (width - 1) / 2, 0.0, width - 1.0)
    y0, x0 = ops.floor(y), ops.floor(x)
    wy, wx = ops.cast(y - y0, dtype)[:, None], ops.cast(x - x0, dtype)[:, None]
    y0, x0 = ops.cast(y0, "int32"), ops.cast(x0, "int32")
    y1, x1 = ops.minimum(y0 + 1, height - 1), ops.minimum(x0 + 1, width - 1)
    flat = ops.reshape(images, (batch, height * width, channels))

    def at(yi: Tensor, xi: Tensor) -> Tensor:
        return ops.take(flat, yi * width + xi, axis=1)

    top = at(y0, x0) * (1 - wx) + at(y0, x1) * wx
    bottom = at(y1, x0) * (1 - wx) + at(y1, x1) * wx
    return ops.reshape(top * (1 - wy) + bottom * wy, (batch, height, width, channels))


def scale(images: Tensor, factor: Tensor) -> Tensor:
    """The picture enlarged by ``factor`` (a float or scalar tensor; < 1 shrinks) about its
    centre, bilinear, keeping its size. Lucid resizes the whole picture instead; at a fixed
    size the network sees the same magnified content, and a compiled step keeps one shape."""
    inverse = 1.0 / ops.cast(factor, "float32")
    zero = ops.zeros_like(inverse)
    return affine_sample(images, ops.reshape(ops.stack([inverse, zero, zero, inverse]), (2, 2)))


def rotate(images: Tensor, degrees: Tensor) -> Tensor:
    """The picture turned ``degrees`` counter-clockwise (as shown, rows downwards) about its
    centre, bilinear, keeping its size; corners take the nearest border pixel."""
    angle = ops.cast(degrees, "float32") * (math.pi / 180.0)
    cos, sin = ops.cos(angle), ops.sin(angle)
    return affine_sample(images, ops.reshape(ops.stack([cos, sin, -sin, cos]), (2, 2)))


@dataclasses.dataclass(frozen=True)
class Transform:
    """One named transform and its range.

    Attributes:
        name: ``"pad"``, ``"shift"``, ``"scale"`` or ``"rotate"``.
        pixels: pad's and shift's pixels (whole, >= 0).
        mode: pad's fill, ``"constant"`` (grey) or ``"reflect"``.
        low, high: scale's factors or rotate's degrees, drawn uniformly between.
        choices: scale's or rotate's values to draw from instead, with equal chances.
    """

    name: str
    pixels: int = 0
    mode: str = "constant"
    low: float = 0.0
    high: float = 0.0
    choices: tuple[float, ...] = ()

    @property
    def draws(self) -> int:
        """How many random numbers one application takes."""
        return {"pad": 0, "shift": 2}.get(self.name, 1)

    def output_size(self, height: int, width: int) -> tuple[int, int]:
        """The (height, width) this transform makes of a picture of that size."""
        change = {"pad": 2 * self.pixels, "shift": -self.pixels}.get(self.name, 0)
        return height + change, width + change

    def draw(self, rng: np.random.Generator) -> list[float]:
        """This transform's random values for one step."""
        if self.name == "shift":
            return [float(value) for value in rng.integers(0, self.pixels + 1, 2)]
        if self.name in ("scale", "rotate"):
            if self.choices:
                return [float(self.choices[int(rng.integers(len(self.choices)))])]
            return [float(rng.uniform(self.low, self.high))]
        return []

    def apply(self, images: Tensor, values: Tensor) -> Tensor:
        """The transform with its drawn ``values`` (a float tensor of ``draws`` numbers)."""
        if self.name == "pad":
            return pad(images, self.pixels, self.mode)
        if self.name == "shift":
            return shift(images, values, self.pixels)
        if self.name == "scale":
            return scale(images, values[0])
        return rotate(images, values[0])


@dataclasses.dataclass(frozen=True)
class TransformChain:
    """Transforms applied in order, their random values drawn together."""

    transforms: tuple[Transform, ...] = ()

    @property
    def draws(self) -> int:
        """How many random numbers one step takes (at least 1, so the vector is never empty)."""
        return max(1, sum(each.draws for each in self.transforms))

    def output_size(self, height: int, width: int) -> tuple[int, int]:
        """The size the chain makes of an H x W picture."""
        for each in self.transforms:
            height, width = each.output_size(height, width)
        return height, width

    def draw(self, rng: np.random.Generator) -> np.ndarray:
        """One step's random values, float32 (``draws``,)."""
        values = [value for each in self.transforms for value in each.draw(rng)]
        return np.asarray(values or [0.0], dtype=np.float32)

    def apply(self, images: Tensor, values: Tensor) -> Tensor:
        """The chain on unit RGB ``images`` (N, H, W, C) with one step's ``values``."""
        start = 0
        for each in self.transforms:
            images = each.apply(images, values[start : start + each.draws])
            start += each.draws
        return images

    def __call__(self, images: Tensor, seed: int | None = None) -> Tensor:
        """The chain with values drawn from ``numpy.random.default_rng(seed)``."""
        values = self.draw(np.random.default_rng(seed))
        return self.apply(images, ops.convert_to_tensor(values))


STANDARD = (("pad", 12), ("shift", 8), ("scale", (0.9, 1.1)), ("rotate", (-10, 10)), ("shift", 4))
"""Lucid's standard set: pad 12 px with grey, shift up to 8 px, scale by 0.9..1.1, rotate by
-10..10 degrees, shift up to 4 px (a 224 px picture reaches the network at 236 px)."""


def _fail(message: str, value: Any) -> SettingError:
    shown = value if isinstance(value, (str, int, float)) else repr(value)
    return SettingError(
        f"transforms: {message}", setting="transforms", value=shown, allowed=", ".join(NAMES)
    )


def _split_text(text: str) -> tuple[str, Any]:
    """``"pad:12"`` -> ``("pad", 12)``; ``"scale:0.9..1.1"`` -> a range; ``"rotate:-5,0,5"``
    -> a list of choices; ``"pad:12:reflect"`` -> ``("pad", (12, "reflect"))``."""
    name, _, argument = text.strip().partition(":")
    if not argument:
        return name, None
    if name == "pad" and ":" in argument:
        pixels, _, mode = argument.partition(":")
        return name, (_number_text(pixels, text), mode)
    if ".." in argument:
        low, _, high = argument.partition("..")
        return name, (_number_text(low, text), _number_text(high, text))
    if "," in argument:
        return name, [_number_text(part, text) for part in argument.split(",")]
    return name, _number_text(argument, text)


def _number_text(text: str, whole: str) -> float:
    if not re.fullmatch(r"\s*[-+]?[0-9]*\.?[0-9]+\s*", text):
        raise _fail(f"{whole!r} must give numbers, as 'pad:12' or 'scale:0.9..1.1'", whole)
    return float(text)


def _checked(check: Any, what: str, value: Any, **bounds: Any) -> Any:
    """``check(what, value, **bounds)`` (a ``pydream.checks`` function), its error naming the
    ``transforms`` setting."""
    try:
        return check(what, value, **bounds)
    except SettingError as error:
        raise _fail(error.message, value) from None


def make_transform(name: Any, argument: Any = None) -> Transform:
    """One transform from its name and argument (see ``parse_transforms``).

    Raises:
        SettingError: an unknown name, or an argument out of range.
    """
    if not isinstance(name, str) or name not in NAMES:
        raise _fail(f"unknown transform {name!r}; transforms are: {', '.join(NAMES)}", name)
    if name in ("pad", "shift"):
        pixels, mode = (argument, "constant") if not isinstance(argument, tuple) else argument
        count = _checked(check_int, f"{name}'s pixels", pixels, minimum=0)
        return Transform(
            name, pixels=count, mode=_checked(check_choice, "pad's mode", mode, choices=PAD_MODES)
        )
    what = f"{name}'s {'factor' if name == 'scale' else 'degrees'}"
    floor = 1e-3 if name == "scale" else None
    if isinstance(argument, list):
        values = tuple(_checked(check_float, what, v, minimum=floor) for v in argument)
        if not values:
            raise _fail(f"{name} needs at least one value", argument)
        return Transform(name, choices=values)
    if name == "rotate" and not isinstance(argument, tuple):
        limit = _checked(check_float, what, argument, minimum=0.0)
        argument = (-limit, limit)
    if not isinstance(argument, tuple) or len(argument) != 2:
        raise _fail(f"{name} takes a range (low, high) or a list of values, not {argument!r}", name)
    low, high = (_checked(check_float, what, v, minimum=floor) for v in argument)
    if high < low:
        raise _fail(f"{name}'s range runs backwards ({low}..{high})", repr(argument))
    return Transform(name, low=low, high=high)


def parse_transforms(transforms: Any) -> TransformChain:
    """The chain that ``transforms`` names.

    Args:
        transforms: ``None`` (no transforms), ``"standard"`` (``STANDARD``), or a list whose
            items are ``(name, argument)`` pairs or ``"name:argument"`` strings: ``("pad", 12)``
            or ``("pad", (12, "reflect"))`` / ``"pad:12:reflect"``; ``("shift", 8)``;
            ``("scale", (0.9, 1.1))`` / ``"scale:0.9..1.1"`` (a range) or
            ``("scale", [0.9, 1.0, 1.1])`` / ``"scale:0.9,1,1.1"`` (choices);
            ``("rotate", (-10, 10))`` / ``"rotate:-10..10"``, or ``("rotate", 10)`` for
            -10..10 degrees. ``Transform`` values are taken as they are.

    Raises:
        SettingError: an unknown transform (the message names the valid ones), or a bad
            argument.
    """
    if transforms is None:
        return TransformChain()
    if isinstance(transforms, str):
        if transforms != "standard":
            raise _fail(
                f"give 'standard', None or a list of transforms, not {transforms!r}", transforms
            )
        transforms = STANDARD
    if not isinstance(transforms, Sequence):
        raise _fail(
            f"give 'standard', None or a list of transforms, not {transforms!r}", transforms
        )
    chain = []
    for item in transforms:
        if isinstance(item, Transform):
            chain.append(item)
            continue
        if isinstance(item, str):
            item = _split_text(item)
        if not isinstance(item, tuple) or len(item) != 2:
            raise _fail(
                f"each transform is (name, argument) or 'name:argument', not {item!r}", item
            )
        chain.append(make_transform(*item))
    return TransformChain(tuple(chain))

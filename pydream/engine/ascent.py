"""Gradient ascent on an image: one compiled step, jitter, tiling and the per-octave loop.

Images here are preprocessed float32 arrays of shape (1, H, W, 3). The step function is traced
once per objective with a shape-polymorphic signature, so octaves of any size reuse it.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from keras import ops

from ..nets import backend
from .features import FeatureObjective, penalties
from .gradients import mask_gradient, normalize_gradient, smooth_gradient

StepCallback = Callable[[int, float], bool | None]
"""Called as ``on_step(step_index, loss)`` after each applied step; ``True`` stops the run."""


def tile_edges(length: int, tile_size: int) -> list[int]:
    """Split ``length`` pixels into near-equal tiles of at most ``tile_size`` pixels.

    Returns the ``n + 1`` edges of ``n = ceil(length / tile_size)`` tiles; every tile is at
    least ``tile_size / 2`` pixels long when ``length >= tile_size``.
    """
    count = max(1, math.ceil(length / tile_size))
    return [round(index * length / count) for index in range(count + 1)]


IMAGE_SIGNATURE = backend.Signature((1, None, None, 3))
MASK_SIGNATURE = backend.Signature((1, None, None, 1))
GUIDE_SIGNATURE = backend.Signature((None, None))
STEP_SIGNATURE = backend.Signature(())
SHIFT_SIGNATURE = backend.Signature((2,), "int32")


def guide_signature(objective: FeatureObjective, guided: bool) -> list[Any]:
    """The compiled functions' signature of the guide features: a tuple of one (positions,
    channels) matrix per term for a guided engine, nothing otherwise."""
    return [tuple(GUIDE_SIGNATURE for _ in objective.terms)] if guided else []


def extra_arguments(
    objective: FeatureObjective, guided: bool, guides: Sequence[Any] | None
) -> list[Any]:
    """What a compiled function takes after its own arguments: the guide features (guided
    engines) and the model's weights (``backend.passes_state``)."""
    extra: list[Any] = []
    if guided:
        if guides is None:
            raise ValueError("this engine dreams toward a guide: give the guide's features")
        extra.append(tuple(guides))
    if backend.passes_state():
        extra.append(objective.state())
    return extra


def unpack_extra(extra: tuple[Any, ...], guided: bool) -> tuple[Any, Any]:
    """The guide features and the model state among ``extra_arguments``, ``None`` where absent."""
    guides = extra[0] if guided else None
    state = extra[-1] if backend.passes_state() else None
    return guides, state


class AscentEngine:
    """Gradient ascent for one objective.

    A step computes the gradient of ``objective(x) - penalties(x)`` (see
    ``objectives.penalties``), blurs it (``smoothing``), normalises it, multiplies it by the
    mask and adds ``step`` times that to the image.

    Args:
        objective: the loss to maximise.
        normalize: ``"mean_abs"``, ``"std"`` or ``"laplacian"`` (see ``normalize_gradient``).
        clip_range: per-channel (low, high) arrays to clip the image to after each step, or
            ``None`` for no clipping.
        lap_levels: bands of the ``"laplacian"`` normalisation.
        smoothing: sigma in pixels of the gradient's Gaussian blur (0: none).
        continuity, dream_l2: weights of the image penalties subtracted from the objective.
        guided: the steps take guide features (``FeatureObjective.guide_features``).
    """

    def __init__(
        self,
        objective: FeatureObjective,
        *,
        normalize: str,
        clip_range: tuple[np.ndarray, np.ndarray] | None = None,
        lap_levels: int = 4,
        smoothing: float = 0.0,
        continuity: float = 0.0,
        dream_l2: float = 0.0,
        guided: bool = False,
    ) -> None:
        self.objective = objective
        self.normalize = normalize
        self.clip_range = clip_range
        self.lap_levels = lap_levels
        self.smoothing = smoothing
        self.continuity = continuity
        self.dream_l2 = dream_l2
        self.guided = guided
        guides = guide_signature(objective, guided)
        self._gradient = backend.compile_function(
            self._loss_and_gradient, [IMAGE_SIGNATURE, *guides]
        )
        self._step = backend.compile_function(
            self._ascent_step,
            [IMAGE_SIGNATURE, STEP_SIGNATURE, SHIFT_SIGNATURE, MASK_SIGNATURE, *guides],
        )

    def _objective_and_total(self, image: Any, guides: Any, state: Any) -> tuple[Any, Any]:
        loss = self.objective(image, guides, state)
        return loss - penalties(image, self.continuity, self.dream_l2), loss

    def _loss_and_gradient(self, image: Any, *extra: Any) -> tuple[Any, Any]:
        guides, state = unpack_extra(extra, self.guided)
        return backend.value_and_gradient(self._objective_and_total, image, guides, state)

    def _apply(self, image: Any, step: Any, gradient: Any, mask: Any) -> Any:
        gradient = smooth_gradient(gradient, self.smoothing)
        gradient = normalize_gradient(gradient, self.normalize, self.lap_levels)
        updated = image + step * mask_gradient(gradient, mask)
        if self.clip_range is not None:
            low, high = self.clip_range
            updated = ops.minimum(ops.maximum(updated, low), high)
        return updated

    def _ascent_step(
        self, image: Any, step: Any, shift: Any, mask: Any, *extra: Any
    ) -> tuple[Any, Any]:
        rolled = backend.roll(image, shift)
        loss, gradient = self._loss_and_gradient(rolled, *extra)
        gradient = backend.roll(gradient, -shift)
        return self._apply(image, step, gradient, mask), loss

    def _extra_arguments(self, guides: Sequence[Any] | None) -> list[Any]:
        return extra_arguments(self.objective, self.guided, guides)

    def loss_and_gradient(
        self, image: Any, guides: Sequence[Any] | None = None
    ) -> tuple[float, np.ndarray]:
        """The loss (float) and raw gradient (same shape as ``image``) at ``image``."""
        tensor = backend.to_tensor(image)
        loss, gradient = self._gradient(tensor, *self._extra_arguments(guides))
        return backend.to_float(loss), backend.to_numpy(gradient)

    def step(
        self,
        image: Any,
        step: float,
        shift: tuple[int, int] = (0, 0),
        mask: Any = None,
        guides: Sequence[Any] | None = None,
    ) -> tuple[Any, float]:
        """One ascent step on the whole image rolled by ``shift`` (undone after the step).

        Returns the updated image and the loss at ``image`` (before the step).
        """
        tensor = backend.to_tensor(image)
        return self._step_with(
            tensor, step, shift, _mask_or_ones(mask, tensor), self._extra_arguments(guides)
        )

    def _step_with(
        self, image: Any, step: float, shift: tuple[int, int], mask: Any, extra: list[Any]
    ) -> tuple[Any, float]:
        """``step`` with the mask as a tensor and the ``extra_arguments`` already made."""
        updated, loss = self._step(
            image,
            backend.to_tensor(step),
            backend.to_tensor(np.asarray(shift, np.int32), "int32"),
            mask,
            *extra,
        )
        return updated, backend.to_float(loss)

    def tiled_step(
        self,
        image: Any,
        step: float,
        shift: tuple[int, int],
        tile_size: int,
        mask: Any = None,
        guides: Sequence[Any] | None = None,
    ) -> tuple[Any, float]:
        """One ascent step whose gradient is computed tile by tile.

        The image is rolled by ``shift`` first (so tile seams move from step to step), the
        gradient of each tile is computed on its own, the whole gradient is normalised once,
        and the roll is undone. The loss is the area-weighted mean of the tile losses.
        """
        rolled = backend.roll(image, shift)
        height, width = int(image.shape[1]), int(image.shape[2])
        rows, columns = tile_edges(height, tile_size), tile_edges(width, tile_size)
        extra = self._extra_arguments(guides)
        band_gradients = []
        weighted_loss = 0.0
        for top, bottom in itertools.pairwise(rows):
            tiles = []
            for left, right in itertools.pairwise(columns):
                loss, gradient = self._gradient(rolled[:, top:bottom, left:right, :], *extra)
                weighted_loss += backend.to_float(loss) * (bottom - top) * (right - left)
                tiles.append(gradient)
            band_gradients.append(ops.concatenate(tiles, axis=2))
        gradient = backend.roll(ops.concatenate(band_gradients, axis=1), (-shift[0], -shift[1]))
        step_tensor = backend.to_tensor(step)
        updated = self._apply(image, step_tensor, gradient, _mask_or_ones(mask, image))
        return updated, weighted_loss / (height * width)

    def run(
        self,
        image: Any,
        *,
        iterations: int,
        step: float,
        max_loss: float | None = None,
        jitter: int = 0,
        tile_size: int | None = None,
        rng: np.random.Generator | None = None,
        on_step: StepCallback | None = None,
        mask: np.ndarray | None = None,
        guides: Sequence[Any] | None = None,
    ) -> tuple[np.ndarray, bool]:
        """Run up to ``iterations`` ascent steps on ``image`` (1, H, W, 3).

        Before each step the loss and gradient are computed; when the loss is above
        ``max_loss`` the loop stops without applying that step. ``jitter`` rolls the image by
        a random shift of up to that many pixels per axis for each step (undone after it).
        ``mask`` (1, H, W, 1) in 0..1 multiplies every step; ``guides`` are the guide
        features of a guided engine.

        Returns:
            The image after the applied steps, and whether ``on_step`` asked to stop.
        """
        rng = rng if rng is not None else np.random.default_rng()
        current = backend.to_tensor(image)
        mask_tensor = _mask_or_ones(mask, current)
        extra = self._extra_arguments(guides)  # the same for every step of the run
        height, width = int(current.shape[1]), int(current.shape[2])
        tiled = tile_size is not None and (height > tile_size or width > tile_size)
        for index in range(iterations):
            if tiled:
                assert tile_size is not None
                shift = (int(rng.integers(0, height)), int(rng.integers(0, width)))
                updated, loss = self.tiled_step(
                    current, step, shift, tile_size, mask_tensor, guides
                )
            else:
                shift = (0, 0)
                if jitter:
                    shift = (
                        int(rng.integers(-jitter, jitter + 1)),
                        int(rng.integers(-jitter, jitter + 1)),
                    )
                updated, loss = self._step_with(current, step, shift, mask_tensor, extra)
            if max_loss is not None and loss > max_loss:
                break
            current = updated
            if on_step is not None and on_step(index, loss):
                return backend.to_numpy(current), True
        return backend.to_numpy(current), False


def _mask_or_ones(mask: Any, image: Any) -> Any:
    """The mask as a float32 tensor (1, H, W, 1); all ones (dream everywhere) for ``None``."""
    if mask is None:
        return ops.ones_like(image[..., :1])
    return backend.to_tensor(mask)

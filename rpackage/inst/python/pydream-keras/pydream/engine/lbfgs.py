"""The VGG16 "paintings" method: L-BFGS on features, continuity and image-L2 penalties.

The value minimised, for an image ``x`` of ``n = H * W * 3`` values, is::

    -contribution_loss(x) + continuity * continuity_loss(x) / n + dream_l2 * sum(x**2) / n

Each round adds uniform random jitter to the image, runs scipy's L-BFGS-B for a few function
evaluations, and removes the jitter again. A mask multiplies the gradient L-BFGS sees, so
masked-out pixels keep their values.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..nets import backend
from .ascent import IMAGE_SIGNATURE, extra_arguments, guide_signature, unpack_extra
from .features import FeatureObjective, penalties

RoundCallback = Callable[[int, float], bool | None]


class LbfgsEngine:
    """L-BFGS dreaming for one objective.

    Args:
        objective: the layer-contribution loss (maximised, so it enters negated).
        continuity: weight of ``continuity_loss / n``.
        dream_l2: weight of ``sum(x**2) / n``.
        guided: the objective takes guide features (``FeatureObjective.guide_features``).
    """

    def __init__(
        self,
        objective: FeatureObjective,
        *,
        continuity: float,
        dream_l2: float,
        guided: bool = False,
    ):
        self.objective = objective
        self.continuity = continuity
        self.dream_l2 = dream_l2
        self.guided = guided
        self._value_and_gradient = backend.compile_function(
            self._value_and_gradient_graph, [IMAGE_SIGNATURE, *guide_signature(objective, guided)]
        )

    def value(self, image: Any, guides: Sequence[Any] | None = None, state: Any = None) -> Any:
        """The value L-BFGS minimises at ``image`` (1, H, W, 3), a float32 scalar."""
        return -self.objective(image, guides, state) + penalties(
            image, self.continuity, self.dream_l2
        )

    def _value_and_twice(self, image: Any, guides: Any, state: Any) -> tuple[Any, Any]:
        value = self.value(image, guides, state)
        return value, value

    def _value_and_gradient_graph(self, image: Any, *extra: Any) -> tuple[Any, Any]:
        guides, state = unpack_extra(extra, self.guided)
        return backend.value_and_gradient(self._value_and_twice, image, guides, state)

    def run(
        self,
        image: np.ndarray,
        *,
        rounds: int,
        evaluations: int,
        jitter: float,
        max_loss: float | None = None,
        rng: np.random.Generator | None = None,
        on_step: RoundCallback | None = None,
        mask: np.ndarray | None = None,
        guides: Sequence[Any] | None = None,
    ) -> tuple[np.ndarray, bool]:
        """Run ``rounds`` jittered L-BFGS rounds of ``evaluations`` evaluations each.

        Args:
            image: preprocessed image (1, H, W, 3).
            jitter: amplitude of the uniform noise added before a round, in preprocessed units.
            max_loss: stop before a round when the feature loss is above this.
            on_step: called as ``on_step(round_index, value)``; ``True`` stops the run.
            mask: (1, H, W, 1) in 0..1, multiplies the gradient; ``None``: everywhere.
            guides: the guide features of a guided engine.

        Returns:
            The image and whether ``on_step`` asked to stop.
        """
        rng = rng if rng is not None else np.random.default_rng()
        shape = image.shape
        current = np.asarray(image, dtype=np.float32)
        extra = extra_arguments(self.objective, self.guided, guides)
        weights = None if mask is None else np.broadcast_to(mask, shape).astype(np.float64).ravel()

        def value_and_gradient(flat: np.ndarray) -> tuple[float, np.ndarray]:
            tensor = backend.to_tensor(flat.reshape(shape).astype(np.float32))
            value, gradient = self._value_and_gradient(tensor, *extra)
            flat_gradient = backend.to_numpy(gradient).astype(np.float64).ravel()
            return backend.to_float(value), (
                flat_gradient if weights is None else flat_gradient * weights
            )

        for index in range(rounds):
            if max_loss is not None:
                loss = self.objective(backend.to_tensor(current), guides)
                feature_loss = backend.to_float(loss)
                if feature_loss > max_loss:
                    break
            noise = (jitter * 2.0 * (rng.random(shape) - 0.5)).astype(np.float32)
            jittered = (current + noise).astype(np.float64).ravel()
            result, value, _ = _fmin_l_bfgs_b()(value_and_gradient, jittered, maxfun=evaluations)
            current = (result.reshape(shape) - noise).astype(np.float32)
            if on_step is not None and on_step(index, float(value)):
                return current, True
        return current, False


def _fmin_l_bfgs_b() -> Callable[..., tuple[np.ndarray, float, dict]]:
    """scipy's L-BFGS-B, imported on first use (scipy.optimize takes 0.15 s to import)."""
    from scipy.optimize import fmin_l_bfgs_b

    return fmin_l_bfgs_b

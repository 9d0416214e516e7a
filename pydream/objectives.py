"""What a dream maximises: layer-contribution losses and the image regularisers.

All functions take and return TensorFlow tensors; activations are (1, h, w, channels).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import tensorflow as tf

if TYPE_CHECKING:
    import keras


def layer_loss(activation: tf.Tensor, loss: str, border: int) -> tf.Tensor:
    """The loss of one layer's activation, a float32 scalar.

    ``"l2"``: ``sum(a[:, b:-b, b:-b, :]**2) / size(a)`` with ``b = border`` (0: no crop) and
    ``size(a)`` the element count of the whole activation. ``"mean"``: ``mean(a)``.
    """
    activation = tf.cast(activation, tf.float32)
    if loss == "mean":
        return tf.reduce_mean(activation)
    size = tf.cast(tf.size(activation), tf.float32)
    if border == 0:
        return tf.reduce_sum(tf.square(activation)) / size
    # Sum over channels before cropping: the crop's gradient then fills a (1, h, w) map instead
    # of the whole activation, which made a dream step about 9% slower.
    per_pixel = tf.reduce_sum(tf.square(activation), axis=-1)
    return tf.reduce_sum(per_pixel[:, border:-border, border:-border]) / size


def contribution_loss(
    activations: Sequence[tf.Tensor], coefficients: Sequence[float], loss: str, border: int
) -> tf.Tensor:
    """Sum over layers of ``coefficient * layer_loss(activation)``."""
    total = tf.constant(0.0, dtype=tf.float32)
    for activation, coefficient in zip(activations, coefficients, strict=True):
        total = total + coefficient * layer_loss(activation, loss, border)
    return total


def continuity_loss(image: tf.Tensor) -> tf.Tensor:
    """``sum((dx**2 + dy**2) ** 1.25)`` over the image (1, H, W, C), a float32 scalar.

    ``dx`` and ``dy`` are differences to the right and lower neighbours, taken on the
    (H - 1) x (W - 1) pixels that have both.
    """
    corner = image[:, :-1, :-1, :]
    dy = corner - image[:, 1:, :-1, :]
    dx = corner - image[:, :-1, 1:, :]
    return tf.reduce_sum(tf.pow(tf.square(dx) + tf.square(dy), 1.25))


def image_l2(image: tf.Tensor) -> tf.Tensor:
    """``sum(image**2)``, a float32 scalar."""
    return tf.reduce_sum(tf.square(image))


def normalize_gradient(gradient: tf.Tensor, normalize: str) -> tf.Tensor:
    """``"mean_abs"``: ``g / max(mean(|g|), 1e-7)``; ``"std"``: ``g / (std(g) + 1e-8)``."""
    if normalize == "std":
        return gradient / (tf.math.reduce_std(gradient) + 1e-8)
    return gradient / tf.maximum(tf.reduce_mean(tf.abs(gradient)), 1e-7)


class FeatureObjective:
    """The layer-contribution loss of an image, through a feature extractor.

    Args:
        extractor: a Keras model whose outputs are the chosen layers' activations.
        coefficients: one coefficient per extractor output, in the same order.
        loss: ``"l2"`` or ``"mean"`` (see ``layer_loss``).
        border: pixels cropped off each activation side by the ``"l2"`` loss.
        learning_phase: 0 runs batch norm in inference mode; 1 uses the batch statistics of
            the image itself, through Keras' stateless call so that the stored moving
            statistics are never updated.
    """

    def __init__(
        self,
        extractor: keras.Model,
        coefficients: Sequence[float],
        *,
        loss: str,
        border: int,
        learning_phase: int,
    ) -> None:
        self.extractor = extractor
        self.coefficients = tuple(float(value) for value in coefficients)
        self.loss = loss
        self.border = border
        self.learning_phase = learning_phase

    def activations(self, image: tf.Tensor) -> list[tf.Tensor]:
        """The chosen layers' activations for ``image`` (1, H, W, 3) float32."""
        if self.learning_phase:
            trainable = [variable.value for variable in self.extractor.trainable_variables]
            frozen = [variable.value for variable in self.extractor.non_trainable_variables]
            outputs, _ = self.extractor.stateless_call(trainable, frozen, image, training=True)
        else:
            outputs = self.extractor(image, training=False)
        return list(tf.nest.flatten(outputs))

    def __call__(self, image: tf.Tensor) -> tf.Tensor:
        """The contribution loss of ``image``, a float32 scalar."""
        return contribution_loss(self.activations(image), self.coefficients, self.loss, self.border)

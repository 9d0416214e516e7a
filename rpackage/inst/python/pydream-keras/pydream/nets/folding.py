"""Folding inference batch norm into the convolution before it.

A convolution followed by batch norm in inference mode computes
``gamma * (conv(x) + b - mean) / sqrt(var + eps) + beta``: the same as a convolution with
kernel ``k * s`` and bias ``(b - mean) * s + beta``, where ``s = gamma / sqrt(var + eps)``
per output channel. The folded network skips one elementwise pass over every activation.
It is only valid with ``learning_phase=0`` (batch norm on the stored statistics).

The same copy sets each layer's compute precision (see ``models.layer_policies``), so a
mixed-precision network costs one copy of the float32 model, folded or not. A network that
nobody else holds (one just built) is folded and given its precision in place instead
(``fold_in_place``): no copy at all, the same layers, weights and numbers.
"""

from __future__ import annotations

from collections.abc import Mapping

import keras
import numpy as np


class FoldedBatchNorm(keras.layers.Layer):
    """Stands where a folded batch norm stood: passes its input through unchanged."""

    def call(self, inputs, training=None, mask=None):  # type: ignore[no-untyped-def]
        return inputs

    def compute_output_shape(self, input_shape):  # type: ignore[no-untyped-def]
        return input_shape


def _drop_variables(layer: keras.layers.Layer) -> None:
    """Forget every variable ``layer`` holds (a folded batch norm's: no longer used)."""
    for name, value in list(vars(layer).items()):
        if isinstance(value, keras.Variable):
            layer._untrack_variable(value)
            del vars(layer)[name]


def _add_zero_bias(convolution: keras.layers.Conv2D) -> None:
    """Give a built convolution without a bias a float32 bias of zeros (one per filter)."""
    convolution._tracker.unlock()
    try:
        convolution.bias = convolution.add_weight(
            name="bias",
            shape=(convolution.filters,),
            initializer="zeros",
            trainable=True,
            dtype=convolution.variable_dtype,
        )
    finally:
        convolution._tracker.lock()
    convolution.use_bias = True


def set_policies_in_place(model: keras.Model, policies: Mapping[str, str]) -> keras.Model:
    """Give ``model``'s own layers the dtype ``policies`` (layer name -> Keras dtype policy
    name; float32 weights stay float32); returns ``model``. For a model nobody else holds."""
    for layer in model.layers:
        if layer.name in policies:
            layer.dtype_policy = policies[layer.name]
    return model


def fold_in_place(model: keras.Model, policies: Mapping[str, str] | None = None) -> keras.Model:
    """Fold ``model``'s own conv -> batch-norm pairs and set its layers' ``policies``.

    The same network as ``fold_batch_norm`` gives (names, weights, compute dtypes, numbers),
    without building a copy: for a model nobody else holds, since it is changed. Each folded
    batch norm becomes a ``FoldedBatchNorm`` pass-through without variables.

    Args:
        model: a functional model, built, channels last.
        policies: layer name -> Keras dtype policy name; layers it does not name keep theirs.

    Returns:
        ``model`` itself.
    """
    set_policies_in_place(model, policies or {})
    for name, norm in _foldable_pairs(model).items():
        convolution = model.get_layer(name)
        kernel, bias = folded_convolution_weights(convolution, norm)
        if not convolution.use_bias:
            _add_zero_bias(convolution)
        convolution.set_weights([kernel, bias])
        _drop_variables(norm)
        norm.__class__ = FoldedBatchNorm
    return model


def _foldable_pairs(model: keras.Model) -> dict[str, keras.layers.BatchNormalization]:
    """Convolution name -> the batch norm that alone consumes its output (channels last)."""
    pairs = {}
    for layer in model.layers:
        if not isinstance(layer, keras.layers.BatchNormalization):
            continue
        axis = layer.axis if isinstance(layer.axis, int) else layer.axis[0]
        if axis not in (-1, 3):
            continue
        producer = layer.input._keras_history.operation
        if isinstance(producer, keras.layers.Conv2D) and len(producer._outbound_nodes) == 1:
            pairs[producer.name] = layer
    return pairs


def folded_convolution_weights(
    convolution: keras.layers.Conv2D, norm: keras.layers.BatchNormalization
) -> list[np.ndarray]:
    """Kernel and bias of the convolution that equals ``norm(convolution(x))``."""
    weights = convolution.get_weights()
    kernel = weights[0].astype(np.float64)
    bias = weights[1].astype(np.float64) if convolution.use_bias else np.zeros(kernel.shape[-1])
    gamma = norm.gamma.numpy().astype(np.float64) if norm.scale else 1.0
    beta = norm.beta.numpy().astype(np.float64) if norm.center else 0.0
    mean = norm.moving_mean.numpy().astype(np.float64)
    variance = norm.moving_variance.numpy().astype(np.float64)
    scale = gamma / np.sqrt(variance + norm.epsilon)
    folded_kernel = (kernel * scale).astype(np.float32)
    folded_bias = ((bias - mean) * scale + beta).astype(np.float32)
    return [folded_kernel, folded_bias]


def fold_batch_norm(model: keras.Model, policies: Mapping[str, str] | None = None) -> keras.Model:
    """A copy of ``model`` with each conv -> batch-norm pair folded into one convolution.

    Layer names are kept (a folded batch norm becomes a ``FoldedBatchNorm`` pass-through of the
    same name), so feature layers can still be looked up by name. ``policies`` (layer name ->
    Keras dtype policy name) sets the compute precision of the copy's layers; layers it does not
    name keep their own. The original is not changed; without pairs to fold or policies to set
    it is returned as it is.
    """
    pairs = _foldable_pairs(model)
    if not pairs and not policies:
        return model
    return copy_model(model, pairs, policies or {})


def set_precision(model: keras.Model, policies: Mapping[str, str]) -> keras.Model:
    """A copy of ``model`` (batch norm not folded) with the dtype ``policies`` of its layers."""
    return copy_model(model, {}, policies)


def copy_model(
    model: keras.Model,
    pairs: Mapping[str, keras.layers.BatchNormalization],
    policies: Mapping[str, str],
) -> keras.Model:
    """A copy of ``model`` with the conv -> batch-norm ``pairs`` folded, layers given their
    ``policies``, and every weight copied over (kept in float32)."""
    folded_norms = {norm.name for norm in pairs.values()}

    def clone(layer: keras.layers.Layer) -> keras.layers.Layer:
        dtype = policies.get(layer.name, layer.dtype_policy.name)
        if layer.name in folded_norms:
            return FoldedBatchNorm(name=layer.name, dtype=dtype)
        config = layer.get_config()
        for key in ("kernel_initializer", "bias_initializer"):
            if key in config:  # every weight is overwritten below: skip random initialisation
                config[key] = "zeros"
        if layer.name in pairs:
            config["use_bias"] = True
        config["dtype"] = dtype
        return layer.__class__.from_config(config)

    copy = keras.models.clone_model(model, clone_function=clone)
    for layer in model.layers:
        if layer.name in folded_norms or not layer.weights:
            continue
        target = copy.get_layer(layer.name)
        if layer.name in pairs:
            target.set_weights(folded_convolution_weights(layer, pairs[layer.name]))
        else:
            target.set_weights(layer.get_weights())
    return copy

"""What the network sees in a picture: its classification top's most probable classes, with
the ImageNet class names kept in the package (``pydream.imagenet``)."""

from __future__ import annotations

from typing import Any

import numpy as np
from PIL import Image

from .. import imagenet
from ..checks import check_int
from ..errors import LayerError
from ..media.images import load_image
from ..nets import backend
from ..nets.models import load_inference_model, model_spec
from ..objectives import CLASSIFICATION_LAYER
from .features import is_classifier
from .selection import layer_outputs

CLASSIFY_SIZE = 299
"""Pixels: the picture is resized to a square this large (InceptionV3's own input size)."""


def class_label(index: int, classes: int) -> str:
    """The name of class ``index`` of a ``classes``-way classifier: its ImageNet name for a
    1000-way one, else ``"class N"``."""
    if classes == imagenet.CLASS_COUNT:
        return imagenet.class_name(index)
    return f"class {index}"


def classify(
    image: Any,
    top: int = 5,
    *,
    model: Any = "inception_v3",
    weights: str | None = "imagenet",
    size: int = CLASSIFY_SIZE,
) -> list[tuple[int, str, float]]:
    """The ``top`` most probable classes of a picture, most probable first.

    The picture is resized to ``size`` x ``size`` pixels (as Keras' examples classify),
    preprocessed for the model and passed through the network with its classification top;
    the probabilities are the softmax of the ``predictions`` layer's logits.

    Args:
        image: a path, ``PIL.Image`` or uint8 array.
        top: how many classes (at most the classifier's count).
        model: a registry name or a ``keras.Model`` with a dense ``predictions`` layer.
        weights: ``"imagenet"`` or a weights file of the whole model (with its top).
        size: pixels of the square the picture is resized to.

    Returns:
        ``(index, name, probability)`` tuples; ``name`` is the ImageNet class name for a
        1000-way classifier.

    Raises:
        WeightsError: the weights have no classification top (a ``ValueError``).
        LayerError: a model object without a ``predictions`` classification layer.
        SettingError: ``top`` or ``size`` is not a whole number from 1.
    """
    top = int(check_int("top", top, minimum=1) or 1)
    size = int(check_int("size", size, minimum=1) or 1)
    spec = model_spec(model)
    network = load_inference_model(model, weights, "float32", True)
    names = [layer.name for layer in network.layers]
    if CLASSIFICATION_LAYER not in names or not is_classifier(
        network.get_layer(CLASSIFICATION_LAYER)
    ):
        raise LayerError(
            f"the model has no classification layer {CLASSIFICATION_LAYER!r} (a dense layer "
            "with one vector per picture) to classify with",
            setting="model",
            value=repr(spec.name),
            allowed="a model with its classification top",
            layer=CLASSIFICATION_LAYER,
        )
    pixels = load_image(image).rgb
    square = np.asarray(Image.fromarray(pixels).resize((size, size), Image.Resampling.BICUBIC))
    dense = network.get_layer(CLASSIFICATION_LAYER)
    inputs = frozenset({CLASSIFICATION_LAYER})
    (features,) = layer_outputs(network, (CLASSIFICATION_LAYER,), spec.preprocess(square), inputs)
    logits = features.astype(np.float64) @ backend.to_numpy(dense.kernel).astype(np.float64)
    if getattr(dense, "use_bias", False):
        logits = logits + backend.to_numpy(dense.bias).astype(np.float64)
    probabilities = np.exp(logits[0] - logits[0].max())
    probabilities /= probabilities.sum()
    order = np.argsort(-probabilities, kind="stable")[:top]
    classes = int(probabilities.shape[0])
    return [(int(i), class_label(int(i), classes), float(probabilities[i])) for i in order]

"""Terms that depend on the picture being dreamed, settled once from the starting picture.

``"mixed4:strong10"`` (``objectives.RankedTerm``) becomes the channel term of the 10 channels
with the highest mean activation on the starting picture (seen at most ``GUIDE_SIZE`` pixels
on its longer side, as neural-dream ranks once on its picture at 512 pixels); the choice is
said in a ``DreamNotice``. A neuron's position (``"mixed4:97@3,5"``) is checked against its
layer's size at the smallest octave. ``mean_activation`` gives a direction's vector from a
picture.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import keras
import numpy as np
from keras import tree as keras_tree

from .. import objectives
from ..errors import DreamNotice
from ..media.images import load_image
from ..nets import backend
from ..nets.models import (
    check_layer_names,
    feature_extractor,
    load_base_model,
    load_inference_model,
    model_spec,
    needs_top,
)
from ..settings import DreamSettings
from .cache import GUIDE_SIZE, fit_guide, settings_spec
from .features import check_position, ranked_term
from .octaves import octave_shapes


def _network(settings: DreamSettings, names: Sequence[str]) -> keras.Model:
    """The network the dream's engines are built on (the same cached one)."""
    top = needs_top(settings.model, names)
    load = load_base_model if settings.learning_phase else load_inference_model
    precision = settings.precision
    precision = backend.auto_precision() if precision == "auto" else precision
    return load(settings.model, settings.weights, precision, top)


def layer_outputs(
    network: keras.Model,
    names: tuple[str, ...],
    pixels: np.ndarray,
    inputs_of: frozenset[str] = frozenset(),
) -> list[Any]:
    """The named layers' activations (1, h, w, c) as float32 NumPy, for preprocessed pixels
    (H, W, 3); for the layers in ``inputs_of`` their input instead (see
    ``models.feature_extractor``)."""
    extractor = feature_extractor(network, names, inputs_of)
    outputs = keras_tree.flatten(extractor(backend.to_tensor(pixels[None]), training=False))
    return [np.asarray(backend.to_numpy(output), np.float32) for output in outputs]


def picture_terms(objective: objectives.Objective) -> list[objectives.Term]:
    """The terms of ``objective`` that need the picture: ranked channels and placed neurons."""
    return [
        item.term
        for item in objective.terms
        if isinstance(item.term, objectives.RankedTerm) or _placed(item.term)
    ]


def _placed(term: objectives.Term) -> bool:
    return isinstance(term, objectives.NeuronTerm) and (term.x, term.y) != (None, None)


def resolve_picture_terms(settings: DreamSettings, rgb: np.ndarray) -> DreamSettings:
    """``settings`` with each ranked-channel term replaced by the channels it picks on
    ``rgb`` (the starting picture, uint8 (H, W, 3)), every choice said once in a
    ``DreamNotice``; placed neurons are checked against their layer at each octave.
    Settings without such terms come back as they are.

    Raises:
        SettingError: a neuron's position is outside its layer.
    """
    schedule = [objectives.as_objective(each) for each in settings.layer_schedule]
    if not any(picture_terms(each) for each in schedule):
        return settings
    names = tuple(dict.fromkeys(name for each in schedule for name in each.layers))
    network = _network(settings, names)
    check_layer_names(settings.model, names, [layer.name for layer in network.layers])
    spec = settings_spec(settings)
    check_neurons(settings, network, rgb.shape[:2])
    terms = [item.term for each in schedule for item in each.terms]
    for term in terms:
        if isinstance(term, objectives.RankedTerm):
            ranked_term(term, 1.0, network)  # a count past the layer's width is an error
    ranked = tuple(
        dict.fromkeys(term.layer for term in terms if isinstance(term, objectives.RankedTerm))
    )
    if not ranked:
        return settings
    seen = fit_guide(rgb, GUIDE_SIZE, spec.min_size)
    outputs = layer_outputs(network, ranked, spec.preprocess(seen))
    means = {
        name: output.mean(axis=(0, 1, 2)) for name, output in zip(ranked, outputs, strict=True)
    }
    chosen = [_resolve(each, means, seen.shape[:2]) for each in schedule]
    layers: Any = tuple(chosen) if isinstance(settings.layers, tuple) else chosen[0]
    return dataclasses.replace(settings, layers=layers)


def check_neurons(settings: DreamSettings, network: keras.Model, shape: tuple[int, ...]) -> None:
    """Check each placed neuron against its layer's size at every octave it is dreamed at
    (a picture of ``shape`` (height, width)).

    Raises:
        SettingError: a position is outside its layer.
    """
    spec = settings_spec(settings)
    count = settings.num_octave
    with warnings.catch_warnings():  # the dream itself says which octaves are left out
        warnings.simplefilter("ignore")
        shapes = octave_shapes(
            (int(shape[0]), int(shape[1])), count, settings.octave_scale, spec.min_size
        )
    for index, size in enumerate(shapes, start=count - len(shapes)):
        objective = objectives.as_objective(settings.octave_layers(index, count))
        neurons = [term for term in picture_terms(objective) if _placed(term)]
        layers = tuple(dict.fromkeys(term.layer for term in neurons))
        if not layers:
            continue
        blank = np.zeros((*size, 3), np.float32)
        sizes = {
            name: output.shape[1:3]
            for name, output in zip(layers, layer_outputs(network, layers, blank), strict=True)
        }
        for term in neurons:
            assert isinstance(term, objectives.NeuronTerm)
            check_position(term.x, term.y, sizes[term.layer])


def _resolve(
    objective: objectives.Objective,
    means: Mapping[str, np.ndarray],
    size: tuple[int, ...],
) -> objectives.Objective:
    """``objective`` with its ranked terms as channel terms, each choice said once."""
    items = []
    for item in objective.terms:
        term = item.term
        if isinstance(term, objectives.RankedTerm):
            indices = objectives.rank_channels(list(means[term.layer]), term.mode, term.count)
            chosen = objectives.ChannelTerm(term.layer, indices)
            warnings.warn(
                f"{term.key} chose channels {','.join(map(str, indices))} of {term.layer} "
                f"(mean activation on the starting picture at {size[1]}x{size[0]} pixels)",
                DreamNotice,
                stacklevel=4,
            )
            term = chosen
        items.append((term, item.weight))
    return objectives.Objective(items)


def mean_activation(
    image: Any,
    layer: str,
    *,
    model: Any = "inception_v3",
    weights: str | None = "imagenet",
    size: int = GUIDE_SIZE,
) -> np.ndarray:
    """A layer's mean activation over a picture's positions, float32 (channels,): a vector
    for ``objectives.direction`` ("more like this photo here").

    Args:
        image: a path, ``PIL.Image`` or uint8 array; seen at most ``size`` pixels on its
            longer side (and at least the model's minimum on its shorter side).
        layer: the layer's name.
        model, weights: as in ``deep_dream``.

    Raises:
        LayerError: the model has no such layer.
    """
    spec = model_spec(model)
    network = load_inference_model(model, weights, "float32", needs_top(model, (layer,)))
    check_layer_names(model, (layer,), [each.name for each in network.layers])
    pixels = fit_guide(load_image(image, "image").rgb, size, spec.min_size)
    (output,) = layer_outputs(network, (layer,), spec.preprocess(pixels))
    return output.mean(axis=(0, 1, 2))

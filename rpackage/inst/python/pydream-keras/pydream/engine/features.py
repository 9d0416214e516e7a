"""What a dream maximises: layer, channel, class and guide terms, and the image regularisers.

All functions take and return tensors of the Keras backend (written with ``keras.ops``);
activations are (1, h, w, channels). An objective (``pydream.objectives.Objective``) names
its terms; ``build_terms`` resolves each against the network through ``TERM_BUILDERS``, one
function per kind of term (see ``pydream.objectives`` for adding a kind).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from keras import ops
from keras import tree as keras_tree

from .. import objectives
from ..nets import backend

if TYPE_CHECKING:
    import keras

Tensor = Any
"""A tensor of the Keras backend."""


def layer_loss(activation: Tensor, loss: str, border: int) -> Tensor:
    """The loss of one layer's activation, a float32 scalar.

    ``"l2"``: ``sum(a[:, b:-b, b:-b, :]**2) / size(a)`` with ``b = border`` (0: no crop) and
    ``size(a)`` the element count of the whole activation. ``"mean"``: ``mean(a)``.
    """
    activation = ops.cast(activation, "float32")
    if loss == "mean":
        return ops.mean(activation)
    size = ops.cast(ops.size(activation), "float32")
    if border == 0:
        return ops.sum(ops.square(activation)) / size
    # Sum over channels before cropping: the crop's gradient then fills a (1, h, w) map instead
    # of the whole activation, which made a dream step about 9% slower.
    per_pixel = ops.sum(ops.square(activation), axis=-1)
    return ops.sum(per_pixel[:, border:-border, border:-border]) / size


def contribution_loss(
    activations: Sequence[Tensor], coefficients: Sequence[float], loss: str, border: int
) -> Tensor:
    """Sum over layers of ``coefficient * layer_loss(activation)``."""
    total = ops.zeros((), "float32")
    for activation, coefficient in zip(activations, coefficients, strict=True):
        total = total + coefficient * layer_loss(activation, loss, border)
    return total


def continuity_loss(image: Tensor) -> Tensor:
    """``sum((dx**2 + dy**2) ** 1.25)`` over the image (1, H, W, C), a float32 scalar.

    ``dx`` and ``dy`` are differences to the right and lower neighbours, taken on the
    (H - 1) x (W - 1) pixels that have both.
    """
    corner = image[:, :-1, :-1, :]
    dy = corner - image[:, 1:, :-1, :]
    dx = corner - image[:, :-1, 1:, :]
    return ops.sum(ops.power(ops.square(dx) + ops.square(dy), 1.25))


def image_l2(image: Tensor) -> Tensor:
    """``sum(image**2)``, a float32 scalar."""
    return ops.sum(ops.square(image))


@dataclasses.dataclass(frozen=True)
class Term:
    """One entry of the layer-contribution mapping, resolved against a network.

    Attributes:
        key: the key as written (``"mixed4:97"``).
        layer: the layer's name.
        indices: the chosen channels (or classes), or ``None`` for the whole layer.
        coefficient: the term's weight in the objective.
        kind: ``"features"`` (the layer's activation) or ``"logits"`` (a classification
            layer: the extractor gives the layer's *input* ``x`` and the term computes the
            pre-activation ``x @ kernel + bias`` of the chosen classes).
    """

    key: str
    layer: str
    indices: tuple[int, ...] | None
    coefficient: float
    kind: str = "features"


def whole_layer_terms(names: Sequence[str], coefficients: Sequence[float]) -> tuple[Term, ...]:
    """Terms for whole layers (the blog's layer contributions)."""
    return tuple(
        Term(name, name, None, float(value))
        for name, value in zip(names, coefficients, strict=True)
    )


def select_channels(activation: Tensor, indices: tuple[int, ...] | None) -> Tensor:
    """``activation[..., indices]`` (all channels when ``indices`` is ``None``)."""
    if indices is None:
        return activation
    return ops.take(activation, list(indices), axis=-1)


def guide_loss(activation: Tensor, guide: Tensor, border: int) -> Tensor:
    """How well each position of ``activation`` agrees with its best-matching guide feature.

    With ``a_p`` the activation vector (channels) at position ``p`` of the dream (borders
    cropped by ``border``), ``g_q`` the guide's at position ``q``, and
    ``m(p) = argmax_q <a_p, g_q>``::

        guide_loss = sum_p <a_p, g_m(p)> / size(a)

    ``size(a)`` is the element count of the whole activation. The matches ``m(p)`` are held
    fixed, so the gradient at ``a_p`` is ``g_m(p) / size(a)``: each position is pushed toward
    the guide feature it already resembles most (google/deepdream's ``objective_guide``).

    Args:
        activation: (1, h, w, c) dream activations.
        guide: (q, c) guide activations, one row per guide position.
        border: positions cropped off each side of the activation before matching.
    """
    activation = ops.cast(activation, "float32")
    size = ops.cast(ops.size(activation), "float32")
    if border:
        activation = activation[:, border:-border, border:-border, :]
    positions = ops.reshape(activation, (-1, int(activation.shape[-1])))
    scores = ops.matmul(positions, ops.transpose(guide))
    best = ops.take(guide, ops.argmax(scores, axis=1), axis=0)
    return ops.sum(positions * ops.stop_gradient(best)) / size


def logit_loss(
    inputs: Tensor, layer: keras.layers.Layer, indices: tuple[int, ...] | None
) -> Tensor:
    """Mean pre-activation of the chosen units of a classification (dense) layer.

    ``mean_k (x @ kernel[:, k] + bias[k])`` over the classes ``k`` in ``indices``, with ``x``
    (1, features) the layer's input: the logit before any softmax.
    """
    inputs = ops.cast(inputs, "float32")
    kernel = ops.cast(layer.kernel, "float32")
    chosen = list(indices) if indices is not None else list(range(int(kernel.shape[-1])))
    logits = ops.matmul(inputs, ops.take(kernel, chosen, axis=1))
    if getattr(layer, "use_bias", False):
        logits = logits + ops.take(ops.cast(layer.bias, "float32"), chosen)
    return ops.mean(logits)


class FeatureObjective:
    """The layer-contribution loss of an image, through a feature extractor.

    The loss is ``sum over terms of coefficient * term_loss``: for a ``"features"`` term
    ``layer_loss`` (``loss``, ``border``) of its chosen channels, or ``guide_loss`` when
    guide features are given; for a ``"logits"`` term ``logit_loss``.

    Args:
        extractor: a Keras model with one output per term, in the same order.
        terms: the terms (see ``Term``).
        loss: ``"l2"`` or ``"mean"`` (see ``layer_loss``).
        border: pixels cropped off each activation side by the ``"l2"`` loss (and by the
            guide's matching when ``loss`` is ``"l2"``).
        learning_phase: 0 runs batch norm in inference mode; 1 uses the batch statistics of
            the image itself, through Keras' stateless call so that the stored moving
            statistics are never updated.
        dense_layers: layer name -> the classification layer of each ``"logits"`` term.
    """

    def __init__(
        self,
        extractor: keras.Model,
        terms: Sequence[Term],
        *,
        loss: str,
        border: int,
        learning_phase: int,
        dense_layers: Mapping[str, keras.layers.Layer] | None = None,
    ) -> None:
        self.extractor = extractor
        self.terms = tuple(terms)
        self.loss = loss
        self.border = border
        self.learning_phase = learning_phase
        self.dense_layers = dict(dense_layers or {})

    @property
    def coefficients(self) -> tuple[float, ...]:
        """The terms' coefficients, in order."""
        return tuple(term.coefficient for term in self.terms)

    @property
    def guide_border(self) -> int:
        """Positions the guide's matching crops off each side (the ``"l2"`` border)."""
        return self.border if self.loss == "l2" else 0

    def state(self) -> Any:
        """The extractor's weights, for compiled functions that take them as an argument
        (``backend.passes_state``); ``None`` where they are read from the model."""
        return backend.model_state(self.extractor) if backend.passes_state() else None

    def activations(self, image: Tensor, state: Any = None) -> list[Tensor]:
        """The extractor's outputs for ``image`` (1, H, W, 3) float32, one per term.

        ``state``: the weights (``state()``), or ``None`` to read them from the model.
        """
        training = bool(self.learning_phase)
        if state is None and training:
            state = backend.model_state(self.extractor)
        if state is not None:
            outputs = backend.stateless_model_call(self.extractor, state, image, training)
        else:
            outputs = self.extractor(image, training=False)
        return list(keras_tree.flatten(outputs))

    def guide_features(self, guide: Tensor) -> list[Tensor]:
        """What ``guide_loss`` matches against: per term, the guide image's chosen channels
        as (positions, channels) float32; (0, 0) for ``"logits"`` terms (never guided)."""
        features = []
        for term, activation in zip(self.terms, self.activations(guide), strict=True):
            if term.kind == "logits":
                features.append(ops.zeros((0, 0), "float32"))
                continue
            chosen = ops.cast(select_channels(activation, term.indices), "float32")
            features.append(ops.reshape(chosen, (-1, int(chosen.shape[-1]))))
        return features

    def term_loss(self, term: Term, activation: Tensor, guide: Tensor | None) -> Tensor:
        """One term's loss (without its coefficient), a float32 scalar."""
        if term.kind == "logits":
            return logit_loss(activation, self.dense_layers[term.layer], term.indices)
        chosen = select_channels(activation, term.indices)
        if guide is not None:
            return guide_loss(chosen, guide, self.guide_border)
        return layer_loss(chosen, self.loss, self.border)

    def __call__(
        self, image: Tensor, guides: Sequence[Tensor] | None = None, state: Any = None
    ) -> Tensor:
        """The contribution loss of ``image``, a float32 scalar.

        ``guides``: ``guide_features`` of a guide image, or ``None`` for an unguided dream.
        ``state``: the extractor's weights (see ``activations``).
        """
        activations = self.activations(image, state)
        total = ops.zeros((), "float32")
        for index, (term, activation) in enumerate(zip(self.terms, activations, strict=True)):
            guide = guides[index] if guides is not None and term.kind != "logits" else None
            total = total + term.coefficient * self.term_loss(term, activation, guide)
        return total


def penalties(image: Tensor, continuity: float, dream_l2: float) -> Tensor:
    """``continuity * continuity_loss(x) / n + dream_l2 * sum(x**2) / n``, ``n`` = size(x)."""
    total = ops.zeros((), "float32")
    if not continuity and not dream_l2:
        return total
    count = ops.cast(ops.size(image), "float32")
    if continuity:
        total += continuity * continuity_loss(image) / count
    if dream_l2:
        total += dream_l2 * image_l2(image) / count
    return total


def is_classifier(layer: keras.layers.Layer) -> bool:
    """Whether ``layer`` is a dense layer with one vector per image (a classification layer)."""
    import keras

    return isinstance(layer, keras.layers.Dense) and len(layer.output.shape) == 2


TermBuilder = Callable[[Any, float, "keras.Model"], Term]
"""Resolves one kind of objective term against a network: ``(term, coefficient, network)``."""


def _layer_size(layer: keras.layers.Layer) -> tuple[str, int, str]:
    """``(kind, count, noun)`` of a layer: ``"logits"``, its classes and ``"class"`` for a
    classification layer, else ``"features"``, its channels and ``"channel"``."""
    if is_classifier(layer):
        return "logits", int(layer.units), "class"
    return "features", int(layer.output.shape[-1]), "channel"


def layer_term(term: objectives.LayerTerm, coefficient: float, network: keras.Model) -> Term:
    """A whole layer (``"mixed4"``).

    Raises:
        ValueError: the layer is a classification layer (its classes must be named).
    """
    layer = network.get_layer(term.layer)
    kind, count, _ = _layer_size(layer)
    if kind == "logits":
        raise ValueError(
            f"layers: {term.layer!r} is a classification layer: name the classes to "
            f"dream, e.g. '{term.layer}:207' (0..{count - 1})"
        )
    return Term(term.key, term.layer, None, coefficient, kind)


def channel_term(term: objectives.ChannelTerm, coefficient: float, network: keras.Model) -> Term:
    """Channels of a layer (``"mixed4:97"``), or classes of a classification layer
    (``"predictions:207"``: a ``"logits"`` term).

    Raises:
        ValueError: a channel or class index is past the layer's count.
    """
    kind, count, noun = _layer_size(network.get_layer(term.layer))
    for index in term.indices:
        if index >= count:
            raise ValueError(
                f"layers: {noun} {index} in {term.key!r} is past the last {noun} of "
                f"{term.layer}, which has {count} {noun}"
                f"{'es' if noun == 'class' else 's'} (0..{count - 1})"
            )
    return Term(term.key, term.layer, term.indices, coefficient, kind)


TERM_BUILDERS: dict[str, TermBuilder] = {
    objectives.LayerTerm.kind: layer_term,
    objectives.ChannelTerm.kind: channel_term,
}
"""The engine function of each kind of ``pydream.objectives.Term``, by its ``kind``."""


def build_terms(
    layers: Mapping[str, float], network: keras.Model
) -> tuple[tuple[Term, ...], dict[str, keras.layers.Layer]]:
    """Resolve an objective (or a dict of layer keys) against ``network``: the engine's terms,
    in the objective's order, and the dense layer of each ``"logits"`` term.

    Raises:
        ValueError: a channel or class index is past the layer's count, or a classification
            layer is named without classes.
    """
    objective = objectives.as_objective(layers)
    terms = []
    for item in objective.terms:
        builder = TERM_BUILDERS.get(item.term.kind)
        if builder is None:
            raise TypeError(f"layers: the engine cannot score {item.term.key!r} terms yet")
        terms.append(builder(item.term, item.weight, network))
    dense_layers = {
        term.layer: network.get_layer(term.layer) for term in terms if term.kind == "logits"
    }
    return tuple(terms), dense_layers

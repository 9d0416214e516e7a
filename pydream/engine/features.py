"""What a dream maximises: layer, channel, class, guide, neuron, direction, ranked-channel and
diversity terms, and the image regularisers.

All functions take and return tensors of the Keras backend (written with ``keras.ops``);
activations are (1, h, w, channels). An objective (``pydream.objectives.Objective``) names
its terms; ``build_terms`` resolves each against the network through ``TERM_BUILDERS``, one
function per kind of term (see ``pydream.objectives`` for adding a kind).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from keras import ops
from keras import tree as keras_tree

from .. import objectives
from ..errors import SettingError
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
            pre-activation ``x @ kernel + bias`` of the chosen classes); or ``"neuron"``,
            ``"direction"``, ``"ranked"``, ``"diversity"`` (``neuron_loss``,
            ``direction_loss``, ``ranked_loss``, ``diversity_loss``).
        detail: what those kinds need: ``(x, y)`` of a neuron (``indices`` its channel),
            ``(vector, cosine)`` of a direction, ``(mode, count)`` of ranked channels.
    """

    key: str
    layer: str
    indices: tuple[int, ...] | None
    coefficient: float
    kind: str = "features"
    detail: tuple[Any, ...] = ()


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


COSINE_EPSILON = 1e-12
"""Added to each position's squared norm in ``direction_loss`` (cosine): a zero activation
has cosine 0 and a finite gradient."""
GRAM_EPSILON = 1e-10
"""The smallest squared norm a Gram matrix is divided by in ``diversity_loss`` (lucid's)."""


def neuron_position(shape: Sequence[Any], x: int | None, y: int | None) -> tuple[Any, Any]:
    """``(row, column)`` of a neuron in an activation of ``shape`` (n, h, w, c): ``(y, x)``,
    the centre ``(h // 2, w // 2)`` where ``None``.

    Raises:
        SettingError: a static size is known and the position is outside it.
    """
    height, width = shape[1], shape[2]
    if isinstance(height, int) and isinstance(width, int):
        check_position(x, y, (height, width))
    row = height // 2 if y is None else y
    column = width // 2 if x is None else x
    return row, column


def check_position(x: int | None, y: int | None, size: tuple[int, int]) -> None:
    """Raise a one-line ``SettingError`` when ``(x, y)`` is outside a layer of ``size``
    (height, width) positions."""
    height, width = size
    if (x is not None and x >= width) or (y is not None and y >= height):
        raise SettingError(
            f"layers: the neuron at x={x}, y={y} is outside the layer, which is {width} "
            f"positions wide and {height} high here (x 0..{width - 1}, y 0..{height - 1})",
            setting="layers",
            value=f"x={x}, y={y}",
            allowed=f"x 0..{width - 1}, y 0..{height - 1}",
        )


def neuron_loss(activation: Tensor, channel: int, x: int | None, y: int | None) -> Tensor:
    """``activation[:, y, x, channel]``, averaged over the batch (``x``, ``y`` ``None``: the
    centre, see ``neuron_position``), a float32 scalar."""
    activation = ops.cast(activation, "float32")
    row, column = neuron_position(ops.shape(activation), x, y)
    plane = activation[..., channel]
    return ops.mean(ops.take(ops.take(plane, row, axis=1), column, axis=1))


def direction_loss(activation: Tensor, vector: Sequence[float], cosine: bool) -> Tensor:
    """The mean over positions ``p`` (and the batch) of ``<a_p, v>``, or with ``cosine`` of
    ``<a_p, v> / (sqrt(|a_p|**2 + COSINE_EPSILON) |v|)``: lucid's ``direction`` and (times
    the channel count) ``direction_cossim``. A float32 scalar.

    Args:
        activation: (n, h, w, c).
        vector: ``v``, c numbers.
        cosine: the cosine similarity instead of the dot product.
    """
    activation = ops.cast(activation, "float32")
    values = np.asarray(vector, np.float32)
    dots = ops.sum(activation * ops.convert_to_tensor(values), axis=-1)
    if not cosine:
        return ops.mean(dots)
    norms = ops.sqrt(ops.sum(ops.square(activation), axis=-1) + COSINE_EPSILON)
    return ops.mean(dots / (norms * float(np.linalg.norm(values))))


def ranked_indices(activation: Tensor, mode: str, count: int) -> Tensor:
    """The channels ``objectives.rank_channels`` picks, from the activation's own channel
    means (over the batch and positions), as an int tensor; ties fall as the backend's sort
    leaves them."""
    means = ops.mean(ops.cast(activation, "float32"), axis=(0, 1, 2))
    ascending = ops.argsort(ops.stop_gradient(means))
    if mode == "weak":
        return ascending[:count]
    if mode == "strong":
        return ops.flip(ascending)[:count]
    start = (int(activation.shape[-1]) - 1) // 2 - count // 2
    return ascending[start : start + count]


def diversity_loss(activations: Tensor) -> Tensor:
    """Minus lucid's diversity: ``-sum over i != j of <G_i, G_j> / N``, a float32 scalar.

    ``G_i`` is the Gram matrix ``F_i^T F_i`` (c x c) of picture ``i``'s activation ``F_i``
    (positions x channels), divided by its Frobenius norm (at least ``sqrt(GRAM_EPSILON)``),
    so ``<G_i, G_j>`` is the cosine similarity of the two Gram matrices; each pair counts
    twice (``i, j`` and ``j, i``); N is the batch. Maximising it makes the pictures differ in
    style at the layer. A batch of one scores 0.

    Args:
        activations: (N, h, w, c), the batch's activations at one layer.
    """
    activations = ops.cast(activations, "float32")
    count, channels = activations.shape[0], int(activations.shape[-1])
    flat = ops.reshape(activations, (count if count is not None else -1, -1, channels))
    grams = ops.matmul(ops.transpose(flat, (0, 2, 1)), flat)
    squared = ops.sum(ops.square(grams), axis=(1, 2), keepdims=True)
    grams = grams / ops.sqrt(ops.maximum(squared, GRAM_EPSILON))
    rows = ops.reshape(grams, (-1, channels * channels))
    similarity = ops.matmul(rows, ops.transpose(rows))
    pairs = ops.sum(similarity) - ops.trace(similarity)
    return -pairs / ops.cast(ops.shape(rows)[0], "float32")


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
            if term.kind != "features":
                features.append(ops.zeros((0, 0), "float32"))
                continue
            chosen = ops.cast(select_channels(activation, term.indices), "float32")
            features.append(ops.reshape(chosen, (-1, int(chosen.shape[-1]))))
        return features

    def term_loss(self, term: Term, activation: Tensor, guide: Tensor | None) -> Tensor:
        """One term's loss (without its coefficient), a float32 scalar.

        ``activation`` is the term's layer output for the batch (one picture in a dream: a
        ``"diversity"`` term then scores 0); ``guide`` its guide features, for
        ``"features"`` terms only."""
        if term.kind == "logits":
            return logit_loss(activation, self.dense_layers[term.layer], term.indices)
        if term.kind == "neuron":
            return neuron_loss(activation, (term.indices or (0,))[0], *term.detail)
        if term.kind == "direction":
            return direction_loss(activation, *term.detail)
        if term.kind == "diversity":
            return diversity_loss(activation)
        if term.kind == "ranked":
            chosen = ops.take(activation, ranked_indices(activation, *term.detail), axis=-1)
            return layer_loss(chosen, self.loss, self.border)
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
            guide = guides[index] if guides is not None and term.kind == "features" else None
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


def _feature_width(term: objectives.Term, network: keras.Model, what: str) -> int:
    """The channel count of a term's layer, which must not be a classification layer."""
    kind, count, _ = _layer_size(network.get_layer(term.layer))
    if kind == "logits":
        raise SettingError(
            f"layers: {term.key!r}: {term.layer!r} is a classification layer, which has no "
            f"{what}; name its classes instead, e.g. '{term.layer}:207'",
            setting="layers",
            value=repr(term.key),
            allowed="a layer of features",
        )
    return count


def _too_wide(term: objectives.Term, what: str, value: int, width: int) -> SettingError:
    return SettingError(
        f"layers: {what} {value} in {term.key!r} is past the last channel of {term.layer}, "
        f"which has {width} channels (0..{width - 1})",
        setting="layers",
        value=repr(term.key),
        allowed=f"0..{width - 1}",
    )


def neuron_term(term: objectives.NeuronTerm, coefficient: float, network: keras.Model) -> Term:
    """One neuron (``"mixed4:97@3,5"``); its position is checked on each picture's layer."""
    width = _feature_width(term, network, "neurons")
    if term.channel >= width:
        raise _too_wide(term, "channel", term.channel, width)
    detail = (term.x, term.y)
    return Term(term.key, term.layer, (term.channel,), coefficient, "neuron", detail)


def direction_term(
    term: objectives.DirectionTerm, coefficient: float, network: keras.Model
) -> Term:
    """A direction; its vector must be as long as the layer is wide."""
    width = _feature_width(term, network, "directions")
    if len(term.vector) != width:
        raise SettingError(
            f"layers: the direction on {term.layer} has {len(term.vector)} numbers, but "
            f"{term.layer} is {width} channels wide: give one number per channel",
            setting="layers",
            value=f"{len(term.vector)} numbers",
            allowed=f"{width} numbers",
        )
    detail = (term.vector, term.cosine)
    return Term(term.key, term.layer, None, coefficient, "direction", detail)


def ranked_term(term: objectives.RankedTerm, coefficient: float, network: keras.Model) -> Term:
    """Ranked channels (``"mixed4:strong10"``), ranked on each step's picture: a dream
    resolves them once on its starting picture first (``selection.resolve_picture_terms``)."""
    width = _feature_width(term, network, "channels to rank")
    if term.count > width:
        raise SettingError(
            f"layers: {term.key!r} asks for {term.count} channels, but {term.layer} has "
            f"{width} channels",
            setting="layers",
            value=repr(term.key),
            allowed=f"{term.mode}1..{term.mode}{width}",
        )
    detail = (term.mode, term.count)
    return Term(term.key, term.layer, None, coefficient, "ranked", detail)


def except_term(term: objectives.ExceptTerm, coefficient: float, network: keras.Model) -> Term:
    """All channels (or classes) of a layer but some (``"mixed4:~3,7"``): a channel term."""
    kind, count, noun = _layer_size(network.get_layer(term.layer))
    for index in term.indices:
        if index >= count:
            raise _too_wide(term, noun, index, count)
    kept = tuple(index for index in range(count) if index not in set(term.indices))
    if not kept:
        raise SettingError(
            f"layers: {term.key!r} leaves out every {noun} of {term.layer}",
            setting="layers",
            value=repr(term.key),
            allowed="leave at least one",
        )
    return Term(term.key, term.layer, kept, coefficient, kind)


def diversity_term(
    term: objectives.DiversityTerm, coefficient: float, network: keras.Model
) -> Term:
    """The diversity of a batch at a layer (``diversity_loss``)."""
    _feature_width(term, network, "Gram matrices")
    return Term(term.key, term.layer, None, coefficient, "diversity")


TERM_BUILDERS: dict[str, TermBuilder] = {
    objectives.LayerTerm.kind: layer_term,
    objectives.ChannelTerm.kind: channel_term,
    objectives.NeuronTerm.kind: neuron_term,
    objectives.DirectionTerm.kind: direction_term,
    objectives.RankedTerm.kind: ranked_term,
    objectives.ExceptTerm.kind: except_term,
    objectives.DiversityTerm.kind: diversity_term,
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

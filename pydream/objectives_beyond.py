"""Objective values beyond whole layers and channels (their names are also in
``pydream.objectives``, where they belong; this module keeps that one short).

- ``neuron("mixed4", 97, x=3, y=5)``, key ``"mixed4:97@3,5"`` (``"mixed4:97@c"``: the centre):
  one channel at one position of the layer;
- ``direction("mixed4", vector, cosine=False)``: the mean over positions of each position's
  activation dotted with ``vector`` (or its cosine similarity); no key shorthand;
- ``ranked_channels("mixed4", "strong", 10)``, keys ``"mixed4:strong10"``, ``"mixed4:weak10"``,
  ``"mixed4:avg10"``: the channels with the highest, lowest or most middling mean activation
  on the picture being dreamed; ``channels_except("mixed4", [3, 7])``, key ``"mixed4:~3,7"``:
  all the layer's channels but those;
- classes by name: ``"predictions:tabby"``, ``class_logit("tabby cat")`` (``pydream.imagenet``);
- ``diversity("mixed4", weight)``, key ``"mixed4:diversity"``: how different the Gram
  matrices of a batch of pictures are (for feature visualisation; 0 for one picture).

Building them needs no Keras; ``pydream.engine.features`` scores them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import numbers
import re
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

from . import imagenet
from .objectives import (
    CLASSIFICATION_LAYER,
    ChannelTerm,
    Objective,
    Term,
    _error,
    _indices,
    _layer_name,
    _number,
    format_indices,
    parse_layer_key,
)

RANK_MODES = ("strong", "weak", "avg")
"""How ``ranked_channels`` orders a layer's channels by their mean activation on the picture:
highest first, lowest first, or the middle of the order."""
RANKED = re.compile(r"(strong|weak|avg)\s*([0-9]+)", re.ASCII)
NEURON = re.compile(r"([0-9]+)\s*@\s*(c|[0-9]+)\s*(?:,\s*(c|[0-9]+))?", re.ASCII)
CENTRE = "c"


def _position(value: int | None) -> str:
    return CENTRE if value is None else str(value)


@dataclasses.dataclass(frozen=True)
class NeuronTerm(Term):
    """One channel at one position of a layer: ``activation[0, y, x, channel]``.

    Attributes:
        channel: the channel, from 0.
        x, y: the column and row in the layer's own positions, from 0; ``None``: the centre
            (``width // 2``, ``height // 2``: of an even size, the lower right of the middle 4).
    """

    kind: ClassVar[str] = "neuron"

    channel: int = 0
    x: int | None = None
    y: int | None = None

    @property
    def key(self) -> str:
        if self.x is None and self.y is None:
            where = CENTRE
        else:
            where = f"{_position(self.x)},{_position(self.y)}"
        return f"{self.layer}:{self.channel}@{where}"

    @property
    def call(self) -> str:
        place = "".join(f", {name}={value}" for name, value in (("x", self.x), ("y", self.y)))
        place = place.replace(", x=None", "").replace(", y=None", "")
        return f"neuron({self.layer!r}, {self.channel}{place})"


@dataclasses.dataclass(frozen=True)
class DirectionTerm(Term):
    """The mean over positions ``p`` of ``<a_p, v>`` (or, with ``cosine``, of
    ``<a_p, v> / (|a_p| |v|)``), ``a_p`` the layer's activation vector at ``p``.

    Attributes:
        vector: ``v``, one number per channel of the layer.
        cosine: the cosine similarity instead of the dot product.
    """

    kind: ClassVar[str] = "direction"

    vector: tuple[float, ...] = ()
    cosine: bool = False

    @property
    def key(self) -> str:
        digest = hashlib.sha1(repr((self.vector, self.cosine)).encode()).hexdigest()[:10]
        return f"{self.layer}:{'cosine' if self.cosine else 'direction'}#{digest}"

    @property
    def call(self) -> str:
        cosine = ", cosine=True" if self.cosine else ""
        return f"direction({self.layer!r}, {list(self.vector)!r}{cosine})"


@dataclasses.dataclass(frozen=True)
class RankedTerm(Term):
    """The ``count`` channels of a layer ranked ``mode`` by their mean activation on the
    picture being dreamed (see ``rank_channels``), scored with the dream's ``loss``."""

    kind: ClassVar[str] = "ranked"

    mode: str = "strong"
    count: int = 1

    @property
    def key(self) -> str:
        return f"{self.layer}:{self.mode}{self.count}"

    @property
    def call(self) -> str:
        return f"ranked_channels({self.layer!r}, {self.mode!r}, {self.count})"


@dataclasses.dataclass(frozen=True)
class ExceptTerm(Term):
    """Every channel of a layer but ``indices``, scored with the dream's ``loss``."""

    kind: ClassVar[str] = "except"

    indices: tuple[int, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.layer}:~{format_indices(self.indices)}"

    @property
    def call(self) -> str:
        return f"channels_except({self.layer!r}, {list(self.indices)!r})"


@dataclasses.dataclass(frozen=True)
class DiversityTerm(Term):
    """Minus the mean cosine similarity between the Gram matrices of a batch's pictures at a
    layer (see ``pydream.engine.features.diversity_loss``): 0 for a single picture."""

    kind: ClassVar[str] = "diversity"

    @property
    def key(self) -> str:
        return f"{self.layer}:diversity"

    @property
    def call(self) -> str:
        return f"diversity({self.layer!r})"


# --- ranking ---------------------------------------------------------------------------------


def rank_channels(means: Sequence[float], mode: str, count: int) -> tuple[int, ...]:
    """The channels ``mode`` picks from their mean activations, as neural-dream picks them.

    The channels are sorted by ``(mean, index)`` ascending. ``"weak"``: the first ``count``;
    ``"strong"``: the last ``count``, highest first; ``"avg"``: ``count`` consecutive ones
    of the ascending order, starting at ``(C - 1) // 2 - count // 2`` (C channels): the
    middle of the order.
    """
    ascending = sorted(range(len(means)), key=lambda index: (float(means[index]), index))
    if mode == "weak":
        return tuple(ascending[:count])
    if mode == "strong":
        return tuple(reversed(ascending))[:count]
    start = (len(ascending) - 1) // 2 - count // 2
    return tuple(ascending[start : start + count])


# --- constructors ----------------------------------------------------------------------------


def _whole(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or int(value) < 0:
        raise _error(f"{what} must be a whole number from 0, not {value!r}", value, "0, 1, ...")
    return int(value)


def neuron(layer: str, channel: int, x: int | None = None, y: int | None = None) -> Objective:
    """One channel at one position of a layer: ``activation[0, y, x, channel]``.

    ``neuron("mixed4", 97)`` is the key ``"mixed4:97@c"`` (the centre); ``neuron("mixed4", 97,
    x=3, y=5)`` is ``"mixed4:97@3,5"``.

    Args:
        layer: the layer's name.
        channel: the channel, from 0.
        x, y: the column and row in the layer's own positions (its width and height at the
            picture's size), from 0; ``None``: the centre (``width // 2``, ``height // 2``).
            A position outside the layer is an error when the dream starts.

    Raises:
        SettingError: a number is not a whole number from 0.
    """
    name = _layer_name(layer, "neuron")
    column = None if x is None else _whole(x, "neuron: x")
    row = None if y is None else _whole(y, "neuron: y")
    return Objective.of(NeuronTerm(name, _whole(channel, "neuron: the channel"), column, row))


def direction(layer: str, vector: Iterable[float], cosine: bool = False) -> Objective:
    """A direction in a layer's activation space (lucid's ``direction`` and
    ``direction_cossim``).

    The mean over the layer's positions ``p`` of ``<a_p, vector>``, or with ``cosine`` of
    ``<a_p, vector> / (|a_p| |vector|)`` (lucid's ``direction_cossim`` is that divided by the
    channel count). ``vector`` may come from a picture: ``pydream.engine.selection.
    mean_activation``.

    Args:
        layer: the layer's name.
        vector: one finite number per channel of the layer (its width, checked when the
            dream starts).
        cosine: the cosine similarity instead of the dot product.

    Raises:
        SettingError: ``vector`` is not a non-empty sequence of finite numbers.
    """
    name = _layer_name(layer, "direction")
    if isinstance(vector, (str, bytes)) or not isinstance(vector, Iterable):
        raise _error(f"direction: the vector must be numbers, not {vector!r}", vector, "numbers")
    values = tuple(_number(value, "direction: a number of the vector") for value in vector)
    if not values:
        raise _error("direction: the vector is empty", vector, "one number per channel")
    return Objective.of(DirectionTerm(name, values, bool(cosine)))


def ranked_channels(layer: str, mode: str, count: int) -> Objective:
    """The ``count`` channels of a layer with the highest (``"strong"``), lowest (``"weak"``)
    or most middling (``"avg"``) mean activation on the picture being dreamed (its key is
    ``"mixed4:strong10"``); see ``rank_channels``. Where the starting picture is known (every
    dream) they are chosen once from it, seen at most 512 pixels on its longer side, and
    said in a ``DreamNotice``; an engine without a picture ranks each step's picture.

    Raises:
        SettingError: ``mode`` is not one of ``RANK_MODES`` or ``count`` is not a whole
            number from 1.
    """
    name = _layer_name(layer, "ranked_channels")
    if mode not in RANK_MODES:
        raise _error(
            f"ranked_channels: mode must be one of {', '.join(RANK_MODES)}, not {mode!r}",
            mode,
            ", ".join(RANK_MODES),
        )
    if _whole(count, "ranked_channels: count") == 0:
        raise _error(
            f"layers: '{name}:{mode}0' chooses no channel: give a count from 1, "
            f"e.g. '{name}:{mode}10'",
            count,
            "1, 2, ...",
        )
    return Objective.of(RankedTerm(name, mode, int(count)))


def channels_except(layer: str, channels: int | Iterable[int]) -> Objective:
    """Every channel of a layer but ``channels`` (key ``"mixed4:~3,7"``), scored with the
    dream's ``loss``.

    Raises:
        SettingError: a channel is not a whole number from 0, or none is given.
    """
    name = _layer_name(layer, "channels_except")
    return Objective.of(ExceptTerm(name, _indices(channels, "channels_except", "channel")))


def diversity(layer: str, weight: float = 1.0) -> Objective:
    """How different the pictures of a batch are at a layer (lucid's ``diversity``, as a value
    to maximise): ``-sum over pairs i != j of cos(G_i, G_j) / N`` with ``G_i`` the Gram matrix
    of picture ``i``'s activation, N pictures (``features.diversity_loss``). For feature
    visualisation of several pictures at once; a dream of one picture scores it 0.

    Args:
        layer: the layer whose Gram matrices are compared.
        weight: the term's weight (positive: more diverse).
    """
    name = _layer_name(layer, "diversity")
    return Objective.of(DiversityTerm(name), _number(weight, "diversity: the weight"))


def class_indices(names: Any, what: str) -> tuple[int, ...]:
    """Class numbers from numbers, ImageNet class names (``pydream.imagenet``) or a list of
    both, in order and without repeats."""
    items = [names] if isinstance(names, (str, numbers.Number)) else names
    if not isinstance(items, Iterable):
        return _indices(names, what, "class")
    found = [imagenet.class_index(item) if isinstance(item, str) else item for item in items]
    return _indices(found, what, "class")


# --- keys ------------------------------------------------------------------------------------


def term_from_selection(layer: str, selection: str, key: str) -> Term | None:
    """The term of ``"LAYER:SELECTION"`` when the selection is one of this module's forms
    (``~3,7``, ``strong10``, ``97@3,5``, ``diversity``, class names), else ``None``.

    Raises:
        SettingError: the form is recognised but wrong (``strong0``, a direction's key, class
            names on a layer other than the classification layer, an unknown class name).
    """
    if selection.startswith("~"):
        indices = parse_layer_key(f"{layer}:{selection[1:]}").indices
        return channels_except(layer, indices or ()).terms[0].term
    ranked = RANKED.fullmatch(selection)
    if ranked is not None:
        return ranked_channels(layer, ranked.group(1), int(ranked.group(2))).terms[0].term
    place = NEURON.fullmatch(selection)
    if place is not None:
        channel, column, row = place.groups()
        row = column if row is None and column == CENTRE else row
        if row is None:
            raise _error(f"layers: {key!r} must end in @X,Y or @c", key, "LAYER:C@X,Y")
        x, y = (None if value == CENTRE else int(value) for value in (column, row))
        return NeuronTerm(layer, int(channel), x, y)
    if selection == "diversity":
        return DiversityTerm(layer)
    if selection.startswith(("direction#", "cosine#")):
        raise _error(
            f"layers: {key!r} is a direction's label, not a key: build it with "
            "pydream.objectives.direction(layer, vector)",
            key,
            "an objective value",
        )
    if not re.search(r"[^\W\d_]", selection):
        return None
    return _named_classes(layer, selection, key)


def _named_classes(layer: str, selection: str, key: str) -> Term:
    """``"predictions:tabby"``, ``"predictions:tabby cat,207"``: classes by name or number."""
    if layer != CLASSIFICATION_LAYER:
        raise _error(
            f"layers: {key!r}: names select ImageNet classes of {CLASSIFICATION_LAYER!r} "
            "(e.g. 'predictions:tabby'); channels are numbers (e.g. 'mixed4:97'), or "
            "strong10, weak10, avg10, ~3,7, 97@3,5",
            key,
            "LAYER:CHANNELS",
        )
    parts = [part.strip() for part in selection.split(",")]
    values: list[int | str] = [int(part) if part.isdigit() else part for part in parts]
    return ChannelTerm(layer, class_indices(values, "layers"))

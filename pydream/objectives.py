"""Objectives: what a dream maximises, as small values that add up.

>>> import pydream.objectives as o
>>> objective = o.layer("mixed4") * 2 + o.channel("mixed4", 97)
>>> dict(objective)
{'mixed4': 2.0, 'mixed4:97': 1.0}

An ``Objective`` is an immutable, hashable sum of weighted terms, and also a read-only
mapping from each term's layer key to its weight, so it goes wherever a ``layers`` dict goes.
Layer keys (``"mixed4"``, ``"mixed4:97"``, ``"mixed4:0-15"``, ``"predictions:207"``) are the
shorthand: a dict of keys parses into the same ``Objective`` (``as_objective``), and their
grammar is written here once. Building an objective needs no Keras: a term only names what
to score, and the engine (``pydream.engine.features``) computes it on activations.

Terms beyond whole layers and channels (``neuron``, ``direction``, ``ranked_channels``,
``channels_except``, ``diversity``, classes by name) live in ``pydream.objectives_beyond``
and are importable from here.

Adding a kind of term:

1. here, a frozen dataclass subclassing ``Term`` with a unique ``kind``, its fields, a
   ``key`` (its layer-key shorthand, which ``term_from_key`` must parse back into an equal
   term) and ``call`` (how its constructor is written), plus a public constructor returning
   ``Objective.of(term)``;
2. in ``pydream/engine/features.py``, one function ``(term, coefficient, network) -> Term``
   registered in ``TERM_BUILDERS`` under that ``kind`` (and, when the term is scored in a new
   way, its branch in ``FeatureObjective.term_loss``).
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, ClassVar, NamedTuple

from .checks import check_float
from .errors import SettingError

MAX_INDEX = 1_000_000  # channel or class index: far beyond any network's width
INDEX_RANGE = re.compile(r"([0-9]+)\s*(?:-\s*([0-9]+))?", re.ASCII)
CLASSIFICATION_LAYER = "predictions"  # the classification layer of the registry's models


# --- the layer-key grammar -------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class LayerKey:
    """A parsed key of the layer-contribution mapping.

    ``"mixed4"`` is the whole layer (``indices`` ``None``); ``"mixed4:97"``,
    ``"mixed4:97,120"`` and ``"mixed4:0-15"`` are channels of it (or, on a classification
    layer such as ``"predictions:207"``, classes).
    """

    layer: str
    indices: tuple[int, ...] | None = None


def parse_layer_key(key: Any) -> LayerKey:
    """Parse ``"name"``, ``"name:3"``, ``"name:3,7"`` or ``"name:0-15"`` (ranges inclusive).

    Raises:
        TypeError, ValueError: the key is not a string of that form.
    """
    if not isinstance(key, str) or not key.strip():
        raise TypeError(f"layers: layer names must be non-empty strings, not {key!r}")
    layer, separator, selection = key.strip().partition(":")
    layer = layer.strip()
    if not layer:
        raise ValueError(f"layers: {key!r} has no layer name before ':'")
    if not separator:
        return LayerKey(layer)
    indices: dict[int, None] = {}  # ordered and without repeats
    for part in selection.split(","):
        match = INDEX_RANGE.fullmatch(part.strip())
        if match is None:
            raise ValueError(
                f"layers: {key!r} must look like LAYER:CHANNEL, LAYER:C1,C2 or LAYER:FIRST-LAST "
                "with whole numbers from 0, e.g. 'mixed4:97' or 'mixed4:0-15'"
            )
        start = int(match.group(1))
        stop = int(match.group(2)) if match.group(2) is not None else start
        if stop < start:
            raise ValueError(f"layers: the range in {key!r} runs backwards ({start}-{stop})")
        if stop > MAX_INDEX:
            raise ValueError(f"layers: the index {stop} in {key!r} is beyond any network")
        indices.update(dict.fromkeys(range(start, stop + 1)))
    return LayerKey(layer, tuple(indices))


def format_indices(indices: Iterable[int]) -> str:
    """Indices in their shortest key form: runs of three or more as ``FIRST-LAST``.

    ``(0, 1, 2, 3)`` -> ``"0-3"``; ``(97, 120)`` -> ``"97,120"``; ``(5, 1, 2)`` -> ``"5,1,2"``
    (the order is kept: ``parse_layer_key`` gives the same tuple back).
    """
    parts: list[str] = []
    run: list[int] = []
    for index in [*indices, None]:
        if run and index is not None and index == run[-1] + 1:
            run.append(index)
            continue
        if len(run) >= 3:
            parts.append(f"{run[0]}-{run[-1]}")
        else:
            parts.extend(str(value) for value in run)
        run = [] if index is None else [index]
    return ",".join(parts)


# --- terms -----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Term:
    """One thing a dream can score, named without the network (the engine computes it).

    Attributes:
        layer: the name of the layer whose activation the term reads.
    """

    kind: ClassVar[str] = ""
    """The engine's name for this kind of term (its entry in ``features.TERM_BUILDERS``)."""

    layer: str

    @property
    def key(self) -> str:
        """The term's layer-key shorthand (``"mixed4:97"``)."""
        raise NotImplementedError

    @property
    def call(self) -> str:
        """How the term's constructor is written (``"channel('mixed4', 97)"``)."""
        raise NotImplementedError


@dataclasses.dataclass(frozen=True)
class LayerTerm(Term):
    """A whole layer: the ``loss`` of its activation (see ``DreamSettings.loss``)."""

    kind: ClassVar[str] = "layer"

    @property
    def key(self) -> str:
        return self.layer

    @property
    def call(self) -> str:
        return f"layer({self.layer!r})"


@dataclasses.dataclass(frozen=True)
class ChannelTerm(Term):
    """Channels of a layer, or the classes of a classification layer (their logits).

    Attributes:
        indices: the channels (or classes), counted from 0, in order and without repeats.
    """

    kind: ClassVar[str] = "channels"

    indices: tuple[int, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.layer}:{format_indices(self.indices)}"

    @property
    def call(self) -> str:
        shown = str(self.indices[0]) if len(self.indices) == 1 else list(self.indices)
        if len(self.indices) >= 3 and self.indices == tuple(
            range(self.indices[0], self.indices[-1] + 1)
        ):
            start = f"{self.indices[0]}, " if self.indices[0] else ""
            shown = f"range({start}{self.indices[-1] + 1})"
        return f"channel({self.layer!r}, {shown})"


def term_from_key(key: Any) -> Term:
    """The term a layer key names (``"mixed4"`` -> ``LayerTerm``, ``"mixed4:97"`` ->
    ``ChannelTerm``, and the forms of ``pydream.objectives_beyond``: ``"mixed4:97@3,5"``,
    ``"mixed4:strong10"``, ``"mixed4:~3,7"``, ``"mixed4:diversity"``, ``"predictions:tabby"``);
    ``term_from_key(term.key) == term`` for every term but a direction (which has no key
    shorthand).

    Raises:
        TypeError, ValueError: the key is not a layer key (see ``parse_layer_key``).
    """
    if isinstance(key, str) and ":" in key:
        layer, _, selection = key.strip().partition(":")
        if layer.strip():
            found = _beyond.term_from_selection(layer.strip(), selection.strip(), key)
            if found is not None:
                return found
    parsed = parse_layer_key(key)
    if parsed.indices is None:
        return LayerTerm(parsed.layer)
    return ChannelTerm(parsed.layer, parsed.indices)


# --- objective values ------------------------------------------------------------------------


class WeightedTerm(NamedTuple):
    """A term and its weight (a finite float) in an objective."""

    term: Term
    weight: float


def _error(message: str, value: Any, allowed: str) -> SettingError:
    return SettingError(message, setting="layers", value=repr(value), allowed=allowed)


def _number(value: Any, what: str) -> float:
    """``value`` as a finite float (not a bool), or a ``SettingError`` naming ``what``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise _error(f"{what} must be a number, not {value!r}", value, "a finite number")
    result = float(value)
    if not math.isfinite(result):
        raise _error(f"{what} must be a finite number, not {result}", value, "a finite number")
    return result


def _format_weight(weight: float) -> str:
    """``2.0`` -> ``"2"``, ``0.25`` -> ``"0.25"`` (15 significant digits, as R's format)."""
    return f"{weight:.15g}"


def _exact_weight(weight: float) -> str:
    """``2.0`` -> ``"2"``, ``1 / 3`` -> ``"0.3333333333333333"`` (reads back as the same float)."""
    return str(int(weight)) if weight.is_integer() and abs(weight) < 1e15 else repr(weight)


class Objective(Mapping[str, float]):
    """What a dream maximises: a sum of weighted terms, immutable and hashable.

    Also a read-only mapping from each term's layer key to its weight (``dict(objective)`` is
    the ``layers`` dict that means the same), in the order the terms were added. Terms with
    the same key are one term whose weight is the sum of theirs. Objectives add (``+``),
    subtract (``-``, also unary), and scale by a number (``2 * o``, ``o * 2``, ``o / 2``); a
    dict of layer keys may stand on either side of ``+`` and ``-``, and ``0 + o`` is ``o``
    (so ``sum()`` works).

    Args:
        terms: ``(term, weight)`` pairs; weights are finite numbers.

    Raises:
        SettingError: a pair is not a ``Term`` and a finite number.
    """

    __slots__ = ("_terms", "_weights")
    __array_ufunc__ = None  # NumPy numbers defer to the operators below

    _terms: tuple[WeightedTerm, ...]
    _weights: dict[str, float]

    def __init__(self, terms: Iterable[tuple[Term, float]] = ()) -> None:
        merged: dict[str, WeightedTerm] = {}
        for term, weight in terms:
            if not isinstance(term, Term):
                raise _error(f"an objective's terms are Term values, not {term!r}", term, "Term")
            value = _number(weight, f"the weight of {term.key}")
            earlier = merged.get(term.key)
            total = value if earlier is None else earlier.weight + value
            merged[term.key] = WeightedTerm(term, total)
        object.__setattr__(self, "_terms", tuple(merged.values()))
        object.__setattr__(self, "_weights", {key: item.weight for key, item in merged.items()})

    @classmethod
    def of(cls, term: Term, weight: float = 1.0) -> Objective:
        """The objective of one term."""
        return cls(((term, weight),))

    @property
    def terms(self) -> tuple[WeightedTerm, ...]:
        """The weighted terms, in order (one per key)."""
        return self._terms

    @property
    def layers(self) -> tuple[str, ...]:
        """The names of the layers the terms read, in order, without repeats."""
        return tuple(dict.fromkeys(item.term.layer for item in self._terms))

    # the mapping: layer key -> weight
    def __getitem__(self, key: str) -> float:
        return self._weights[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._weights)

    def __len__(self) -> int:
        return len(self._weights)

    def __hash__(self) -> int:
        return hash(frozenset(self._weights.items()))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"an Objective cannot be changed (setting {name!r})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"an Objective cannot be changed (deleting {name!r})")

    def __reduce__(self) -> tuple[Any, ...]:  # picklable for worker processes
        return (Objective, (self._terms,))

    # the algebra
    def _scaled(self, factor: float, divide: bool = False) -> Objective:
        return Objective(
            (item.term, item.weight / factor if divide else item.weight * factor)
            for item in self._terms
        )

    def __add__(self, other: Any) -> Objective:
        if _is_zero(other):
            return self
        return Objective((*self._terms, *_operand(other, "+").terms))

    def __radd__(self, other: Any) -> Objective:
        if _is_zero(other):
            return self
        return Objective((*_operand(other, "+").terms, *self._terms))

    def __sub__(self, other: Any) -> Objective:
        if _is_zero(other):
            return self
        return self + -_operand(other, "-")

    def __rsub__(self, other: Any) -> Objective:
        return _operand(other, "-") + -self

    def __neg__(self) -> Objective:
        return self._scaled(-1.0)

    def __pos__(self) -> Objective:
        return self

    def __mul__(self, other: Any) -> Objective:
        return self._scaled(_factor(other, "*"))

    __rmul__ = __mul__

    def __truediv__(self, other: Any) -> Objective:
        divisor = _factor(other, "/")
        if divisor == 0:
            raise _error("an objective cannot be divided by 0", other, "a non-zero number")
        return self._scaled(divisor, divide=True)

    def __rtruediv__(self, other: Any) -> Objective:
        raise _error(
            f"a number cannot be divided by an objective ({other!r} / objective); "
            "divide the objective by the number instead",
            other,
            "objective / number",
        )

    # how it reads
    def __str__(self) -> str:
        """``"2 * mixed4 + 1 * mixed4:97"`` (R's ``format()`` of the same objective)."""
        return _join((_format_weight(item.weight), item.term.key) for item in self._terms)

    def __repr__(self) -> str:
        """``"2 * layer('mixed4') + channel('mixed4', 97)"``: code that builds an equal value
        with ``pydream.objectives``' names (``Objective()`` when empty)."""
        if not self._terms:
            return "Objective()"
        parts = []
        for item in self._terms:
            weight = {1.0: "", -1.0: "-"}.get(item.weight, _exact_weight(item.weight))
            parts.append((weight, item.term.call))
        return _join(parts)


def _join(parts: Iterable[tuple[str, str]]) -> str:
    """``[("2", "a"), ("-0.5", "b"), ("-", "c")]`` -> ``"2 * a - 0.5 * b - c"`` (a weight of
    ``""`` or ``"-"`` is written as a sign only)."""
    text = ""
    for weight, shown in parts:
        term = f"{weight} * {shown}" if weight not in ("", "-") else weight + shown
        if not text:
            text = term
        elif term.startswith("-"):
            text += f" - {term[1:]}"
        else:
            text += f" + {term}"
    return text or "0"


def _is_zero(value: Any) -> bool:
    return isinstance(value, numbers.Number) and not isinstance(value, bool) and value == 0


def _operand(value: Any, operator: str) -> Objective:
    """The other side of ``+`` or ``-``: an objective, or a dict of layer keys."""
    if isinstance(value, Objective):
        return value
    if isinstance(value, Mapping):
        return as_objective(value)
    raise _error(
        f"an objective can only be combined with another objective or a dict of layer keys "
        f"by {operator!r}, not with {value!r}; scale it with * or / instead",
        value,
        "an objective",
    )


def _factor(value: Any, operator: str) -> float:
    """The number an objective is scaled by."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise _error(
            f"an objective can only be scaled by a number with {operator!r}, not by {value!r}",
            value,
            "a finite number",
        )
    return _number(value, f"the factor of {operator!r}")


# --- constructors ----------------------------------------------------------------------------


def _layer_name(name: Any, what: str) -> str:
    """A layer name (no channel selection), stripped, or a ``SettingError``."""
    if not isinstance(name, str) or not name.strip():
        raise _error(f"{what}: the layer must be a non-empty name, not {name!r}", name, "a name")
    if ":" in name:
        raise _error(
            f"{what}: {name!r} is a layer key, not a layer name; give the channels apart, "
            "e.g. channel('mixed4', 97)",
            name,
            "a layer name without ':'",
        )
    return name.strip()


def _indices(values: Any, what: str, noun: str) -> tuple[int, ...]:
    """One whole number from 0 or an iterable of them -> a tuple without repeats (in order)."""
    items = [values] if isinstance(values, numbers.Number) else values
    if isinstance(items, (str, bytes, Mapping)) or not isinstance(items, Iterable):
        raise _error(
            f"{what}: {noun}es must be a whole number or a list or range of them, not {values!r}",
            values,
            f"{noun} numbers from 0",
        )
    chosen: dict[int, None] = {}
    for item in items:
        if isinstance(item, bool) or not isinstance(item, numbers.Integral):
            raise _error(
                f"{what}: {noun} numbers are whole numbers from 0, not {item!r}", item, "0, 1, ..."
            )
        if int(item) < 0:
            raise _error(
                f"{what}: {noun} numbers count from 0 (the first {noun} is 0), not {int(item)}",
                item,
                f"0..{MAX_INDEX}",
            )
        if int(item) > MAX_INDEX:
            raise _error(
                f"{what}: {noun} {int(item)} is beyond any network", item, f"0..{MAX_INDEX}"
            )
        chosen[int(item)] = None
    if not chosen:
        raise _error(f"{what}: give at least one {noun}", values, f"{noun} numbers from 0")
    return tuple(chosen)


def layer(name: str) -> Objective:
    """A whole layer: the dream amplifies everything the layer sees.

    Scored with the dream's ``loss`` (``"l2"``: mean of the squared activation, borders
    cropped). Its key is the name: ``layer("mixed4")`` is ``{"mixed4": 1.0}``.

    Args:
        name: the layer's name (see ``pydream.list_layers``).

    Raises:
        SettingError: ``name`` is not a layer name.
    """
    return Objective.of(LayerTerm(_layer_name(name, "layer")))


def channel(layer: str, channels: int | Iterable[int]) -> Objective:
    """Some channels of a layer, scored together with the dream's ``loss``.

    ``channel("mixed4", 97)`` is ``{"mixed4:97": 1.0}``; ``channel("mixed4", range(16))`` is
    ``{"mixed4:0-15": 1.0}``. On a classification layer the channels are its classes (see
    ``class_logit``).

    Args:
        layer: the layer's name.
        channels: a channel number, or a list, tuple or range of them; numbers count from 0
            (the first channel is 0) and must be below the layer's channel count, which the
            engine checks when it dreams.

    Raises:
        SettingError: a channel is not a whole number from 0, or none is given.
    """
    return Objective.of(
        ChannelTerm(_layer_name(layer, "channel"), _indices(channels, "channel", "channel"))
    )


def class_logit(
    classes: int | str | Iterable[int | str], *, layer: str = CLASSIFICATION_LAYER
) -> Objective:
    """Classes of a classification layer: the mean of their pre-softmax logits.

    ``class_logit(207)`` is ``{"predictions:207": 1.0}`` (ImageNet class 207, a golden
    retriever, for the registry's models, whose classification layer is ``"predictions"``);
    ``class_logit("tabby cat")`` is ``{"predictions:281": 1.0}``. The model needs its
    classification top (the weights of the whole network).

    Args:
        classes: a class number, counting from 0, or an ImageNet class name (any of its
            WordNet names, in any case, with spaces or underscores: ``pydream.imagenet``), or
            a list, tuple or range of them.
        layer: the classification (dense) layer.

    Raises:
        SettingError: a class is not a whole number from 0 or a known class name (the
            message suggests the nearest names), or none is given.
    """
    return Objective.of(
        ChannelTerm(
            _layer_name(layer, "class_logit"), _beyond.class_indices(classes, "class_logit")
        )
    )


# --- layers as given: objectives, dicts of layer keys, or one per octave ----------------------


def as_objective(value: Any, what: str = "layers") -> Objective:
    """An ``Objective`` from an objective (itself) or a dict of layer key -> weight.

    ``as_objective({"mixed4": 2, "mixed4:97": 1}) == layer("mixed4") * 2 +
    channel("mixed4", 97)``, term for term. An empty dict is the empty objective.

    Raises:
        TypeError, ValueError: not a mapping, a malformed key or a weight that is no finite
            number (the message names ``what``).
    """
    if isinstance(value, Objective):
        return value
    if not isinstance(value, Mapping):
        raise TypeError(
            f"{what} must be an objective or a dict of layer name -> coefficient, "
            f"not {type(value).__name__}"
        )
    return Objective(
        (term_from_key(key), float(check_float(f"{what}[{key!r}]", weight)))  # type: ignore[arg-type]
        for key, weight in value.items()
    )


def check_layer_mapping(layers: Any, what: str = "layers") -> Objective:
    """Validate one objective or layer -> coefficient mapping (names are checked against the
    model later) and return it as an ``Objective``."""
    if not isinstance(layers, Mapping):
        raise TypeError(
            f"{what} must be a dict of layer name -> coefficient, not {type(layers).__name__}"
        )
    if not layers:
        raise ValueError(f"{what} is empty: give at least one layer, e.g. {{'mixed3': 1.0}}")
    return as_objective(layers, what)


def check_layers(layers: Any) -> Objective | tuple[Objective, ...]:
    """Validate ``layers``: one objective or mapping, or a list of them (one per octave,
    smallest first), as ``Objective`` values.

    A list of one is the same as its one element.
    """
    if isinstance(layers, Mapping):
        return check_layer_mapping(layers)
    if isinstance(layers, (list, tuple)):
        if not layers:
            raise ValueError(
                "layers is an empty list: give one mapping per octave, e.g. "
                "[{'mixed3': 1.0}, {'mixed5': 1.0}]"
            )
        schedule = tuple(
            check_layer_mapping(mapping, f"layers[{index}]") for index, mapping in enumerate(layers)
        )
        return schedule[0] if len(schedule) == 1 else schedule
    raise TypeError(
        "layers must be a dict of layer name -> coefficient, or a list of such dicts (one per "
        f"octave), not {type(layers).__name__}"
    )


# --- terms beyond whole layers and channels: their own module, their names here --------------
# (``pydream/__init__.py`` imports this module first, so these names are defined by then.)

from . import objectives_beyond as _beyond  # noqa: E402
from .objectives_beyond import DirectionTerm as DirectionTerm  # noqa: E402
from .objectives_beyond import DiversityTerm as DiversityTerm  # noqa: E402
from .objectives_beyond import ExceptTerm as ExceptTerm  # noqa: E402
from .objectives_beyond import NeuronTerm as NeuronTerm  # noqa: E402
from .objectives_beyond import RankedTerm as RankedTerm  # noqa: E402
from .objectives_beyond import channels_except as channels_except  # noqa: E402
from .objectives_beyond import direction as direction  # noqa: E402
from .objectives_beyond import diversity as diversity  # noqa: E402
from .objectives_beyond import neuron as neuron  # noqa: E402
from .objectives_beyond import rank_channels as rank_channels  # noqa: E402
from .objectives_beyond import ranked_channels as ranked_channels  # noqa: E402

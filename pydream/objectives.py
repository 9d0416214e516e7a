"""Objectives: what a dream maximises, as small values that add up.

Layer keys (``"mixed4"``, ``"mixed4:97"``, ``"mixed4:0-15"``, ``"predictions:207"``) are the
shorthand; their grammar is written here once. Building an objective needs no Keras.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any

MAX_INDEX = 1_000_000  # channel or class index: far beyond any network's width
INDEX_RANGE = re.compile(r"([0-9]+)\s*(?:-\s*([0-9]+))?", re.ASCII)


def _check_float(name: str, value: Any) -> float:
    from .settings import check_float

    result = check_float(name, value)
    assert result is not None
    return result


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


def check_layer_mapping(layers: Any, what: str = "layers") -> dict[str, float]:
    """Validate one layer -> coefficient mapping (names are checked against the model later)."""
    if not isinstance(layers, Mapping):
        raise TypeError(
            f"{what} must be a dict of layer name -> coefficient, not {type(layers).__name__}"
        )
    if not layers:
        raise ValueError(f"{what} is empty: give at least one layer, e.g. {{'mixed3': 1.0}}")
    checked: dict[str, float] = {}
    for layer_name, coefficient in layers.items():
        parse_layer_key(layer_name)
        checked[layer_name] = _check_float(f"{what}[{layer_name!r}]", coefficient)
    return checked


def check_layers(layers: Any) -> dict[str, float] | tuple[dict[str, float], ...]:
    """Validate ``layers``: one mapping, or a list of mappings (one per octave, smallest first).

    A list of one mapping is the same as that mapping.
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

"""What a visualisation draws and where it goes: the objectives and their labels (from
``objective``, ``layers``, ``channels`` and ``count``), the photo an accentuation starts from,
and the labelled sheet several pictures are written as. No Keras here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np
from PIL import Image

from .. import objectives as objective_values
from ..errors import SettingError
from ..media.images import load_image, save_image
from ..run.gallery import contact_sheet, default_columns, gallery_entries
from ..settings import VISUAL_SETTINGS


@dataclasses.dataclass(frozen=True)
class Request:
    """The pictures to draw.

    Attributes:
        objectives: one per picture.
        labels: one per picture, for a sheet.
        several: whether a list of pictures (not one) is returned.
    """

    objectives: tuple[objective_values.Objective, ...]
    labels: tuple[str, ...]
    several: bool


def drawing_request(objective: Any, layers: Any, channels: Any, count: Any) -> Request:
    """The objectives of ``visualize``: ``objective`` (one, or a list: one picture each),
    ``layers`` (a picture per layer) or ``channels`` (a picture per channel), exactly one of
    them, each drawn ``count`` times.

    Raises:
        SettingError: none or several of them given, an empty list or objective.
        ValueError, TypeError: a malformed layer key.
    """
    given = [name for name, value in (("objective", objective), ("layers", layers),
                                      ("channels", channels)) if value is not None]  # fmt: skip
    if len(given) != 1:
        raise SettingError(
            "give what to draw as one of objective, layers or channels"
            + (f", not {' and '.join(given)}" if given else ""),
            setting="objective", value=", ".join(given) or None,
            allowed="one of objective, layers, channels",
        )  # fmt: skip
    copies = int(VISUAL_SETTINGS["count"].check(count))
    if objective is None:
        keys = gallery_entries(layers, channels)
        items: list[Any] = list(keys)
        several = True
    else:
        several = isinstance(objective, (list, tuple))
        items = list(objective) if several else [objective]
    if not items:
        raise SettingError(
            "objective: give at least one objective",
            setting="objective", value="[]", allowed="objectives",
        )  # fmt: skip
    found = [_one_objective(item) for item in items]
    labels = [_label(item, value) for item, value in zip(items, found, strict=True)]
    if copies > 1:
        found = [value for value in found for _ in range(copies)]
        labels = [f"{label} #{copy + 1}" for label in labels for copy in range(copies)]
    return Request(tuple(found), tuple(labels), several or copies > 1)


def _one_objective(item: Any) -> objective_values.Objective:
    value = objective_values.as_objective({item: 1.0} if isinstance(item, str) else item,
                                          "objective")  # fmt: skip
    if not value:
        raise SettingError(
            "objective: an objective needs at least one term",
            setting="objective", value=repr(item), allowed="a layer key or an objective",
        )  # fmt: skip
    return value


def _label(item: Any, value: objective_values.Objective) -> str:
    if isinstance(item, str):
        return item
    return " + ".join(str(key) for key in value)


def start_photo(image: Any, size: Any) -> np.ndarray:
    """The photo an accentuation starts from, uint8 RGB: its longer side ``size`` pixels, or
    exactly ``(height, width)``."""
    rgb = load_image(image).rgb
    checked = VISUAL_SETTINGS["size"].check(size)
    if isinstance(checked, tuple):
        height, width = checked
    else:
        factor = checked / max(rgb.shape[:2])
        height, width = (max(1, round(side * factor)) for side in rgb.shape[:2])
    resized = Image.fromarray(rgb).resize((width, height), Image.Resampling.LANCZOS)
    return np.asarray(resized)


def write_sheet(
    pictures: np.ndarray, labels: Sequence[str], output: Any, columns: Any, several: bool
) -> None:
    """One picture as it is; several as one labelled sheet of ``columns`` tiles a row."""
    if not several:
        save_image(pictures[0], output)
        return
    across = default_columns(len(pictures)) if columns is None else columns
    sheet = contact_sheet(list(pictures), list(labels), int(across))
    save_image(sheet, output, metadata={"visualize": list(labels)})

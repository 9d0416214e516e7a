"""Contact sheets: one small dream per layer or channel, labelled, to choose what to dream.

Every entry is dreamed from the same small copy of the picture with the same settings, only
the objective changing (``{entry: 1.0}``); the model is built once for the whole sheet.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from tqdm.auto import tqdm

from ..media.images import check_output_path, load_image, save_image
from ..objectives import parse_layer_key

LABEL_HEIGHT = 22  # pixels under each tile for its label
GAP = 4  # pixels between tiles
MAX_ENTRIES = 256  # a sheet of more dreams than this is a mistake, not a gallery
BACKGROUND = (24, 24, 24)
TEXT = (235, 235, 235)


def gallery_entries(
    layers: Sequence[str] | str | None, channels: Sequence[str] | str | None
) -> list[str]:
    """The layer keys a gallery dreams, in order: ``layers`` then each channel of ``channels``.

    ``layers``: layer keys (``["mixed3", "mixed4"]``, or one comma-separated string).
    ``channels``: keys with channel selections (``"mixed4:0-15"``, or a list of such keys),
    each channel becoming an entry of its own (``mixed4:0``, ``mixed4:1``, ...).

    Raises:
        ValueError, TypeError: a key is malformed, a channel key names no channels, or there
            would be more than ``MAX_ENTRIES`` entries.
    """
    entries: list[str] = []
    for key in _as_keys(layers, "layers"):
        parse_layer_key(key)
        entries.append(key)
    for key in _as_keys(channels, "channels"):
        parsed = parse_layer_key(key)
        if parsed.indices is None:
            raise ValueError(
                f"channels: {key!r} names no channels; write LAYER:FIRST-LAST, e.g. 'mixed4:0-15'"
            )
        entries.extend(f"{parsed.layer}:{index}" for index in parsed.indices)
    if len(entries) > MAX_ENTRIES:
        raise ValueError(
            f"a gallery of {len(entries)} dreams is too many; choose at most {MAX_ENTRIES}"
        )
    return list(dict.fromkeys(entries))


def _as_keys(value: Sequence[str] | str | None, name: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        if name == "layers":
            return [part.strip() for part in value.split(",") if part.strip()]
        return [value.strip()]
    if not isinstance(value, Sequence) or not all(isinstance(item, str) for item in value):
        raise TypeError(f"{name} must be a list of layer keys (strings), not {value!r}")
    return [item.strip() for item in value]


def gallery_picture(image: Any, size: int) -> np.ndarray:
    """The picture (path, ``PIL.Image`` or array) as RGB with its longer side ``size`` px."""
    rgb = load_image(image).rgb
    height, width = rgb.shape[:2]
    factor = size / max(height, width)
    target = (max(1, round(width * factor)), max(1, round(height * factor)))
    return np.asarray(Image.fromarray(rgb).resize(target, Image.Resampling.LANCZOS))


def contact_sheet(tiles: Sequence[np.ndarray], labels: Sequence[str], columns: int) -> np.ndarray:
    """Tiles (H, W, 3) uint8 of one size in a grid of ``columns``, each labelled below.

    Returns the sheet, uint8 (rows * (H + label + gap) + gap, columns * (W + gap) + gap, 3).
    """
    height, width = tiles[0].shape[:2]
    rows = math.ceil(len(tiles) / columns)
    cell_height = height + LABEL_HEIGHT
    sheet = Image.new(
        "RGB",
        (columns * (width + GAP) + GAP, rows * (cell_height + GAP) + GAP),
        BACKGROUND,
    )
    draw = ImageDraw.Draw(sheet)
    font = _label_font()
    for index, (tile, label) in enumerate(zip(tiles, labels, strict=True)):
        left = GAP + (index % columns) * (width + GAP)
        top = GAP + (index // columns) * (cell_height + GAP)
        sheet.paste(Image.fromarray(tile), (left, top))
        text = _fit_label(draw, label, font, width)
        text_width = draw.textlength(text, font=font)
        draw.text((left + (width - text_width) / 2, top + height + 3), text, TEXT, font=font)
    return np.asarray(sheet)


def _label_font() -> Any:
    try:
        return ImageFont.load_default(size=14)
    except (TypeError, OSError, ImportError):  # Pillow without FreeType: the bitmap font
        return ImageFont.load_default()


def _fit_label(draw: ImageDraw.ImageDraw, label: str, font: Any, width: int) -> str:
    text = label
    while len(text) > 1 and draw.textlength(text, font=font) > width - 4:
        text = text[:-2] + "…"
    return text


def default_columns(count: int) -> int:
    """Columns for ``count`` tiles: a near-square grid, at most 8 wide."""
    return max(1, min(8, math.ceil(math.sqrt(count))))


def dream_tiles(
    picture: np.ndarray,
    entries: Sequence[str],
    dream_one: Any,
    progress: bool,
) -> list[np.ndarray]:
    """``dream_one(picture, {entry: 1.0})`` for each entry, with a progress bar."""
    tiles = []
    with tqdm(total=len(entries), disable=not progress, unit="dream", leave=True) as bar:
        for entry in entries:
            bar.set_description(entry)
            tiles.append(dream_one(picture, {entry: 1.0}))
            bar.update(1)
    return tiles


def check_gallery_output(output: Any, image: Any, overwrite: bool) -> Any:
    """The checked output path of a sheet (``None`` when not writing one)."""
    if output is None:
        return None
    input_path = Path(image).expanduser() if isinstance(image, (str, os.PathLike)) else None
    return check_output_path(output, input_path, overwrite)


def save_sheet(sheet: np.ndarray, path: Any, entries: Sequence[str], settings: Any) -> None:
    """Write a contact sheet atomically, its entries and settings in the PNG metadata."""
    metadata = dict(settings)
    metadata.pop("layers", None)
    metadata["gallery"] = list(entries)
    save_image(sheet, path, metadata=metadata)


def dream_gallery(
    image: Any,
    layers: Sequence[str] | str | None = None,
    *,
    channels: Sequence[str] | str | None = None,
    preset: str | None = None,
    size: int = 256,
    columns: int | None = None,
    output: Any = None,
    overwrite: bool = False,
    progress: bool = False,
    photo: bool = True,
    **settings: Any,
) -> np.ndarray:
    """Dream one small picture per layer (or channel) and lay them out on a labelled sheet.

    The first tile is the picture itself (labelled ``photo``; ``photo=False`` leaves it
    out), then one dream per entry, each with the objective ``{entry: 1.0}`` and every
    other setting shared.

    Args:
        image: a file path, a ``PIL.Image`` or a uint8 array.
        layers: layer keys (``["mixed3", "mixed4"]`` or ``"mixed3,mixed4"``). Without
            ``layers`` and ``channels``: every layer ``list_layers(model)`` shows.
        channels: channel ranges (``"mixed4:0-15"`` or a list of such keys); each channel
            is one tile.
        preset: a preset for the shared settings (its layers are not used).
        size: pixels of each dream's longer side (the picture is shrunk to it), 160..2048
            (smaller dreams leave the deeper layers too few positions to dream).
        columns: tiles per row (default: a near-square grid, at most 8 wide).
        output: a file to write the sheet to (PNG keeps the entries in its metadata).
        overwrite: allow ``output`` to be the input file.
        progress: a progress bar counting dreams.
        photo: start the sheet with the picture itself.
        **settings: any ``deep_dream`` setting (``model``, ``weights``, ``step``,
            ``iterations``, ``guide``, ``mask``, ...), shared by every tile. ``border``
            defaults to 0 here (unless a preset sets it): in a small dream the deep layers
            have few positions, and a crop of 2 would leave them almost nothing.

    Returns:
        The sheet, a uint8 RGB array.

    Raises:
        ValueError, TypeError: a setting, key or the picture is unusable.
    """
    from ..checks import check_int
    from ..engine.dream import DEFAULT_DREAMER
    from ..nets.models import list_layers
    from ..presets import resolve_named_settings
    from ..settings import Default

    # Small dreams: without a border crop the deep layers keep their few positions.
    shared = {"border": Default(0), **settings}
    checked = resolve_named_settings("dream_gallery", {"_": 1.0}, preset, shared)
    size = int(check_int("size", size, minimum=160, maximum=2048) or 0)
    entries = gallery_entries(layers, channels) or list_layers(checked.model)
    if columns is not None:
        columns = int(check_int("columns", columns, minimum=1, maximum=64) or 1)
    output_path = check_gallery_output(output, image, bool(overwrite))
    picture = gallery_picture(image, size)
    per_entry = {entry: dataclasses.replace(checked, layers={entry: 1.0}) for entry in entries}
    for entry_settings in per_entry.values():
        DEFAULT_DREAMER.engine(entry_settings)  # unknown layers fail before any dream

    def dream_one(pixels: np.ndarray, layers: dict[str, float]) -> np.ndarray:
        (entry,) = layers
        return DEFAULT_DREAMER.dream(pixels, per_entry[entry])

    if not isinstance(photo, bool):
        raise TypeError(f"photo must be True or False, not {photo!r}")
    tiles = dream_tiles(picture, entries, dream_one, bool(progress))
    labels = list(entries)
    if photo:
        tiles, labels = [picture, *tiles], ["photo", *labels]
    sheet = contact_sheet(tiles, labels, columns or default_columns(len(tiles)))
    if output_path is not None:
        save_sheet(sheet, output_path, entries, checked.as_dict())
    return sheet

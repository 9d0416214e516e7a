"""The memory guard: estimate what a dream needs and tile when it would not fit.

A gradient step keeps every activation of the network up to the deepest dreamed layer for
the backward pass, so its memory grows with the pixels of the image it sees. The estimate
here is that activation count times the bytes of the compute precision times a factor
measured on this engine (peak resident memory of one step against the activation count),
plus a fixed number of bytes per pixel of the full-size image for the image buffers
(original, shrunk original, dream, rolled copy, gradient and update, all float32 RGB).
"""

from __future__ import annotations

import dataclasses
import math
import os
import warnings
from pathlib import Path
from typing import Any, NoReturn

import numpy as np

from ..errors import DreamNotice as DreamNotice
from ..errors import MemoryBudgetError as MemoryBudgetError

GB = 1024**3

DEFAULT_BUDGET_SHARE = 0.6
"""Share of the memory available when a dream starts that it may use by default."""

NETWORK_FACTOR = {0: 0.6, 1: 1.0}
"""Peak step memory per activation element byte, by learning phase (measured: 0.48-0.54
with inference batch norm, 0.79 with batch statistics; rounded up for a margin)."""

IMAGE_BYTES_PER_PIXEL = 160
"""Image buffers per pixel of the full-size image: about ten float32 RGB copies (12 bytes
each) live at once during a tiled step, plus the decoded input and the output."""

TILE_GRANULARITY = 32
"""Automatic tile sizes are multiples of this many pixels."""

PROBE_SIZE = 512


def format_bytes(count: float) -> str:
    """``1.5 GB`` from a gigabyte up, ``320 MB`` below it."""
    if count >= GB:
        return f"{count / GB:.1f} GB"
    return f"{max(count, 0) / 1024**2:.0f} MB"


@dataclasses.dataclass(frozen=True)
class MemoryPlan:
    """How a dream fits in memory.

    Attributes:
        tile_size: tile side in pixels, or ``None`` to compute whole-image gradients.
        needed: estimated peak bytes of the chosen plan.
        untiled: estimated peak bytes without tiling.
        budget: the budget in bytes the plan was made for.
    """

    tile_size: int | None
    needed: int
    untiled: int
    budget: int


def available_memory() -> int:
    """Bytes of memory this process can still use: the smaller of the system's available
    memory and any container (cgroup) limit left. Falls back to half the physical memory."""
    candidates = []
    meminfo = Path("/proc/meminfo")
    if meminfo.is_file():
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                candidates.append(int(line.split()[1]) * 1024)
    cgroup = _cgroup_room()
    if cgroup is not None:
        candidates.append(cgroup)
    if not candidates:
        try:
            candidates.append(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 2)
        except (ValueError, OSError, AttributeError):
            candidates.append(4 * GB)
    return max(0, min(candidates))


def _cgroup_room() -> int | None:
    pairs = (
        ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
        (
            "/sys/fs/cgroup/memory/memory.limit_in_bytes",
            "/sys/fs/cgroup/memory/memory.usage_in_bytes",
        ),
    )
    for limit_file, usage_file in pairs:
        try:
            limit_text = Path(limit_file).read_text().strip()
            usage = int(Path(usage_file).read_text().strip())
        except (OSError, ValueError):
            continue
        if limit_text == "max" or not limit_text.isdigit() or int(limit_text) >= 2**60:
            return None
        return int(limit_text) - usage
    return None


def default_budget() -> int:
    """The default memory budget in bytes: ``DEFAULT_BUDGET_SHARE`` of what is available."""
    return int(DEFAULT_BUDGET_SHARE * available_memory())


def activation_bytes_per_pixel(extractor: Any) -> float:
    """Bytes of activations the network keeps per input pixel, up to its deepest output.

    Counted from the layers' output shapes and dtypes for a 512 x 512 input (no computation):
    a mixed-precision network's float32 layers count 4 bytes an element, the others 2.
    """
    import keras  # the engine's import; this module is also used before any model is built

    layers = [layer for layer in extractor.layers if not isinstance(layer, keras.layers.InputLayer)]
    probe = keras.Model(extractor.inputs, [layer.output for layer in layers])
    specs = probe.compute_output_spec(keras.KerasTensor((1, PROBE_SIZE, PROBE_SIZE, 3)))
    total = sum(int(np.prod(spec.shape)) * np.dtype(spec.dtype).itemsize for spec in specs)
    return total / PROBE_SIZE**2


def network_bytes_per_pixel(activation_bytes: float, learning_phase: int) -> float:
    """Estimated peak bytes of one gradient step per pixel of the image (or tile) it sees,
    from ``activation_bytes_per_pixel``."""
    return activation_bytes * NETWORK_FACTOR[learning_phase]


def plan_memory(
    shape: tuple[int, int],
    bytes_per_pixel: float,
    budget: int,
    min_tile: int,
    *,
    can_tile: bool = True,
) -> MemoryPlan:
    """Choose between whole-image steps and the largest tile that fits ``budget`` bytes.

    Args:
        shape: (height, width) of the largest octave, in pixels.
        bytes_per_pixel: see ``network_bytes_per_pixel``.
        budget: bytes the dream may use.
        min_tile: the smallest tile side allowed (twice the model's minimum input).
        can_tile: ``False`` for optimisers that cannot tile (L-BFGS).

    Raises:
        MemoryBudgetError: not even the smallest tile fits (the message gives the numbers).
    """
    height, width = shape
    images = IMAGE_BYTES_PER_PIXEL * height * width
    untiled = int(images + bytes_per_pixel * height * width)
    if untiled <= budget:
        return MemoryPlan(None, untiled, untiled, budget)
    smallest = int(images + bytes_per_pixel * min_tile**2)
    if not can_tile or max(height, width) <= min_tile or smallest > budget:
        _refuse(shape, untiled, smallest, budget, min_tile, can_tile)
    side = math.isqrt(int((budget - images) / bytes_per_pixel))
    side = max(min_tile, side // TILE_GRANULARITY * TILE_GRANULARITY)
    needed = int(images + bytes_per_pixel * side**2)
    return MemoryPlan(side, needed, untiled, budget)


def _refuse(
    shape: tuple[int, int], untiled: int, smallest: int, budget: int, min_tile: int, can_tile: bool
) -> NoReturn:
    """Raise the ``MemoryBudgetError`` of a dream that fits ``budget`` bytes neither whole
    (``untiled`` bytes) nor in ``min_tile``-pixel tiles (``smallest`` bytes)."""
    height, width = shape
    needed = smallest
    if not can_tile:
        how = ", and this optimizer cannot tile"
        needed = untiled
    elif max(height, width) <= min_tile:
        how = f", and the picture is too small to tile (tiles are at least {min_tile} pixels)"
        needed = untiled
    else:
        how = f", and even {min_tile}-pixel tiles need {format_bytes(smallest)}"
    raise MemoryBudgetError(
        f"a {width}x{height} dream needs about {format_bytes(untiled)}, more than the "
        f"memory budget of {format_bytes(budget)}{how}; use a smaller picture, fewer or "
        'shallower layers, precision "bfloat16", or a larger memory_budget (in GB)',
        needed=needed,
        budget=budget,
    )


def announce_tiling(plan: MemoryPlan, shape: tuple[int, int]) -> None:
    """Say once, as a ``DreamNotice`` warning, that the dream will be tiled and why."""
    height, width = shape
    warnings.warn(
        f"a {width}x{height} dream needs about {format_bytes(plan.untiled)} untiled, more "
        f"than the memory budget of {format_bytes(plan.budget)}: dreaming in tiles of at most "
        f"{plan.tile_size} pixels (about {format_bytes(plan.needed)})",
        DreamNotice,
        stacklevel=3,
    )

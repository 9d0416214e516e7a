"""Memory planning from an engine: how a dream of a given size fits the memory budget."""

from __future__ import annotations

from ..settings import DreamSettings
from .cache import EngineCache, settings_spec
from .lbfgs import LbfgsEngine
from .memory import (
    GB,
    MemoryPlan,
    announce_tiling,
    default_budget,
    network_bytes_per_pixel,
    plan_memory,
)


def check_tile_size(settings: DreamSettings) -> None:
    """Raise a ``ValueError`` when a fixed ``tile_size`` is under twice the model's minimum
    input (a tile must hold the model's smallest input with its overlap)."""
    spec = settings_spec(settings)
    if isinstance(settings.tile_size, int) and settings.tile_size < 2 * spec.min_size:
        raise ValueError(
            f"tile_size must be at least {2 * spec.min_size} for {settings.model} "
            f"(twice its minimum input of {spec.min_size} pixels), not {settings.tile_size}"
        )


def memory_plan(
    cache: EngineCache,
    settings: DreamSettings,
    shape: tuple[int, int],
    announce: bool = True,
) -> MemoryPlan | None:
    """How a dream whose largest octave is ``shape`` (height, width) fits in memory.

    ``settings`` have a concrete precision. ``None`` when they fix the tiling themselves
    (``tile_size`` a number or ``None``). With ``tile_size="auto"`` the estimate is compared
    with ``memory_budget`` (gigabytes; ``None``: see ``memory.default_budget``) and (with
    ``announce``) a ``DreamNotice`` says when the dream will be tiled. With per-octave
    layers, the plan of the mapping that needs the smallest tile.

    Raises:
        MemoryBudgetError: not even the smallest tile fits the budget.
        ValueError: a fixed ``tile_size`` is too small for the model.
    """
    check_tile_size(settings)
    if settings.tile_size != "auto":
        return None
    if isinstance(settings.layers, tuple):
        count = len(settings.layers)
        plans = [
            memory_plan(cache, settings.for_octave(index, count), shape, False)
            for index in range(count)
        ]
        plan = min(plans, key=lambda plan: plan.tile_size or 1 << 62)  # type: ignore[union-attr]
        if announce and plan is not None and plan.tile_size is not None:
            announce_tiling(plan, shape)
        return plan
    engine = cache.engine(settings)
    per_pixel = network_bytes_per_pixel(cache.activation_bytes(engine), settings.learning_phase)
    budget = (
        default_budget() if settings.memory_budget is None else int(settings.memory_budget * GB)
    )
    plan = plan_memory(
        shape,
        per_pixel,
        budget,
        2 * settings_spec(settings).min_size,
        can_tile=not isinstance(engine, LbfgsEngine),
    )
    if announce and plan.tile_size is not None:
        announce_tiling(plan, shape)
    return plan


def tile_size(cache: EngineCache, settings: DreamSettings, shape: tuple[int, int]) -> int | None:
    """The tile side in pixels for a dream whose largest octave is ``shape`` (height,
    width); ``None``: untiled. ``settings`` have a concrete precision."""
    plan = memory_plan(cache, settings, shape)
    if plan is not None:
        return plan.tile_size
    return settings.tile_size if isinstance(settings.tile_size, int) else None

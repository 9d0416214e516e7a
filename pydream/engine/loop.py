"""The octave loop on arrays: a picture in, its dream out, no files and no progress bar.

``dream_array`` walks the octaves smallest first: each octave's optimisation (``ascend``),
then the detail the shrinking lost is put back before the next, larger octave. What the
caller shows or saves along the way comes through ``DreamHooks``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np

from ..settings import DreamSettings
from . import plan
from .cache import Engine, EngineCache, settings_spec
from .colors import keep_original_colors
from .gradients import resize_mask
from .lbfgs import LbfgsEngine
from .octaves import octave_shapes, reinject_lost_detail, resize_img

StepHook = Callable[[int, int, float], Any]
"""``on_step(octave, step, loss)`` after every step (0-based); returning ``True`` stops."""


@dataclasses.dataclass
class DreamHooks:
    """What ``dream_array`` tells its caller along the way (each optional).

    Attributes:
        on_step: ``on_step(octave, step, loss)`` after every step (0-based); returning
            ``True`` stops the dream (the dream so far is returned, full size).
        on_octave_start: ``on_octave_start(octave, count, (height, width))`` before an
            octave's first step.
        on_octave: ``on_octave(octave, (height, width), dream)`` after an octave, with its
            dream preprocessed for the model, float32 (1, height, width, 3).
    """

    on_step: StepHook | None = None
    on_octave_start: Callable[[int, int, tuple[int, int]], Any] | None = None
    on_octave: Callable[[int, tuple[int, int], np.ndarray], Any] | None = None


def dream_shapes(settings: DreamSettings, shape: tuple[int, int]) -> list[tuple[int, int]]:
    """(height, width) of each octave a picture of ``shape`` is dreamed at, smallest first
    (octaves smaller than the model's minimum input are left out)."""
    min_size = settings_spec(settings).min_size
    return octave_shapes(shape, settings.num_octave, settings.octave_scale, min_size)


def ascend(
    engine: Engine,
    image: np.ndarray,
    settings: DreamSettings,
    rng: np.random.Generator,
    on_step: Callable[[int, float], bool | None] | None = None,
    tile_size: int | None = None,
    guides: list[Any] | None = None,
) -> tuple[np.ndarray, bool]:
    """One octave's optimisation of a preprocessed image (1, H, W, 3) with ``engine``.

    ``settings`` hold one layer mapping; a mask in them is resized to the image.

    Returns:
        The image after the octave, float32 (1, H, W, 3), and whether ``on_step`` stopped it.

    Raises:
        ValueError: the dream diverged (the image is no longer finite).
    """
    height, width = image.shape[1:3]
    mask = None if settings.mask is None else resize_mask(settings.mask.values, (height, width))
    if isinstance(engine, LbfgsEngine):
        result = engine.run(
            image,
            rounds=settings.iterations,
            evaluations=settings.lbfgs_evaluations,
            jitter=settings.lbfgs_noise * settings_spec(settings).pixel_scale(),
            max_loss=settings.max_loss,
            rng=rng,
            on_step=on_step,
            mask=mask,
            guides=guides,
        )
    else:
        result = engine.run(
            image,
            iterations=settings.iterations,
            step=settings.step,
            max_loss=settings.max_loss,
            jitter=settings.jitter,
            tile_size=tile_size,
            rng=rng,
            on_step=on_step,
            mask=mask,
            guides=guides,
        )
    if not np.isfinite(result[0]).all():
        raise ValueError(
            "the dream diverged: the image is no longer finite numbers; use a smaller step "
            f"(step={settings.step:g}) or smaller layer coefficients"
        )
    return result


def _step_hook(hooks: DreamHooks, octave: int) -> Callable[[int, float], bool]:
    def on_step(step: int, loss: float) -> bool:
        return bool(hooks.on_step(octave, step, loss)) if hooks.on_step is not None else False

    return on_step


def dream_array(
    original_rgb: np.ndarray,
    settings: DreamSettings,
    cache: EngineCache,
    hooks: DreamHooks | None = None,
) -> np.ndarray:
    """Dream a picture held in memory.

    Args:
        original_rgb: uint8 RGB (H, W, 3).
        settings: the dream's settings, with a concrete precision (not ``"auto"``).
        cache: where the engines come from (built there on first use).
        hooks: what to tell the caller along the way.

    Returns:
        The dream, uint8 RGB (H, W, 3).
    """
    hooks = hooks or DreamHooks()
    spec = settings_spec(settings)
    octaves = settings.num_octave
    scheduled = [settings.for_octave(index, octaves) for index in range(octaves)]
    engines = [(each, cache.engine(each)) for each in scheduled]
    height, width = original_rgb.shape[:2]
    tiles = plan.tile_size(cache, settings, (height, width))
    shapes = dream_shapes(settings, (height, width))
    # Octaves too small for the model are left out at the small end: the schedule's last
    # mappings stay with the finest octaves (octaves sharing an engine share its guide).
    engines = engines[len(engines) - len(shapes) :]
    guides = {engine: cache.guide_features(each) for each, engine in engines}
    rng = np.random.default_rng(settings.seed)
    original = spec.preprocess(original_rgb)[None]
    shrunk = resize_img(original, shapes[0])
    dream = original
    for octave, shape in enumerate(shapes):
        dream = resize_img(dream, shape)
        if hooks.on_octave_start is not None:
            hooks.on_octave_start(octave, len(shapes), shape)
        current, engine = engines[octave]
        dream, stopped = ascend(
            engine, dream, current, rng, _step_hook(hooks, octave), tiles, guides[engine]
        )
        dream, shrunk = reinject_lost_detail(dream, original, shrunk, shape)
        if hooks.on_octave is not None:
            hooks.on_octave(octave, shape, dream)
        if stopped:
            full = (height, width)
            dream, shrunk = reinject_lost_detail(resize_img(dream, full), original, shrunk, full)
            break
    result = spec.deprocess(dream[0])
    return keep_original_colors(result, original_rgb) if settings.original_colors else result

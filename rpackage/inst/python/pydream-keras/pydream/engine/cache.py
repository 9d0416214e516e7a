"""What pydream keeps between dreams, and its one owner.

An ``EngineCache`` builds each engine (network, feature extractor, objective and compiled
step) once and keeps the most recently used ones; with them it keeps each engine's guide
features and activation size. The model-level caches under the engines (built networks,
layer lists, feature extractors: ``pydream.nets.models``; device facts:
``pydream.nets.backend``) are registered here, so ``clear_caches`` empties everything.

A ``keras.Model`` passed in as ``model=`` is held weakly everywhere: the engines built on it
leave the cache when the model is dropped.
"""

from __future__ import annotations

import collections
import weakref
from collections.abc import Callable
from typing import Any

import keras

from ..nets import backend, models
from ..nets.models import (
    ModelSpec,
    check_layer_names,
    feature_extractor,
    load_base_model,
    load_inference_model,
    model_spec,
    needs_top,
)
from ..settings import DreamSettings
from .ascent import AscentEngine
from .features import FeatureObjective, build_terms
from .lbfgs import LbfgsEngine
from .memory import activation_bytes_per_pixel

Engine = AscentEngine | LbfgsEngine

GUIDE_SIZE = 512
"""Pixels: a guide picture is seen at most this large on its longer side."""

_CLEARERS: list[Callable[[], None]] = []
_CACHES: weakref.WeakSet[EngineCache] = weakref.WeakSet()


def register_cache(clear: Callable[[], None]) -> Callable[[], None]:
    """Have ``clear_caches`` call ``clear`` (a process-wide cache's reset); returns it."""
    if clear not in _CLEARERS:
        _CLEARERS.append(clear)
    return clear


def clear_caches() -> None:
    """Forget every engine, network, feature extractor, guide feature, activation size and
    device fact kept so far, in every ``EngineCache`` (the next dream builds them again)."""
    for cache in list(_CACHES):
        cache.clear()
    for clear in _CLEARERS:
        clear()


register_cache(models.clear_caches)
register_cache(backend.clear_caches)


def settings_spec(settings: DreamSettings) -> ModelSpec:
    """The model entry of ``settings``, with a model object's pre/deprocessing."""
    return model_spec(settings.model, settings.preprocess, settings.deprocess)


def fit_guide(rgb: Any, largest: int, smallest: int) -> Any:
    """A guide picture (H, W, 3) uint8 scaled so its longer side is at most ``largest`` and
    its shorter side at least ``smallest`` pixels (the aspect ratio kept where both allow)."""
    import numpy as np
    from PIL import Image

    height, width = rgb.shape[:2]
    factor = min(1.0, largest / max(height, width))
    factor = max(factor, smallest / min(height, width))
    size = (max(smallest, round(width * factor)), max(smallest, round(height * factor)))
    if size == (width, height):
        return rgb
    return np.asarray(Image.fromarray(rgb).resize(size, Image.Resampling.BICUBIC))


def build_engine(settings: DreamSettings) -> Engine:
    """A new engine for ``settings`` (one layer mapping, a concrete precision).

    The network is built once, at the chosen precision (folded for ``learning_phase=0``),
    and the layer names are checked on it: a folded network keeps every layer's name.

    Raises:
        ValueError: an unknown layer (the message lists the valid ones) or unusable weights.
        FileNotFoundError: the weights file does not exist.
    """
    spec = settings_spec(settings)
    names = settings.layers.layers  # one objective: the layers its terms read, in order
    top = needs_top(settings.model, names)
    load = load_base_model if settings.learning_phase else load_inference_model
    network = load(settings.model, settings.weights, settings.precision, top)
    check_layer_names(settings.model, names, [layer.name for layer in network.layers])
    assert not isinstance(settings.layers, tuple)
    terms, dense_layers = build_terms(settings.layers, network)
    extractor = feature_extractor(
        network, tuple(term.layer for term in terms), frozenset(dense_layers)
    )
    objective = FeatureObjective(
        extractor,
        terms,
        loss=settings.loss,
        border=settings.border,
        learning_phase=settings.learning_phase,
        dense_layers=dense_layers,
    )
    guided = settings.guide is not None
    if settings.optimizer == "lbfgs":
        return LbfgsEngine(
            objective, continuity=settings.continuity, dream_l2=settings.dream_l2, guided=guided
        )
    return AscentEngine(
        objective,
        normalize=settings.normalize,
        clip_range=spec.input_range() if settings.clip else None,
        lap_levels=settings.lap_levels,
        smoothing=settings.smoothing,
        continuity=settings.continuity,
        dream_l2=settings.dream_l2,
        guided=guided,
    )


def _forget_dead_models(cache_ref: weakref.ref[EngineCache]) -> None:
    cache = cache_ref()
    if cache is not None:
        cache.forget_dead_models()


class EngineCache:
    """Engines by ``DreamSettings.engine_key()``, least recently used first out, with each
    engine's guide features and activation size.

    Args:
        max_engines: engines kept (each holds a compiled step and its network's memory).
        builder: ``builder(settings) -> engine`` for a settings key not kept yet
            (default ``build_engine``).
    """

    def __init__(
        self, max_engines: int = 8, builder: Callable[[DreamSettings], Engine] | None = None
    ) -> None:
        self.max_engines = max_engines
        self.builder = builder or build_engine
        self._engines: collections.OrderedDict[tuple[Any, ...], Engine] = collections.OrderedDict()
        self._activation_bytes: weakref.WeakKeyDictionary[Any, float] = weakref.WeakKeyDictionary()
        self._guides: weakref.WeakKeyDictionary[Engine, tuple[Any, list[Any]]] = (
            weakref.WeakKeyDictionary()
        )
        self._watched: weakref.WeakSet[Any] = weakref.WeakSet()
        _CACHES.add(self)

    def __len__(self) -> int:
        return len(self._engines)

    def engine(self, settings: DreamSettings) -> Engine:
        """The engine of ``settings`` (one layer mapping, a concrete precision), built on
        first use; the least recently used one leaves beyond ``max_engines``."""
        key = self._key(settings.engine_key())
        if key in self._engines:
            self._engines.move_to_end(key)
            return self._engines[key]
        engine = self.builder(settings)
        self._engines[key] = engine
        while len(self._engines) > self.max_engines:
            self._engines.popitem(last=False)
        return engine

    def guide_features(self, settings: DreamSettings) -> list[Any] | None:
        """The guide's features for the engine of ``settings``, or ``None`` without a guide;
        kept with the engine for the last guide picture it saw.

        The guide is seen at most ``GUIDE_SIZE`` pixels on its longer side (and at least the
        model's minimum input on its shorter side).
        """
        if settings.guide is None:
            return None
        engine = self.engine(settings)
        kept = self._guides.get(engine)
        if kept is not None and kept[0] is settings.guide:
            return kept[1]
        spec = settings_spec(settings)
        pixels = fit_guide(settings.guide.rgb, GUIDE_SIZE, spec.min_size)
        features = engine.objective.guide_features(spec.preprocess(pixels)[None])
        self._guides[engine] = (settings.guide, features)
        return features

    def activation_bytes(self, engine: Engine) -> float:
        """Activation bytes per input pixel of ``engine``'s feature extractor (measured once
        per extractor: see ``memory.activation_bytes_per_pixel``)."""
        extractor = engine.objective.extractor
        if extractor not in self._activation_bytes:
            self._activation_bytes[extractor] = activation_bytes_per_pixel(extractor)
        return self._activation_bytes[extractor]

    def clear(self) -> None:
        """Forget this cache's engines, guide features and activation sizes."""
        self._engines.clear()
        self._activation_bytes.clear()
        self._guides.clear()

    def forget_dead_models(self) -> None:
        """Drop the engines of ``keras.Model`` objects that no longer exist."""
        for key in [key for key in self._engines if _refers_to_dead_model(key)]:
            del self._engines[key]

    def _key(self, key: tuple[Any, ...]) -> tuple[Any, ...]:
        """``key`` with every ``keras.Model`` in it replaced by a weak reference."""
        if not any(isinstance(part, keras.Model) for part in key):
            return key
        parts = []
        for part in key:
            if isinstance(part, keras.Model):
                if part not in self._watched:
                    self._watched.add(part)
                    weakref.finalize(part, _forget_dead_models, weakref.ref(self))
                part = weakref.ref(part)
            parts.append(part)
        return tuple(parts)


def _refers_to_dead_model(key: tuple[Any, ...]) -> bool:
    return any(isinstance(part, weakref.ref) and part() is None for part in key)

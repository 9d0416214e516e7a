"""pydream: DeepDream for Keras 3, driven by a dictionary of layer contributions.

>>> import pydream
>>> dream = pydream.deep_dream("photo.jpg", preset="jellyfish", output="dream.png")

Importing pydream is quick: Keras and its backend (TensorFlow, JAX or PyTorch, as Keras is
set to use) are imported, quietly, the first time a name that needs them is used.
"""

from __future__ import annotations

import importlib
import os as _os
from typing import TYPE_CHECKING, Any

_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from . import _moved, errors, objectives
from ._version import __version__
from .engine.memory import DreamNotice, MemoryBudgetError
from .engine.octaves import octave_shapes, resize_img
from .media.examples import example_image
from .media.images import save_img
from .motion import dream_video, dream_zoom
from .presets import presets
from .run.batch import dream_batch
from .run.gallery import dream_gallery
from .settings import DreamSettings

if TYPE_CHECKING:
    from .engine.cache import clear_caches
    from .engine.classify import classify
    from .engine.dream import (
        Dreamer,
        deep_dream,
        deprocess_image,
        gradient_ascent,
        preprocess_image,
    )
    from .nets.models import list_layers
    from .visual.visualize import visualize

_moved.install()

_ENGINE_EXPORTS = {
    "Dreamer": "engine.dream",
    "clear_caches": "engine.cache",
    "deep_dream": "engine.dream",
    "deprocess_image": "engine.dream",
    "gradient_ascent": "engine.dream",
    "preprocess_image": "engine.dream",
    "list_layers": "nets.models",
    "visualize": "visual.visualize",
    "classify": "engine.classify",
}
"""Public names that need Keras -> their module, imported on first use."""

__all__ = [
    "DreamNotice",
    "DreamSettings",
    "Dreamer",
    "MemoryBudgetError",
    "__version__",
    "classify",
    "clear_caches",
    "deep_dream",
    "deprocess_image",
    "dream_batch",
    "dream_gallery",
    "dream_video",
    "dream_zoom",
    "errors",
    "example_image",
    "gradient_ascent",
    "list_layers",
    "objectives",
    "octave_shapes",
    "preprocess_image",
    "presets",
    "resize_img",
    "save_img",
    "visualize",
]


def __getattr__(name: str) -> Any:
    """Import an engine name (or submodule) on first use; Keras comes in quietly with it."""
    from ._quiet import import_keras

    module_name = _ENGINE_EXPORTS.get(name, name)
    import_keras()
    try:
        module = importlib.import_module(f".{module_name}", __name__)
    except ModuleNotFoundError as error:
        if error.name != f"{__name__}.{module_name}":
            raise
        raise AttributeError(f"module 'pydream' has no attribute {name!r}") from None
    value = getattr(module, name) if name in _ENGINE_EXPORTS else module
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})

"""pydream: DeepDream for Keras 3, driven by a dictionary of layer contributions.

>>> import pydream
>>> dream = pydream.deep_dream("photo.jpg", preset="jellyfish", output="dream.png")
"""

import os as _os

_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from ._quiet import import_keras as _import_keras

_import_keras()

from ._version import __version__  # noqa: E402
from .dream import (  # noqa: E402
    Dreamer,
    deep_dream,
    deprocess_image,
    gradient_ascent,
    preprocess_image,
)
from .examples import example_image  # noqa: E402
from .gallery import dream_gallery  # noqa: E402
from .images import save_img  # noqa: E402
from .memory import DreamNotice, MemoryBudgetError  # noqa: E402
from .models import list_layers  # noqa: E402
from .motion import dream_video, dream_zoom  # noqa: E402
from .octaves import octave_shapes, resize_img  # noqa: E402
from .presets import presets  # noqa: E402
from .settings import DreamSettings  # noqa: E402

__all__ = [
    "DreamNotice",
    "DreamSettings",
    "Dreamer",
    "MemoryBudgetError",
    "__version__",
    "deep_dream",
    "deprocess_image",
    "dream_gallery",
    "dream_video",
    "dream_zoom",
    "example_image",
    "gradient_ascent",
    "list_layers",
    "octave_shapes",
    "preprocess_image",
    "presets",
    "resize_img",
    "save_img",
]

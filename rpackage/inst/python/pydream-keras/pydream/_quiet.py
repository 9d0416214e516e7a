"""Import Keras (and its backend) without the backend's start-up log lines on standard error."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def stderr_silenced() -> Iterator[None]:
    """Point file descriptor 2 at /dev/null for the duration (unless PYDREAM_VERBOSE is set)."""
    if os.environ.get("PYDREAM_VERBOSE") or "keras" in sys.modules:
        yield
        return
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def import_keras() -> None:
    """Import Keras once, quietly, with the backend Keras is set to use (TensorFlow unless
    ``KERAS_BACKEND`` or ``~/.keras/keras.json`` says otherwise)."""
    with stderr_silenced():
        import keras

        if keras.backend.backend() == "tensorflow":
            import tensorflow  # noqa: F401

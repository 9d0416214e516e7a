"""The same dream on every Keras backend: each backend runs in a process of its own
(``KERAS_BACKEND`` is read once, when Keras is imported), and its first step on the jellyfish
photo with the real weights is compared with TensorFlow's."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from .conftest import IMAGES, REAL_WEIGHTS, needs_real_weights

STEP_SCRIPT = """
import sys
import numpy as np
from PIL import Image
import pydream
from pydream.nets import backend
from pydream.engine.dream import DEFAULT_DREAMER
from pydream.settings import DreamSettings

photo, weights, out = sys.argv[1:4]
image = Image.open(photo)
image.thumbnail((320, 320))
x = pydream.preprocess_image(np.asarray(image.convert("RGB")))
layers = {"mixed2": 0.2, "mixed3": 0.8, "mixed4": 2.0, "mixed5": 4.0, "mixed6": 5.0}
settings = DreamSettings(layers=layers, weights=weights, tile_size=None, border=0,
                         step=0.025, iterations=1, max_loss=None)
after, _ = DEFAULT_DREAMER.ascend(x, settings, np.random.default_rng(0))
np.save(out, after - x)
print(backend.NAME)
"""


def backend_step(name: str, tmp_path: Path) -> np.ndarray:
    """The change one blog-layer step makes, computed on the ``name`` backend."""
    out = tmp_path / f"{name}.npy"
    environment = {**os.environ, "KERAS_BACKEND": name}
    result = subprocess.run(
        [sys.executable, "-c", STEP_SCRIPT, str(IMAGES / "jellyfish.jpg"), str(REAL_WEIGHTS),
         str(out)],
        capture_output=True, text=True, env=environment, timeout=600, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split()[-1] == name
    return np.load(out).ravel()


@pytest.fixture(scope="module")
def tensorflow_step(tmp_path_factory) -> np.ndarray:
    if not REAL_WEIGHTS.is_file():
        pytest.skip(f"real Inception-v3 weights not found at {REAL_WEIGHTS}")
    if not (IMAGES / "jellyfish.jpg").is_file():
        pytest.skip(f"example photo not found in {IMAGES}")
    return backend_step("tensorflow", tmp_path_factory.mktemp("tensorflow"))


@needs_real_weights
@pytest.mark.real_weights
@pytest.mark.parametrize("name", ["jax", "torch"])
def test_one_step_agrees_with_tensorflow(name, tensorflow_step, tmp_path):
    if importlib.util.find_spec(name) is None:
        pytest.skip(f"{name} is not installed (pip install 'pydream-keras[{name}]')")
    change = backend_step(name, tmp_path)
    cosine = change @ tensorflow_step / (np.linalg.norm(change) * np.linalg.norm(tensorflow_step))
    assert cosine >= 0.999
    assert np.linalg.norm(change) == pytest.approx(np.linalg.norm(tensorflow_step), rel=1e-3)


@pytest.mark.parametrize(
    ("device", "cpu_bfloat16", "expected"),
    [("cpu", True, "bfloat16"), ("cpu", False, "float32"), ("tpu:0 (TPU v4)", False, "bfloat16")],
)
def test_auto_precision_picks_what_the_machine_computes_best(
    monkeypatch, device, cpu_bfloat16, expected
):
    import warnings

    from pydream.engine.dream import concrete_precision
    from pydream.nets import backend
    from pydream.settings import DreamSettings

    monkeypatch.setattr(backend, "device_description", lambda: device)
    monkeypatch.setattr(backend, "cpu_has_bfloat16", lambda: cpu_bfloat16)
    settings = DreamSettings(layers={"mixed3": 1.0}, precision="auto")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        chosen = concrete_precision(settings)
    assert chosen.precision == expected and settings.precision == "auto"
    assert any(f"computing on {device}" in str(warning.message) for warning in caught)
    assert concrete_precision(chosen) is chosen

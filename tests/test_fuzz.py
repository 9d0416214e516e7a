"""Fuzzing: any setting, any bytes. Each call works or fails with one clear, named error.

The default run is short. For a long run: ``PYDREAM_FUZZ_EXAMPLES=2000 scripts/test`` (or
the same variable with ``pytest tests/test_fuzz.py``).
"""

from __future__ import annotations

import io
import os
import random

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from PIL import Image

import pydream
from pydream.media.images import load_image
from pydream.nets.models import MODELS
from pydream.settings import SETTING_NAMES

EXAMPLES = int(os.environ.get("PYDREAM_FUZZ_EXAMPLES", "40"))
fuzz = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

numbers = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 1, -1, 0.5, 1e-300, 1e300, 2**63, float("nan"), float("-inf")]),
    st.builds(np.float32, st.floats(width=32)),
    st.builds(np.int64, st.integers(min_value=-(2**63), max_value=2**63 - 1)),
)
anything = st.one_of(
    st.none(),
    st.booleans(),
    numbers,
    st.text(max_size=30),
    st.sampled_from(["auto", "none", "", "l2", "std", "float16", "bfloat16", "lbfgs", "tiny"]),
    st.binary(max_size=10),
    st.lists(numbers, max_size=3),
    st.dictionaries(st.text(max_size=5), numbers, max_size=3),
)
layer_maps = st.one_of(
    st.dictionaries(
        st.one_of(
            st.sampled_from(["square", "double", "square:2", "double:0-2", "square:3", "x:1"]),
            st.from_regex(r"\A(square|double):[0-9,\- ]{0,8}\Z"),
            st.text(max_size=12),
            st.integers(),
        ),
        st.one_of(numbers, st.text(max_size=3), st.none()),
        max_size=6,
    ),
    st.dictionaries(st.text(min_size=1, max_size=8), st.floats(), min_size=50, max_size=200),
    st.lists(st.dictionaries(st.sampled_from(["square", "double:1"]), numbers), max_size=5),
    anything,
)

FUZZED = [name for name in SETTING_NAMES if name != "layers"]
SMALL = np.random.default_rng(0).integers(0, 256, (40, 52, 3)).astype(np.uint8)


def _stop_at_once(*_: object) -> bool:
    return True  # one step at most: huge iteration counts stay cheap


def _dream(layers: object = None, **values: object) -> np.ndarray:
    return pydream.deep_dream(SMALL, {"double": 1.0} if layers is None else layers,
                              model="tiny", weights=None, callback=_stop_at_once,
                              **values)  # type: ignore[arg-type]  # fmt: skip


def _check_named(error: Exception, *names: str) -> None:
    message = str(error)
    assert message.strip() and "\n" not in message.strip(), message
    assert any(name in message for name in names), f"{names} not named in: {message}"


def _real_model_values(name: str, value: object) -> bool:
    """Values that would build or download a real network (slow, or offline here)."""
    if name == "model":
        return isinstance(value, str) and value in MODELS and value != "tiny"
    return name == "weights" and isinstance(value, str) and value.strip().lower() == "imagenet"


@fuzz
@given(name=st.sampled_from(FUZZED), value=anything)
def test_any_value_of_one_setting(tiny_models, name, value):
    assume(not _real_model_values(name, value))
    try:
        dream = _dream(**{name: value})
    except (ValueError, TypeError) as error:
        words = {"model": ("model",), "weights": ("weights",)}.get(name, (name,))
        _check_named(error, *words)
        return
    except FileNotFoundError as error:
        assert name in ("weights", "guide", "mask") and name in str(error), error
        return
    assert dream.shape == SMALL.shape and dream.dtype == np.uint8


@fuzz
@given(values=st.dictionaries(st.sampled_from(FUZZED), anything, min_size=2, max_size=5))
def test_several_settings_at_once(tiny_models, values):
    assume(not any(_real_model_values(name, value) for name, value in values.items()))
    try:
        dream = _dream(**values)
    except (ValueError, TypeError, FileNotFoundError) as error:
        _check_named(error, *values, "weights file", "octave_scale")
        return
    assert dream.shape == SMALL.shape


@fuzz
@given(layers=layer_maps)
def test_any_layers_argument(tiny_models, layers):
    try:
        dream = _dream(layers)
    except (ValueError, TypeError) as error:
        _check_named(error, "layer")
        return
    assert dream.shape == SMALL.shape


# --- image bytes ------------------------------------------------------------------------------


def _encoded(image_format: str) -> bytes:
    y, x = np.mgrid[0:48, 0:64]
    rgb = np.stack([x * 4, y * 5, (x * y) % 256], axis=2).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format=image_format)
    return buffer.getvalue()


SEEDS = {name: _encoded(name) for name in ("JPEG", "PNG", "GIF", "BMP", "TIFF", "WEBP")}
EXTENSIONS = [".jpg", ".png", ".gif", ".bmp", ".tif", ".webp", ".txt", ""]


def _mutate(data: bytes, rng: random.Random, how: str) -> bytes:
    if how == "truncate":
        return data[: rng.randrange(0, len(data))]
    if how == "flip bits":
        mutable = bytearray(data)
        for _ in range(rng.randint(1, 12)):
            position = rng.randrange(len(mutable))
            mutable[position] ^= 1 << rng.randrange(8)
        return bytes(mutable)
    if how == "overwrite bytes":
        mutable = bytearray(data)
        start = rng.randrange(len(mutable))
        for index in range(start, min(len(mutable), start + rng.randint(1, 64))):
            mutable[index] = rng.randrange(256)
        return bytes(mutable)
    if how == "header only":
        return data[: rng.randint(8, 64)]
    return bytes(rng.randrange(256) for _ in range(rng.randint(1, 2048)))  # random bytes


@fuzz
@given(
    image_format=st.sampled_from(sorted(SEEDS)),
    how=st.sampled_from(["truncate", "flip bits", "overwrite bytes", "header only", "random"]),
    extension=st.sampled_from(EXTENSIONS),
    seed=st.integers(0, 2**32 - 1),
)
def test_mutated_image_files(tmp_path_factory, image_format, how, extension, seed):
    folder = tmp_path_factory.mktemp("fuzz")
    path = folder / f"picture{extension}"
    data = _mutate(SEEDS[image_format], random.Random(seed), how)
    path.write_bytes(data)
    try:
        loaded = load_image(path)
    except (ValueError, FileNotFoundError) as error:
        _check_named(error, str(path))
    else:
        assert loaded.rgb.dtype == np.uint8 and loaded.rgb.ndim == 3 and loaded.rgb.shape[2] == 3
        assert min(loaded.rgb.shape[:2]) >= 1
    assert path.read_bytes() == data
    assert sorted(item.name for item in folder.iterdir()) == [path.name]


@pytest.mark.parametrize("image_format", sorted(SEEDS))
def test_unmutated_seeds_load_under_any_extension(tmp_path, image_format):
    for extension in EXTENSIONS:
        path = tmp_path / f"seed{extension}"
        path.write_bytes(SEEDS[image_format])
        assert load_image(path).rgb.shape == (48, 64, 3)

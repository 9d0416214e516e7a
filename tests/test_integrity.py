"""Model integrity: dreams never change a weight; weights files that do not fit say where."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

import pydream
from pydream.nets import models

from .conftest import REAL_WEIGHTS, needs_real_weights


def _weights(model):
    return [np.array(variable.numpy(), copy=True) for variable in model.weights]


def _identical(before, after):
    return len(before) == len(after) and all(
        a.dtype == b.dtype and a.tobytes() == b.tobytes()
        for a, b in zip(before, after, strict=True)
    )


@pytest.mark.parametrize("precision", ["float32", "bfloat16", "float16"])
@pytest.mark.parametrize("learning_phase", [0, 1])
def test_dreams_leave_every_weight_bit_identical(tiny_models, photo, precision, learning_phase):
    base = models.load_base_model("tiny_bn", None, precision)
    folded = models.load_inference_model("tiny_bn", None, precision)
    before = _weights(base), _weights(folded)
    dream = pydream.deep_dream(photo, {"act": 1.0}, model="tiny_bn", weights=None,
                               precision=precision, learning_phase=learning_phase, iterations=3,
                               jitter=2, seed=0, max_loss=None)  # fmt: skip
    assert dream.shape == (90, 120, 3)
    assert _identical(before[0], _weights(base)) and _identical(before[1], _weights(folded))
    # learning_phase=1 uses batch statistics: the moving ones must not have moved either
    moving = base.get_layer("bn").moving_mean.numpy()
    np.testing.assert_array_equal(moving, np.full(4, 0.3, np.float32))


def test_a_weights_file_with_a_wrong_shape_names_the_layer(tiny_models, tmp_path):
    model = models.load_base_model("tiny_bn", None)
    file = tmp_path / "tiny.weights.h5"
    model.save_weights(file)
    with h5py.File(file, "r+") as handle:
        del handle["layers/conv2d/vars/0"]
        handle["layers/conv2d/vars/0"] = np.zeros((1, 1, 3, 4), np.float32)
    with pytest.raises(ValueError) as raised:
        pydream.deep_dream(np.zeros((40, 40, 3), np.uint8), {"act": 1.0}, model="tiny_bn",
                           weights=str(file))  # fmt: skip
    message = str(raised.value)
    assert "\n" not in message
    assert "layer 'conv' (Conv2D, stored as 'conv2d') could not be loaded" in message
    assert "expects shape (3, 3, 3, 4), the file has (1, 1, 3, 4)" in message


def test_a_weights_file_of_another_model_says_how_much_failed(tiny_models, tmp_path):
    other = models.load_base_model("tiny", None)
    file = tmp_path / "other.weights.h5"
    other.save_weights(file)
    with pytest.raises(ValueError, match=r"does not fit tiny_bn: layer 'conv' .* expected 2 "
                       r"variables, but received 1 .*\(1 more layer failed too\)"):  # fmt: skip
        models.load_base_model("tiny_bn", str(file))


@needs_real_weights
@pytest.mark.parametrize(("precision", "learning_phase"), [("float32", 1), ("bfloat16", 0)])
def test_real_weights_are_untouched_by_a_dream(precision, learning_phase):
    base = models.load_base_model("inception_v3", str(REAL_WEIGHTS), precision)
    before = _weights(base)
    pixels = np.random.default_rng(0).integers(0, 256, (160, 160, 3)).astype(np.uint8)
    pydream.deep_dream(pixels, {"mixed3": 1.0}, weights=str(REAL_WEIGHTS), precision=precision,
                       learning_phase=learning_phase, num_octave=1, iterations=2)  # fmt: skip
    assert _identical(before, _weights(base))

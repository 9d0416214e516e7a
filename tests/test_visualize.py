"""``visualize``: Adam steps computed exactly on a tiny network, scores that rise, one
objective per picture, the same step on every backend, settings refused with one line, and
pictures of real channels that each channel prefers to the others'."""

from __future__ import annotations

import importlib.util
import inspect
import os
import subprocess
import sys

import keras
import numpy as np
import pytest

from pydream.errors import LayerError, SettingError
from pydream.visual import parameterization, transforms
from pydream.visual.request import drawing_request
from pydream.visual.visualize import Optimisation, Scorer, score, visualize

from .conftest import LONG_TESTS, REAL_WEIGHTS, needs_real_weights

TINY = {"model": "tiny", "weights": None}
PIXELS = {"param": "pixel", "decorrelate": False, "transforms": None}


def test_the_first_adam_step_moves_each_chosen_variable_by_the_learning_rate(tiny_models):
    # 'square' is the network input itself (2 * sigmoid(v) - 1): its channel's mean rises
    # with every variable of that channel, and Adam's first step is lr * g / |g|.
    image = parameterization.ImageParam(10, 12, "pixel", decorrelate=False)
    found = drawing_request(["square:0", "square:2"], None, None, 1).objectives
    scorer = Scorer(found, "tiny", None)
    start = image.initial(2, np.random.default_rng(0))
    steps = Optimisation(image, transforms.TransformChain(), scorer, 0.05, 2)
    after, scores = steps.run(start, 1, np.random.default_rng(1), progress=False)
    moved = after - start
    for picture, channel in ((0, 0), (1, 2)):
        sigmoid = 1 / (1 + np.exp(-start[picture, ..., channel].astype(np.float64)))
        gradient = 2 * sigmoid * (1 - sigmoid) / sigmoid.size  # of the channel's mean
        root = np.sqrt(1 - 0.999)  # Adam's first step: lr * g / (|g| + eps / sqrt(1 - b2))
        expected = 0.05 * gradient * root / (root * gradient + 1e-8)
        np.testing.assert_allclose(moved[picture, ..., channel], expected, rtol=1e-5, atol=1e-8)
        assert np.all(np.abs(expected - 0.05) < 1e-4)
    assert np.all(moved[0, ..., 1:] == 0) and np.all(moved[1, ..., :2] == 0)
    # the scores are those of the pictures before the step: mean(2 * sigmoid(v) - 1)
    expected = [np.mean(2 / (1 + np.exp(-start[i, ..., c])) - 1) for i, c in ((0, 0), (1, 2))]
    np.testing.assert_allclose(scores, expected, atol=1e-6)


@pytest.fixture(scope="module")
def edges() -> keras.Model:
    """input -> 3x3 convolution 'edges' (4 channels, seeded weights, bias 0.5) -> relu 'act':
    every channel responds to a grey picture, so each one's gradient reaches the start."""
    inputs = keras.Input(shape=(None, None, 3))
    convolved = keras.layers.Conv2D(4, 3, name="edges")(inputs)
    network = keras.Model(inputs, keras.layers.ReLU(name="act")(convolved), name="edges")
    kernel = np.random.default_rng(0).normal(size=(3, 3, 3, 4)).astype(np.float32)
    network.get_layer("edges").set_weights([kernel, np.full(4, 0.5, np.float32)])
    return network


@pytest.mark.parametrize(("param", "chain"), [("fft", "standard"), ("pixel", None)])
def test_each_picture_raises_its_own_objectives_score(edges, param, chain):
    keys = ["act:0", "act:3"]
    options = {"size": 40, "seed": 2, "param": param, "transforms": chain, "model": edges,
               "weights": None}  # fmt: skip
    start = visualize(keys, iterations=0, **options)
    pictures = visualize(keys, iterations=24, **options)
    assert pictures.shape == (2, 40, 40, 3) and pictures.dtype == np.uint8
    before = score(start, keys, model=edges, weights=None)
    after = score(pictures, keys, model=edges, weights=None)
    assert after[0, 0] > 2 * before[0, 0] and after[1, 1] > 2 * before[1, 1], (before, after)
    assert after[0, 0] > after[0, 1] and after[1, 1] > after[1, 0], after
    again = visualize(keys[0], iterations=24, **options)
    # alone, a picture starts and moves as in the list (up to the batch's rounding)
    assert again.shape == (40, 40, 3)
    assert np.mean(np.abs(again.astype(int) - pictures[0])) < 0.5


def test_one_picture_is_a_file_and_several_a_labelled_sheet(tiny_models, tmp_path):
    import json

    from PIL import Image

    from pydream.run.gallery import GAP

    options = {"size": 16, "iterations": 2, "seed": 0, **TINY}
    one = visualize("square:1", output=tmp_path / "one.png", **options)
    np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "one.png")), one)
    both = visualize(["square:0", "square:1"], output=tmp_path / "atlas.png", **options)
    with Image.open(tmp_path / "atlas.png") as sheet:
        pixels = np.asarray(sheet)
        assert json.loads(sheet.info["pydream:settings"])["visualize"] == ["square:0", "square:1"]
    for index in (0, 1):
        left = GAP + index * (16 + GAP)
        np.testing.assert_array_equal(pixels[GAP : GAP + 16, left : left + 16], both[index])


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"fft_decay": -1.0}, SettingError, "fft_decay must be from 0 to 10, not -1"),
        ({"size": 40, "transforms": None, "model": "inception_v3"}, SettingError,
         "size must be at least 75 pixels for inception_v3"),
        ({"size": 60, "model": "inception_v3"}, SettingError, "size must be at least 63 pixels"),
        ({"transforms": ["pad:4", "wobble:2"]}, SettingError,
         "unknown transform 'wobble'; transforms are: pad, shift, scale, rotate"),
        ({"param": "cppn"}, SettingError, "param must be one of 'fft', 'pixel'"),
        ({"iterations": -1}, SettingError, "iterations must be at least 0"),
        ({"learning_rate": 0}, SettingError, "learning_rate must be a positive number"),
        ({"objective": "sqare:0"}, LayerError, "unknown layer 'sqare' (did you mean 'square'?)"),
        ({"objective": []}, SettingError, "give at least one objective"),
    ],
)  # fmt: skip
def test_bad_settings_are_one_line_errors(tiny_models, options, error, message):
    arguments = {"objective": "square:0", "size": 16, "iterations": 1, **TINY, **options}
    with pytest.raises(error) as caught:
        visualize(**arguments)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def fourier_gradient() -> np.ndarray:
    """The gradient of a small network's channel mean with respect to a Fourier
    parameterisation's variables, through colour decorrelation, the sigmoid, lucid's
    transforms and InceptionV3's input range, on this process's Keras backend."""
    import keras
    import numpy as np
    from keras import ops

    from pydream.nets import backend, models
    from pydream.visual import parameterization, transforms

    rng = np.random.default_rng(7)
    inputs = keras.Input(shape=(None, None, 3))
    features = keras.layers.Conv2D(6, 5, activation="relu", name="conv")(inputs)
    network = keras.Model(inputs, keras.layers.Conv2D(4, 3, name="head")(features))
    network.set_weights([rng.normal(size=w.shape).astype("float32") for w in network.weights])
    image = parameterization.ImageParam(40, 36, "fft", decorrelate=True)
    chain = transforms.parse_transforms("standard")
    draws = backend.to_tensor(chain.draw(np.random.default_rng(3)))
    spec = models.MODELS["inception_v3"]

    def loss(values):
        pictures = chain.apply(image.to_unit(values), draws)
        value = ops.mean(network(parameterization.network_input(pictures, spec))[..., 1])
        return value, value

    start = backend.to_tensor(image.initial(2, rng, scale=0.5))
    _, gradient = backend.value_and_gradient(loss, start)
    return backend.to_numpy(gradient)


GRADIENT_SCRIPT = f"""
import sys
import numpy as np
from pydream.nets import backend

{inspect.getsource(fourier_gradient)}
np.save(sys.argv[1], fourier_gradient())
print(backend.NAME)
"""


def test_a_fourier_step_agrees_on_every_backend(tmp_path):
    here = keras.backend.backend()
    others = [name for name in ("tensorflow", "jax", "torch") if name != here]
    installed = [name for name in others if importlib.util.find_spec(name) is not None]
    processes = {}
    for name in installed:
        environment = {**os.environ, "KERAS_BACKEND": name}
        command = [sys.executable, "-c", GRADIENT_SCRIPT, str(tmp_path / f"{name}.npy")]
        processes[name] = subprocess.Popen(
            command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
    reference = fourier_gradient().ravel()
    assert np.all(np.isfinite(reference)) and np.abs(reference).max() > 0
    for name, process in processes.items():
        stdout, stderr = process.communicate(timeout=600)
        assert process.returncode == 0, stderr[-2000:]
        assert stdout.split()[-1] == name
        found = np.load(tmp_path / f"{name}.npy").ravel()
        cosine = found @ reference / (np.linalg.norm(found) * np.linalg.norm(reference))
        assert cosine >= 0.9999, f"{name} against {here}: cosine {cosine}"
        assert np.linalg.norm(found) == pytest.approx(np.linalg.norm(reference), rel=1e-3)
    if len(installed) < len(others):
        pytest.skip(f"compared {here} with {installed} only (the others are not installed)")


def fine_share(picture: np.ndarray) -> float:
    """The share of a picture's variance finer than a Gaussian blur of 1 pixel:
    ``sum((x - blur(x))**2) / sum((x - mean(x))**2)`` over the RGB values."""
    from scipy.ndimage import gaussian_filter

    values = picture.astype(np.float64)
    fine = values - gaussian_filter(values, sigma=(1, 1, 0))
    return float(np.sum(fine**2) / np.sum((values - values.mean(axis=(0, 1))) ** 2))


# PYDREAM_LONG_TESTS=1: mixed4's channels 0-7 at 224 px, 256 steps, and the smoothness
# check against the plain pixel parameterisation; by default two channels at 128 px, 64 steps.
CHANNELS = 8 if LONG_TESTS else 2
SIZE, ITERATIONS = (224, 256) if LONG_TESTS else (128, 64)


@needs_real_weights
@pytest.mark.real_weights
@pytest.mark.slow
def test_each_real_channel_responds_most_to_its_own_picture(tmp_path):
    keys = [f"mixed4:{channel}" for channel in range(CHANNELS)]
    options = {"size": SIZE, "iterations": ITERATIONS, "seed": 0, "weights": str(REAL_WEIGHTS)}
    pictures = visualize(keys, **options)
    table = score(pictures, keys, weights=str(REAL_WEIGHTS))  # picture x channel
    own = [int(np.argmax(table[:, channel]) == channel) for channel in range(CHANNELS)]
    assert sum(own) >= CHANNELS - (CHANNELS // 8), f"pictures x channels:\n{table}"
    assert np.all(np.diag(table) > 0.5), f"pictures x channels:\n{table}"
    if LONG_TESTS:
        plain = visualize(keys, param="pixel", decorrelate=False, transforms=None, **options)
        smooth, rough = (np.mean([fine_share(each) for each in p]) for p in (pictures, plain))
        assert smooth <= rough / 2, (smooth, rough)

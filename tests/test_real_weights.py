"""Real Inception-v3 weights: the engine against a plain implementation, and real dreams."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

import pydream
from pydream.nets import models

from .conftest import LONG_TESTS, REAL_WEIGHTS, needs_real_weights, shrunk_jellyfish

pytestmark = [needs_real_weights, pytest.mark.real_weights]

LAYERS = {"mixed3": 1.0, "mixed5": 2.0}


@pytest.fixture(scope="module")
def plain_extractor():
    """InceptionV3 built and loaded directly with Keras, independent of pydream."""
    base = keras.applications.InceptionV3(include_top=False, weights=None)
    base.load_weights(str(REAL_WEIGHTS))
    return keras.Model(base.inputs, {name: base.get_layer(name).output for name in LAYERS})


def plain_gradient_ascent(extractor, x, iterations, step, border=2):
    """The canonical loop written plainly: l2 loss with border crop, mean-abs normalisation."""
    x = tf.Variable(x)
    for _ in range(iterations):
        with tf.GradientTape() as tape:
            features = extractor(x, training=False)
            loss = 0.0
            for name, coefficient in LAYERS.items():
                activation = features[name]
                size = tf.cast(tf.size(activation), tf.float32)
                cropped = activation[:, border:-border, border:-border, :]
                loss += coefficient * tf.reduce_sum(tf.square(cropped)) / size
        gradient = tape.gradient(loss, x)
        gradient /= tf.maximum(tf.reduce_mean(tf.abs(gradient)), 1e-7)
        x.assign_add(step * gradient)
    return x.numpy()


def plain_dream(extractor, rgb, num_octave, octave_scale, iterations, step):
    original = rgb.astype(np.float32)[None] / 127.5 - 1
    height, width = rgb.shape[:2]
    shapes = [
        (int(height / octave_scale**i), int(width / octave_scale**i)) for i in range(num_octave)
    ]
    shapes = shapes[::-1]
    shrunk = tf.image.resize(original, shapes[0]).numpy()
    dream = original
    for shape in shapes:
        dream = tf.image.resize(dream, shape).numpy()
        dream = plain_gradient_ascent(extractor, dream, iterations, step)
        upscaled = tf.image.resize(shrunk, shape).numpy()
        same_size = tf.image.resize(original, shape).numpy()
        dream = dream + same_size - upscaled
        shrunk = same_size
    return dream[0]


def assert_same_change(engine_result, plain_result, start):
    engine_change = (engine_result - start).ravel().astype(np.float64)
    plain_change = (plain_result - start).ravel().astype(np.float64)
    cosine = (
        engine_change @ plain_change / np.linalg.norm(engine_change) / np.linalg.norm(plain_change)
    )
    ratio = np.linalg.norm(engine_change) / np.linalg.norm(plain_change)
    assert cosine > 0.99, f"direction of change differs: cosine {cosine:.4f}"
    assert abs(ratio - 1) < 0.03, f"magnitude of change differs: ratio {ratio:.4f}"


@pytest.fixture
def photo_rgb(small_jellyfish):
    return np.asarray(Image.open(small_jellyfish).convert("RGB"))


def test_one_step_matches_the_plain_implementation(plain_extractor, photo_rgb):
    x = pydream.preprocess_image(photo_rgb)
    engine = pydream.gradient_ascent(x, 1, 0.01, layers=LAYERS, weights=str(REAL_WEIGHTS))
    plain = plain_gradient_ascent(plain_extractor, x, 1, 0.01)
    assert_same_change(engine, plain, x)


def test_three_octaves_of_one_step_match_the_plain_implementation(plain_extractor, photo_rgb):
    start = photo_rgb.astype(np.float32) / 127.5 - 1
    settings = dict(num_octave=3, octave_scale=1.4, iterations=1, step=0.01)
    result = pydream.deep_dream(
        photo_rgb, LAYERS, weights=str(REAL_WEIGHTS), max_loss=None, **settings
    )
    plain = plain_dream(plain_extractor, photo_rgb, **settings)
    engine = result.astype(np.float32) / 127.5 - 1
    plain_rounded = np.clip(np.rint((plain + 1) * 127.5), 0, 255) / 127.5 - 1
    assert_same_change(engine, plain_rounded, start)


def block_means(rgb: np.ndarray, block: int = 16) -> np.ndarray:
    height, width = (rgb.shape[0] // block) * block, (rgb.shape[1] // block) * block
    gray = rgb[:height, :width].astype(np.float64).mean(axis=2)
    return gray.reshape(height // block, block, width // block, block).mean(axis=(1, 3))


@pytest.mark.slow
def test_jellyfish_preset_makes_a_real_dream(tmp_path):
    # 560 pixels wide (change 10.7, detail x3.4) in half the time of 800 (11.1, x3.9), which
    # PYDREAM_LONG_TESTS=1 dreams
    photo = shrunk_jellyfish(tmp_path, 800 if LONG_TESTS else 560)
    original = np.asarray(Image.open(photo).convert("RGB"))
    out = tmp_path / "dream.png"
    dream = pydream.deep_dream(photo, preset="jellyfish", weights=str(REAL_WEIGHTS), output=out)
    change = np.abs(dream.astype(np.float64) - original).mean()
    assert change > 8, f"the dream barely changed the photo (mean change {change:.1f} levels)"
    # Structure kept: coarse brightness layout still correlates with the photo.
    correlation = np.corrcoef(block_means(dream).ravel(), block_means(original).ravel())[0, 1]
    assert correlation > 0.8, f"the photo's structure is lost (correlation {correlation:.2f})"
    # High-frequency detail grew: DeepDream paints patterns.
    detail = lambda a: np.abs(np.diff(a.astype(np.float64), axis=1)).mean()  # noqa: E731
    assert detail(dream) > 2.5 * detail(original)
    assert Image.open(out).size == (original.shape[1], original.shape[0])


def test_learning_phase_one_keeps_real_weights_bit_identical(photo_rgb):
    base = models.load_base_model("inception_v3", str(REAL_WEIGHTS))
    before = [w.numpy().copy() for w in base.weights]
    a = pydream.deep_dream(
        photo_rgb, LAYERS, weights=str(REAL_WEIGHTS), learning_phase=1, num_octave=1, iterations=2
    )
    b = pydream.deep_dream(
        photo_rgb, LAYERS, weights=str(REAL_WEIGHTS), learning_phase=0, num_octave=1, iterations=2
    )
    assert not np.array_equal(a, b)
    for old, new in zip(before, base.weights, strict=False):
        np.testing.assert_array_equal(old, new.numpy())


def float32_loss(rgb: np.ndarray, layers: dict[str, float]) -> float:
    """The blog loss (border 0) of a picture, evaluated by the float32 network."""
    from pydream.engine.dream import DEFAULT_DREAMER, resolve_settings

    settings = resolve_settings(layers, None, {"weights": str(REAL_WEIGHTS), "border": 0})
    objective = DEFAULT_DREAMER.engine(settings).objective
    return float(objective(tf.constant(pydream.preprocess_image(rgb))))


@pytest.mark.slow
def test_bfloat16_dream_reaches_the_float32_loss(small_jellyfish):
    settings = dict(preset="jellyfish", weights=str(REAL_WEIGHTS), max_loss=None, seed=0)
    single = pydream.deep_dream(small_jellyfish, precision="float32", **settings)
    half = pydream.deep_dream(small_jellyfish, precision="bfloat16", **settings)
    layers = dict(pydream.presets["jellyfish"]["layers"])
    loss_single, loss_half = float32_loss(single, layers), float32_loss(half, layers)
    assert abs(loss_half - loss_single) / loss_single < 0.10, (loss_single, loss_half)
    original = float32_loss(np.asarray(Image.open(small_jellyfish).convert("RGB")), layers)
    assert loss_half > 2 * original  # it really dreamed


def test_bfloat16_inception_sees_the_image_in_float32():
    """The first two convolutions (and the layers up to the third) compute in float32, every
    later layer in bfloat16, with the weights still float32. Layers are taken by position:
    their names depend on the models built before in the session."""
    network = models.load_inference_model("inception_v3", str(REAL_WEIGHTS), "bfloat16")
    layers = network.layers[1:]
    convolutions = [i for i, layer in enumerate(layers) if isinstance(layer, keras.layers.Conv2D)]
    third = convolutions[2]
    assert third == 6  # conv, batch norm, activation, twice
    assert {layer.compute_dtype for layer in layers[:third]} == {"float32"}
    assert {layer.compute_dtype for layer in layers[third:]} == {"bfloat16"}
    assert {weight.dtype for weight in network.weights} == {"float32"}
    float32 = models.load_inference_model("inception_v3", str(REAL_WEIGHTS))
    assert {layer.compute_dtype for layer in float32.layers} == {"float32"}

"""Channels, classes, guides, masks, per-octave layers, smoother gradients and model objects,
each checked against a direct NumPy computation on tiny models with known weights."""

from __future__ import annotations

import dataclasses

import keras
import numpy as np
import pytest
from PIL import Image
from scipy import ndimage

import pydream
from pydream.engine.ascent import AscentEngine
from pydream.engine.dream import DEFAULT_DREAMER, Dreamer
from pydream.engine.features import FeatureObjective, build_terms, guide_loss
from pydream.engine.gradients import (
    gaussian_taps,
    laplacian_merge,
    laplacian_split,
    normalize_gradient,
    resize_mask,
    smooth_gradient,
)
from pydream.engine.octaves import reinject_lost_detail, resize_img
from pydream.nets import backend, models
from pydream.settings import DreamSettings, LayerKey, parse_layer_key

from .test_numerics import N, T, random_image


def tiny_settings(**values) -> DreamSettings:
    values.setdefault("layers", {"square": 1.0})
    values.setdefault("border", 0)
    return DreamSettings(model="tiny", weights=None, tile_size=None, **values)


def identity_classifier(weights: np.ndarray, bias: np.ndarray, name: str = "classifier"):
    """input -> identity 1x1 conv 'features' -> global mean 'avg_pool' -> softmax 'predictions'."""
    inputs = keras.Input(shape=(None, None, 3))
    features = keras.layers.Conv2D(3, 1, use_bias=False, name="features")(inputs)
    pooled = keras.layers.GlobalAveragePooling2D(name="avg_pool")(features)
    outputs = keras.layers.Dense(weights.shape[1], activation="softmax", name="predictions")(pooled)
    model = keras.Model(inputs, outputs, name=name)
    model.get_layer("features").set_weights([np.eye(3, dtype=np.float32).reshape(1, 1, 3, 3)])
    model.get_layer("predictions").set_weights([weights, bias])
    return model


# --- layer keys --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "parsed"),
    [
        ("mixed4", LayerKey("mixed4")),
        ("mixed4:97", LayerKey("mixed4", (97,))),
        ("mixed4:97,120", LayerKey("mixed4", (97, 120))),
        ("mixed4:0-3", LayerKey("mixed4", (0, 1, 2, 3))),
        ("mixed4: 5, 1-2", LayerKey("mixed4", (5, 1, 2))),
        ("predictions:207", LayerKey("predictions", (207,))),
    ],
)
def test_layer_keys_parse(key, parsed):
    assert parse_layer_key(key) == parsed


@pytest.mark.parametrize(
    ("key", "words"),
    [("mixed4:", "must look like"), ("mixed4:a", "must look like"), (":3", "no layer name"),
     ("mixed4:5-2", "runs backwards"), ("mixed4:-1", "must look like"), ("", "non-empty"),
     ("mixed4:²", "must look like"), ("mixed4:٣", "must look like"),
     ("mixed4:0-1000001", "beyond any network")],
)  # fmt: skip
def test_bad_layer_keys(key, words):
    with pytest.raises((ValueError, TypeError), match=words):
        parse_layer_key(key)


def test_the_widest_range_parses_without_repeats():
    # repeats are dropped in linear time: a quadratic scan never finished on this range
    indices = parse_layer_key("mixed4:0-1000000,5,0-3").indices
    assert len(indices) == 1_000_001 and indices[:3] == (0, 1, 2)


# --- channels ----------------------------------------------------------------------------------


def objective_for(layers, model="tiny", loss="l2", border=0):
    network = models.load_base_model(model, None)
    terms, dense = build_terms(layers, network)
    extractor = models.feature_extractor(
        network, tuple(term.layer for term in terms), frozenset(dense)
    )
    return FeatureObjective(
        extractor, terms, loss=loss, border=border, learning_phase=0, dense_layers=dense
    )


def test_channel_losses_equal_numpy(tiny_models):
    x = random_image((1, 10, 12, 3), 3)
    objective = objective_for({"square:1": 2.0, "double:0,2": 0.5}, border=1)
    inner = x[:, 1:-1, 1:-1, :]
    expected = 2.0 * np.sum(inner[..., 1] ** 2) / (10 * 12)
    expected += 0.5 * np.sum((2 * inner[..., [0, 2]]) ** 2) / (10 * 12 * 2)
    assert float(objective(T(x))) == pytest.approx(expected, rel=1e-5)
    mean = objective_for({"double:2": 1.0}, loss="mean")
    assert float(mean(T(x))) == pytest.approx(np.mean(2 * x[..., 2]), rel=1e-5)


def test_a_channel_dream_changes_only_that_channel(tiny_models):
    x = random_image((1, 16, 16, 3), 5)
    settings = tiny_settings(layers={"square:1": 1.0}, iterations=2, num_octave=1, max_loss=None)
    result, _ = DEFAULT_DREAMER.ascend(x, settings, np.random.default_rng(0))
    changed = np.abs(result - x).max(axis=(0, 1, 2))
    assert changed[1] > 0.01 and changed[0] == 0 and changed[2] == 0


def test_a_channel_past_the_last_says_how_many(tiny_models, photo):
    with pytest.raises(ValueError, match=r"channel 3 in 'square:3'.*has 3 channels \(0\.\.2\)"):
        pydream.deep_dream(photo, {"square:3": 1}, model="tiny", weights=None)


# --- classes -----------------------------------------------------------------------------------


def test_class_objective_is_the_pre_softmax_logit(tiny_models):
    rng = np.random.default_rng(1)
    weights = rng.normal(size=(3, 4)).astype(np.float32)
    bias = rng.normal(size=4).astype(np.float32)
    classifier = identity_classifier(weights, bias)
    x = random_image((1, 9, 11, 3), 2)
    objective = objective_for({"predictions:2": 1.5, "predictions:0,3": 1.0}, model=classifier)
    pooled = x.mean(axis=(1, 2))[0]
    logits = pooled @ weights + bias
    expected = 1.5 * logits[2] + np.mean(logits[[0, 3]])
    assert float(objective(T(x))) == pytest.approx(expected, rel=1e-5)


def test_class_dream_raises_the_class_logit(tiny_models):
    rng = np.random.default_rng(1)
    weights = rng.normal(size=(3, 4)).astype(np.float32)
    classifier = identity_classifier(weights, np.zeros(4, np.float32))
    picture = np.full((40, 40, 3), 128, np.uint8)
    dream = pydream.deep_dream(
        picture, {"predictions:1": 1.0}, model=classifier, num_octave=1, iterations=5, step=0.05
    )
    before = (picture / 127.5 - 1).mean(axis=(0, 1)) @ weights
    after = (dream / 127.5 - 1).mean(axis=(0, 1)) @ weights
    assert after[1] - before[1] > 0.1


def test_a_classification_layer_needs_classes(tiny_models):
    classifier = identity_classifier(np.ones((3, 4), np.float32), np.zeros(4, np.float32))
    with pytest.raises(ValueError, match=r"'predictions' is a classification layer.*0\.\.3"):
        pydream.deep_dream(np.zeros((40, 40, 3), np.uint8), {"predictions": 1}, model=classifier)
    with pytest.raises(ValueError, match=r"class 4 .* has 4 classes \(0\.\.3\)"):
        pydream.deep_dream(np.zeros((40, 40, 3), np.uint8), {"predictions:4": 1}, model=classifier)


def build_tiny_with_top(include_top=False, weights=None, classifier_activation="softmax"):
    """Registry-style builder: a 1x1 conv 'features', with a top fixed at 16 x 16 pixels."""
    shape = (16, 16, 3) if include_top else (None, None, 3)
    inputs = keras.Input(shape=shape)
    features = keras.layers.Conv2D(3, 1, name="features")(inputs)
    if not include_top:
        return keras.Model(inputs, features)
    pooled = keras.layers.GlobalAveragePooling2D(name="avg_pool")(features)
    logits = keras.layers.Dense(5, activation=classifier_activation, name="predictions")(pooled)
    return keras.Model(inputs, logits)


@pytest.fixture
def tiny_top_model(tiny_models, monkeypatch):
    monkeypatch.setitem(
        models.MODELS,
        "tiny_top",
        models.ModelSpec("tiny_top", build_tiny_with_top, "tf", 8, r"^features$"),
    )
    return "tiny_top"


def test_registry_models_grow_their_top_for_any_size(tiny_top_model, tmp_path):
    whole = build_tiny_with_top(include_top=True, classifier_activation=None)
    rng = np.random.default_rng(4)
    whole.set_weights([rng.normal(size=w.shape).astype(np.float32) for w in whole.get_weights()])
    path = tmp_path / "whole.weights.h5"
    whole.save_weights(path)
    network = models.load_base_model(tiny_top_model, str(path), "float32", True)
    x = random_image((1, 24, 30, 3), 6)  # not the top's 16 x 16
    kernel, bias, dense, dense_bias = whole.get_weights()
    features = np.einsum("bhwc,cd->bhwd", x, kernel[0, 0]) + bias
    logits = features.mean(axis=(1, 2))[0] @ dense + dense_bias
    np.testing.assert_allclose(N(network(x))[0], logits, rtol=1e-4, atol=1e-5)
    picture = ((x[0] + 1) * 127.5).astype(np.uint8)
    pydream.deep_dream(
        picture, {"predictions:3": 1}, model=tiny_top_model, weights=str(path), iterations=1
    )


def test_a_class_on_a_weights_file_without_top_says_so(tiny_top_model, tmp_path):
    path = tmp_path / "notop.weights.h5"
    build_tiny_with_top(include_top=False).save_weights(path)
    picture = np.zeros((32, 32, 3), np.uint8)
    with pytest.raises(ValueError, match="has no classification top"):
        pydream.deep_dream(picture, {"predictions:3": 1}, model=tiny_top_model, weights=str(path))
    dream = pydream.deep_dream(  # the same file still serves feature dreams
        picture, {"features": 1}, model=tiny_top_model, weights=str(path), iterations=1
    )
    assert dream.shape == picture.shape


def test_class_objectives_need_a_globally_pooled_top(tiny_models, monkeypatch):
    def flat_top(include_top=False, weights=None, classifier_activation=None):
        inputs = keras.Input(shape=(8, 8, 3) if include_top else (None, None, 3))
        features = keras.layers.Conv2D(2, 1, name="features")(inputs)
        if not include_top:
            return keras.Model(inputs, features)
        flat = keras.layers.Flatten(name="flatten")(features)
        return keras.Model(inputs, keras.layers.Dense(3, name="predictions")(flat))

    monkeypatch.setitem(
        models.MODELS, "tiny_flat", models.ModelSpec("tiny_flat", flat_top, "caffe", 8, ".")
    )
    with pytest.raises(ValueError, match="top pools globally"):
        pydream.deep_dream(
            np.zeros((32, 32, 3), np.uint8), {"predictions:1": 1}, model="tiny_flat", weights=None
        )


# --- guides ------------------------------------------------------------------------------------


def numpy_guide_loss(activation: np.ndarray, guide: np.ndarray, border: int) -> float:
    size = activation.size
    if border:
        activation = activation[:, border:-border, border:-border, :]
    positions = activation.reshape(-1, activation.shape[-1])
    best = guide[np.argmax(positions @ guide.T, axis=1)]
    return float(np.sum(positions * best) / size)


def test_guide_loss_and_gradient_equal_numpy():
    activation = random_image((1, 7, 8, 5), 1)
    guide = random_image((1, 4, 6, 5), 2).reshape(-1, 5)

    def loss_twice(tensor):
        value = guide_loss(tensor, T(guide), 1)
        return value, value

    value, gradient = backend.value_and_gradient(loss_twice, T(activation))
    assert float(value) == pytest.approx(numpy_guide_loss(activation, guide, 1), rel=1e-5)
    inner = activation[:, 1:-1, 1:-1, :].reshape(-1, 5)
    expected = np.zeros_like(activation)
    expected[:, 1:-1, 1:-1, :] = (
        guide[np.argmax(inner @ guide.T, axis=1)] / activation.size
    ).reshape(1, 5, 6, 5)
    np.testing.assert_allclose(N(gradient), expected, rtol=1e-5)


def test_a_guided_objective_matches_the_guide_features(tiny_models):
    x = random_image((1, 12, 12, 3), 8)
    guide_pixels = np.random.default_rng(9).integers(0, 256, (20, 16, 3)).astype(np.uint8)
    settings = tiny_settings(layers={"double:0,2": 2.0}, guide=guide_pixels, border=2)
    engine = DEFAULT_DREAMER.engine(settings)
    guides = DEFAULT_DREAMER.guide_features(settings)
    guide_activation = 2 * (guide_pixels / 127.5 - 1)[None][..., [0, 2]]
    np.testing.assert_allclose(N(guides[0]), guide_activation.reshape(-1, 2), atol=1e-6)
    loss, _ = engine.loss_and_gradient(x, guides)
    expected = 2.0 * numpy_guide_loss(2 * x[..., [0, 2]], guide_activation.reshape(-1, 2), 2)
    assert loss == pytest.approx(expected, rel=1e-5)


def test_guide_that_is_not_a_picture(tiny_models, photo, tmp_path):
    text = tmp_path / "notes.png"
    text.write_text("not a picture")
    with pytest.raises(ValueError, match=r"^guide: input image .*notes\.png is not a picture"):
        pydream.deep_dream(photo, {"square": 1}, model="tiny", weights=None, guide=text)
    with pytest.raises(TypeError, match="guide must be a file path"):
        pydream.deep_dream(photo, {"square": 1}, model="tiny", weights=None, guide=3.5)


# --- masks -------------------------------------------------------------------------------------


def test_a_masked_step_equals_numpy(tiny_models):
    x = random_image((1, 8, 10, 3), 4)
    mask = np.linspace(0, 1, 80, dtype=np.float32).reshape(1, 8, 10, 1)
    engine = DEFAULT_DREAMER.engine(tiny_settings(normalize="std"))
    updated, _ = engine.step(T(x), 0.1, (0, 0), T(mask))
    gradient = 2 * x / x.size  # d/dx sum(x**2)/n
    expected = x + 0.1 * gradient / (np.std(gradient) + 1e-8) * mask
    np.testing.assert_allclose(N(updated), expected, rtol=1e-5, atol=1e-6)


def test_black_mask_keeps_the_photo_through_octaves(tiny_models, photo):
    picture = np.asarray(Image.open(photo))
    mask = np.ones(picture.shape[:2], np.float32)
    mask[:, :60] = 0
    dream = pydream.deep_dream(
        photo, {"square": 1}, model="tiny", weights=None, num_octave=3, iterations=4,
        step=0.5, max_loss=None, mask=mask, jitter=3, seed=1,
    )  # fmt: skip
    change = np.abs(dream.astype(int) - picture.astype(int)).mean(axis=2)
    assert change[:, :50].max() <= 1 and change[:, 70:].mean() > 5


@pytest.mark.parametrize(
    ("mask", "expected"),
    [(np.array([[0, 255]], np.uint8), [0, 1]), (np.array([[0.0, 0.5]]), [0, 0.5]),
     (np.array([[0.0, 127.5]]), [0, 0.5]), (np.array([[0, 255]]), [0, 1])],
)  # fmt: skip
def test_mask_values_0_1_or_0_255(mask, expected):
    settings = tiny_settings(mask=mask)
    np.testing.assert_allclose(settings.mask.values[0], expected, rtol=1e-6)


def test_mask_from_a_grey_file_and_resized(tmp_path):
    path = tmp_path / "mask.png"
    Image.fromarray(np.tile(np.array([0, 255], np.uint8).repeat(10), (10, 1))).save(path)
    values = tiny_settings(mask=path).mask.values
    assert values.shape == (10, 20) and values[:, :10].max() == 0 and values[:, 10:].min() == 1
    resized = resize_mask(values, (5, 40))
    assert resized.shape == (1, 5, 40, 1)
    assert resized[0, :, :18, 0].max() == 0 and resized[0, :, 22:, 0].min() == 1


@pytest.mark.parametrize(
    ("mask", "words"),
    [(np.array([[0.0, 300.0]]), "from 0 to 1"), (np.array([[np.nan]]), "NaN"),
     (np.zeros((2, 2, 3)), r"H x W"), ("missing.png", "mask: input image not found"),
     (object(), "mask must be a file path")],
)  # fmt: skip
def test_bad_masks(mask, words):
    with pytest.raises((ValueError, TypeError, FileNotFoundError), match=words):
        tiny_settings(mask=mask)


# --- per-octave layers -------------------------------------------------------------------------


def test_per_octave_layers_run_each_mapping_at_its_octave(tiny_models, photo):
    schedule = [{"square": 1.0}, {"double:1": 1.0}]
    common = dict(model="tiny", weights=None, num_octave=3, iterations=2, step=0.2, max_loss=None)
    dream = pydream.deep_dream(photo, schedule, **common)
    # the same by hand: the first mapping at the smallest octave, the second repeated after it
    settings = DreamSettings(layers=schedule, tile_size=None, **common)
    original = models.get_spec("tiny").preprocess(np.asarray(Image.open(photo)))[None]
    shapes = pydream.octave_shapes((90, 120), 3, 1.4, 8)
    current, shrunk = original, resize_img(original, shapes[0])
    for octave, shape in enumerate(shapes):
        current = resize_img(current, shape)
        current, _ = Dreamer().ascend(
            current, settings.for_octave(octave, 3), np.random.default_rng(0)
        )
        current, shrunk = reinject_lost_detail(current, original, shrunk, shape)
    np.testing.assert_array_equal(dream, models.get_spec("tiny").deprocess(current[0]))
    single = pydream.deep_dream(photo, {"double:1": 1.0}, **common)
    assert not np.array_equal(dream, single)


def test_schedule_settings():
    settings = tiny_settings(layers=[{"square": 1}, {"double": 2}], num_octave=4)
    assert [dict(settings.octave_layers(i, 4)) for i in range(4)] == [
        {"square": 1.0}, {"double": 2.0}, {"double": 2.0}, {"double": 2.0},
    ]  # fmt: skip
    assert tiny_settings(layers=[{"square": 1}]).layers == {"square": 1.0}
    with pytest.raises(ValueError, match="3 per-octave mappings but the dream has only 2 octaves"):
        tiny_settings(layers=[{"square": 1}] * 3, num_octave=2)
    with pytest.raises(ValueError, match="empty list"):
        tiny_settings(layers=[])


# --- smoother gradients ------------------------------------------------------------------------


def numpy_blur(image: np.ndarray, taps: np.ndarray) -> np.ndarray:
    kernel = np.outer(taps, taps)[None, :, :, None]
    return ndimage.convolve(image.astype(np.float64), kernel, mode="constant", cval=0.0)


def numpy_laplacian(gradient: np.ndarray, levels: int) -> np.ndarray:
    taps = np.array([1, 4, 6, 4, 1], np.float64) / 16

    def up(low, like):
        spread = np.zeros_like(like, dtype=np.float64)
        spread[:, ::2, ::2, :] = low
        return 4 * numpy_blur(spread, taps)

    bands, current = [], gradient.astype(np.float64)
    for _ in range(levels - 1):
        low = numpy_blur(current, taps)[:, ::2, ::2, :]
        bands.append(current - up(low, current))
        current = low
    bands.append(current)
    bands = [band / max(band.std(), 1e-8) for band in bands]
    merged = bands[-1]
    for band in reversed(bands[:-1]):
        merged = up(merged, band) + band
    return merged / (merged.std() + 1e-8)


@pytest.mark.parametrize("levels", [1, 2, 4])
@pytest.mark.parametrize("shape", [(1, 16, 16, 3), (1, 13, 21, 3)])
def test_laplacian_normalisation_equals_numpy(levels, shape):
    gradient = random_image(shape, levels)
    result = N(normalize_gradient(T(gradient), "laplacian", levels))
    np.testing.assert_allclose(result, numpy_laplacian(gradient, levels), rtol=1e-4, atol=1e-5)


def test_laplacian_pyramid_recombines_exactly():
    image = random_image((1, 19, 14, 3), 3)
    bands = laplacian_split(T(image), 4)
    assert [tuple(band.shape[1:3]) for band in bands] == [(19, 14), (10, 7), (5, 4), (3, 2)]
    np.testing.assert_allclose(N(laplacian_merge(bands)), image, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("sigma", [0.7, 2.0, 6.0])
def test_smoothing_equals_a_normalised_gaussian_blur(sigma):
    gradient = random_image((1, 20, 24, 3), 5)
    taps = gaussian_taps(sigma).astype(np.float64)
    expected = numpy_blur(gradient, taps) / numpy_blur(np.ones_like(gradient[..., :1]), taps)
    result = N(smooth_gradient(T(gradient), sigma))
    np.testing.assert_allclose(result, expected, rtol=1e-4, atol=1e-6)
    assert len(taps) == 2 * int(3 * sigma + 0.5) + 1 and taps.sum() == pytest.approx(1)
    assert smooth_gradient(T(gradient), 0.0) is not None


def test_smoothing_and_laplacian_steps_follow_their_formulas(tiny_models):
    x = random_image((1, 12, 16, 3), 6)
    gradient = 2 * x / x.size
    for settings, transformed in (
        (tiny_settings(smoothing=1.5, normalize="std"), N(smooth_gradient(T(gradient), 1.5))),
        (tiny_settings(normalize="laplacian", lap_levels=3), None),
    ):
        engine = DEFAULT_DREAMER.engine(settings)
        updated, _ = engine.step(T(x), 0.1)
        if transformed is None:
            direction = numpy_laplacian(gradient, 3)
        else:
            direction = transformed / (np.std(transformed) + 1e-8)
        np.testing.assert_allclose(N(updated), x + 0.1 * direction, rtol=1e-4, atol=1e-5)


def test_continuity_in_gradient_ascent_follows_the_penalty(tiny_models):
    x = random_image((1, 6, 7, 3), 2).astype(np.float64)
    engine = DEFAULT_DREAMER.engine(tiny_settings(continuity=3.0, dream_l2=0.5))
    loss, gradient = engine.loss_and_gradient(x.astype(np.float32))
    assert loss == pytest.approx(np.sum(x**2) / x.size, rel=1e-5)  # the feature loss

    def total(image: np.ndarray) -> float:
        dy = image[:, :-1, :-1, :] - image[:, 1:, :-1, :]
        dx = image[:, :-1, :-1, :] - image[:, :-1, 1:, :]
        continuity = np.sum((dx**2 + dy**2) ** 1.25)
        return (np.sum(image**2) - 3.0 * continuity - 0.5 * np.sum(image**2)) / image.size

    for index in [(0, 0, 0, 0), (0, 2, 3, 1), (0, 5, 6, 2)]:
        bumped = [x.copy(), x.copy()]
        bumped[0][index] += 1e-4
        bumped[1][index] -= 1e-4
        numeric = (total(bumped[0]) - total(bumped[1])) / 2e-4
        assert gradient[index] == pytest.approx(numeric, rel=1e-3, abs=1e-7)


# --- model objects -----------------------------------------------------------------------------


def test_a_keras_model_dreams_and_lists_its_layers(tiny_models):
    model = identity_classifier(np.eye(3, 4, dtype=np.float32), np.zeros(4, np.float32), "mine")
    assert pydream.list_layers(model) == ["features", "avg_pool", "predictions"]
    picture = np.random.default_rng(0).integers(0, 256, (40, 48, 3)).astype(np.uint8)
    dream = pydream.deep_dream(picture, {"features": 1}, model=model, iterations=2, num_octave=1)
    assert dream.shape == picture.shape and not np.array_equal(dream, picture)
    with pytest.raises(ValueError, match="unknown layer 'mixed3' for mine; valid layers: features"):
        pydream.deep_dream(picture, {"mixed3": 1}, model=model)


@pytest.mark.parametrize("scheme", ["tf", "caffe", "torch"])
def test_preprocessing_schemes_round_trip(tiny_models, scheme):
    model = identity_classifier(np.eye(3, 4, dtype=np.float32), np.zeros(4, np.float32))
    spec = models.model_spec(model, scheme)
    pixels = np.random.default_rng(1).integers(0, 256, (5, 6, 3)).astype(np.uint8)
    np.testing.assert_array_equal(spec.deprocess(spec.preprocess(pixels)), pixels)
    if scheme == "torch":
        expected = (pixels / 255 - [0.485, 0.456, 0.406]) / [0.229, 0.224, 0.225]
        np.testing.assert_allclose(spec.preprocess(pixels), expected, rtol=1e-4)


def test_preprocess_functions(tiny_models):
    model = identity_classifier(np.eye(3, 4, dtype=np.float32), np.zeros(4, np.float32))
    picture = np.full((32, 32, 3), 100, np.uint8)
    dream = pydream.deep_dream(
        picture, {"features": 1}, model=model, iterations=0, num_octave=1,
        preprocess=lambda rgb: rgb / 255.0, deprocess=lambda x: x * 255.0,
    )  # fmt: skip
    np.testing.assert_array_equal(dream, picture)
    with pytest.raises(ValueError, match="give deprocess too"):
        pydream.deep_dream(picture, model=model, preprocess=lambda rgb: rgb)
    with pytest.raises(ValueError, match=r"for a keras\.Model"):
        pydream.deep_dream(picture, model="tiny", weights=None, preprocess="torch")
    with pytest.raises(ValueError, match="preprocess must be one of"):
        pydream.deep_dream(picture, model=model, preprocess="bgr")


def test_building_blocks_refuse_what_they_cannot_take(tiny_models):
    x = random_image((1, 16, 16, 3))
    with pytest.raises(TypeError, match=r"one layer mapping .* per-octave lists are for"):
        pydream.gradient_ascent(x, 1, 0.1, layers=[{"square": 1}], model="tiny", weights=None)
    with pytest.raises(TypeError, match=r"model must be a model name .* or a keras\.Model"):
        pydream.list_layers(3)


class NotAModel:
    name = "fake"


@pytest.mark.parametrize("model", [3, NotAModel(), ["vgg16"]])
def test_a_model_that_is_not_a_keras_model(model):
    with pytest.raises(TypeError, match=r"model must be a model name .* or a keras\.Model"):
        pydream.deep_dream(np.zeros((40, 40, 3), np.uint8), model=model)


def test_models_that_cannot_dream_say_why():
    fixed = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Conv2D(2, 1, name="c")])
    with pytest.raises(ValueError, match=r"takes only 32x32 images.*input_shape=\(None, None, 3\)"):
        pydream.deep_dream(np.zeros((40, 40, 3), np.uint8), {"c": 1}, model=fixed)

    class Subclassed(keras.Model):
        def call(self, x):
            return x

    with pytest.raises(TypeError, match="functional or Sequential"):
        pydream.deep_dream(np.zeros((40, 40, 3), np.uint8), {"c": 1}, model=Subclassed())


def test_png_metadata_names_the_new_settings(tiny_models, photo, tmp_path):
    import json

    out = tmp_path / "out.png"
    pydream.deep_dream(
        photo, [{"square:1": 1}, {"double": 1}], model="tiny", weights=None, iterations=1,
        num_octave=2, guide=photo, mask=np.ones((4, 4)), smoothing=1.0, output=out,
    )  # fmt: skip
    settings = json.loads(Image.open(out).text["pydream:settings"])
    assert settings["layers"] == [{"square:1": 1.0}, {"double": 1.0}]
    assert settings["guide"] == str(photo) and settings["mask"] == "<array 4x4>"
    assert settings["smoothing"] == 1.0


def test_engine_cache_tells_guided_from_plain(tiny_models):
    plain = tiny_settings()
    guided = dataclasses.replace(plain, guide=np.zeros((9, 9, 3), np.uint8))
    assert isinstance(DEFAULT_DREAMER.engine(guided), AscentEngine)
    assert DEFAULT_DREAMER.engine(plain) is not DEFAULT_DREAMER.engine(guided)

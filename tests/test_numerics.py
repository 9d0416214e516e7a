"""Each formula of the algorithm, checked on tiny models whose losses are known exactly."""

from __future__ import annotations

import dataclasses
import itertools

import keras
import numpy as np
import pytest

import pydream
from pydream.engine.ascent import AscentEngine, tile_edges
from pydream.engine.features import (
    FeatureObjective,
    continuity_loss,
    contribution_loss,
    image_l2,
    layer_loss,
    whole_layer_terms,
)
from pydream.engine.gradients import normalize_gradient
from pydream.nets import backend, models

T = backend.to_tensor
N = backend.to_numpy


def random_image(shape=(1, 12, 16, 3), seed=0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-1, 1, size=shape).astype(np.float32)


def square_objective(loss="l2", border=0, coefficients=(1.0,), layers=("square",)):
    base = models.load_base_model("tiny", None)
    extractor = models.feature_extractor(base, layers)
    terms = whole_layer_terms(layers, coefficients)
    return FeatureObjective(extractor, terms, loss=loss, border=border, learning_phase=0)


def test_l2_layer_loss_crops_border_but_divides_by_whole_size():
    activation = random_image((1, 10, 9, 4))
    expected = np.sum(activation[:, 2:-2, 2:-2, :] ** 2) / activation.size
    assert float(layer_loss(T(activation), "l2", 2)) == pytest.approx(expected, rel=1e-6)
    whole = np.sum(activation**2) / activation.size
    assert float(layer_loss(T(activation), "l2", 0)) == pytest.approx(whole, rel=1e-6)


def test_mean_layer_loss_is_the_mean_activation():
    activation = random_image((1, 5, 6, 2))
    assert float(layer_loss(T(activation), "mean", 3)) == pytest.approx(activation.mean(), rel=1e-5)


def test_contribution_loss_weights_each_layer():
    a, b = random_image((1, 4, 4, 2), 1), random_image((1, 3, 3, 5), 2)
    expected = 0.5 * np.mean(a**2) + 3.0 * np.mean(b**2)
    value = contribution_loss([T(a), T(b)], [0.5, 3.0], "l2", 0)
    assert float(value) == pytest.approx(expected, rel=1e-6)


def test_continuity_loss_matches_the_formula():
    x = random_image((1, 6, 7, 3))
    dy = x[:, :-1, :-1, :] - x[:, 1:, :-1, :]
    dx = x[:, :-1, :-1, :] - x[:, :-1, 1:, :]
    expected = np.sum((dx**2 + dy**2) ** 1.25)
    assert float(continuity_loss(T(x))) == pytest.approx(expected, rel=1e-5)
    assert float(image_l2(T(x))) == pytest.approx(np.sum(x**2), rel=1e-6)


def test_gradient_normalisations():
    g = random_image((1, 5, 5, 3), 4)
    mean_abs = N(normalize_gradient(T(g), "mean_abs"))
    np.testing.assert_allclose(mean_abs, g / np.mean(np.abs(g)), rtol=1e-5)
    std = N(normalize_gradient(T(g), "std"))
    np.testing.assert_allclose(std, g / (np.std(g) + 1e-8), rtol=1e-5)
    zero = N(normalize_gradient(T(np.zeros((1, 2, 2, 3), np.float32)), "mean_abs"))
    assert np.all(zero == 0) and np.all(np.isfinite(zero))


def test_feature_objective_on_tiny_model_is_exact(tiny_models):
    x = random_image()
    objective = square_objective(coefficients=(2.0, 0.5), layers=("square", "double"))
    expected = 2.0 * np.sum(x**2) / x.size + 0.5 * 4 * np.sum(x**2) / x.size
    assert float(objective(T(x))) == pytest.approx(expected, rel=1e-5)


def test_one_ascent_step_is_x_plus_step_times_normalised_gradient(tiny_models):
    x = random_image()
    engine = AscentEngine(square_objective(), normalize="mean_abs")
    updated, loss = engine.step(T(x), 0.1)
    gradient = 2 * x / x.size
    expected = x + 0.1 * gradient / np.mean(np.abs(gradient))
    np.testing.assert_allclose(N(updated), expected, rtol=1e-5, atol=1e-6)
    assert loss == pytest.approx(np.sum(x**2) / x.size, rel=1e-5)


def test_a_step_takes_a_numpy_image_on_every_backend(tiny_models):
    x = random_image()
    engine = AscentEngine(square_objective(), normalize="mean_abs")
    np.testing.assert_allclose(N(engine.step(x, 0.1)[0]), N(engine.step(T(x), 0.1)[0]))


def test_a_cpu_is_described_as_cpu_on_every_backend():
    from pydream.run import workers

    if workers.gpu_may_compute():
        pytest.skip("a GPU may compute here")
    assert backend.device_description() == "cpu"


def test_border_crop_leaves_the_edge_unchanged(tiny_models):
    x = random_image()
    engine = AscentEngine(square_objective(border=2), normalize="mean_abs")
    updated = N(engine.step(T(x), 0.5)[0])
    np.testing.assert_array_equal(updated[:, :2], x[:, :2])
    np.testing.assert_array_equal(updated[:, :, -2:], x[:, :, -2:])
    assert not np.allclose(updated[:, 2:-2, 2:-2], x[:, 2:-2, 2:-2])


def test_clip_keeps_the_image_in_range(tiny_models):
    x = random_image() * 0.99
    low, high = models.get_spec("tiny").input_range()
    engine = AscentEngine(square_objective(), normalize="std", clip_range=(low, high))
    updated = N(engine.step(T(x), 5.0)[0])
    assert updated.min() >= -1.0 and updated.max() <= 1.0
    assert np.sum(np.abs(updated) == 1.0) > 0


def test_jitter_roll_is_undone(tiny_models):
    # The square model is pointwise, so a rolled step must give the unrolled result.
    x = random_image()
    engine = AscentEngine(square_objective(), normalize="mean_abs")
    plain = N(engine.step(T(x), 0.1)[0])
    rolled = N(engine.step(T(x), 0.1, shift=(3, -5))[0])
    np.testing.assert_allclose(rolled, plain, rtol=1e-6)


def test_max_loss_stops_before_the_step(tiny_models):
    x = random_image()
    loss_at_x = np.sum(x**2) / x.size
    engine = AscentEngine(square_objective(), normalize="mean_abs")
    result, stopped = engine.run(x, iterations=5, step=0.1, max_loss=loss_at_x * 0.5)
    np.testing.assert_array_equal(result, x)
    assert not stopped
    losses = []
    engine.run(x, iterations=5, step=0.1, max_loss=None, on_step=lambda i, v: losses.append(v))
    assert len(losses) == 5 and all(b > a for a, b in itertools.pairwise(losses))
    # Between the first and the second step: exactly one step is applied.
    one, _ = engine.run(x, iterations=5, step=0.1, max_loss=(losses[0] + losses[1]) / 2)
    np.testing.assert_allclose(one, N(engine.step(T(x), 0.1)[0]), rtol=1e-6)


def test_callback_true_stops(tiny_models):
    x = random_image()
    engine = AscentEngine(square_objective(), normalize="mean_abs")
    seen = []
    _, stopped = engine.run(
        x, iterations=10, step=0.1, on_step=lambda i, v: seen.append(i) or i == 2
    )
    assert stopped and seen == [0, 1, 2]


@pytest.mark.parametrize(("length", "tile"), [(100, 30), (64, 64), (65, 64), (1000, 512), (7, 3)])
def test_tile_edges_cover_the_image_in_near_equal_tiles(length, tile):
    edges = tile_edges(length, tile)
    sizes = np.diff(edges)
    assert edges[0] == 0 and edges[-1] == length
    assert sizes.max() <= tile and sizes.max() - sizes.min() <= 1
    assert sizes.min() >= min(length, tile) / 2


def test_tiled_step_equals_whole_step_for_a_pointwise_model(tiny_models):
    x = random_image((1, 40, 60, 3))
    engine = AscentEngine(square_objective(), normalize="mean_abs")
    whole, whole_loss = engine.step(T(x), 0.1)
    tiled, tiled_loss = engine.tiled_step(T(x), 0.1, shift=(7, 11), tile_size=20)
    np.testing.assert_allclose(N(tiled), N(whole), rtol=1e-5, atol=1e-6)
    assert tiled_loss == pytest.approx(whole_loss, rel=1e-5)


def test_learning_phase_one_uses_batch_statistics_and_keeps_weights(tiny_models):
    base = models.load_base_model("tiny_bn", None)
    before = [N(w).copy() for w in base.weights]
    x = random_image((1, 16, 16, 3), 7)
    results = {}
    for phase in (0, 1):
        extractor = models.feature_extractor(base, ("bn",))
        terms = whole_layer_terms(("bn",), (1.0,))
        objective = FeatureObjective(extractor, terms, loss="mean", border=0, learning_phase=phase)
        engine = AscentEngine(objective, normalize="std")
        results[phase] = engine.run(x, iterations=3, step=0.1)[0]
        activation = N(objective.activations(T(x))[0])
        if phase == 1:  # batch norm over the image: each channel has mean beta (0.1)
            np.testing.assert_allclose(activation.mean(axis=(0, 1, 2)), 0.1, atol=1e-4)
    assert not np.allclose(results[0], results[1])
    for old, new in zip(before, base.weights, strict=False):
        np.testing.assert_array_equal(old, N(new))


def test_deep_dream_runs_octaves_smallest_first_and_reinjects(tiny_models, photo):
    # step 0: only resizing and reinjection run; the result stays close to the photo.
    from PIL import Image

    original = np.asarray(Image.open(photo).convert("RGB")).astype(int)
    shapes_seen = []
    result = pydream.deep_dream(
        photo, {"square": 1.0}, model="tiny", weights=None, step=0.0, iterations=2,
        num_octave=3, octave_scale=1.5, max_loss=None,
        callback=lambda octave, step, loss: shapes_seen.append(octave) and False,
    )  # fmt: skip
    assert result.shape == original.shape and result.dtype == np.uint8
    assert shapes_seen == [0, 0, 1, 1, 2, 2]
    assert np.abs(result.astype(int) - original).max() <= 1


def test_folding_batch_norm_keeps_outputs_and_names(tiny_models):
    from pydream.nets.folding import fold_batch_norm

    base = models.load_base_model("tiny_bn", None)
    folded = fold_batch_norm(base)
    x = random_image((1, 9, 11, 3), 3)
    np.testing.assert_allclose(N(folded(x)), N(base(x)), rtol=1e-5, atol=1e-5)
    assert [layer.name for layer in folded.layers[1:]] == [layer.name for layer in base.layers[1:]]
    assert folded.get_layer("bn").weights == [] and folded.get_layer("conv").use_bias
    assert not base.get_layer("conv").use_bias or base.get_layer("bn").weights
    unfoldable = models.load_base_model("tiny", None)
    assert fold_batch_norm(unfoldable) is unfoldable


def _three_convolutions() -> keras.Model:
    inputs = keras.Input(shape=(None, None, 3))
    x = keras.layers.Conv2D(4, 3, name="c1")(inputs)
    x = keras.layers.Activation("relu", name="r1")(x)
    x = keras.layers.Conv2D(4, 3, name="c2")(x)
    x = keras.layers.MaxPooling2D(name="p2")(x)
    x = keras.layers.Conv2D(4, 3, name="c3")(x)
    x = keras.layers.Activation("relu", name="r3")(x)
    return keras.Model(inputs, x)


def test_reduced_precision_keeps_the_first_convolutions_in_float32():
    model = _three_convolutions()
    assert models.layer_policies(model, "float32", 2) is None
    policies = models.layer_policies(model, "bfloat16", 2)
    assert policies is not None
    assert {name: policies[name] for name in ("c1", "r1", "c2", "p2", "c3", "r3")} == {
        "c1": "float32", "r1": "float32", "c2": "float32", "p2": "float32",
        "c3": "mixed_bfloat16", "r3": "mixed_bfloat16",
    }  # fmt: skip
    half = models.layer_policies(model, "float16", 0)
    assert half is not None and half["c1"] == "mixed_float16"


@pytest.mark.parametrize("precision", ["bfloat16", "float16"])
def test_a_network_whose_only_convolution_stays_float32_dreams_as_float32(
    tiny_models, photo, monkeypatch, precision
):
    """tiny_bn has one convolution: kept in float32, the whole network is float32; with none
    kept, it computes in the reduced precision and the dream moves (a little)."""
    common = {"layers": {"act": 1.0}, "model": "tiny_bn", "weights": None, "iterations": 3,
              "num_octave": 2, "max_loss": None}  # fmt: skip
    single = pydream.deep_dream(photo, precision="float32", **common)
    network = models.load_inference_model("tiny_bn", None, precision)
    assert {layer.compute_dtype for layer in network.layers[1:]} == {"float32"}
    np.testing.assert_array_equal(pydream.deep_dream(photo, precision=precision, **common), single)
    spec = models.MODELS["tiny_bn"]
    monkeypatch.setitem(models.MODELS, "tiny_bn", dataclasses.replace(spec, float32_convolutions=0))
    pydream.clear_caches()
    network = models.load_inference_model("tiny_bn", None, precision)
    assert network.get_layer("conv").compute_dtype == precision
    reduced = pydream.deep_dream(photo, precision=precision, **common)
    difference = np.abs(reduced.astype(int) - single.astype(int))
    assert 0 < difference.max() <= 16

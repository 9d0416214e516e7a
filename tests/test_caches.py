"""The caches: one reset for all, weak hold on a user's model, one build per network."""

from __future__ import annotations

import gc
import weakref

import keras
import numpy as np
import pytest

import pydream
from pydream.engine.cache import EngineCache
from pydream.engine.dream import DEFAULT_DREAMER
from pydream.nets import folding, models
from pydream.settings import DreamSettings

from .conftest import build_batchnorm_model, build_square_model


def _tiny_settings(**changes) -> DreamSettings:
    return DreamSettings(layers={"square": 1.0}, model="tiny", weights=None, **changes)


def test_a_users_model_is_not_kept_alive_by_any_cache(photo):
    model = build_batchnorm_model()
    dream = pydream.deep_dream(photo, {"act": 1.0}, model=model, iterations=2, num_octave=2,
                               max_loss=None, tile_size="auto")  # fmt: skip
    assert dream.shape == (90, 120, 3)
    engines = len(DEFAULT_DREAMER.cache)
    assert engines >= 1
    alive = weakref.ref(model)
    del model
    gc.collect()
    assert alive() is None
    assert len(DEFAULT_DREAMER.cache) == engines - 1  # its engine left with it


def test_a_users_model_is_reused_while_it_lives(photo):
    model = build_square_model()
    settings = DreamSettings(layers={"square": 1.0}, model=model)
    assert DEFAULT_DREAMER.engine(settings) is DEFAULT_DREAMER.engine(settings)
    assert models.load_inference_model(model, None) is models.load_inference_model(model, None)


def test_clear_caches_forgets_engines_and_networks(tiny_models):
    engine = DEFAULT_DREAMER.engine(_tiny_settings())
    network = models.load_inference_model("tiny", None)
    own = EngineCache(builder=lambda settings: object())  # type: ignore[arg-type,return-value]
    own.engine(_tiny_settings())
    assert len(own) == 1
    pydream.clear_caches()
    assert len(own) == 0 and len(DEFAULT_DREAMER.cache) == 0
    assert models.load_inference_model.cached("tiny", None) is None
    assert DEFAULT_DREAMER.engine(_tiny_settings()) is not engine
    assert models.load_inference_model("tiny", None) is not network


def test_the_engine_cache_keeps_the_most_recently_used(tiny_models):
    built = []

    def builder(settings):
        built.append(settings.step)
        return object()

    cache = EngineCache(max_engines=2, builder=builder)
    first = cache.engine(_tiny_settings(normalize="std"))
    cache.engine(_tiny_settings(normalize="mean_abs"))
    assert cache.engine(_tiny_settings(normalize="std")) is first  # used last: kept
    cache.engine(_tiny_settings(normalize="laplacian"))  # pushes "mean_abs" out
    assert len(cache) == 2 and len(built) == 3
    cache.engine(_tiny_settings(normalize="mean_abs"))
    assert len(built) == 4


@pytest.mark.parametrize("precision", ["float32", "bfloat16"])
def test_an_inference_network_is_built_once_and_folded_in_place(
    tiny_models, monkeypatch, precision
):
    builds = []
    original = models._build

    def counting(*arguments, **keywords):
        builds.append(arguments[0].name)
        return original(*arguments, **keywords)

    monkeypatch.setattr(models, "_build", counting)
    folded = models.load_inference_model("tiny_bn", None, precision)
    assert builds == ["tiny_bn"]
    assert isinstance(folded.get_layer("bn"), folding.FoldedBatchNorm)
    assert folded.get_layer("bn").weights == [] and folded.get_layer("conv").use_bias
    copy = folding.fold_batch_norm(
        build_batchnorm_model(), models.layer_policies(folded, precision, 1)
    )
    x = np.random.default_rng(5).uniform(-1, 1, (1, 9, 11, 3)).astype(np.float32)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(folded(x)),
                                  keras.ops.convert_to_numpy(copy(x)))  # fmt: skip
    assert [w.numpy().tobytes() for w in folded.weights] == [
        w.numpy().tobytes() for w in copy.weights
    ]

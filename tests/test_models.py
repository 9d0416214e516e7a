"""Model registry: every model builds, lists its layers and rejects bad names and weights."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import pydream
from pydream.nets import models


@pytest.mark.parametrize(
    ("model", "first", "minimum"),
    [("inception_v3", "mixed0", 75), ("vgg16", "block1_conv1", 32), ("vgg19", "block1_conv1", 32),
     ("xception", "block2_sepconv2_act", 71), ("resnet50", "conv2_block1_out", 32),
     ("mobilenet_v2", "block_2_add", 32), ("inception_resnet_v2", "mixed_5b", 75)],
)  # fmt: skip
def test_every_model_lists_its_block_layers(model, first, minimum):
    layers = pydream.list_layers(model)
    assert layers[0] == first and len(layers) >= 5
    assert set(layers) <= set(pydream.list_layers(model, all_layers=True))
    assert models.get_spec(model).min_size == minimum


def test_all_layers_leaves_out_the_input():
    everything = pydream.list_layers("inception_v3", all_layers=True)
    assert not any(name.startswith("input") for name in everything)
    assert everything[0].startswith("conv2d") and everything[-1] == "mixed10"


def test_inception_layers_are_mixed0_to_mixed10():
    assert pydream.list_layers() == [f"mixed{index}" for index in range(11)]


@pytest.mark.parametrize("model", list(models.MODELS))
def test_pre_and_deprocessing_round_trip(model):
    spec = models.get_spec(model)
    pixels = np.random.default_rng(1).integers(0, 256, (5, 7, 3)).astype(np.uint8)
    np.testing.assert_array_equal(spec.deprocess(spec.preprocess(pixels)), pixels)


def test_inception_preprocessing_is_x_over_127_5_minus_1():
    spec = models.get_spec("inception_v3")
    np.testing.assert_allclose(spec.preprocess(np.array([0, 127.5, 255])), [-1, 0, 1])


def test_vgg_preprocessing_is_caffe_bgr_minus_mean():
    spec = models.get_spec("vgg16")
    np.testing.assert_allclose(
        spec.preprocess(np.array([[10.0, 20.0, 30.0]])),
        [[30 - 103.939, 20 - 116.779, 10 - 123.68]],
        rtol=1e-5,
    )


def test_unknown_model_suggests_the_nearest():
    with pytest.raises(
        ValueError, match="unknown model 'inceptionv3' \\(did you mean 'inception_v3'"
    ):
        models.get_spec("inceptionv3")


def test_unknown_layers_are_all_named_with_suggestions():
    with pytest.raises(ValueError) as caught:
        pydream.deep_dream(
            np.zeros((80, 80, 3), np.uint8), {"mixed27": 1, "mixed3": 1, "mixd5": 2}, weights=None
        )
    message = str(caught.value)
    assert "'mixed27' (did you mean 'mixed2'?)" in message or "'mixed27' (did you mean" in message
    assert "'mixd5' (did you mean 'mixed5'?)" in message
    assert "valid layers: mixed0, mixed1" in message and "mixed10" in message
    assert "'mixed3'" not in message.split("valid layers")[0]


def test_weights_files_that_are_not_weights(tmp_path, monkeypatch):
    def builder(include_top: bool = False, weights: object = None):
        raise AssertionError("the network was built before its weights file was checked")

    spec = dataclasses.replace(models.MODELS["inception_v3"], builder=builder)
    monkeypatch.setitem(models.MODELS, "inception_v3", spec)
    text = tmp_path / "notes.weights.h5"
    text.write_text("not weights")
    with pytest.raises(ValueError, match="is not an HDF5 weights file"):
        models.load_base_model("inception_v3", str(text))
    with pytest.raises(FileNotFoundError, match="weights file not found"):
        models.load_base_model("inception_v3", str(tmp_path / "missing.weights.h5"))
    with pytest.raises(ValueError, match="is not a file"):
        models.load_base_model("inception_v3", str(tmp_path))
    (tmp_path / "weights.bin").write_bytes(b"\x89HDF\r\n\x1a\n")
    with pytest.raises(ValueError, match=r"must end in \.weights\.h5 or \.h5"):
        models.load_base_model("inception_v3", str(tmp_path / "weights.bin"))


def test_weights_file_for_another_model_says_it_does_not_fit(tmp_path):
    import keras

    other = keras.applications.MobileNetV2(include_top=False, weights=None, input_shape=(96, 96, 3))
    path = tmp_path / "mobilenet.weights.h5"
    other.save_weights(str(path))
    with pytest.raises(ValueError, match="does not fit vgg16"):
        models.load_base_model("vgg16", str(path))


def test_models_are_built_once(tiny_models):
    first = models.load_base_model("tiny", None)
    assert models.load_base_model("tiny", None) is first
    extractor = models.feature_extractor(first, ("square",))
    assert models.feature_extractor(first, ("square",)) is extractor

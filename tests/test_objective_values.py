"""Objective values (``pydream.objectives``): their algebra, their mapping face, and dreams
that are the same numbers as with the equivalent dict of layer keys."""

from __future__ import annotations

import dataclasses
import json
import pickle
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

import pydream
import pydream.objectives as o
from pydream.engine import features
from pydream.engine.dream import DEFAULT_DREAMER
from pydream.errors import SettingError
from pydream.nets import models
from pydream.settings import DreamSettings

from .conftest import IMAGES, REAL_WEIGHTS, needs_real_weights, require
from .test_numerics import T, random_image
from .test_objectives import identity_classifier, objective_for

# --- algebra -----------------------------------------------------------------------------------


def test_weights_add_subtract_and_scale():
    objective = o.layer("mixed4") * 2 + o.channel("mixed4", 97)
    assert dict(objective) == {"mixed4": 2.0, "mixed4:97": 1.0}
    assert list(objective) == ["mixed4", "mixed4:97"]  # the order terms were added in
    assert dict(objective - o.layer("mixed4") / 4) == {"mixed4": 1.75, "mixed4:97": 1.0}
    assert dict(-objective) == {"mixed4": -2.0, "mixed4:97": -1.0}
    assert dict(3 * objective) == dict(objective * 3) == {"mixed4": 6.0, "mixed4:97": 3.0}
    assert dict(objective / 4) == {"mixed4": 0.5, "mixed4:97": 0.25}
    assert dict(np.float32(0.5) * objective) == {"mixed4": 1.0, "mixed4:97": 0.5}
    assert +objective is objective


def test_equal_keys_merge_into_one_term_in_first_place():
    merged = o.channel("mixed4", 97) + o.layer("mixed3") + o.channel("mixed4", [97]) * 2
    assert dict(merged) == {"mixed4:97": 3.0, "mixed3": 1.0}
    assert [item.term for item in merged.terms] == [
        o.ChannelTerm("mixed4", (97,)),
        o.LayerTerm("mixed3"),
    ]
    assert dict(o.layer("mixed3") - o.layer("mixed3")) == {"mixed3": 0.0}  # kept, as in a dict
    assert dict(sum([o.layer("a"), o.layer("b"), o.layer("a")])) == {"a": 2.0, "b": 1.0}


def test_dicts_of_layer_keys_combine_on_either_side():
    assert dict({"mixed3": 1} + o.layer("mixed4")) == {"mixed3": 1.0, "mixed4": 1.0}
    assert dict(o.layer("mixed4") + {"mixed4": 0.5}) == {"mixed4": 1.5}
    assert dict({"mixed3": 1} - o.layer("mixed3") * 3) == {"mixed3": -2.0}


@pytest.mark.parametrize(
    ("channels", "key"),
    [(97, "mixed4:97"), ([97, 120], "mixed4:97,120"), (range(16), "mixed4:0-15"),
     ((5, 1, 2, 3, 9), "mixed4:5,1-3,9"), ([3, 3, 4], "mixed4:3,4"), (np.int64(7), "mixed4:7")],
)  # fmt: skip
def test_channel_keys_are_the_shortest_form_and_parse_back(channels, key):
    objective = o.channel("mixed4", channels)
    assert list(objective) == [key]
    (item,) = objective.terms
    assert o.term_from_key(item.term.key) == item.term
    assert o.as_objective({key: 1}) == objective


def test_class_logit_is_the_key_of_the_classification_layer():
    assert dict(o.class_logit(207)) == {"predictions:207": 1.0}
    assert o.class_logit([1, 2], layer="logits") == o.as_objective({"logits:1,2": 1})
    assert o.class_logit(207).terms == o.as_objective({"predictions:207": 1}).terms


def test_equality_and_hashing_follow_the_mapping():
    value = o.layer("mixed4") * 2 + o.channel("mixed4", 97)
    same = o.as_objective({"mixed4": 2, "mixed4:97": 1})
    assert value == same and hash(value) == hash(same)
    assert value == {"mixed4": 2.0, "mixed4:97": 1.0}
    assert value != o.layer("mixed4") * 2 and value != {"mixed4": 2.0}
    assert len({value, same, o.layer("mixed4")}) == 2
    assert pickle.loads(pickle.dumps(value)) == value
    assert pickle.loads(pickle.dumps(value)).terms == value.terms
    with pytest.raises(AttributeError, match="cannot be changed"):
        value._terms = ()  # type: ignore[misc]
    with pytest.raises(TypeError):
        value["mixed4"] = 3.0  # type: ignore[index]


def test_repr_is_code_for_an_equal_value_and_str_is_the_sum():
    value = o.layer("mixed4") * 2 - o.channel("mixed4", range(16)) + o.channel("a", [3, 7]) / 3
    assert repr(value) == (
        "2 * layer('mixed4') - channel('mixed4', range(16)) + "
        "0.3333333333333333 * channel('a', [3, 7])"
    )
    assert eval(repr(value), vars(o)) == value
    assert str(value) == "2 * mixed4 - 1 * mixed4:0-15 + 0.333333333333333 * a:3,7"
    assert str(o.layer("mixed4") * -0.5 + o.layer("b")) == "-0.5 * mixed4 + 1 * b"
    assert repr(o.Objective()) == "Objective()" and str(o.Objective()) == "0"


def test_building_an_objective_needs_no_keras():
    code = (
        "import sys, pydream.objectives as o; "
        "x = o.layer('mixed4') * 2 + o.channel('mixed4', 97) - o.class_logit(207) / 2; "
        "assert 'keras' not in sys.modules, 'keras was imported'; print(dict(x))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "{'mixed4': 2.0, 'mixed4:97': 1.0, 'predictions:207': -0.5}"


@pytest.mark.parametrize(
    ("make", "words"),
    [(lambda: o.layer("mixed4") * "x", r"scaled by a number with '\*', not by 'x'"),
     (lambda: "x" * o.layer("mixed4"), r"scaled by a number with '\*', not by 'x'"),
     (lambda: o.layer("a") * o.layer("b"), "scaled by a number"),
     (lambda: o.layer("a") * float("inf"), "must be a finite number"),
     (lambda: o.layer("a") * True, "scaled by a number"),
     (lambda: o.layer("a") + 1, "combined with another objective"),
     (lambda: o.layer("a") / 0, "divided by 0"),
     (lambda: 2 / o.layer("a"), "cannot be divided by an objective"),
     (lambda: o.channel("mixed4", -1), r"count from 0 \(the first channel is 0\), not -1"),
     (lambda: o.channel("mixed4", 1_000_001), "beyond any network"),
     (lambda: o.channel("mixed4", []), "at least one channel"),
     (lambda: o.channel("mixed4", 1.5), "whole numbers from 0, not 1.5"),
     (lambda: o.channel("mixed4", "97"), "a whole number or a list"),
     (lambda: o.channel("mixed4:97", 3), "is a layer key, not a layer name"),
     (lambda: o.layer(""), "non-empty name"),
     (lambda: o.class_logit(-3), r"the first class is 0"),
     (lambda: o.Objective([("mixed4", 1.0)]), "Term values")],
)  # fmt: skip
def test_bad_values_are_one_line_setting_errors(make, words):
    with pytest.raises(SettingError, match=words) as caught:
        make()
    assert "\n" not in str(caught.value) and caught.value.setting == "layers"
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, TypeError)


# --- the same settings as the dict ---------------------------------------------------------------


def tiny_settings(**values) -> DreamSettings:
    values.setdefault("border", 0)
    return DreamSettings(model="tiny", weights=None, tile_size=None, **values)


def test_value_and_dict_give_the_same_settings_and_engine_key():
    value = o.layer("double") * 2 + o.channel("square", 1)
    as_dict = {"double": 2, "square:1": 1}
    by_value, by_dict = tiny_settings(layers=value), tiny_settings(layers=as_dict)
    assert by_value == by_dict and hash(by_value) == hash(by_dict)
    assert isinstance(by_dict.layers, o.Objective) and by_dict.layers.terms == value.terms
    assert by_value.engine_key() == by_dict.engine_key()
    assert json.dumps(by_value.as_dict()["layers"]) == '{"double": 2.0, "square:1": 1.0}'
    assert pickle.loads(pickle.dumps(by_value)) == by_value


def test_per_octave_lists_mix_values_and_dicts():
    settings = tiny_settings(layers=[o.layer("square"), {"double": 2}], num_octave=2)
    assert settings.layers == (o.layer("square"), o.layer("double") * 2)
    assert all(isinstance(mapping, o.Objective) for mapping in settings.layers)
    assert (
        settings.for_octave(1, 2).engine_key()
        == tiny_settings(layers=o.layer("double") * 2, num_octave=2).engine_key()
    )
    with pytest.raises(ValueError, match=r"layers\[0\] is empty"):
        tiny_settings(layers=[o.Objective(), {"double": 1}], num_octave=2)


# --- the engine --------------------------------------------------------------------------------


def test_build_terms_resolves_each_kind_of_term(tiny_models):
    network = models.load_base_model("tiny", None)
    terms, dense = features.build_terms(
        o.layer("double") * 2 + o.channel("square", [2, 0]), network
    )
    assert terms == (
        features.Term("double", "double", None, 2.0, "features"),
        features.Term("square:2,0", "square", (2, 0), 1.0, "features"),
    )
    assert dense == {}
    assert features.build_terms({"double": 2, "square:2,0": 1}, network) == (terms, dense)


def test_a_new_kind_of_term_is_one_class_and_one_engine_function(tiny_models, monkeypatch):
    @dataclasses.dataclass(frozen=True)
    class LastChannel(o.Term):  # a stand-in for the next kinds of term
        kind = "last_channel"

        @property
        def key(self) -> str:
            return f"{self.layer}:last"

    def last_channel(term, coefficient, network):
        count = int(network.get_layer(term.layer).output.shape[-1])
        return features.Term(term.key, term.layer, (count - 1,), coefficient, "features")

    monkeypatch.setitem(features.TERM_BUILDERS, "last_channel", last_channel)
    x = random_image((1, 6, 7, 3), 4)
    objective = objective_for(o.Objective.of(LastChannel("square"), 3.0))
    assert float(objective(T(x))) == pytest.approx(3 * np.sum(x[..., 2] ** 2) / (6 * 7), rel=1e-5)
    monkeypatch.delitem(features.TERM_BUILDERS, "last_channel")
    with pytest.raises(TypeError, match="cannot score 'square:last' terms"):
        objective_for(o.Objective.of(LastChannel("square")))


def test_a_dream_of_the_value_is_the_dream_of_the_dict(tiny_models, photo):
    common = {"model": "tiny", "weights": None, "num_octave": 2, "iterations": 3,
              "border": 0, "max_loss": None, "jitter": 2, "seed": 3}  # fmt: skip
    value = o.layer("double") * 2 + o.channel("square", 1)
    by_dict = pydream.deep_dream(photo, {"double": 2, "square:1": 1}, **common)
    by_value = pydream.deep_dream(photo, value, **common)
    np.testing.assert_array_equal(by_value, by_dict)
    other = pydream.deep_dream(photo, o.layer("double") * 2 + o.channel("square", 0), **common)
    assert not np.array_equal(other, by_dict)  # the comparison can fail
    # the same cache entry: one engine for both
    engine = DEFAULT_DREAMER.engine(tiny_settings(layers={"double": 2, "square:1": 1}))
    assert DEFAULT_DREAMER.engine(tiny_settings(layers=value)) is engine


def test_a_class_logit_dream_is_the_dream_of_its_key(tiny_models):
    rng = np.random.default_rng(1)
    classifier = identity_classifier(rng.normal(size=(3, 4)).astype(np.float32), np.zeros(4))
    picture = np.full((40, 40, 3), 128, np.uint8)
    common = {"model": classifier, "num_octave": 1, "iterations": 4, "step": 0.05}
    by_key = pydream.deep_dream(picture, {"predictions:1": 1.0}, **common)
    by_value = pydream.deep_dream(picture, o.class_logit(1), **common)
    np.testing.assert_array_equal(by_value, by_key)
    assert not np.array_equal(by_key, picture)


# --- real weights ------------------------------------------------------------------------------


@needs_real_weights
@pytest.mark.real_weights
def test_real_weights_value_and_dict_dream_the_same_picture(tmp_path):
    source = IMAGES / "jellyfish.jpg"
    require(source.is_file(), f"example photo not found: {source}")
    crop = np.asarray(Image.open(source).convert("RGB"))[:160, :200]
    common = {"weights": str(REAL_WEIGHTS), "num_octave": 2, "iterations": 5, "seed": 0,
              "max_loss": None}  # fmt: skip
    by_dict = pydream.deep_dream(crop, {"mixed4": 2, "mixed4:97": 1}, **common)
    by_value = pydream.deep_dream(crop, o.layer("mixed4") * 2 + o.channel("mixed4", 97), **common)
    np.testing.assert_array_equal(by_value, by_dict)
    assert np.abs(by_dict.astype(int) - crop).mean() > 0.5  # it dreamed

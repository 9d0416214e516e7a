"""Settings validation, presets and the octave arithmetic (property tests)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pydream
from pydream.engine.dream import resolve_settings
from pydream.engine.octaves import octave_shapes, reinject_lost_detail, resize_img
from pydream.presets import describe_preset, preset_settings
from pydream.settings import Default, DreamSettings

LAYERS = {"mixed3": 1.0}


@pytest.mark.parametrize(
    ("name", "value", "error", "words"),
    [
        ("iterations", -1, ValueError, "iterations must be at least 0"),
        ("iterations", 2.5, ValueError, "iterations must be a whole number"),
        ("iterations", "3", TypeError, "iterations must be a whole number"),
        ("iterations", True, TypeError, "iterations"),
        ("step", float("nan"), ValueError, "step must be a finite number"),
        ("step", -0.1, ValueError, "step must be at least 0"),
        ("octave_scale", 0.9, ValueError, "octave_scale must be at least 1"),
        ("octave_scale", 1.0, ValueError, "octave_scale must be greater than 1"),
        ("num_octave", 0, ValueError, "num_octave must be at least 1"),
        ("max_loss", float("inf"), ValueError, "max_loss must be a finite number"),
        ("loss", "l1", ValueError, "loss must be one of"),
        ("normalize", "max", ValueError, "normalize must be one of"),
        ("precision", "float64", ValueError, "precision must be one of"),
        ("learning_phase", 2, ValueError, "learning_phase must be at most 1"),
        ("clip", 1, TypeError, "clip must be True or False"),
        ("weights", 3, TypeError, "weights must be"),
        ("tile_size", 0, ValueError, "tile_size must be at least 1"),
    ],
)
def test_bad_settings_name_the_setting(name, value, error, words):
    with pytest.raises(error, match=words):
        DreamSettings(layers=LAYERS, **{name: value})


@pytest.mark.parametrize(
    ("layers", "words"),
    [({}, "layers is empty"), ([("mixed3", 1)], r"layers\[0\] must be a dict"),
     ({"mixed3": "a lot"}, r"layers\['mixed3'\] must be a number"), ({3: 1.0}, "layer names")],
)  # fmt: skip
def test_bad_layer_dicts(layers, words):
    with pytest.raises((ValueError, TypeError), match=words):
        DreamSettings(layers=layers)


def test_whole_floats_and_numpy_numbers_are_accepted():
    chosen = DreamSettings(layers={"mixed3": np.float32(2)}, iterations=3.0, num_octave=np.int64(2))
    assert chosen.iterations == 3 and isinstance(chosen.iterations, int)
    assert chosen.num_octave == 2 and chosen.layers == {"mixed3": 2.0}


def test_preset_fills_unset_arguments_and_explicit_ones_win():
    chosen = resolve_settings(None, "jellyfish", {"step": Default(0.01), "iterations": 3})
    assert chosen.step == 0.025 and chosen.iterations == 3 and chosen.num_octave == 5
    assert chosen.layers == {"mixed2": 0.2, "mixed3": 0.8, "mixed4": 2, "mixed5": 4, "mixed6": 5}
    explicit = resolve_settings({"mixed7": 1.0}, "jellyfish", {"step": 0.01})
    assert explicit.step == 0.01 and explicit.layers == {"mixed7": 1.0}


def test_defaults_use_the_chollet_layers():
    chosen = resolve_settings(None, None, {})
    assert chosen.layers == dict(pydream.presets["chollet"]["layers"])
    assert chosen.step == 0.01 and chosen.max_loss == 15.0 and chosen.border == 2


def test_presets_are_the_documented_ones():
    assert set(pydream.presets) == {"jellyfish", "chollet", "tutorial", "acid", "doggos"}
    tutorial = preset_settings("tutorial")
    assert tutorial["loss"] == "mean" and tutorial["normalize"] == "std" and tutorial["clip"]
    assert tutorial["num_octave"] == 1 and tutorial["iterations"] == 100
    assert preset_settings("acid")["optimizer"] == "lbfgs"
    assert preset_settings("doggos")["model"] == "vgg16"
    for name in pydream.presets:
        DreamSettings(**preset_settings(name))  # every preset is valid
        assert describe_preset(name).startswith(name)
    with pytest.raises(ValueError, match="unknown preset 'dreamy'; presets are: jellyfish"):
        preset_settings("dreamy")


def test_presets_cannot_be_changed_by_accident():
    with pytest.raises(TypeError):
        pydream.presets["jellyfish"]["step"] = 1  # type: ignore[index]
    preset_settings("jellyfish")["layers"]["mixed2"] = 99
    assert pydream.presets["jellyfish"]["layers"]["mixed2"] == 0.2


@given(
    height=st.integers(1, 5000),
    width=st.integers(1, 5000),
    num_octave=st.integers(1, 12),
    scale=st.floats(1.01, 4.0),
    min_size=st.integers(1, 300),
)
@settings(max_examples=300, deadline=None)
def test_octave_shapes_properties(height, width, num_octave, scale, min_size):
    if min(height, width) < min_size:
        with pytest.raises(ValueError, match="use a larger image"):
            octave_shapes((height, width), num_octave, scale, min_size)
        return
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        shapes = octave_shapes((height, width), num_octave, scale, min_size)
    assert shapes[-1] == (height, width)
    assert 1 <= len(shapes) <= num_octave
    for index, shape in enumerate(reversed(shapes)):  # i = 0 is the full size
        assert shape == (int(height / scale**index), int(width / scale**index))
        assert min(shape) >= min_size
    for smaller, larger in itertools.pairwise(shapes):
        assert smaller[0] <= larger[0] and smaller[1] <= larger[1]
    if len(shapes) < num_octave:  # the next octave really would be too small
        nxt = len(shapes)
        assert min(int(height / scale**nxt), int(width / scale**nxt)) < min_size


def test_octave_shapes_warns_when_octaves_are_dropped():
    with pytest.warns(UserWarning, match="only 2 of 5 octaves fit"):
        assert octave_shapes((100, 150), 5, 1.4, 60) == [(71, 107), (100, 150)]


def test_octave_shapes_match_the_blog_example():
    assert octave_shapes((1714, 2560), 5, 1.4) == [
        (446, 666), (624, 932), (874, 1306), (1224, 1828), (1714, 2560),
    ]  # fmt: skip


@given(h=st.integers(2, 40), w=st.integers(2, 40), th=st.integers(2, 40), tw=st.integers(2, 40))
@settings(max_examples=40, deadline=None)
def test_reinjection_formula(h, w, th, tw):
    rng = np.random.default_rng(h * 100 + w)
    original = rng.uniform(-1, 1, (1, h, w, 3)).astype(np.float32)
    shrunk = rng.uniform(-1, 1, (1, max(1, h // 2), max(1, w // 2), 3)).astype(np.float32)
    dream = rng.uniform(-1, 1, (1, th, tw, 3)).astype(np.float32)
    result, new_shrunk = reinject_lost_detail(dream, original, shrunk, (th, tw))
    expected = dream + resize_img(original, (th, tw)) - resize_img(shrunk, (th, tw))
    np.testing.assert_allclose(result, expected, atol=1e-6)
    np.testing.assert_array_equal(new_shrunk, resize_img(original, (th, tw)))
    assert math.isclose(float(np.abs(resize_img(original, (h, w)) - original).max()), 0.0)

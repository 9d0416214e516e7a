"""Robustness transforms: exact shifts and rotations, repeatable draws, gradients through
each transform, and the names and ranges users write."""

from __future__ import annotations

import numpy as np
import pytest
from keras import ops

from pydream.errors import SettingError
from pydream.nets import backend
from pydream.visual import transforms as t


def picture(batch: int = 2, height: int = 9, width: int = 11) -> np.ndarray:
    return np.random.default_rng(0).uniform(0, 1, (batch, height, width, 3)).astype(np.float32)


def as_numpy(value) -> np.ndarray:
    return backend.to_numpy(value)


@pytest.mark.parametrize("offsets", [(0, 0), (3, 1), (4, 4)])
def test_a_shift_moves_pixels_by_exactly_its_offsets(offsets):
    images = picture()
    rows, columns = offsets
    expected = images[:, rows : rows + 9 - 4, columns : columns + 11 - 4]
    for given in (offsets, backend.to_tensor(np.array(offsets), "int32")):
        moved = as_numpy(t.shift(backend.to_tensor(images), given, 4))
        np.testing.assert_array_equal(moved, expected)


def test_pad_fills_with_grey_or_mirrors_the_border():
    images = picture()
    grey = as_numpy(t.pad(backend.to_tensor(images), 3))
    assert grey.shape == (2, 15, 17, 3)
    np.testing.assert_array_equal(grey[:, 3:-3, 3:-3], images)
    assert np.all(grey[:, :3] == 0.5) and np.all(grey[:, :, -3:] == 0.5)
    mirrored = as_numpy(t.pad(backend.to_tensor(images), 2, "reflect"))
    np.testing.assert_array_equal(mirrored[:, 2:-2, 2:-2], images)
    np.testing.assert_array_equal(mirrored[:, 0, 2:-2], images[:, 2])


def test_a_quarter_turn_is_numpys_rot90_and_scale_one_changes_nothing():
    images = picture(height=9, width=9)
    turned = as_numpy(t.rotate(backend.to_tensor(images), 90.0))
    np.testing.assert_allclose(turned, np.rot90(images, 1, axes=(1, 2)), atol=1e-5)
    same = as_numpy(t.scale(backend.to_tensor(images), 1.0))
    np.testing.assert_allclose(same, images, atol=1e-6)


def test_scale_two_magnifies_about_the_centre():
    images = np.zeros((1, 9, 9, 3), np.float32)
    images[0, 4, 4] = 1.0  # the centre pixel
    images[0, 4, 6] = 1.0  # two to its right: lands four to the right, as large again
    enlarged = as_numpy(t.scale(backend.to_tensor(images), 2.0))[0, ..., 0]
    assert enlarged[4, 4] == 1.0 and enlarged[4, 8] == 1.0
    assert enlarged[4, 7] == pytest.approx(0.5) and enlarged[4, 6] == pytest.approx(0.0)


def test_draws_are_repeatable_with_a_seed_and_differ_between_seeds():
    chain = t.parse_transforms("standard")
    images = backend.to_tensor(picture(height=40, width=40))
    first, again = as_numpy(chain(images, seed=3)), as_numpy(chain(images, seed=3))
    np.testing.assert_array_equal(first, again)
    assert first.shape == (2, 40 + 24 - 8 - 4, 40 + 24 - 8 - 4, 3)
    assert chain.output_size(40, 40) == first.shape[1:3]
    assert not np.array_equal(first, as_numpy(chain(images, seed=4)))
    draws = [chain.draw(np.random.default_rng(seed)) for seed in (5, 5)]
    np.testing.assert_array_equal(*draws)
    assert draws[0].shape == (chain.draws,) == (6,)


@pytest.mark.parametrize(
    "spec", ["pad:3", "pad:3:reflect", "shift:4", "scale:0.8..1.2", "rotate:-20..20", "standard"]
)
def test_the_gradient_flows_through_each_transform(spec):
    chain = t.parse_transforms(spec if spec == "standard" else [spec])
    values = backend.to_tensor(chain.draw(np.random.default_rng(1)))
    weights = backend.to_tensor(np.random.default_rng(2).normal(size=chain.output_size(24, 24)))

    def loss(images):
        out = chain.apply(images, values)
        value = ops.sum(ops.mean(out, axis=(0, 3)) * weights)
        return value, value

    _, gradient = backend.value_and_gradient(loss, backend.to_tensor(picture(1, 24, 24)))
    gradient = as_numpy(gradient)
    assert np.all(np.isfinite(gradient)) and np.abs(gradient).max() > 0
    assert np.count_nonzero(gradient) > 0.5 * gradient.size


def test_names_and_ranges_are_read_from_pairs_and_text():
    chain = t.parse_transforms(
        [("pad", 12), "shift:8", ("scale", [0.9, 1.0]), "rotate:-5..10", ("rotate", 3),
         "pad:2:reflect", "scale:0.9,1.1"]
    )  # fmt: skip
    pad, shift, scale, rotate, symmetric, mirror, choices = chain.transforms
    assert (pad.pixels, pad.mode, shift.pixels) == (12, "constant", 8)
    assert scale.choices == (0.9, 1.0) and (rotate.low, rotate.high) == (-5.0, 10.0)
    assert (symmetric.low, symmetric.high) == (-3.0, 3.0)
    assert mirror.mode == "reflect" and choices.choices == (0.9, 1.1)
    assert t.parse_transforms(None).transforms == ()
    assert t.parse_transforms("standard") == t.parse_transforms(list(t.STANDARD))


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ([("jitter", 8)], "unknown transform 'jitter'; transforms are: pad, shift, scale, rotate"),
        (["blur:3"], "unknown transform 'blur'"),
        ("lucid", "give 'standard', None or a list"),
        ([("pad", -1)], "pad's pixels must be at least 0"),
        ([("scale", (1.1, 0.9))], "scale's range runs backwards"),
        ([("scale", (0, 1))], "scale's factor must be at least"),
        (["scale:a..b"], "must give numbers"),
        ([("pad", 2, 3)], "each transform is (name, argument)"),
        ([("pad", (2, "wrap"))], "pad's mode must be one of"),
    ],
)
def test_a_bad_transform_is_a_one_line_setting_error(spec, message):
    with pytest.raises(SettingError) as caught:
        t.parse_transforms(spec)
    assert message in str(caught.value) and "\n" not in str(caught.value)
    assert caught.value.setting == "transforms"

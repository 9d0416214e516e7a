"""Parameterisations of a visualisation's picture: pixels and spectra both ways, colour
decorrelation, and the map to the network's input range."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from pydream.errors import SettingError
from pydream.nets import backend, models
from pydream.visual import parameterization as p

FLOAT64 = keras.backend.backend() == "tensorflow"  # JAX computes in float32 without x64


@pytest.mark.parametrize("param", ["fft", "pixel"])
@pytest.mark.parametrize("size", [(32, 48), (33, 31)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(("decorrelate", "squash"), [(True, "sigmoid"), (False, "clip")])
def test_a_picture_comes_back_from_its_variables(param, size, dtype, decorrelate, squash):
    if dtype == "float64" and not FLOAT64:
        pytest.skip(f"{keras.backend.backend()} computes these in float32 here")
    height, width = size
    rgb = np.random.default_rng(0).uniform(0.5, 254.5, (2, height, width, 3))
    options = {"param": param, "decorrelate": decorrelate, "squash": squash}
    values = p.image_to_param(rgb, dtype=dtype, fft_decay=0.7, **options)
    assert values.shape == p.ImageParam(height, width, param).shape(2)
    back = p.param_to_image(backend.to_tensor(values, dtype), width=width, fft_decay=0.7, **options)
    assert keras.backend.standardize_dtype(back.dtype) == dtype
    error = np.abs(backend.to_numpy(back) - rgb).max() / 255.0
    assert error <= 1e-5 if dtype == "float32" else error <= 1e-12


def test_the_inverse_fft_is_numpys():
    rng = np.random.default_rng(1)
    spectrum = rng.normal(size=(2, 3, 10, 6)) + 1j * rng.normal(size=(2, 3, 10, 6))
    for width in (10, 11):
        real, imag = (backend.to_tensor(part) for part in (spectrum.real, spectrum.imag))
        found = backend.to_numpy(p.irfft2(real, imag, width))
        np.testing.assert_allclose(found, np.fft.irfft2(spectrum, s=(10, width)), atol=1e-5)


def test_the_colour_root_and_its_inverse_give_the_identity():
    np.testing.assert_allclose(p.COLOR_SQRT @ p.COLOR_SQRT_INVERSE, np.eye(3), atol=1e-6)
    np.testing.assert_allclose(p.COLOR_SQRT_INVERSE @ p.COLOR_SQRT, np.eye(3), atol=1e-6)
    norms = np.linalg.norm(p.COLOR_SQRT, axis=0)
    assert norms.max() == pytest.approx(1.0) and norms[0] == norms.max()
    # the brightness column mixes the three channels alike
    np.testing.assert_allclose(p.COLOR_SQRT[:, 0], np.array([0.26, 0.27, 0.27]) / 0.4619, 1e-3)


def test_the_spectrum_falls_as_one_over_frequency_from_one_cycle_per_picture():
    scale = p.spectrum_scale(16, 32, 1.0)
    assert scale.shape == (16, 17)
    root = np.sqrt(16 * 32)
    assert scale[0, 0] == pytest.approx(root * 32)  # zero frequency: one cycle across 32 px
    assert scale[0, 1] == pytest.approx(root * 32)  # the lowest: 1/32 cycles per pixel
    assert scale[0, 16] == pytest.approx(root * 2)  # Nyquist: half a cycle per pixel
    assert scale[1, 0] == pytest.approx(root * 16)
    np.testing.assert_allclose(p.spectrum_scale(16, 32, 0.0), root)


def test_a_zero_variable_is_mid_grey_and_a_random_start_is_faint():
    param = p.ImageParam(24, 20)
    zero = backend.to_numpy(param.to_unit(backend.to_tensor(np.zeros(param.shape(1), "f"))))
    np.testing.assert_allclose(zero, 0.5)
    start = param.initial(3, np.random.default_rng(0))
    pixels = backend.to_numpy(param.to_pixels(backend.to_tensor(start)))
    assert pixels.shape == (3, 24, 20, 3) and 0.5 < pixels.std() < 20


def test_inception_sees_unit_rgb_as_minus_one_to_one_and_vgg_as_caffe_bgr():
    unit = np.random.default_rng(0).uniform(0, 1, (1, 4, 5, 3)).astype(np.float32)
    for name in ("inception_v3", "vgg16"):
        spec = models.MODELS[name]
        found = backend.to_numpy(p.network_input(backend.to_tensor(unit), spec))
        np.testing.assert_allclose(found, spec.preprocess(unit * 255.0), atol=1e-4)
    matrix, offset = p.input_affine(models.MODELS["inception_v3"])
    np.testing.assert_allclose(matrix, 2 * np.eye(3)) and np.testing.assert_allclose(offset, -1)


def test_a_preprocessing_that_is_not_affine_is_refused():
    import dataclasses

    spec = dataclasses.replace(
        models.MODELS["inception_v3"], preprocessing="custom",
        preprocess_function=lambda x: np.sqrt(x), deprocess_function=lambda x: x**2,
    )  # fmt: skip
    with pytest.raises(ValueError, match="affine"):
        p.input_affine(spec)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"fft_decay": -0.5}, "fft_decay must be at least 0.0"),
        ({"param": "cppn"}, "param must be one of 'pixel', 'fft'"),
        ({"decorrelate": 1}, "decorrelate must be True or False"),
        ({"squash": "tanh"}, "squash must be one of 'sigmoid', 'clip'"),
    ],
)
def test_bad_options_are_setting_errors(options, message):
    with pytest.raises(SettingError, match=message):
        p.ImageParam(8, 8, **options)


def test_a_picture_of_another_size_is_refused():
    with pytest.raises(ValueError, match="the picture is 9x8, the parameterisation 9x9"):
        p.ImageParam(9, 9).from_pixels(np.zeros((8, 9, 3)))

"""Whole dreams: presets, models, octave files, callbacks, seeds, interrupts."""

from __future__ import annotations

import numpy as np
import pytest

import pydream

from .conftest import needs_images


@pytest.mark.parametrize("name", list(pydream.presets))
def test_every_preset_runs(photo, name):
    small = (
        {"iterations": 1, "lbfgs_evaluations": 2}
        if pydream.presets[name].get("optimizer") == "lbfgs"
        else {"iterations": 2}
    )
    result = pydream.deep_dream(photo, preset=name, weights=None, num_octave=1, **small)
    assert result.shape == (90, 120, 3), name


@pytest.mark.parametrize("model", ["vgg16", "resnet50", "mobilenet_v2"])
def test_other_models_dream(model, photo):
    layer = pydream.list_layers(model)[2]
    result = pydream.deep_dream(
        photo, {layer: 1.0}, model=model, weights=None, iterations=2, num_octave=1
    )
    assert result.shape == (90, 120, 3)


def test_lbfgs_lowers_its_objective(tiny_models, photo):
    values = []
    pydream.deep_dream(
        photo,
        {"square": 1.0},
        model="tiny",
        weights=None,
        optimizer="lbfgs",
        iterations=3,
        num_octave=1,
        continuity=0.1,
        dream_l2=2.0,
        jitter=0,
        max_loss=None,
        callback=lambda o, s, v: values.append(v) and False,
    )
    assert len(values) == 3 and values[-1] <= values[0]


def test_lbfgs_noise_moves_the_dream_and_jitter_is_its_old_name(tiny_models, photo):
    def lbfgs(**noise):
        return pydream.deep_dream(
            photo, {"square": 1.0}, model="tiny", weights=None, optimizer="lbfgs",
            iterations=2, num_octave=1, lbfgs_evaluations=2, max_loss=None, seed=3, **noise,
        )  # fmt: skip

    quiet = lbfgs()
    noisy = lbfgs(lbfgs_noise=20.0)
    assert np.abs(noisy.astype(int) - quiet.astype(int)).max() > 0
    assert np.array_equal(lbfgs(lbfgs_noise=20.0), noisy)  # seeded
    with pytest.warns(FutureWarning, match="lbfgs_noise"):
        assert np.array_equal(lbfgs(jitter=20), noisy)


def test_save_octaves_writes_one_file_per_octave(tiny_models, photo, tmp_path):
    folder = tmp_path / "octaves"
    pydream.deep_dream(
        photo,
        {"square": 1},
        model="tiny",
        weights=None,
        iterations=1,
        num_octave=3,
        save_octaves=folder,
    )
    names = sorted(path.name for path in folder.iterdir())
    assert names == ["octave_1_61x45.png", "octave_2_85x64.png", "octave_3_120x90.png"]


def test_seeded_jitter_is_reproducible(tiny_models, photo):
    def run(seed):
        return pydream.deep_dream(
            photo, {"square": 1}, model="tiny", weights=None, iterations=3, jitter=4, seed=seed,
            border=1,
        )  # fmt: skip

    np.testing.assert_array_equal(run(5), run(5))


def test_callback_can_stop_and_the_result_is_full_size(tiny_models, photo):
    calls = []
    result = pydream.deep_dream(
        photo,
        {"square": 1},
        model="tiny",
        weights=None,
        iterations=5,
        num_octave=3,
        callback=lambda o, s, loss: calls.append((o, s)) or len(calls) == 2,
    )
    assert calls == [(0, 0), (0, 1)] and result.shape == (90, 120, 3)


def test_interrupt_during_a_run_writes_nothing(tiny_models, photo, tmp_path):
    def interrupt(octave, step, loss):
        raise KeyboardInterrupt

    out = tmp_path / "out.png"
    with pytest.raises(KeyboardInterrupt):
        pydream.deep_dream(
            photo, {"square": 1}, model="tiny", weights=None, output=out, callback=interrupt
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["photo.png"]


def test_too_small_images_and_tiles_are_refused(photo):
    with pytest.raises(ValueError, match="needs at least 75x75"):
        pydream.deep_dream(np.zeros((50, 200, 3), np.uint8), {"mixed3": 1}, weights=None)
    with pytest.raises(ValueError, match="tile_size must be at least 150"):
        pydream.deep_dream(photo, {"mixed3": 1}, weights=None, tile_size=100)


def test_tiled_dream_matches_size(photo):
    image = np.random.default_rng(0).integers(0, 256, (200, 330, 3)).astype(np.uint8)
    result = pydream.deep_dream(
        image, {"mixed2": 1}, weights=None, tile_size=160, iterations=2, num_octave=1, seed=0
    )
    assert result.shape == image.shape


def test_gradient_ascent_building_blocks(tiny_models, photo):
    x = pydream.preprocess_image(photo, model="tiny")
    assert x.shape == (1, 90, 120, 3) and x.min() >= -1 and x.max() <= 1
    after = pydream.gradient_ascent(x, 2, 0.05, layers={"square": 1}, model="tiny", weights=None)
    assert after.shape == x.shape and not np.allclose(after, x)
    smaller = pydream.resize_img(after, (45, 60))
    assert smaller.shape == (1, 45, 60, 3)
    pixels = pydream.deprocess_image(after, model="tiny")
    assert pixels.dtype == np.uint8 and pixels.shape == (90, 120, 3)
    with pytest.raises(ValueError, match=r"shape \(1, H, W, 3\)"):
        pydream.gradient_ascent(x[0], 1, 0.1, layers={"square": 1}, model="tiny", weights=None)


def test_public_surface():
    assert set(pydream.__all__) == {
        "DreamNotice", "DreamSettings", "Dreamer", "MemoryBudgetError", "__version__",
        "clear_caches", "deep_dream", "deprocess_image", "dream_batch", "dream_gallery",
        "dream_video", "dream_zoom", "errors", "example_image", "gradient_ascent", "list_layers",
        "objectives", "octave_shapes", "preprocess_image", "presets", "resize_img", "save_img",
        "visualize", "classify",
    }  # fmt: skip


@needs_images
def test_example_images_come_from_the_configured_folder():
    path = pydream.example_image("jellyfish")
    assert path.endswith("jellyfish.jpg")
    with pytest.raises(
        ValueError, match="unknown example 'kitten'; examples are: jellyfish, shanghai"
    ):
        pydream.example_image("kitten")

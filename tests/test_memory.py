"""The memory guard: estimates, automatic tiling, and the error when nothing fits."""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pytest

import pydream
from pydream.engine import memory
from pydream.engine.memory import GB, IMAGE_BYTES_PER_PIXEL, MemoryBudgetError, plan_memory

from .conftest import REAL_WEIGHTS, needs_real_weights


def test_available_memory_is_a_plausible_number_of_bytes():
    available = memory.available_memory()
    assert 64 * 1024**2 < available < 2**50
    assert memory.default_budget() == int(memory.DEFAULT_BUDGET_SHARE * available) or (
        abs(memory.default_budget() - memory.DEFAULT_BUDGET_SHARE * available) < 0.05 * available
    )


def test_plan_keeps_whole_image_steps_when_they_fit():
    plan = plan_memory((100, 200), 10.0, budget=10**9, min_tile=150)
    assert plan.tile_size is None
    assert plan.needed == plan.untiled == (IMAGE_BYTES_PER_PIXEL + 10) * 100 * 200


def test_plan_picks_the_largest_tile_that_fits():
    height, width, per_pixel = 4000, 6000, 1000.0
    images = IMAGE_BYTES_PER_PIXEL * height * width
    budget = images + int(per_pixel * 1000**2) + 5000  # room for a 1000-pixel tile, not 1032
    plan = plan_memory((height, width), per_pixel, budget, min_tile=150)
    assert plan.tile_size == 992  # 1000 rounded down to a multiple of 32
    assert plan.needed == images + int(per_pixel * 992**2) <= budget
    assert plan.untiled == int(images + per_pixel * height * width) > budget


def test_plan_never_tiles_below_the_minimum_and_says_the_numbers_when_nothing_fits():
    images = IMAGE_BYTES_PER_PIXEL * 3000 * 3000
    with pytest.raises(
        MemoryBudgetError, match=r"3000x3000 dream needs about 9.7 GB, .*even 150-pixel tiles need"
    ):
        plan_memory((3000, 3000), 1000.0, budget=images + 1000 * 149**2, min_tile=150)
    with pytest.raises(ValueError, match="cannot tile"):
        plan_memory((3000, 3000), 1000.0, budget=images + 10**6, min_tile=150, can_tile=False)
    with pytest.raises(MemoryBudgetError, match=r"too small to tile \(tiles are at least 150"):
        plan_memory((100, 140), 10**6, budget=10**9, min_tile=150)


def test_sizes_read_in_megabytes_below_a_gigabyte():
    assert memory.format_bytes(0.06 * GB) == "61 MB"
    assert memory.format_bytes(13.25 * GB) == "13.2 GB"


def test_a_long_narrow_picture_gets_tiles_by_area():
    """300 x 5000 does not fit whole, but 1024-pixel tiles (300 x 1000 each) do."""
    images = IMAGE_BYTES_PER_PIXEL * 300 * 5000
    plan = plan_memory((300, 5000), 10**3, budget=images + 10**3 * 1050**2, min_tile=16)
    assert plan.tile_size == 1024
    assert pydream.ascent.tile_edges(5000, plan.tile_size) == [0, 1000, 2000, 3000, 4000, 5000]


def test_activation_bytes_of_the_tiny_models(tiny_models, monkeypatch):
    """'square' is one 3-channel layer; 'double' adds another; tiny_bn has three 4-channel ones.

    float32 layers count 4 bytes an element, bfloat16 ones 2.
    """
    base = pydream.models.load_base_model("tiny", None)
    square = pydream.models.feature_extractor(base, ("square",))
    assert memory.activation_bytes_per_pixel(square) == 3 * 4
    double = pydream.models.feature_extractor(base, ("double",))
    assert memory.activation_bytes_per_pixel(double) == 6 * 4
    folded = pydream.models.load_inference_model("tiny_bn", None)
    act = pydream.models.feature_extractor(folded, ("act",))
    assert memory.activation_bytes_per_pixel(act) == 12 * 4
    # bfloat16 keeps tiny_bn's only convolution in float32: the same bytes
    mixed = pydream.models.load_inference_model("tiny_bn", None, "bfloat16")
    act = pydream.models.feature_extractor(mixed, ("act",))
    assert memory.activation_bytes_per_pixel(act) == 12 * 4
    spec = pydream.models.MODELS["tiny_bn"]
    monkeypatch.setitem(
        pydream.models.MODELS, "tiny_bn", dataclasses.replace(spec, float32_convolutions=0)
    )
    pydream.clear_caches()
    mixed = pydream.models.load_inference_model("tiny_bn", None, "bfloat16")
    act = pydream.models.feature_extractor(mixed, ("act",))
    assert memory.activation_bytes_per_pixel(act) == 12 * 2
    assert memory.network_bytes_per_pixel(24, 0) == 24 * memory.NETWORK_FACTOR[0]
    assert memory.network_bytes_per_pixel(24, 1) == 24 * memory.NETWORK_FACTOR[1]


def _budget_for_tile(side: int, shape: tuple[int, int]) -> float:
    """A budget in GB that fits ``side``-pixel tiles of the tiny 'double' model, not more."""
    per_pixel = memory.network_bytes_per_pixel(6 * 4, 0)
    return (IMAGE_BYTES_PER_PIXEL * shape[0] * shape[1] + per_pixel * (side + 8) ** 2) / GB


def test_auto_tiling_says_so_once_and_matches_explicit_tiles(tiny_models, photo):
    common = {"layers": {"double": 1.0}, "model": "tiny", "weights": None, "num_octave": 2,
              "iterations": 3, "border": 0, "max_loss": None, "seed": 4}  # fmt: skip
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        automatic = pydream.deep_dream(
            photo, memory_budget=_budget_for_tile(64, (90, 120)), **common
        )
    notices = [w for w in caught if issubclass(w.category, pydream.DreamNotice)]
    assert len(notices) == 1
    assert "120x90 dream" in str(notices[0].message)
    assert "tiles of at most 64 pixels" in str(notices[0].message)
    explicit = pydream.deep_dream(photo, tile_size=64, **common)
    np.testing.assert_array_equal(automatic, explicit)
    with warnings.catch_warnings():
        warnings.simplefilter("error", pydream.DreamNotice)
        untiled = pydream.deep_dream(photo, memory_budget=1.0, **common)
    np.testing.assert_array_equal(untiled, pydream.deep_dream(photo, tile_size=None, **common))


def test_a_budget_too_small_for_any_tile_stops_before_dreaming(tiny_models, photo, tmp_path):
    output = tmp_path / "out.png"
    with pytest.raises(
        MemoryBudgetError,
        match=r"more than the memory budget of 0 MB, and even 16-pixel tiles need 2 MB",
    ):
        pydream.deep_dream(photo, {"double": 1.0}, model="tiny", weights=None,
                           memory_budget=1e-6, output=output)  # fmt: skip
    assert not output.exists()
    with pytest.raises(ValueError, match="cannot tile"):
        pydream.deep_dream(photo, {"double": 1.0}, model="tiny", weights=None, optimizer="lbfgs",
                           memory_budget=1e-6)  # fmt: skip


def test_explicit_tiling_ignores_the_budget(tiny_models, photo):
    dream = pydream.deep_dream(photo, {"double": 1.0}, model="tiny", weights=None, iterations=1,
                               tile_size=None, memory_budget=1e-6)  # fmt: skip
    assert dream.shape == (90, 120, 3)


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [(0, ValueError, "memory_budget must be a positive"), (-2, ValueError, "positive"),
     (float("nan"), ValueError, "memory_budget must be a finite"),
     ("big", TypeError, "memory_budget must be a number"),
     ("huge", ValueError, "tile_size must be 'auto', None or a number")],
)  # fmt: skip
def test_bad_memory_settings_name_the_setting(value, error, message):
    name = "tile_size" if value == "huge" else "memory_budget"
    with pytest.raises(error, match=message):
        pydream.DreamSettings(layers={"mixed3": 1.0}, **{name: value})


@needs_real_weights
def test_a_50_megapixel_photo_tiles_within_a_24_gb_machines_budget():
    """The plan for 7000 x 7000 at default settings, with 60% of 24 GB as the budget."""
    settings = pydream.dream.resolve_settings(None, None, {"weights": str(REAL_WEIGHTS),
                                                           "memory_budget": 0.6 * 24})  # fmt: skip
    with pytest.warns(pydream.DreamNotice, match="7000x7000 dream needs about"):
        plan = pydream.dream.DEFAULT_DREAMER.memory_plan(settings, (7000, 7000))
    assert plan is not None and plan.tile_size is not None
    assert 1024 <= plan.tile_size < 7000 and plan.needed <= plan.budget < plan.untiled

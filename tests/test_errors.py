"""The typed errors: each case of bad input raises its class with its facts as fields, stays
the built-in exception callers caught before, pickles (workers send errors between
processes), and reaches R through the bridge with its class chain and fields."""

from __future__ import annotations

import errno
import importlib.util
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

import pydream
from pydream.engine.memory import plan_memory
from pydream.errors import (
    ImageError,
    ImageNotFoundError,
    LayerError,
    MemoryBudgetError,
    OutputError,
    OutputWriteError,
    PresetError,
    PydreamError,
    SettingError,
    WeightsError,
    WeightsNotFoundError,
)
from pydream.media import images
from pydream.media.images import check_output_path, load_image, load_mask
from pydream.nets import models
from pydream.presets import preset_settings

BRIDGE = (
    Path(__file__).resolve().parents[1] / "rpackage" / "inst" / "python" / "deepdream_bridge.py"
)


def _raised(function: Callable[[], Any]) -> PydreamError:
    with pytest.raises(PydreamError) as caught:
        function()
    return caught.value


def _assert_pickles(error: PydreamError) -> None:
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert str(copy) == str(error)
    assert copy.fields() == error.fields()


def test_missing_image(tmp_path):
    given = str(tmp_path / "no-such.png")
    error = _raised(lambda: load_image(given))
    assert type(error) is ImageNotFoundError
    assert isinstance(error, FileNotFoundError) and isinstance(error, ValueError)
    assert error.fields() == {"path": given, "role": "image"}
    assert str(error) == f"input image not found: {given}"
    _assert_pickles(error)


def test_mask_file_that_is_not_a_picture_keeps_the_path_as_given(tmp_path):
    mask = tmp_path / "None.png"
    mask.write_text("dear diary\n" * 20)
    error = _raised(lambda: load_mask(mask))
    assert type(error) is ImageError and isinstance(error, ValueError)
    assert error.fields() == {"path": str(mask), "role": "mask"}
    assert str(error).startswith(f"mask: input image {mask} is not a picture")
    _assert_pickles(error)


def test_guide_that_is_missing_keeps_its_class_and_takes_its_role(tmp_path):
    given = str(tmp_path / "gone.jpg")
    with pytest.raises(FileNotFoundError) as caught:
        pydream.deep_dream(
            np.zeros((32, 32, 3), np.uint8), {"mixed3": 1}, weights=None, guide=given
        )
    assert type(caught.value) is ImageNotFoundError
    assert caught.value.fields() == {"path": given, "role": "guide"}
    assert str(caught.value).startswith("guide: input image not found")


def test_truncated_file(tmp_path):
    full = tmp_path / "full.jpg"
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 256, (200, 200, 3)).astype(np.uint8)).save(full)
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(full.read_bytes()[:2000])
    error = _raised(lambda: load_image(cut))
    assert type(error) is ImageError and isinstance(error, ValueError)
    assert error.fields() == {"path": str(cut), "role": "image"}
    assert "is truncated or corrupt" in str(error)
    _assert_pickles(error)


def test_empty_file_and_bad_array(tmp_path):
    empty = tmp_path / "empty.png"
    empty.touch()
    error = _raised(lambda: load_image(empty))
    assert type(error) is ImageError and error.fields() == {"path": str(empty), "role": "image"}
    error = _raised(lambda: load_image(np.zeros((4, 4, 2), np.uint8)))
    assert type(error) is ImageError and error.fields() == {"path": None, "role": "image"}


def test_image_of_the_wrong_type_is_a_setting_error():
    error = _raised(lambda: load_mask({"a": 1}))
    assert type(error) is SettingError
    assert isinstance(error, TypeError) and isinstance(error, ValueError)
    assert error.fields() == {
        "setting": "mask",
        "value": "dict",
        "allowed": "a file path, a PIL.Image or an array of 0..1 or 0..255 values",
    }
    _assert_pickles(error)


def test_unknown_layer_has_suggestions(tiny_models):
    with pytest.raises(ValueError) as caught:
        pydream.deep_dream(
            np.zeros((32, 32, 3), np.uint8), {"sqare": 1}, model="tiny", weights=None
        )
    error = caught.value
    assert type(error) is LayerError and isinstance(error, TypeError)
    fields = error.fields()
    assert fields["setting"] == "layers"
    assert fields["value"] == fields["layer"] == "sqare"
    assert fields["model"] == "tiny"
    assert fields["suggestions"][0] == "square"
    assert "unknown layer 'sqare' (did you mean 'square'?) for tiny" in str(error)
    assert "all_layers=True" not in str(error)  # no Python spelling: R reads it too
    _assert_pickles(error)


def test_unknown_preset():
    with pytest.raises(ValueError, match="unknown preset 'dreamy'; presets are: jellyfish"):
        preset_settings("dreamy")
    error = _raised(lambda: preset_settings("dreamy"))
    assert type(error) is PresetError
    fields = error.fields()
    assert fields["setting"] == "preset" and fields["value"] == fields["preset"] == "dreamy"
    assert fields["presets"] == list(pydream.presets)
    _assert_pickles(error)


def test_weights_files(tmp_path):
    missing = str(tmp_path / "nope.weights.h5")
    error = _raised(lambda: models.check_weights_file(missing))
    assert type(error) is WeightsNotFoundError
    assert isinstance(error, FileNotFoundError) and isinstance(error, ValueError)
    assert error.fields() == {"path": missing}
    assert "None" not in str(error)  # no Python spelling of "no weights"
    _assert_pickles(error)
    text = tmp_path / "notes.weights.h5"
    text.write_text("not weights")
    error = _raised(lambda: models.check_weights_file(str(text)))
    assert type(error) is WeightsError and error.fields() == {"path": str(text)}


def test_memory_budget_that_cannot_fit():
    # 1000 x 1000 pixels: 160 MB of image buffers; 150-pixel tiles at 1000 bytes a pixel
    # add 22.5 MB, so the smallest plan needs 182.5 MB, far above a 1 MB budget.
    error = _raised(lambda: plan_memory((1000, 1000), 1000.0, 10**6, 150))
    assert type(error) is MemoryBudgetError
    assert isinstance(error, ValueError) and isinstance(error, MemoryError)
    assert error.fields() == {"needed": 182_500_000, "budget": 10**6}
    assert 'precision "bfloat16"' in str(error)
    _assert_pickles(error)
    # an optimiser that cannot tile needs the whole image: 160 MB + 1 GB of activations
    error = _raised(lambda: plan_memory((1000, 1000), 1000.0, 10**6, 150, can_tile=False))
    assert error.fields() == {"needed": 1_160_000_000, "budget": 10**6}


def test_outputs(tmp_path, photo):
    error = _raised(lambda: check_output_path(tmp_path / "x.xyz", None, False))
    assert type(error) is OutputError and error.fields() == {"path": str(tmp_path / "x.xyz")}
    error = _raised(lambda: check_output_path(str(photo), photo, False))
    assert type(error) is OutputError and error.fields() == {"path": str(photo)}
    assert "overwrite=True" not in str(error) and "--overwrite" not in str(error)
    _assert_pickles(error)
    error = _raised(lambda: check_output_path(42, None, False))
    assert type(error) is SettingError and isinstance(error, TypeError)


def test_failed_write_stays_an_os_error_with_its_errno(tmp_path, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(images.tempfile, "mkstemp", full)
    target = tmp_path / "dream.png"
    with pytest.raises(OSError) as caught:
        images.save_image(np.zeros((4, 4, 3), np.uint8), target)
    error = caught.value
    assert type(error) is OutputWriteError and isinstance(error, OutputError)
    assert error.errno == errno.ENOSPC and error.fields()["path"] == str(target)
    _assert_pickles(error)
    assert pickle.loads(pickle.dumps(error)).errno == errno.ENOSPC


@pytest.fixture(scope="module")
def bridge():
    spec = importlib.util.spec_from_file_location("deepdream_bridge_errors", BRIDGE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bridge_returns_class_chain_and_fields(bridge, tiny_models):
    image = np.zeros((32, 32, 3), np.uint8)
    result = bridge.call("deep_dream", [image, {"sqare": 1.0}], {"model": "tiny", "weights": None})
    assert result["ok"] is False and result["type"] == "LayerError"
    assert result["chain"] == ["LayerError", "SettingError", "PydreamError"]
    assert result["builtins"] == ["ValueError", "TypeError"]
    assert result["fields"]["layer"] == "sqare"
    assert result["fields"]["suggestions"][0] == "square"


def test_bridge_facts_of_other_errors(bridge):
    facts = bridge.error_facts(KeyError("x"))
    assert facts == {"chain": [], "builtins": ["KeyError", "LookupError"], "fields": {}}
    error = SettingError("bad", setting="step", value=object(), allowed=np.array([1, 2]))
    facts = bridge.error_facts(error)
    assert facts["fields"]["value"].startswith("<object object")  # not data: its repr
    assert facts["fields"]["allowed"]["values"] == [1, 2]  # arrays as to_r gives them

"""Contact sheets: entries, layout, labels, errors before any dream, one model for all."""

from __future__ import annotations

import numpy as np
import pytest

import pydream
from pydream.nets import models
from pydream.run.gallery import GAP, LABEL_HEIGHT, contact_sheet, default_columns, gallery_entries


def test_entries_from_layers_and_channel_ranges():
    assert gallery_entries("mixed3, mixed4", ["mixed5:0-2", "mixed6:7,9"]) == [
        "mixed3", "mixed4", "mixed5:0", "mixed5:1", "mixed5:2", "mixed6:7", "mixed6:9",
    ]  # fmt: skip
    assert gallery_entries(None, None) == []
    with pytest.raises(ValueError, match="names no channels"):
        gallery_entries(None, "mixed4")
    with pytest.raises(ValueError, match="too many"):
        gallery_entries(None, "mixed4:0-767")
    with pytest.raises(TypeError, match="list of layer keys"):
        gallery_entries([3], None)


def test_contact_sheet_layout():
    tiles = [np.full((10, 20, 3), value, np.uint8) for value in (50, 100, 150)]
    sheet = contact_sheet(tiles, ["a", "b", "c"], columns=2)
    cell = 10 + LABEL_HEIGHT
    assert sheet.shape == (2 * (cell + GAP) + GAP, 2 * (20 + GAP) + GAP, 3)
    assert np.all(sheet[GAP : GAP + 10, GAP : GAP + 20] == 50)
    assert np.all(sheet[GAP : GAP + 10, 2 * GAP + 20 : 2 * GAP + 40] == 100)
    second_row = 2 * GAP + cell
    assert np.all(sheet[second_row : second_row + 10, GAP : GAP + 20] == 150)
    label = sheet[GAP + 10 : GAP + cell, GAP : GAP + 20]
    assert label.max() > 200  # the label is drawn in light text
    assert [default_columns(n) for n in (1, 2, 4, 5, 10, 100)] == [1, 2, 2, 3, 4, 8]


def test_gallery_dreams_each_entry_with_one_model_build(tiny_models, photo, monkeypatch):
    builds = []
    original = models._build

    def counting_build(*args, **kwargs):
        builds.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(models, "_build", counting_build)
    sheet = pydream.dream_gallery(
        photo, ["square", "double:1"], model="tiny", weights=None, size=160, columns=3,
        iterations=2, step=0.2, max_loss=None, seed=0,
    )  # fmt: skip
    assert len(builds) == 1
    single = pydream.deep_dream(
        np.asarray(pydream.gallery.gallery_picture(photo, 160)), {"double:1": 1.0},
        model="tiny", weights=None, iterations=2, step=0.2, max_loss=None, seed=0, border=0,
    )  # fmt: skip
    height, width = single.shape[:2]
    third = sheet[GAP : GAP + height, 3 * GAP + 2 * width : 3 * GAP + 3 * width]
    np.testing.assert_array_equal(third, single)


def test_gallery_errors_come_before_any_dream(tiny_models, photo, tmp_path):
    out = tmp_path / "sheet.png"
    with pytest.raises(ValueError, match="unknown layer 'mixed3'"):
        pydream.dream_gallery(photo, ["square", "mixed3"], model="tiny", weights=None, output=out)
    with pytest.raises(ValueError, match="size must be at least 160"):
        pydream.dream_gallery(photo, ["square"], model="tiny", weights=None, size=20)
    with pytest.raises(TypeError, match="unknown settings: layers_, stepp"):
        pydream.dream_gallery(photo, model="tiny", stepp=1, layers_=None)
    assert not out.exists()


def test_a_sheet_without_the_photo(tiny_models, photo):
    common = dict(model="tiny", weights=None, size=160, columns=1, iterations=1, seed=0)
    with_photo = pydream.dream_gallery(photo, ["square"], **common)
    without = pydream.dream_gallery(photo, ["square"], photo=False, **common)
    tile = without.shape[0] - GAP
    assert with_photo.shape[0] == 2 * tile + GAP and without.shape[1] == with_photo.shape[1]
    np.testing.assert_array_equal(without[GAP:], with_photo[tile + GAP :])
    with pytest.raises(TypeError, match="photo must be True or False"):
        pydream.dream_gallery(photo, ["square"], photo="no", **common)

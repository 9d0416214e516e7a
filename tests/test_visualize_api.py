"""``pydream.visualize`` as users call it: what to draw (objective, layers, channels, count),
diversity across a batch, accentuation of a photo, sheets, and the ``pydream visualize``
command, on the tiny network."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

import pydream
from pydream.cli import main
from pydream.errors import SettingError
from pydream.objectives import diversity, layer, neuron
from pydream.visual.request import drawing_request
from pydream.visual.visualize import Scorer

from .conftest import REAL_WEIGHTS, needs_real_weights

TINY = {"model": "tiny", "weights": None, "size": 16, "seed": 0}
PIXELS = {"param": "pixel", "decorrelate": False, "transforms": None}


def gram_cosine(pictures: np.ndarray) -> float:
    """Cosine similarity of two pictures' Gram matrices over their RGB channels."""
    grams = []
    for picture in pictures.astype(np.float64) / 127.5 - 1:
        flat = picture.reshape(-1, 3)
        gram = flat.T @ flat
        grams.append(gram.ravel() / np.linalg.norm(gram))
    return float(grams[0] @ grams[1])


def test_what_to_draw_is_one_of_objective_layers_or_channels():
    with pytest.raises(SettingError, match=r"give what to draw as one of objective, layers or "
                       r"channels$"):  # fmt: skip
        drawing_request(None, None, None, 1)
    with pytest.raises(SettingError, match="not objective and channels"):
        drawing_request("square", None, "square:0-2", 1)
    request = drawing_request(None, None, "square:0-2", 2)
    assert request.labels == tuple(f"square:{c} #{k}" for c in range(3) for k in (1, 2))
    assert request.several and len(request.objectives) == 6
    single = drawing_request(layer("square") * 2, None, None, 1)
    assert not single.several and single.labels == ("square",)


def test_channels_make_an_atlas_and_count_repeats(tiny_models):
    atlas = pydream.visualize(channels="square:0-2", iterations=2, **TINY)
    assert atlas.shape == (3, 16, 16, 3) and atlas.dtype == np.uint8
    twice = pydream.visualize("square:1", count=2, iterations=2, **TINY)
    assert twice.shape == (2, 16, 16, 3) and not np.array_equal(twice[0], twice[1])


def test_diversity_scores_the_batch_as_numpy_does(tiny_models):
    scorer = Scorer(drawing_request(layer("square") + diversity("square", 0.5), None, None,
                                    2).objectives, "tiny", None)  # fmt: skip
    rng = np.random.default_rng(0)
    unit = rng.uniform(0, 1, (2, 5, 6, 3)).astype(np.float32)
    scores = np.asarray(scorer.scores(unit))
    features = unit.astype(np.float64) * 2 - 1  # 'square' is the input in -1..1
    grams = [f.reshape(-1, 3).T @ f.reshape(-1, 3) for f in features]
    rows = [g.ravel() / np.linalg.norm(g) for g in grams]
    spread = -2 * float(rows[0] @ rows[1]) / 2  # each pair twice, over the batch
    means = features.mean(axis=(1, 2, 3))
    np.testing.assert_allclose(scores, means + 0.5 * spread / 2, rtol=1e-5, atol=1e-6)


def test_diversity_makes_the_pictures_of_one_objective_differ(tiny_models):
    options = {**TINY, **PIXELS, "iterations": 30, "count": 2}
    alike = pydream.visualize("square", **options)
    apart = pydream.visualize(layer("square") + diversity("square", 20.0), **options)
    assert gram_cosine(apart) < gram_cosine(alike) - 0.01


def test_accentuation_starts_from_the_photo_and_stays_near_it(tiny_models):
    y, x = np.mgrid[0:24, 0:32]
    photo = np.stack([x * 7, y * 9, (x + y) * 4], axis=2).clip(20, 235).astype(np.uint8)
    options = {**TINY, "size": 32, "iterations": 20, "learning_rate": 0.1}
    start = pydream.visualize("square:0", image=photo, **{**options, "iterations": 0})
    assert np.abs(start.astype(int) - photo).max() <= 1  # the photo, through the spectrum
    near = pydream.visualize("square:0", image=photo, photo_weight=50.0, **options)
    free = pydream.visualize("square:0", image=photo, photo_weight=0.0, **options)
    assert near.shape == photo.shape
    near_change = np.abs(near.astype(int) - photo).mean()
    free_change = np.abs(free.astype(int) - photo).mean()
    assert free_change > 2 * near_change and free_change > 1


def test_every_objective_value_draws(tiny_models):
    picture = pydream.visualize(neuron("square", 2, x=3, y=4), iterations=3, **TINY)
    assert picture.shape == (16, 16, 3)


def test_the_command_draws_a_labelled_sheet(tiny_models, tmp_path, capsys):
    sheet = tmp_path / "atlas.png"
    code = main(["visualize", "--channels", "square:0-1", "-o", str(sheet), "--model", "tiny",
                 "--weights", "none", "--size", "16", "--iterations", "2", "--seed", "0",
                 "--param", "pixel", "--no-decorrelate", "--transforms", "none",
                 "--quiet"])  # fmt: skip
    assert code == 0
    with Image.open(sheet) as written:
        assert json.loads(written.info["pydream:settings"])["visualize"] == [
            "square:0",
            "square:1",
        ]
    python = pydream.visualize(channels="square:0-1", iterations=2, **TINY, **PIXELS)
    from pydream.run.gallery import GAP

    pixels = np.asarray(Image.open(sheet))
    np.testing.assert_array_equal(pixels[GAP : GAP + 16, GAP : GAP + 16], python[0])
    code = main(["visualize", "--layers", "square", "--fft-decay", "-1", "-o",
                 str(tmp_path / "x.png"), "--model", "tiny", "--weights", "none"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "fft_decay must be from 0 to 10" in err
    assert not (tmp_path / "x.png").exists()


@needs_real_weights
@pytest.mark.real_weights
def test_a_class_by_name_on_a_file_without_the_top_is_one_line():
    with pytest.raises(ValueError, match="no classification top") as raised:
        pydream.visualize("predictions:tabby", weights=str(REAL_WEIGHTS), size=128, iterations=1)
    assert "\n" not in str(raised.value)
    with pytest.raises(ValueError, match="did you mean 'tabby'"):
        pydream.visualize("predictions:tabbby", weights=str(REAL_WEIGHTS), size=128)


def test_a_callback_sees_every_step_and_can_stop(tiny_models):
    seen = []

    def stop_at_three(step, scores):
        seen.append((step, scores.shape))
        return step == 3

    stopped = pydream.visualize("square:0", iterations=8, callback=stop_at_three, **TINY)
    assert seen == [(1, (1,)), (2, (1,)), (3, (1,))]
    three = pydream.visualize("square:0", iterations=3, **TINY)
    np.testing.assert_array_equal(stopped, three)

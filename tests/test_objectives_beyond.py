"""Objective values beyond whole layers: a neuron, a direction, channels ranked on the
picture, all channels but some, classes by name, the diversity of a batch, and classifying
a picture; each checked against a direct NumPy computation on tiny models with hand-set
weights, and one real-weight dream."""

from __future__ import annotations

import warnings

import keras
import numpy as np
import pytest
from PIL import Image

import pydream
import pydream.objectives as o
from pydream import cli, imagenet
from pydream.engine import features
from pydream.engine.classify import classify
from pydream.engine.selection import mean_activation, resolve_picture_terms
from pydream.errors import DreamNotice, SettingError
from pydream.nets import backend
from pydream.settings import DreamSettings

from .conftest import IMAGES, REAL_WEIGHTS, needs_real_weights, require
from .test_numerics import N, T, random_image
from .test_objectives import objective_for

# Six channels of the picture x (in [-1, 1]): R, G, B, -R/2, R + G, 0.3 B, plus a bias.
KERNEL = np.array([[1, 0, 0, -0.5, 1, 0], [0, 1, 0, 0, 1, 0], [0, 0, 1, 0, 0, 0.3]], np.float32)
BIAS = np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0], np.float32)


def six_channels() -> keras.Model:
    """input -> 1x1 conv 'six' (KERNEL, BIAS) -> 2x2 average pooling 'pooled'."""
    inputs = keras.Input(shape=(None, None, 3))
    six = keras.layers.Conv2D(6, 1, name="six")(inputs)
    pooled = keras.layers.AveragePooling2D(2, name="pooled")(six)
    model = keras.Model(inputs, pooled, name="six_channels")
    model.get_layer("six").set_weights([KERNEL.reshape(1, 1, 3, 6), BIAS])
    return model


def value_and_gradient(loss, x: np.ndarray) -> tuple[float, np.ndarray]:
    value, gradient = backend.value_and_gradient(lambda t: (loss(t), loss(t)), T(x))
    return float(N(value)), N(gradient)


# --- keys and values ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "call"),
    [
        ("mixed4:97@3,5", "neuron('mixed4', 97, x=3, y=5)"),
        ("mixed4:97@c", "neuron('mixed4', 97)"),
        ("mixed4:97@3,c", "neuron('mixed4', 97, x=3)"),
        ("mixed4:strong10", "ranked_channels('mixed4', 'strong', 10)"),
        ("mixed4:weak3", "ranked_channels('mixed4', 'weak', 3)"),
        ("mixed4:avg10", "ranked_channels('mixed4', 'avg', 10)"),
        ("mixed4:~3,7", "channels_except('mixed4', [3, 7])"),
        ("mixed4:diversity", "diversity('mixed4')"),
    ],
)
def test_keys_parse_into_terms_and_back(key, call):
    term = o.term_from_key(key)
    assert term.key == key and term.call == call
    assert o.term_from_key(term.key) == term
    assert dict(eval(f"o.{call}")) == {key: 1.0}


def test_values_build_their_keys():
    assert dict(o.neuron("mixed4", 97)) == {"mixed4:97@c": 1.0}
    assert dict(o.neuron("mixed4", 97, x=3, y=5) * 2) == {"mixed4:97@3,5": 2.0}
    assert dict(o.diversity("mixed4", 0.5)) == {"mixed4:diversity": 0.5}
    assert dict(o.channels_except("mixed4", range(4))) == {"mixed4:~0-3": 1.0}
    direction = o.direction("mixed4", [1, 2, 3], cosine=True)
    (key,) = direction
    assert key.startswith("mixed4:cosine#")
    assert repr(direction) == "direction('mixed4', [1.0, 2.0, 3.0], cosine=True)"
    assert direction == o.direction("mixed4", (1.0, 2.0, 3.0), cosine=True)
    assert direction != o.direction("mixed4", [1, 2, 3])


@pytest.mark.parametrize(
    ("key", "words"),
    [
        ("mixed4:strong0", "chooses no channel: give a count from 1"),
        ("mixed4:97@3", "must end in @X,Y or @c"),
        ("mixed4:tabby", "names select ImageNet classes of 'predictions'"),
        ("predictions:tabbby", "no ImageNet class is named 'tabbby'; did you mean 'tabby'"),
        ("predictions:crane", "names the classes 134 .* and 517"),
        ("mixed4:direction#0123456789", "is a direction's label, not a key"),
    ],
)
def test_bad_keys_are_one_line(key, words):
    with pytest.raises(SettingError, match=words) as error:
        o.term_from_key(key)
    assert "\n" not in str(error.value)


def test_class_names_resolve_to_their_index():
    assert dict(o.as_objective({"predictions:tabby": 1})) == {"predictions:281": 1.0}
    assert dict(o.as_objective({"predictions:tabby cat": 1})) == {"predictions:281": 1.0}
    assert dict(o.as_objective({"predictions:Tabby_Cat,207": 1})) == {"predictions:281,207": 1.0}
    assert dict(o.class_logit("golden retriever")) == {"predictions:207": 1.0}
    assert dict(o.class_logit(["tench", 281])) == {"predictions:0,281": 1.0}
    assert imagenet.class_name(281) == "tabby" and imagenet.class_name(0) == "tench"
    assert imagenet.class_table()[281][0] == "n02123045"
    assert imagenet.class_table()[207] == ("n02099601", ("golden retriever",))
    assert len(imagenet.class_names()) == 1000
    with pytest.raises(SettingError, match="did you mean 'tabby'"):
        o.class_logit("tabbby")


def test_the_channels_neural_dream_ranks():
    means = [1.0, 0.0039, -1.0, -0.5, 1.0039, -0.3]  # ascending: 2, 3, 5, 1, 0, 4
    assert o.rank_channels(means, "strong", 2) == (4, 0)
    assert o.rank_channels(means, "weak", 2) == (2, 3)
    assert o.rank_channels(means, "avg", 2) == (3, 5)  # from (6 - 1) // 2 - 1 = 1
    assert o.rank_channels(means, "avg", 1) == (5,)  # from 2
    assert o.rank_channels(means, "avg", 3) == (3, 5, 1)  # from 1
    assert o.rank_channels([0.0, 0.0, 0.0], "strong", 2) == (2, 1)  # ties: the higher index


# --- losses and gradients ----------------------------------------------------------------------


def test_neuron_loss_and_gradient_equal_numpy():
    x = random_image((1, 9, 11, 3), 1)
    objective = objective_for({"six:4@7,2": 1.0, "six:5@c": 0.5}, model=six_channels())
    value, gradient = value_and_gradient(objective, x)
    activation = x @ KERNEL + BIAS
    assert value == pytest.approx(activation[0, 2, 7, 4] + 0.5 * activation[0, 4, 5, 5], abs=1e-6)
    expected = np.zeros_like(x)
    expected[0, 2, 7] += KERNEL[:, 4]
    expected[0, 4, 5] += 0.5 * KERNEL[:, 5]
    np.testing.assert_allclose(gradient, expected, atol=1e-6)


def numpy_direction(activation: np.ndarray, vector: np.ndarray, cosine: bool) -> float:
    dots = activation @ vector
    if not cosine:
        return float(dots.mean())
    norms = np.sqrt((activation**2).sum(-1) + features.COSINE_EPSILON) * np.linalg.norm(vector)
    return float((dots / norms).mean())


@pytest.mark.parametrize("cosine", [False, True])
def test_direction_loss_and_gradient_equal_numpy(cosine):
    activation = random_image((1, 5, 6, 4), 2).astype(np.float64)
    vector = np.array([0.5, -1.0, 2.0, 0.25])
    value, gradient = value_and_gradient(
        lambda a: features.direction_loss(a, tuple(vector), cosine), activation.astype(np.float32)
    )
    assert value == pytest.approx(numpy_direction(activation, vector, cosine), abs=1e-6)
    step = 1e-6  # central differences in float64
    expected = np.zeros_like(activation)
    for index in np.ndindex(activation.shape):
        up, down = activation.copy(), activation.copy()
        up[index] += step
        down[index] -= step
        high, low = numpy_direction(up, vector, cosine), numpy_direction(down, vector, cosine)
        expected[index] = (high - low) / (2 * step)
    np.testing.assert_allclose(gradient, expected, atol=1e-6)


def test_direction_through_a_network_and_from_a_picture(tiny_models):
    x = random_image((1, 8, 8, 3), 3)
    vector = [1.0, 0.0, -2.0, 0.5, 0.0, 1.0]
    objective = objective_for(o.direction("six", vector), model=six_channels())
    expected = float(np.mean((x @ KERNEL + BIAS) @ np.array(vector)))
    assert float(N(objective(T(x)))) == pytest.approx(expected, abs=1e-6)
    picture = np.zeros((20, 30, 3), np.uint8)
    picture[..., 0] = 255  # R = 1, G = B = -1
    means = mean_activation(picture, "six", model=six_channels())
    np.testing.assert_allclose(means, [1, -1, -1, -0.5, 0, -0.3], atol=1e-5)


def numpy_diversity(activations: np.ndarray) -> float:
    """-sum over i != j of cos(G_i, G_j) / N, G_i = F_i^T F_i."""
    count = activations.shape[0]
    flat = activations.reshape(count, -1, activations.shape[-1])
    grams = [f.T @ f for f in flat]
    grams = [g / np.sqrt(max((g**2).sum(), features.GRAM_EPSILON)) for g in grams]
    pairs = sum((grams[i] * grams[j]).sum() for i in range(count) for j in range(count) if i != j)
    return float(-pairs / count)


def test_diversity_loss_and_gradient_equal_numpy():
    activations = random_image((3, 4, 5, 3), 4).astype(np.float64)
    value, gradient = value_and_gradient(features.diversity_loss, activations.astype(np.float32))
    assert value == pytest.approx(numpy_diversity(activations), abs=1e-6)
    step = 1e-6
    expected = np.zeros_like(activations)
    for index in np.ndindex(activations.shape):
        up, down = activations.copy(), activations.copy()
        up[index] += step
        down[index] -= step
        expected[index] = (numpy_diversity(up) - numpy_diversity(down)) / (2 * step)
    np.testing.assert_allclose(gradient, expected, atol=1e-6)
    same = np.repeat(activations[:1], 3, axis=0)  # three equal pictures: -(3 * 2) / 3
    assert float(N(features.diversity_loss(T(same.astype(np.float32))))) == pytest.approx(-2)
    assert float(N(features.diversity_loss(T(activations[:1].astype(np.float32))))) == 0


# --- pictures: ranked channels, all but some, neurons in place --------------------------------


def coloured(width: int = 40, height: int = 32) -> np.ndarray:
    """A constant picture whose preprocessed values are R = 1, G = 0.0039, B = -1: channel
    means 1, 0.0039, -1, -0.5, 1.0039, -0.3 on layer 'six'."""
    picture = np.zeros((height, width, 3), np.uint8)
    picture[...] = (255, 128, 0)
    return picture


@pytest.mark.parametrize(
    ("key", "chosen"),
    [("six:strong2", "six:4,0"), ("six:weak2", "six:2,3"), ("six:avg2", "six:3,5")],
)
def test_ranked_channels_are_chosen_on_the_starting_picture(tiny_models, key, chosen):
    settings = DreamSettings(layers={key: 2.0, "pooled": 1.0}, model=six_channels(), weights=None)
    with pytest.warns(DreamNotice, match=rf"{key} chose channels {chosen[4:]} of six"):
        resolved = resolve_picture_terms(settings, coloured())
    assert dict(resolved.layers) == {chosen: 2.0, "pooled": 1.0}


def test_a_dream_reports_the_channels_it_chose_and_dreams_them(tiny_models):
    model = six_channels()
    picture = coloured()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        dream = pydream.deep_dream(
            picture, [{"six:weak1": 1}, {"six:strong1": 1}], model=model, num_octave=2,
            iterations=2, step=0.05, octave_scale=1.4,
        )  # fmt: skip
    notes = [str(w.message) for w in caught if issubclass(w.category, DreamNotice)]
    assert any("six:weak1 chose channels 2 of six" in note for note in notes)
    assert any("six:strong1 chose channels 4 of six" in note for note in notes)
    assert dream.shape == picture.shape and np.abs(dream.astype(int) - picture).max() > 0


def test_all_channels_but_some(tiny_models):
    x = random_image((1, 6, 7, 3), 5)
    model = six_channels()
    objective = objective_for({"six:~0,2": 1.0}, model=model)
    activation = x @ KERNEL + BIAS
    expected = np.sum(activation[..., [1, 3, 4, 5]] ** 2) / activation[..., :4].size
    assert float(N(objective(T(x)))) == pytest.approx(expected, rel=1e-5)
    with pytest.raises(SettingError, match=r"leaves out every channel of six"):
        objective_for({"six:~0-5": 1.0}, model=model)


def test_ranked_terms_without_a_picture_rank_each_step(tiny_models):
    x = np.broadcast_to(np.array([1.0, 0.0039, -1.0], np.float32), (1, 8, 8, 3)).copy()
    objective = objective_for({"six:strong2": 1.0}, model=six_channels())
    activation = x @ KERNEL + BIAS
    expected = np.sum(activation[..., [4, 0]] ** 2) / activation[..., :2].size
    assert float(N(objective(T(x)))) == pytest.approx(expected, rel=1e-5)


def test_bad_values_on_the_network_are_one_line(tiny_models):
    model = six_channels()
    picture = coloured()
    cases = [
        ({"six:strong7": 1}, r"'six:strong7' asks for 7 channels, but six has 6 channels"),
        ({"six:6@c": 1}, r"channel 6 in 'six:6@c' is past the last channel of six"),
        (o.direction("six", [1, 2, 3]), r"has 3 numbers, but six is 6 channels wide"),
        ({"six:1@40,3": 1}, r"outside the layer, which is 40 positions wide and 32 high"),
        ({"pooled:1@2,16": 1}, r"outside the layer, which is 20 positions wide and 16 high"),
    ]
    for layers, words in cases:
        with pytest.raises(SettingError, match=words) as error:
            pydream.deep_dream(picture, layers, model=model, num_octave=1, iterations=1)
        assert "\n" not in str(error.value)
    larger = coloured(80, 64)  # octaves 57 x 45 and 80 x 64: 'pooled' 28 and 40 wide
    with pytest.raises(SettingError, match=r"outside the layer, which is 28 positions wide"):
        pydream.deep_dream(
            larger, {"pooled:1@30,3": 1}, model=model, num_octave=2, octave_scale=1.4
        )
    pydream.deep_dream(  # only the larger octave dreams the neuron: it fits there
        larger, [{"six": 1}, {"pooled:1@30,3": 1}], model=model, num_octave=2,
        octave_scale=1.4, iterations=1,
    )  # fmt: skip


def test_deep_dream_takes_every_new_value(tiny_models):
    model = six_channels()
    picture = coloured(48, 44)
    objective = (
        o.neuron("six", 1, x=3, y=4) + o.direction("six", [1.0] * 6, cosine=True)
        + o.channels_except("six", [0]) + o.ranked_channels("pooled", "avg", 2)
        + o.diversity("six", 1.0)
    )  # fmt: skip
    for layers in (objective, dict(o.neuron("six", 2)), [{"six:~1": 1}, {"six:5@c": 1}]):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DreamNotice)
            dream = pydream.deep_dream(
                picture, layers, model=model, num_octave=2, iterations=1, octave_scale=1.2
            )
        assert dream.shape == picture.shape


# --- classifying -------------------------------------------------------------------------------


def tiny_classifier(classes: int) -> keras.Model:
    """input -> identity 1x1 conv -> global mean 'avg_pool' -> dense 'predictions' (softmax),
    with logits = 3 * mean(R) for class 1, 3 * mean(G) for class 2, 1 for class 0, 0 else."""
    inputs = keras.Input(shape=(None, None, 3))
    conv = keras.layers.Conv2D(3, 1, use_bias=False, name="features")(inputs)
    pooled = keras.layers.GlobalAveragePooling2D(name="avg_pool")(conv)
    outputs = keras.layers.Dense(classes, activation="softmax", name="predictions")(pooled)
    model = keras.Model(inputs, outputs, name=f"classifier_{classes}")
    model.get_layer("features").set_weights([np.eye(3, dtype=np.float32).reshape(1, 1, 3, 3)])
    kernel = np.zeros((3, classes), np.float32)
    kernel[0, 1], kernel[1, 2] = 3.0, 3.0
    bias = np.zeros(classes, np.float32)
    bias[0] = 1.0
    model.get_layer("predictions").set_weights([kernel, bias])
    return model


def test_classify_gives_the_softmax_of_the_logits_with_names(tiny_models):
    picture = np.zeros((30, 30, 3), np.uint8)
    picture[..., 0] = 255  # R = 1, G = B = -1: logits 1, 3, -3, 0, ...
    found = classify(picture, top=3, model=tiny_classifier(1000), size=16)
    logits = np.zeros(1000)
    logits[:3] = [1, 3, -3]
    probabilities = np.exp(logits) / np.exp(logits).sum()
    assert [(index, name) for index, name, _ in found] == [
        (1, "goldfish"), (0, "tench"), (3, "tiger shark"),
    ]  # fmt: skip
    np.testing.assert_allclose([p for *_, p in found], probabilities[[1, 0, 3]], rtol=1e-6)
    few = classify(picture, top=9, model=tiny_classifier(4), size=16)
    assert [name for _, name, _ in few] == ["class 1", "class 0", "class 3", "class 2"]


def test_classify_on_the_command_line(tiny_models, monkeypatch, capsys, tmp_path):
    import pydream.engine.classify as module

    photo = tmp_path / "red.png"
    red = np.zeros((30, 30, 3), np.uint8)
    red[..., 0] = 255
    Image.fromarray(red).save(photo)

    model = tiny_classifier(1000)
    monkeypatch.setattr(module, "load_inference_model", lambda *args: model)
    assert cli.main(["classify", str(photo), "--top", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and lines[0].split()[1:] == ["1", "goldfish"]
    assert cli.main(["classify", str(photo), "--top", "0"]) == 2
    assert "top" in capsys.readouterr().err


def test_a_class_or_classify_on_a_file_without_the_top(capsys):
    require(REAL_WEIGHTS.is_file(), f"real weights not found: {REAL_WEIGHTS}")
    require((IMAGES / "jellyfish.jpg").is_file(), "the jellyfish photo is missing")
    status = cli.main(["classify", str(IMAGES / "jellyfish.jpg"), "--weights", str(REAL_WEIGHTS)])
    error = capsys.readouterr().err.strip()
    assert status == 2 and "\n" not in error
    assert "has no classification top" in error
    with pytest.raises(ValueError, match="has no classification top"):
        pydream.deep_dream(
            np.zeros((80, 80, 3), np.uint8), {"predictions:tabby": 1}, weights=str(REAL_WEIGHTS)
        )


# --- real weights ------------------------------------------------------------------------------


@needs_real_weights
def test_a_real_dream_of_the_strongest_channels_says_which(tmp_path):
    from .conftest import shrunk_jellyfish

    path = shrunk_jellyfish(tmp_path, 150)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        dream = pydream.deep_dream(
            path, {"mixed4:strong4": 1.0}, weights=str(REAL_WEIGHTS), num_octave=1,
            iterations=5, step=0.02, max_loss=None, border=0, output=tmp_path / "dream.png",
        )  # fmt: skip
    notes = [str(w.message) for w in caught if "chose channels" in str(w.message)]
    assert len(notes) == 1, notes
    chosen = notes[0].split("chose channels ")[1].split(" ")[0]
    indices = [int(each) for each in chosen.split(",")]
    assert len(indices) == 4 and all(0 <= each < 768 for each in indices)
    means = mean_activation(path, "mixed4", weights=str(REAL_WEIGHTS))
    assert sorted(indices) == sorted(np.argsort(-means)[:4].tolist())
    photo = np.asarray(pydream.media.images.load_image(path).rgb, np.float32)
    assert np.abs(dream - photo).mean() > 1

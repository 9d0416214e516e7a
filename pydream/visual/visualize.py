"""``visualize``: a picture optimised from faint noise until the network's chosen units
respond to it strongly ("what the network sees", as lucid and lucent draw it).

Each step builds the picture from its variables (``parameterization``), moves it by the
chain's random transforms (``transforms``), maps it to the network's input range, scores it
with the engine's terms (``pydream.engine.features``: whole layers, channels, class logits)
and moves the variables by one Adam step up the score's gradient. Several objectives are one
batch: picture ``i`` is scored by objective ``i`` alone, so an atlas of channels costs one
optimisation.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from keras import ops
from tqdm.auto import tqdm

from .. import objectives as objective_values
from ..checks import check_flag, check_int, check_model, check_weights
from ..engine.features import FeatureObjective, Term, build_terms, diversity_loss
from ..errors import SettingError
from ..media.images import check_output_path
from ..nets import backend
from ..nets.models import (
    ModelSpec,
    check_layer_names,
    feature_extractor,
    get_spec,
    load_inference_model,
    needs_top,
)
from ..settings import VISUAL_SETTINGS
from .parameterization import ImageParam, network_input
from .request import drawing_request, start_photo, write_sheet
from .transforms import TransformChain, parse_transforms

Tensor = Any
"""A tensor of the Keras backend."""

StepCallback = Callable[[int, np.ndarray], Any]
"""``callback(step, scores)`` of ``visualize``: returning true stops it."""

LEARNING_RATE = 0.05
"""Adam's step, lucid's choice for these parameterisations."""
ADAM_BETAS = (0.9, 0.999)
ADAM_EPSILON = 1e-8
START_SCALE = 0.1
"""The random start's standard deviation (variables, either parameterisation): faint noise,
about 7 levels of 0..255 around grey. Lucid starts from 0.01 (under one level); there, two of
the first eight channels of InceptionV3's mixed4 stayed grey: every one of their rectified
units was off over the whole picture, so no gradient reached the start at all."""


class Scorer:
    """Objective ``i``'s score of picture ``i``, through one feature extractor for all.

    A term's score is its ``"mean"`` loss (``features.layer_loss``): the mean activation of
    its layer or channels (lucid's ``channel`` objective), or the mean logit of its classes.

    Args:
        objectives: one per picture of a batch.
        model: a registry name or a ``keras.Model``.
        weights: ``"imagenet"``, ``None`` or a weights file (see ``deep_dream``).
    """

    def __init__(
        self, objectives: Sequence[objective_values.Objective], model: Any, weights: str | None
    ) -> None:
        self.spec: ModelSpec = get_spec(model)
        names = tuple(dict.fromkeys(name for each in objectives for name in each.layers))
        network = load_inference_model(model, weights, "float32", needs_top(model, names))
        check_layer_names(model, names, [layer.name for layer in network.layers])
        resolved = [build_terms(each, network) for each in objectives]
        self.terms: list[tuple[Term, ...]] = [terms for terms, _ in resolved]
        # a diversity term scores the batch as a whole (its pictures against each other)
        self.diversity = tuple(dict.fromkeys(
            (term.layer, term.coefficient) for terms in self.terms for term in terms
            if term.kind == "diversity"
        ))  # fmt: skip
        dense = {name: layer for _, layers in resolved for name, layer in layers.items()}
        layers = tuple(dict.fromkeys(term.layer for terms in self.terms for term in terms))
        self.index = {name: position for position, name in enumerate(layers)}
        extractor = feature_extractor(network, layers, frozenset(dense))
        self.features = FeatureObjective(
            extractor, (), loss="mean", border=0, learning_phase=0, dense_layers=dense
        )

    def state(self) -> Any:
        """The network's weights where compiled functions take them (JAX), else ``None``."""
        return self.features.state()

    def scores(self, unit_rgb: Tensor, state: Any = None, every: bool = False) -> Tensor:
        """Scores of unit RGB pictures (P, H, W, 3), float32: (P,) with picture ``i`` by
        objective ``i`` (P = the objectives' count), or with ``every`` (P, objectives), each
        picture by every objective."""
        outputs = self.features.activations(network_input(unit_rgb, self.spec), state)
        count = int(unit_rgb.shape[0])
        rows = []
        for picture in range(count):
            chosen = range(len(self.terms)) if every else [picture]
            row = [
                self._score(outputs, terms, picture) for terms in (self.terms[i] for i in chosen)
            ]
            rows.append(ops.stack(row))
        table = ops.stack(rows)
        if every:
            return table
        spread = ops.zeros((), "float32")
        for layer, coefficient in self.diversity:  # shared out, so the sum counts it once
            spread = spread + coefficient * diversity_loss(outputs[self.index[layer]]) / count
        return table[:, 0] + spread

    def _score(self, outputs: list[Tensor], terms: tuple[Term, ...], picture: int) -> Tensor:
        total = ops.zeros((), "float32")
        for term in terms:
            if term.kind == "diversity":
                continue
            activation = outputs[self.index[term.layer]][picture : picture + 1]
            total = total + term.coefficient * self.features.term_loss(term, activation, None)
        return total


@dataclasses.dataclass
class Optimisation:
    """Adam on a batch of pictures' variables, one compiled step for every iteration.

    Attributes:
        param: the pictures' parameterisation.
        chain: the random transforms of each step.
        scorer: the objectives' scores.
        learning_rate: Adam's step.
        batch: how many pictures.
        pull: ``(photo, weight)``: subtract ``weight`` times each picture's mean squared
            difference from ``photo`` (uint8 (H, W, 3), in 0..1 units) from the score
            (accentuation); ``None``: no pull.
    """

    param: ImageParam
    chain: TransformChain
    scorer: Scorer
    learning_rate: float
    batch: int
    pull: tuple[np.ndarray, float] | None = None

    def __post_init__(self) -> None:
        shape = backend.Signature(self.param.shape(self.batch))
        signature = [
            shape,
            shape,
            shape,
            backend.Signature(()),
            backend.Signature((self.chain.draws,)),
        ]
        self._step = backend.compile_function(self._adam_step, signature)

    def _score(self, values: Tensor, draws: Tensor, state: Any) -> tuple[Tensor, Tensor]:
        unit = self.param.to_unit(values)
        scores = self.scorer.scores(self.chain.apply(unit, draws), state)
        total = ops.sum(scores)
        if self.pull is not None:
            photo, weight = self.pull
            target = ops.convert_to_tensor(photo[None].astype(np.float32) / 255.0)
            total = total - weight * ops.sum(ops.mean(ops.square(unit - target), axis=(1, 2, 3)))
        return total, scores

    def _adam_step(
        self,
        values: Tensor,
        first: Tensor,
        second: Tensor,
        count: Tensor,
        draws: Tensor,
        *extra: Any,
    ) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        """One Adam step up the summed score: the new variables, moments and the scores."""
        state = extra[0] if extra else None
        scores, gradient = backend.value_and_gradient(self._score, values, draws, state)
        beta1, beta2 = ADAM_BETAS
        first = beta1 * first + (1 - beta1) * gradient
        second = beta2 * second + (1 - beta2) * ops.square(gradient)
        corrected = ops.sqrt(1 - ops.power(beta2, count)) / (1 - ops.power(beta1, count))
        step = self.learning_rate * corrected * first / (ops.sqrt(second) + ADAM_EPSILON)
        return values + step, first, second, scores

    def run(
        self,
        values: np.ndarray,
        iterations: int,
        rng: np.random.Generator,
        progress: bool,
        callback: StepCallback | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """The variables after ``iterations`` steps from ``values`` (fewer when
        ``callback(step, scores)`` returns true), and the last scores."""
        state = self.scorer.state()
        extra = (state,) if backend.passes_state() else ()
        current = backend.to_tensor(values)
        first, second = ops.zeros_like(current), ops.zeros_like(current)
        scores = np.full(self.batch, np.nan, np.float32)
        with tqdm(total=iterations, disable=not progress, unit="step", leave=True) as bar:
            for count in range(1, iterations + 1):
                draws = backend.to_tensor(self.chain.draw(rng))
                current, first, second, found = self._step(
                    current, first, second, backend.to_tensor(float(count)), draws, *extra
                )
                scores = backend.to_numpy(found)
                bar.update(1)
                if callback is not None and callback(count, scores):
                    break
        return backend.to_numpy(current), scores


def check_size(size: Any, chain: TransformChain, spec: ModelSpec) -> tuple[int, int]:
    """``size`` (pixels, or (height, width)) as a pair, large enough that the network gets
    at least its smallest input after the transforms.

    Raises:
        SettingError: not whole numbers, or too small.
    """
    pair = size if isinstance(size, (tuple, list)) and len(size) == 2 else (size, size)
    height, width = (check_int("size", value, minimum=1) or 1 for value in pair)
    smallest = 1
    total = 0
    for each in chain.transforms:
        total = each.output_size(total, total)[0]
        smallest = max(smallest, 1 - total)
    smallest = max(smallest, spec.min_size - total)
    if min(height, width) < smallest:
        raise SettingError(
            f"size must be at least {smallest} pixels for {spec.name} with these transforms "
            f"(the network takes {spec.min_size} px at least), not {min(height, width)}",
            setting="size",
            value=min(height, width),
            allowed=f"a whole number >= {smallest}",
        )
    return height, width


def visualize(
    objective: Any = None,
    image: Any = None,
    *,
    layers: Any = None,
    channels: Any = None,
    count: int = 1,
    size: Any = 224,
    iterations: int = 256,
    param: str = "fft",
    fft_decay: float = 1.0,
    decorrelate: bool = True,
    transforms: Any = "standard",
    learning_rate: float = LEARNING_RATE,
    photo_weight: float = 1.0,
    seed: int | None = None,
    model: Any = "inception_v3",
    weights: Any = "imagenet",
    output: Any = None,
    columns: int | None = None,
    progress: bool = False,
    callback: StepCallback | None = None,
) -> np.ndarray:
    """The picture that the objective scores highly, optimised from faint random noise (or,
    given ``image``, from a photo that it stays close to: the photo accentuated).

    Args:
        objective: what to show: a layer key (``"mixed4:97"``), an ``Objective``, a dict of
            layer keys -> weights, or a list of these (one picture each, optimised together).
        image: ``None`` (start from noise), or a photo (path, ``PIL.Image``, uint8 array) to
            start from, pulled toward with ``photo_weight``.
        layers: instead of ``objective``: layer names (``"mixed3,mixed4"`` or a list), one
            picture each.
        channels: instead of ``objective``: channel keys (``"mixed4:0-15"``), one picture a
            channel: an atlas of the layer.
        count: pictures of each objective, drawn together (add
            ``pydream.objectives.diversity(layer, weight)`` to make them differ).
        size: each picture's side in pixels, or (height, width); with ``image``, its longer
            side.
        iterations: Adam steps (0: the start).
        param: ``"fft"`` (a 1/f-scaled spectrum, the default) or ``"pixel"``.
        fft_decay: the spectrum's exponent, 0..10 (see ``parameterization.spectrum_scale``).
        decorrelate: colours through ImageNet's colour covariance's square root.
        transforms: ``"standard"`` (lucid's pad, shift, scale, rotate, shift), ``None``, or a
            list of named transforms (see ``transforms.parse_transforms``).
        learning_rate: Adam's step (lucid: 0.05).
        photo_weight: with ``image``, the weight of the mean squared difference (0..1
            pixels) from the photo, subtracted from the objective's score.
        seed: the start and the transforms' draws; ``None`` draws a fresh seed. A picture
            of a list starts as it would alone with the same seed.
        model: a registry name or a ``keras.Model`` (with an affine preprocessing).
        weights: ``"imagenet"``, ``None`` (random) or a weights file.
        output: a file to write; several pictures make one sheet, each labelled with its
            objective.
        columns: tiles a row of the sheet (default: a near-square grid).
        progress: show a progress bar.
        callback: ``callback(step, scores)`` after every step (``step`` from 1, ``scores``
            float32 (pictures,)); returning true stops there, with the pictures as they are.

    Returns:
        uint8 RGB (H, W, 3); (N, H, W, 3) for several pictures.

    Raises:
        SettingError: a bad setting (a negative ``fft_decay``, a size too small for the
            model, an unknown transform, a neuron outside its layer, ...).
        LayerError: an unknown layer.
    """
    request = drawing_request(objective, layers, channels, count)
    checked = {name: VISUAL_SETTINGS[name].check(value) for name, value in (
        ("param", param), ("fft_decay", fft_decay), ("decorrelate", decorrelate),
        ("transforms", transforms), ("learning_rate", learning_rate),
        ("photo_weight", photo_weight), ("size", size),
    )}  # fmt: skip
    chain = parse_transforms(checked["transforms"])
    spec = get_spec(check_model("model", model))
    photo = None if image is None else start_photo(image, checked["size"])
    height, width = check_size(photo.shape[:2] if photo is not None else size, chain, spec)
    param_ = ImageParam(height, width, checked["param"], checked["fft_decay"],
                        checked["decorrelate"])  # fmt: skip
    steps = check_int("iterations", iterations, minimum=0) or 0
    check_flag("progress", progress)
    seed = check_int("seed", seed, minimum=0, allow_none=True)
    output = None if output is None else check_output_path(output, None, False)
    children = np.random.SeedSequence(seed).spawn(len(request.objectives) + 1)
    streams = [np.random.default_rng(each) for each in children]
    scorer = Scorer(request.objectives, model, check_weights("weights", weights))
    if photo is None:
        # one stream for the transforms' draws, one per picture for its start: picture i
        # starts alike whatever the list's length (SeedSequence's children do not depend on
        # the count)
        values = np.concatenate([param_.initial(1, each, START_SCALE) for each in streams[1:]])
    else:
        values = param_.from_pixels(np.repeat(photo[None], len(request.objectives), axis=0))
    if steps:
        pull = None if photo is None else (photo, checked["photo_weight"])
        optimisation = Optimisation(param_, chain, scorer, checked["learning_rate"],
                                    len(request.objectives), pull)  # fmt: skip
        values, _ = optimisation.run(values, steps, streams[0], progress, callback)
    pixels = backend.to_numpy(param_.to_pixels(backend.to_tensor(values)))
    pictures = np.clip(np.rint(pixels), 0, 255).astype(np.uint8)
    if output is not None:
        write_sheet(pictures, request.labels, output, columns, request.several)
    return pictures if request.several else pictures[0]


def score(
    pictures: Any, objective: Any, model: Any = "inception_v3", weights: Any = "imagenet"
) -> np.ndarray:
    """Every objective's score of every picture, (pictures, objectives) float32.

    ``pictures``: uint8 or 0..255 RGB, (H, W, 3) or (P, H, W, 3); ``objective`` as in
    ``visualize``. A score is the mean activation of the objective's layers or channels (the
    mean logit of classes), weighted by the terms' weights, as ``visualize`` maximises it.
    """
    found = drawing_request(objective, None, None, 1).objectives
    rgb = np.asarray(pictures, np.float32)
    rgb = rgb[None] if rgb.ndim == 3 else rgb
    scorer = Scorer(found, check_model("model", model), check_weights("weights", weights))
    unit = backend.to_tensor(rgb / 255.0)
    return backend.to_numpy(scorer.scores(unit, scorer.state(), every=True))


__all__ = ["Scorer", "score", "visualize"]

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
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from keras import ops
from tqdm.auto import tqdm

from .. import objectives as objective_values
from ..checks import check_flag, check_float, check_int, check_model, check_weights
from ..engine.features import FeatureObjective, Term, build_terms
from ..errors import SettingError
from ..media.images import save_image
from ..nets import backend
from ..nets.models import (
    ModelSpec,
    check_layer_names,
    feature_extractor,
    get_spec,
    load_inference_model,
    needs_top,
)
from .parameterization import ImageParam, network_input
from .transforms import TransformChain, parse_transforms

Tensor = Any
"""A tensor of the Keras backend."""

LEARNING_RATE = 0.05
"""Adam's step, lucid's choice for these parameterisations."""
ADAM_BETAS = (0.9, 0.999)
ADAM_EPSILON = 1e-8
START_SCALE = 0.1
"""The random start's standard deviation (variables, either parameterisation): faint noise,
about 7 levels of 0..255 around grey. Lucid starts from 0.01 (under one level); there, two of
the first eight channels of InceptionV3's mixed4 stayed grey: every one of their rectified
units was off over the whole picture, so no gradient reached the start at all."""


def as_objectives(objective: Any) -> tuple[list[objective_values.Objective], bool]:
    """The objectives to draw, one per picture, and whether a list was given.

    ``objective``: an ``Objective``, a dict of layer keys -> weights, a layer key
    (``"mixed4:97"``), or a list of those (one picture each).
    """
    batched = isinstance(objective, (list, tuple))
    items = list(objective) if batched else [objective]
    if not items:
        raise SettingError(
            "objective: give at least one objective",
            setting="objective",
            value="[]",
            allowed="objectives",
        )
    found = []
    for item in items:
        if isinstance(item, str):
            item = {item: 1.0}
        found.append(objective_values.as_objective(item, "objective"))
        if not found[-1]:
            raise SettingError(
                "objective: an objective needs at least one term",
                setting="objective",
                value=repr(item),
                allowed="a layer key or an objective",
            )
    return found, batched


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
        return table if every else table[:, 0]

    def _score(self, outputs: list[Tensor], terms: tuple[Term, ...], picture: int) -> Tensor:
        total = ops.zeros((), "float32")
        for term in terms:
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
    """

    param: ImageParam
    chain: TransformChain
    scorer: Scorer
    learning_rate: float
    batch: int

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
        pictures = self.chain.apply(self.param.to_unit(values), draws)
        scores = self.scorer.scores(pictures, state)
        return ops.sum(scores), scores

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
        self, values: np.ndarray, iterations: int, rng: np.random.Generator, progress: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        """The variables after ``iterations`` steps from ``values``, and the last scores."""
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


def write_pictures(pictures: np.ndarray, output: Any, batched: bool) -> None:
    """One file for one picture; ``STEM-INDEX.SUFFIX`` files for a list of objectives."""
    target = Path(output).expanduser()
    if not batched:
        save_image(pictures[0], target)
        return
    for index, picture in enumerate(pictures):
        save_image(picture, target.with_name(f"{target.stem}-{index}{target.suffix}"))


def visualize(
    objective: Any,
    size: Any = 224,
    iterations: int = 256,
    param: str = "fft",
    fft_decay: float = 1.0,
    decorrelate: bool = True,
    transforms: Any = "standard",
    learning_rate: float = LEARNING_RATE,
    seed: int | None = None,
    model: Any = "inception_v3",
    weights: Any = "imagenet",
    output: Any = None,
    progress: bool = False,
) -> np.ndarray:
    """The picture that the objective scores highly, optimised from faint random noise.

    Args:
        objective: what to show: a layer key (``"mixed4:97"``), an ``Objective``, a dict of
            layer keys -> weights, or a list of these (one picture each, optimised together).
        size: the picture's side in pixels, or (height, width).
        iterations: Adam steps (0: the random start).
        param: ``"fft"`` (a 1/f-scaled spectrum, the default) or ``"pixel"``.
        fft_decay: the spectrum's exponent, >= 0 (see ``parameterization.spectrum_scale``).
        decorrelate: colours through ImageNet's colour covariance's square root.
        transforms: ``"standard"`` (lucid's pad, shift, scale, rotate, shift), ``None``, or a
            list of named transforms (see ``transforms.parse_transforms``).
        learning_rate: Adam's step (lucid: 0.05).
        seed: the start and the transforms' draws; ``None`` draws a fresh seed. A picture
            of a list starts as it would alone with the same seed.
        model: a registry name or a ``keras.Model`` (with an affine preprocessing).
        weights: ``"imagenet"``, ``None`` (random) or a weights file.
        output: a file to write (a list of objectives writes ``STEM-0.png``, ``STEM-1.png``...).
        progress: show a progress bar.

    Returns:
        uint8 RGB (H, W, 3); (N, H, W, 3) for a list of N objectives.

    Raises:
        SettingError: a bad setting (a negative ``fft_decay``, a size too small for the
            model, an unknown transform, ...).
        LayerError: an unknown layer.
    """
    found, batched = as_objectives(objective)
    chain = parse_transforms(transforms)
    height, width = check_size(size, chain, get_spec(check_model("model", model)))
    image = ImageParam(height, width, param, fft_decay, decorrelate)
    steps = check_int("iterations", iterations, minimum=0) or 0
    rate = check_float("learning_rate", learning_rate, strictly_above=0.0) or LEARNING_RATE
    check_flag("progress", progress)
    seed = check_int("seed", seed, minimum=0, allow_none=True)
    # one stream for the transforms' draws, one per picture for its start: picture i starts
    # alike whatever the list's length (SeedSequence's children do not depend on the count)
    streams = [
        np.random.default_rng(each) for each in np.random.SeedSequence(seed).spawn(len(found) + 1)
    ]
    rng = streams[0]
    scorer = Scorer(found, model, check_weights("weights", weights))
    values = np.concatenate([image.initial(1, each, START_SCALE) for each in streams[1:]])
    if steps:
        values, _ = Optimisation(image, chain, scorer, rate, len(found)).run(
            values, steps, rng, progress
        )
    pixels = backend.to_numpy(image.to_pixels(backend.to_tensor(values)))
    pictures = np.clip(np.rint(pixels), 0, 255).astype(np.uint8)
    if output is not None:
        write_pictures(pictures, output, batched)
    return pictures if batched else pictures[0]


def score(
    pictures: Any, objective: Any, model: Any = "inception_v3", weights: Any = "imagenet"
) -> np.ndarray:
    """Every objective's score of every picture, (pictures, objectives) float32.

    ``pictures``: uint8 or 0..255 RGB, (H, W, 3) or (P, H, W, 3); ``objective`` as in
    ``visualize``. A score is the mean activation of the objective's layers or channels (the
    mean logit of classes), weighted by the terms' weights, as ``visualize`` maximises it.
    """
    found, _ = as_objectives(objective)
    rgb = np.asarray(pictures, np.float32)
    rgb = rgb[None] if rgb.ndim == 3 else rgb
    scorer = Scorer(found, check_model("model", model), check_weights("weights", weights))
    unit = backend.to_tensor(rgb / 255.0)
    return backend.to_numpy(scorer.scores(unit, scorer.state(), every=True))


__all__ = ["Scorer", "as_objectives", "score", "visualize"]

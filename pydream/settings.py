"""Every knob of a dream, in one validated, frozen dataclass.

The field names are the vocabulary shared by the Python API, the command line and the R
package: a setting is called the same everywhere.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from collections.abc import Mapping
from typing import Any

LOSSES = ("l2", "mean")
NORMALIZATIONS = ("mean_abs", "std")
PRECISIONS = ("float32", "bfloat16", "float16")
OPTIMIZERS = ("ascent", "lbfgs")
MAX_JITTER = 1_000_000  # pixels (or 0..255 units for L-BFGS): far beyond any useful jitter
MAX_EVALUATIONS = 1_000_000  # scipy's L-BFGS-B counts evaluations in a 32-bit integer
MAX_MEMORY_BUDGET = 1e6  # gigabytes
MAX_BORDER = 1_000_000  # activation pixels (the network slices with 32-bit integers)


class Default:
    """Marks an argument the caller did not give, so that a preset may set it.

    ``repr`` shows the wrapped value, so signatures read naturally (``step=0.01``).
    """

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        return repr(self.value)


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_float(
    name: str,
    value: Any,
    *,
    minimum: float | None = None,
    strictly_above: float | None = None,
    allow_none: bool = False,
) -> float | None:
    """Return ``value`` as a finite float, or raise a ``ValueError``/``TypeError`` naming it."""
    if value is None and allow_none:
        return None
    if not _is_number(value):
        raise TypeError(f"{name} must be a number, not {value!r}")
    result = float(value)
    if not math.isfinite(result):
        raise ValueError(f"{name} must be a finite number, not {result}")
    if minimum is not None and result < minimum:
        raise ValueError(f"{name} must be at least {minimum}, not {result}")
    if strictly_above is not None and result <= strictly_above:
        raise ValueError(f"{name} must be greater than {strictly_above}, not {result}")
    return result


def check_int(
    name: str,
    value: Any,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    allow_none: bool = False,
) -> int | None:
    """Return ``value`` as an int (whole floats such as 3.0 are accepted), or raise."""
    if value is None and allow_none:
        return None
    if not _is_number(value):
        raise TypeError(f"{name} must be a whole number, not {value!r}")
    if isinstance(value, numbers.Integral):
        result = int(value)
    else:
        as_float = float(value)
        if not math.isfinite(as_float) or not as_float.is_integer():
            raise ValueError(f"{name} must be a whole number, not {value!r}")
        result = int(as_float)
    if minimum is not None and result < minimum:
        raise ValueError(f"{name} must be at least {minimum}, not {result}")
    if maximum is not None and result > maximum:
        raise ValueError(f"{name} must be at most {maximum}, not {result}")
    return result


def check_choice(name: str, value: Any, choices: tuple[str, ...]) -> str:
    """Return ``value`` if it is one of ``choices``, else raise naming the valid ones."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}, not {value!r}")
    return value


def check_tile_size(value: Any) -> int | str | None:
    """``"auto"``, ``None`` or a whole number of pixels >= 1."""
    if value is None or (isinstance(value, str) and value == "auto"):
        return value
    if isinstance(value, str):
        raise ValueError(f"tile_size must be 'auto', None or a number of pixels, not {value!r}")
    return check_int("tile_size", value, minimum=1)


def check_layers(layers: Any) -> dict[str, float]:
    """Validate a layer -> coefficient mapping (names are checked against the model later)."""
    if not isinstance(layers, Mapping):
        raise TypeError(
            f"layers must be a dict of layer name -> coefficient, not {type(layers).__name__}"
        )
    if not layers:
        raise ValueError("layers is empty: give at least one layer, e.g. {'mixed3': 1.0}")
    checked: dict[str, float] = {}
    for layer_name, coefficient in layers.items():
        if not isinstance(layer_name, str) or not layer_name:
            raise TypeError(f"layers: layer names must be non-empty strings, not {layer_name!r}")
        value = check_float(f"layers[{layer_name!r}]", coefficient)
        assert value is not None
        checked[layer_name] = value
    return checked


@dataclasses.dataclass(frozen=True)
class DreamSettings:
    """All settings of a dream.

    Attributes:
        layers: layer name -> coefficient of that layer's activation in the objective.
        model: model registry name (see ``pydream.models.MODELS``).
        weights: ``"imagenet"``, ``None`` (random initialisation) or a weights file path.
        step: gradient-ascent step size, in preprocessed-image units per step (>= 0).
        num_octave: number of octaves (scales), >= 1.
        octave_scale: size ratio between successive octaves, > 1 (1 only with one octave).
        iterations: gradient steps (or L-BFGS rounds) per octave, >= 0.
        max_loss: stop an octave before a step whose loss is above this; ``None`` never stops.
        loss: ``"l2"`` (mean of squared activations, border cropped) or ``"mean"``.
        border: pixels cropped off each side of an activation by the ``"l2"`` loss, >= 0.
        normalize: gradient normalisation, ``"mean_abs"`` or ``"std"``.
        clip: clip the image to the model's input range after each step.
        jitter: ascent: largest random shift in pixels (a roll undone after the step);
            L-BFGS: amplitude of uniform noise in 0..255 pixel units added before each round.
        seed: seed of the random jitter (``None``: a fresh seed each run).
        learning_phase: 0 inference, 1 batch norm uses the image's own statistics.
        tile_size: ``"auto"`` tiles only when the whole image would not fit ``memory_budget``
            (and says so); a number computes the gradient tile by tile, tiles of at most that
            many pixels a side; ``None`` never tiles.
        memory_budget: gigabytes a dream may use for ``tile_size="auto"``; ``None`` means
            60% of the memory available when the dream starts.
        precision: ``"float32"``, ``"bfloat16"`` or ``"float16"`` for the network's compute.
        optimizer: ``"ascent"`` (plain gradient ascent) or ``"lbfgs"`` (scipy L-BFGS-B).
        continuity: weight of the continuity (total-variation-like) penalty, >= 0.
        dream_l2: weight of the image L2 penalty, >= 0.
        lbfgs_evaluations: function evaluations per L-BFGS round, >= 1.
    """

    layers: Mapping[str, float]
    model: str = "inception_v3"
    weights: str | None = "imagenet"
    step: float = 0.01
    num_octave: int = 3
    octave_scale: float = 1.4
    iterations: int = 20
    max_loss: float | None = 15.0
    loss: str = "l2"
    border: int = 2
    normalize: str = "mean_abs"
    clip: bool = False
    jitter: int = 0
    seed: int | None = None
    learning_phase: int = 0
    tile_size: int | str | None = "auto"
    memory_budget: float | None = None
    precision: str = "float32"
    optimizer: str = "ascent"
    continuity: float = 0.0
    dream_l2: float = 0.0
    lbfgs_evaluations: int = 7

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "layers", check_layers(self.layers))
        if not isinstance(self.model, str):
            raise TypeError(f"model must be a model name, not {self.model!r}")
        if self.weights is not None and not isinstance(self.weights, str):
            # Accept os.PathLike for weights files.
            try:
                set_(self, "weights", str(self.weights.__fspath__()))  # type: ignore[union-attr]
            except AttributeError:
                raise TypeError(
                    f"weights must be 'imagenet', None or a file path, not {self.weights!r}"
                ) from None
        set_(self, "step", check_float("step", self.step, minimum=0.0))
        set_(self, "num_octave", check_int("num_octave", self.num_octave, minimum=1, maximum=50))
        octave_scale = check_float("octave_scale", self.octave_scale, minimum=1.0)
        assert octave_scale is not None
        if octave_scale == 1.0 and self.num_octave > 1:
            raise ValueError("octave_scale must be greater than 1 when num_octave > 1, not 1.0")
        set_(self, "octave_scale", octave_scale)
        set_(self, "iterations", check_int("iterations", self.iterations, minimum=0))
        set_(self, "max_loss", check_float("max_loss", self.max_loss, allow_none=True))
        set_(self, "loss", check_choice("loss", self.loss, LOSSES))
        set_(self, "border", check_int("border", self.border, minimum=0, maximum=MAX_BORDER))
        set_(self, "normalize", check_choice("normalize", self.normalize, NORMALIZATIONS))
        if not isinstance(self.clip, bool):
            raise TypeError(f"clip must be True or False, not {self.clip!r}")
        set_(self, "jitter", check_int("jitter", self.jitter, minimum=0, maximum=MAX_JITTER))
        set_(self, "seed", check_int("seed", self.seed, minimum=0, allow_none=True))
        learning_phase = check_int("learning_phase", self.learning_phase, minimum=0, maximum=1)
        set_(self, "learning_phase", learning_phase)
        set_(self, "tile_size", check_tile_size(self.tile_size))
        budget = check_float("memory_budget", self.memory_budget, allow_none=True)
        if budget is not None and not 0 < budget <= MAX_MEMORY_BUDGET:
            raise ValueError(
                f"memory_budget must be a positive number of gigabytes up to "
                f"{MAX_MEMORY_BUDGET:g}, not {budget}"
            )
        set_(self, "memory_budget", budget)
        set_(self, "precision", check_choice("precision", self.precision, PRECISIONS))
        set_(self, "optimizer", check_choice("optimizer", self.optimizer, OPTIMIZERS))
        set_(self, "continuity", check_float("continuity", self.continuity, minimum=0.0))
        set_(self, "dream_l2", check_float("dream_l2", self.dream_l2, minimum=0.0))
        evaluations = check_int(
            "lbfgs_evaluations", self.lbfgs_evaluations, minimum=1, maximum=MAX_EVALUATIONS
        )
        set_(self, "lbfgs_evaluations", evaluations)

    def as_dict(self) -> dict[str, Any]:
        """The settings as plain JSON-friendly values (used for PNG metadata)."""
        values = dataclasses.asdict(self)
        values["layers"] = dict(self.layers)
        return values


SETTING_NAMES = tuple(field.name for field in dataclasses.fields(DreamSettings))
SETTING_DEFAULTS = {
    field.name: field.default
    for field in dataclasses.fields(DreamSettings)
    if field.default is not dataclasses.MISSING
}

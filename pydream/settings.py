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

from .media.images import LoadedImage, MaskImage, load_guide, load_mask
from .objectives import LayerKey as LayerKey
from .objectives import check_layer_mapping as check_layer_mapping
from .objectives import check_layers as check_layers
from .objectives import parse_layer_key as parse_layer_key

LOSSES = ("l2", "mean")
NORMALIZATIONS = ("mean_abs", "std", "laplacian")
PREPROCESSING_SCHEMES = ("tf", "caffe", "torch")
PRECISIONS = ("float32", "bfloat16", "float16", "auto")
OPTIMIZERS = ("ascent", "lbfgs")
MAX_JITTER = 1_000_000  # pixels (or 0..255 units for L-BFGS): far beyond any useful jitter
MAX_EVALUATIONS = 1_000_000  # scipy's L-BFGS-B counts evaluations in a 32-bit integer
MAX_MEMORY_BUDGET = 1e6  # gigabytes
MAX_BORDER = 1_000_000  # activation pixels (the network slices with 32-bit integers)
MAX_LAP_LEVELS = 12  # a 12-level pyramid already shrinks a 8192-pixel side to 2 pixels
MAX_SMOOTHING = 100.0  # pixels: a wider blur leaves no structure in any gradient


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


def is_keras_model(value: Any) -> bool:
    """Whether ``value`` is a ``keras.Model`` (checked without importing Keras)."""
    import sys

    keras = sys.modules.get("keras")
    return keras is not None and isinstance(value, keras.Model)


def check_model(model: Any) -> Any:
    """A model registry name or a ``keras.Model``."""
    if isinstance(model, str) or is_keras_model(model):
        return model
    raise TypeError(
        "model must be a model name (see pydream.models.MODELS) or a keras.Model, "
        f"not {type(model).__name__}"
    )


def check_processing(name: str, value: Any) -> Any:
    """``None``, a named scheme (``"tf"``, ``"caffe"``, ``"torch"``) or a callable."""
    if value is None or callable(value):
        return value
    if isinstance(value, str):
        return check_choice(name, value, PREPROCESSING_SCHEMES)
    raise TypeError(
        f"{name} must be None, one of {', '.join(map(repr, PREPROCESSING_SCHEMES))} or a "
        f"function, not {type(value).__name__}"
    )


@dataclasses.dataclass(frozen=True)
class DreamSettings:
    """All settings of a dream.

    Attributes:
        layers: layer key -> coefficient in the objective, or a tuple of such mappings, one
            per octave, smallest octave first (a shorter tuple repeats its last mapping). A
            key is a layer name (``"mixed4"``), channels of a layer (``"mixed4:97"``,
            ``"mixed4:97,120"``, ``"mixed4:0-15"``) or classes of a classification layer
            (``"predictions:207"``: the class's pre-softmax logit).
        model: model registry name (see ``pydream.models.MODELS``) or a ``keras.Model``.
        preprocess, deprocess: for a ``keras.Model``: a scheme (``"tf"``, ``"caffe"``,
            ``"torch"``) or functions between 0..255 RGB pixels (…, H, W, 3) and network
            input; ``None`` is ``"tf"``. Registry models know their own.
        weights: ``"imagenet"``, ``None`` (random initialisation) or a weights file path.
        step: gradient-ascent step size, in preprocessed-image units per step (>= 0).
        num_octave: number of octaves (scales), >= 1.
        octave_scale: size ratio between successive octaves, > 1 (1 only with one octave).
        iterations: gradient steps (or L-BFGS rounds) per octave, >= 0.
        max_loss: stop an octave before a step whose loss is above this; ``None`` never stops.
        loss: ``"l2"`` (mean of squared activations, border cropped) or ``"mean"``.
        border: pixels cropped off each side of an activation by the ``"l2"`` loss, >= 0.
        normalize: gradient normalisation, ``"mean_abs"``, ``"std"`` or ``"laplacian"``
            (see ``pydream.gradients``).
        lap_levels: bands of the ``"laplacian"`` normalisation's pyramid, 1..12.
        smoothing: sigma, in pixels, of a Gaussian blur of the gradient (0: off).
        guide: a guide picture (``LoadedImage``) the dream is pulled toward, or ``None``.
        mask: where to dream, float32 (H, W) in 0..1 (``MaskImage``), or ``None``.
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
        precision: ``"float32"``, ``"bfloat16"`` or ``"float16"`` for the network's compute;
            ``"auto"``: what is fast and keeps quality on this machine (see
            ``backend.auto_precision``).
        optimizer: ``"ascent"`` (plain gradient ascent) or ``"lbfgs"`` (scipy L-BFGS-B).
        continuity: weight of the continuity (total-variation-like) penalty, >= 0, for both
            optimisers.
        dream_l2: weight of the image L2 penalty, >= 0, for both optimisers.
        lbfgs_evaluations: function evaluations per L-BFGS round, >= 1.
    """

    layers: Mapping[str, float] | tuple[Mapping[str, float], ...]
    model: Any = "inception_v3"
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
    lap_levels: int = 4
    smoothing: float = 0.0
    guide: Any = dataclasses.field(default=None, compare=False)
    mask: Any = dataclasses.field(default=None, compare=False)
    preprocess: Any = None
    deprocess: Any = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "layers", check_layers(self.layers))
        set_(self, "model", check_model(self.model))
        self._check_processing()
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
        assert isinstance(self.num_octave, int)
        self.octave_layers(0, self.num_octave)  # a schedule longer than the octaves is an error
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
        lap_levels = check_int("lap_levels", self.lap_levels, minimum=1, maximum=MAX_LAP_LEVELS)
        set_(self, "lap_levels", lap_levels)
        smoothing = check_float("smoothing", self.smoothing, minimum=0.0)
        if smoothing is not None and smoothing > MAX_SMOOTHING:
            raise ValueError(f"smoothing must be at most {MAX_SMOOTHING:g} pixels, not {smoothing}")
        set_(self, "smoothing", smoothing)
        if self.guide is not None and not isinstance(self.guide, LoadedImage):
            set_(self, "guide", load_guide(self.guide))
        if self.mask is not None and not isinstance(self.mask, MaskImage):
            set_(self, "mask", load_mask(self.mask))

    def _check_processing(self) -> None:
        set_ = object.__setattr__
        preprocess = check_processing("preprocess", self.preprocess)
        deprocess = check_processing("deprocess", self.deprocess)
        if isinstance(self.model, str):
            if preprocess is not None or deprocess is not None:
                raise ValueError(
                    f"preprocess and deprocess are for a keras.Model; {self.model!r} knows its "
                    "own preprocessing"
                )
            return
        if callable(preprocess) != callable(deprocess) and deprocess is not None:
            raise ValueError(
                "give preprocess and deprocess both as functions (deprocess must undo "
                "preprocess), or name one scheme"
            )
        if callable(preprocess) and deprocess is None:
            raise ValueError(
                "preprocess is a function: give deprocess too, a function that undoes it"
            )
        if deprocess is None:
            deprocess = preprocess
        set_(self, "preprocess", preprocess)
        set_(self, "deprocess", deprocess)

    def engine_key(self) -> tuple[Any, ...]:
        """What the compiled engine of these settings depends on (one layer mapping: see
        ``for_octave``): settings that are equal here share an engine."""
        if isinstance(self.layers, tuple):
            raise ValueError("an engine dreams one layer mapping: use settings.for_octave()")
        processing = (self.preprocess, self.deprocess) if not isinstance(self.model, str) else None
        return (
            self.model,
            self.weights,
            self.precision,
            tuple(self.layers.items()),
            self.loss,
            self.border,
            self.learning_phase,
            self.normalize,
            self.lap_levels,
            self.smoothing,
            self.clip,
            self.optimizer,
            self.continuity,
            self.dream_l2,
            self.guide is not None,
            processing,
        )

    @property
    def layer_schedule(self) -> tuple[Mapping[str, float], ...]:
        """The layer mappings, one per scheduled octave (one mapping for every octave)."""
        if isinstance(self.layers, tuple):
            return self.layers
        return (self.layers,)

    def octave_layers(self, octave: int, octaves: int) -> Mapping[str, float]:
        """The mapping for ``octave`` (0 = smallest) of ``octaves`` octaves.

        Raises:
            ValueError: the schedule has more mappings than there are octaves.
        """
        schedule = self.layer_schedule
        if len(schedule) > octaves:
            raise ValueError(
                f"layers has {len(schedule)} per-octave mappings but the dream has only "
                f"{octaves} octave{'s' if octaves != 1 else ''}; give at most {octaves} "
                f"mapping{'s' if octaves != 1 else ''} or raise num_octave"
            )
        return schedule[min(octave, len(schedule) - 1)]

    def for_octave(self, octave: int, octaves: int) -> DreamSettings:
        """These settings with the single layer mapping of ``octave`` (0 = smallest)."""
        layers = self.octave_layers(octave, octaves)
        if layers is self.layers:
            return self
        return dataclasses.replace(self, layers=dict(layers))

    def as_dict(self) -> dict[str, Any]:
        """The settings as plain JSON-friendly values (used for PNG metadata)."""
        values = {
            field.name: getattr(self, field.name)
            for field in dataclasses.fields(self)
            if field.name not in ("guide", "mask")
        }
        values["layers"] = (
            [dict(mapping) for mapping in self.layers]
            if isinstance(self.layers, tuple)
            else dict(self.layers)
        )
        values["model"] = describe_value(self.model)
        values["preprocess"] = describe_value(self.preprocess)
        values["deprocess"] = describe_value(self.deprocess)
        if self.guide is not None:
            values["guide"] = describe_image_source(self.guide.path, self.guide.rgb.shape)
        if self.mask is not None:
            values["mask"] = describe_image_source(self.mask.path, self.mask.values.shape)
        return values


def describe_value(value: Any) -> Any:
    """A JSON-friendly stand-in for a model object or a function."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    name = getattr(value, "name", None) or getattr(value, "__name__", None)
    return f"<{type(value).__name__} {name}>" if name else f"<{type(value).__name__}>"


def describe_image_source(path: Any, shape: tuple[int, ...]) -> str:
    """The file a guide or mask came from, or its size when it was given as pixels."""
    return str(path) if path is not None else f"<array {shape[1]}x{shape[0]}>"


SETTING_NAMES = tuple(field.name for field in dataclasses.fields(DreamSettings))
SETTING_DEFAULTS = {
    field.name: field.default
    for field in dataclasses.fields(DreamSettings)
    if field.default is not dataclasses.MISSING
}

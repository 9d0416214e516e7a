"""Every setting of a dream, declared once: the schema that the Python API, the command line,
the engine's cache and the R package all derive from.

Each field of ``DreamSettings`` is declared with ``setting(...)``: its default, kind, bounds
or choices, help text (with units), group, whether the compiled engine depends on it and
which optimisers use it. ``SETTINGS`` lists them in order; ``RUN_OPTIONS`` declares the
arguments of a call that are not settings of the picture (``output``, ``progress``, ...);
``FUNCTION_DEFAULTS`` says where a function uses another default on purpose. The names are
the vocabulary of both languages: a setting is called the same everywhere.

To add a setting: add a field here with ``setting(...)``, then use it where it acts. The
command line (``pydream.cli``), ``deep_dream``'s signature and docs, the engine's cache key
and the R package (``scripts/generate-r``) follow.
"""

from __future__ import annotations

import dataclasses
import inspect
import textwrap
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

from .checks import (
    check_choice,
    check_flag,
    check_float,
    check_int,
    check_model,
    check_offset,
    check_processing,
    check_size_form,
    check_switch,
    check_tile_size,
    check_transforms_form,
    check_weights,
)
from .errors import DeprecatedSettingWarning, SettingError
from .media.images import LoadedImage, MaskImage, load_guide, load_mask
from .objectives import LayerKey as LayerKey
from .objectives import check_layers
from .objectives import parse_layer_key as parse_layer_key

GROUPS = (
    "objective", "network", "schedule", "optimiser", "tiling", "output", "animation",
    "visualization",
)  # fmt: skip
"""The groups settings are shown in (``pydream dream --help``, the R help)."""

LOSSES = ("l2", "mean")
NORMALIZATIONS = ("mean_abs", "std", "laplacian")
PRECISIONS = ("float32", "bfloat16", "float16", "auto")
OPTIMIZERS = ("ascent", "lbfgs")
MAX_WHOLE = 2**31 - 1  # the largest whole number both languages hold (R's integer)
MAX_SEED = 2**32 - 1  # numpy's seeds are 32-bit (an animation's frame seeds use them all)
MAX_JITTER = 1_000_000  # pixels: far beyond any useful jitter
MAX_EVALUATIONS = 1_000_000  # scipy's L-BFGS-B counts evaluations in a 32-bit integer
MAX_MEMORY_BUDGET = 1e6  # gigabytes
MAX_BORDER = 1_000_000  # activation pixels (the network slices with 32-bit integers)
MAX_LAP_LEVELS = 12  # a 12-level pyramid already shrinks a 8192-pixel side to 2 pixels
MAX_SMOOTHING = 100.0  # pixels: a wider blur leaves no structure in any gradient
MAX_NOISE = 255.0  # 0..255 pixel units: noise as large as the picture itself
MAX_ZOOM = 4.0  # magnification a frame: beyond it a zoom shows a few pixels blown up
MAX_FPS = 240.0
COLOR_LOCKS = ("mean_std", "histogram")
LOOPS = ("pingpong", "seamless")
INTERPOLATIONS = ("linear", "smooth")
FLOWS = ("dis", "farneback")
PARAMS = ("fft", "pixel")
MAX_SIZE = 4096  # pixels a side of a visualisation: one picture already takes minutes at 1024
MAX_COUNT = 256  # pictures a visualisation draws at once (an atlas of 256 channels)

KINDS = (
    "number", "whole", "choice", "flag", "layers", "model", "weights", "tile_size", "picture",
    "mask", "processing", "path", "function", "offset", "switch", "transforms", "size",
)  # fmt: skip
"""The kinds of value a setting takes; each has one check here and one in R."""


class Default:
    """Marks an argument the caller did not give, so that a preset may set it.

    ``repr`` shows the wrapped value, so signatures read naturally (``step=0.01``).
    """

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        return repr(self.value)


@dataclasses.dataclass(frozen=True)
class Setting:
    """The declaration of one setting (or run option).

    Attributes:
        name: the setting's name in Python, the command line (``--num-octave``) and R.
        default: the default value (``None`` where the setting is optional).
        kind: one of ``KINDS``; says how the value is checked and parsed.
        help: one line for ``--help`` and the R docs, with units.
        group: one of ``GROUPS``.
        minimum, maximum: inclusive bounds of a number; strictly_above: an exclusive bound.
        choices: the valid strings of a ``"choice"``.
        allow_none: ``None`` is a valid value (R ``NULL``, command line ``none``).
        engine: ``"value"``: the compiled engine depends on the value; ``"presence"``: only
            on whether it is set; ``""``: not at all.
        optimizers: the optimisers that use it; given explicitly with another, it is an error.
        inert: values that mean "not used", fine with any optimiser.
        moved_to: ``(optimizer, other setting)``: with that optimiser, the value belongs to
            the other setting (a deprecated spelling, warned about).
        metavar: the command line's placeholder for the value.
        none_words: the command line's words for ``None`` (with ``allow_none``).
        cli: whether the command line has an option for it.
        r_default: an R expression used as the R default instead of ``default``.
        after: for a run option, the setting it follows in a signature.
        keyframes: an animation (``dream_zoom``, ``dream_video``) may change it from frame to
            frame: a list with one value a frame or keyframes ``{frame: value}``
            (``pydream.motion.schedule``); a single picture takes one value.
        animations: for an animation setting, the animations that take it (``"zoom"``,
            ``"video"``).
    """

    default: Any
    kind: str
    help: str
    group: str
    minimum: float | None = None
    maximum: float | None = None
    strictly_above: float | None = None
    choices: tuple[str, ...] = ()
    allow_none: bool = False
    engine: str = ""
    optimizers: tuple[str, ...] = OPTIMIZERS
    inert: tuple[Any, ...] = ()
    moved_to: tuple[str, str] | None = None
    metavar: str | None = None
    none_words: tuple[str, ...] = ("none",)
    cli: bool = True
    r_default: str | None = None
    after: str | None = None
    keyframes: bool = False
    animations: tuple[str, ...] = ()
    name: str = ""

    def check(self, value: Any) -> Any:
        """``value`` in its canonical type, or a ``SettingError`` naming this setting."""
        if value is None and self.allow_none:
            return None
        return _CHECKS[self.kind](self, value)

    def applies_to(self, optimizer: str, value: Any) -> bool:
        """Whether ``optimizer`` uses this setting given as ``value``."""
        return optimizer in self.optimizers or any(
            value is inert or value == inert for inert in self.inert
        )


def _check_number(spec: Setting, value: Any) -> Any:
    return check_float(
        spec.name,
        value,
        minimum=spec.minimum,
        maximum=spec.maximum,
        strictly_above=spec.strictly_above,
    )


def _check_whole(spec: Setting, value: Any) -> Any:
    minimum = None if spec.minimum is None else int(spec.minimum)
    maximum = None if spec.maximum is None else int(spec.maximum)
    return check_int(spec.name, value, minimum=minimum, maximum=maximum)


def _check_picture(spec: Setting, value: Any) -> Any:
    return value if isinstance(value, LoadedImage) else load_guide(value)


def _check_mask(spec: Setting, value: Any) -> Any:
    return value if isinstance(value, MaskImage) else load_mask(value)


def _unchecked(spec: Setting, value: Any) -> Any:
    return value


_CHECKS = {
    "number": _check_number,
    "whole": _check_whole,
    "choice": lambda spec, value: check_choice(spec.name, value, spec.choices),
    "flag": lambda spec, value: check_flag(spec.name, value),
    "layers": lambda spec, value: check_layers(value),
    "model": lambda spec, value: check_model(spec.name, value),
    "weights": lambda spec, value: check_weights(spec.name, value),
    "tile_size": lambda spec, value: check_tile_size(spec.name, value),
    "picture": _check_picture,
    "mask": _check_mask,
    "processing": lambda spec, value: check_processing(spec.name, value),
    "path": _unchecked,
    "function": _unchecked,
    "offset": lambda spec, value: check_offset(spec.name, value),
    "switch": lambda spec, value: check_switch(spec.name, value, spec.choices),
    "transforms": lambda spec, value: check_transforms_form(spec.name, value),
    "size": lambda spec, value: check_size_form(spec.name, value, spec.maximum),
}

SPEC = "pydream.setting"
"""The key of a field's declaration in its ``dataclasses.field`` metadata."""


def setting(default: Any = dataclasses.MISSING, *, compare: bool = True, **spec: Any) -> Any:
    """Declare a field of ``DreamSettings``: its default and its ``Setting`` attributes."""
    declared = Setting(default=None if default is dataclasses.MISSING else default, **spec)
    return dataclasses.field(default=default, compare=compare, metadata={SPEC: declared})


ASCENT_ONLY = ("ascent",)
LBFGS_ONLY = ("lbfgs",)


@dataclasses.dataclass(frozen=True)
class DreamSettings:
    """All settings of a dream: the schema (see the module's docstring).

    Every field is checked when the settings are made; ``SettingError`` (a ``ValueError``
    and ``TypeError``) names a setting whose value cannot be used. Settings that the chosen
    optimiser does not use are errors when given explicitly to ``deep_dream`` and friends
    (see ``check_optimizer_settings``).
    """

    # fmt: off
    layers: Any = setting(
        kind="layers", group="objective", allow_none=True, engine="value", keyframes=True,
        help="what to maximise: layer key -> coefficient (e.g. mixed3=0.8), objective values, or "
        "one such mapping per octave, smallest first; default: the chollet preset's layers",
    )
    model: Any = setting(
        "inception_v3", kind="model", group="network", engine="value",
        help="the network: a registry name (inception_v3, vgg16, ...) or a keras.Model",
    )
    weights: str | None = setting(
        "imagenet", kind="weights", group="network", allow_none=True, engine="value",
        metavar="imagenet|none|PATH",
        help="imagenet (Keras downloads and caches them), None (an untrained, randomly "
        "initialised network) or the path of a weights file",
    )
    step: float = setting(
        0.01, kind="number", group="optimiser", minimum=0.0, optimizers=ASCENT_ONLY,
        keyframes=True,
        help="gradient-ascent step, in the network's input units (InceptionV3: -1..1)",
    )
    num_octave: int = setting(
        3, kind="whole", group="schedule", minimum=1, maximum=50, keyframes=True,
        help="number of octaves (scales), from the smallest",
    )
    octave_scale: float = setting(
        1.4, kind="number", group="schedule", minimum=1.0, keyframes=True,
        help="size ratio between successive octaves (> 1 with several octaves)",
    )
    iterations: int = setting(
        20, kind="whole", group="schedule", minimum=0, maximum=MAX_WHOLE, keyframes=True,
        help="gradient steps (L-BFGS: rounds) per octave; 0 only resizes and reinjects detail",
    )
    max_loss: float | None = setting(
        15.0, kind="number", group="schedule", allow_none=True, metavar="F|none", keyframes=True,
        none_words=("none", "inf", "off"),
        help="stop an octave before a step whose loss is above this; None never stops",
    )
    loss: str = setting(
        "l2", kind="choice", group="objective", choices=LOSSES, engine="value",
        help="l2: mean of squared activations, border cropped; mean: mean activation",
    )
    border: int = setting(
        2, kind="whole", group="objective", minimum=0, maximum=MAX_BORDER, engine="value",
        help="activation pixels the l2 loss crops off each side",
    )
    normalize: str = setting(
        "mean_abs", kind="choice", group="optimiser", choices=NORMALIZATIONS, engine="value",
        optimizers=ASCENT_ONLY,
        help="gradient normalisation: mean_abs, std, or laplacian (per-band, smoother shapes)",
    )
    clip: bool = setting(
        False, kind="flag", group="optimiser", engine="value", optimizers=ASCENT_ONLY,
        help="clip the image to the network's input range after each step",
    )
    jitter: int = setting(
        0, kind="whole", group="optimiser", minimum=0, maximum=MAX_JITTER, keyframes=True,
        optimizers=ASCENT_ONLY, moved_to=("lbfgs", "lbfgs_noise"), metavar="PIXELS",
        help="largest random shift, in pixels, rolled before each step and undone after",
    )
    seed: int | None = setting(
        None, kind="whole", group="optimiser", minimum=0, maximum=MAX_SEED, allow_none=True,
        help="seed of the random jitter and noise (None: a fresh seed each run)",
    )
    learning_phase: int = setting(
        0, kind="whole", group="network", minimum=0, maximum=1, engine="value",
        help="1: batch norm uses the picture's own statistics (weights never change)",
    )
    tile_size: int | str | None = setting(
        "auto", kind="tile_size", group="tiling", allow_none=True, optimizers=ASCENT_ONLY,
        inert=("auto", None), metavar="auto|none|PIXELS",
        help="how to split the picture to save memory: auto computes the gradient on tiles only "
        "when the largest octave would not fit memory_budget, and says so; None never tiles; a "
        "whole number: tiles of at most that many pixels a side (at least twice the network's "
        "smallest input, 150 for InceptionV3)",
    )
    memory_budget: float | None = setting(
        None, kind="number", group="tiling", maximum=MAX_MEMORY_BUDGET, strictly_above=0.0,
        allow_none=True, metavar="GB",
        help="gigabytes a dream may use with tile_size auto (None: 60% of the memory free when "
        "it starts); if even the smallest tiles would not fit, the dream stops before it starts",
    )
    precision: str = setting(
        "float32", kind="choice", group="network", choices=PRECISIONS, engine="value",
        help="the network's compute: float32, bfloat16, float16, or auto (fast and faithful on "
        "this machine: bfloat16 on CPUs with native bfloat16 and on recent GPUs, float16 on older "
        "GPUs, float32 elsewhere); the reduced precisions keep the first convolution in float32",
    )
    optimizer: str = setting(
        "ascent", kind="choice", group="optimiser", choices=OPTIMIZERS, engine="value",
        help="ascent (plain gradient ascent) or lbfgs (scipy L-BFGS-B rounds)",
    )
    continuity: float = setting(
        0.0, kind="number", group="objective", minimum=0.0, engine="value",
        help="weight of the continuity (total variation) penalty",
    )
    dream_l2: float = setting(
        0.0, kind="number", group="objective", minimum=0.0, engine="value",
        help="weight of the image L2 penalty",
    )
    lbfgs_evaluations: int = setting(
        7, kind="whole", group="optimiser", minimum=1, maximum=MAX_EVALUATIONS,
        optimizers=LBFGS_ONLY,
        help="function evaluations per L-BFGS round",
    )
    guide: Any = setting(
        None, kind="picture", group="objective", allow_none=True, engine="presence", metavar="PATH",
        compare=False,
        help="a picture to dream toward",
    )
    mask: Any = setting(
        None, kind="mask", group="objective", allow_none=True, metavar="PATH", compare=False,
        help="where to dream: a grey picture, white dreams fully, black keeps the photo",
    )
    lap_levels: int = setting(
        4, kind="whole", group="optimiser", minimum=1, maximum=MAX_LAP_LEVELS, engine="value",
        optimizers=ASCENT_ONLY,
        help="bands of the laplacian normalisation's pyramid",
    )
    smoothing: float = setting(
        0.0, kind="number", group="optimiser", minimum=0.0, maximum=MAX_SMOOTHING, engine="value",
        optimizers=ASCENT_ONLY, metavar="SIGMA",
        help="sigma, in pixels, of a Gaussian blur of each gradient (0: off)",
    )
    preprocess: Any = setting(
        None, kind="processing", group="network", allow_none=True, engine="value", cli=False,
        help="with a keras.Model: tf, caffe, torch, or a function from 0..255 pixels to input",
    )
    deprocess: Any = setting(
        None, kind="processing", group="network", allow_none=True, engine="value", cli=False,
        help="with a keras.Model: the scheme or function that undoes preprocess",
    )
    lbfgs_noise: float = setting(
        0.0, kind="number", group="optimiser", minimum=0.0, maximum=MAX_NOISE, keyframes=True,
        optimizers=LBFGS_ONLY, metavar="AMPLITUDE",
        help="amplitude of uniform noise, in 0..255 pixel units, added before each L-BFGS round "
        "and removed after",
    )
    original_colors: bool = setting(
        False, kind="flag", group="output",
        help="dream only the brightness (Y of YCbCr) and keep the photo's colours (Cb, Cr)",
    )
    # fmt: on

    def __post_init__(self) -> None:
        if self.layers is None:
            raise SettingError(
                "layers must be given: a dict of layer name -> coefficient",
                setting="layers", value=None, allowed=SETTINGS["layers"].help,
            )  # fmt: skip
        for spec in SETTINGS.values():
            object.__setattr__(self, spec.name, spec.check(getattr(self, spec.name)))
        move_deprecated(self)
        assert isinstance(self.num_octave, int)
        self.octave_layers(0, self.num_octave)  # a schedule longer than the octaves is an error
        if self.octave_scale == 1.0 and self.num_octave > 1:
            raise SettingError(
                "octave_scale must be greater than 1 when num_octave > 1, not 1.0",
                setting="octave_scale", value=1.0, allowed="a number above 1",
            )  # fmt: skip
        processing = check_processing_pair(self.model, self.preprocess, self.deprocess)
        object.__setattr__(self, "preprocess", processing[0])
        object.__setattr__(self, "deprocess", processing[1])

    def engine_key(self) -> tuple[Any, ...]:
        """What the compiled engine of these settings depends on (one layer mapping: see
        ``for_octave``): settings that are equal here share an engine. Derived from the
        schema's ``engine`` declarations."""
        if isinstance(self.layers, tuple):
            raise ValueError("an engine dreams one layer mapping: use settings.for_octave()")
        return tuple(
            _engine_value(spec, getattr(self, spec.name))
            for spec in SETTINGS.values()
            if spec.engine
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
            raise SettingError(
                f"layers has {len(schedule)} per-octave mappings but the dream has only "
                f"{octaves} octave{'s' if octaves != 1 else ''}; give at most {octaves} "
                f"mapping{'s' if octaves != 1 else ''} or raise num_octave",
                setting="layers",
                value=len(schedule),
                allowed=f"at most {octaves} mappings",
            )
        return schedule[min(octave, len(schedule) - 1)]

    def for_octave(self, octave: int, octaves: int) -> DreamSettings:
        """These settings with the single layer mapping of ``octave`` (0 = smallest)."""
        layers = self.octave_layers(octave, octaves)
        if layers is self.layers:
            return self
        return dataclasses.replace(self, layers=layers)

    def as_dict(self) -> dict[str, Any]:
        """The settings as plain JSON-friendly values (used for PNG metadata)."""
        return settings_as_dict(self)


def settings_as_dict(settings: DreamSettings) -> dict[str, Any]:
    """``settings`` as plain JSON-friendly values (used for PNG metadata)."""
    values = {name: getattr(settings, name) for name in SETTINGS if name not in ("guide", "mask")}
    layers = settings.layers
    values["layers"] = (
        [dict(mapping) for mapping in layers] if isinstance(layers, tuple) else dict(layers)
    )
    for name in ("model", "preprocess", "deprocess"):
        values[name] = describe_value(values[name])
    if settings.guide is not None:
        values["guide"] = describe_image_source(settings.guide.path, settings.guide.rgb.shape)
    if settings.mask is not None:
        values["mask"] = describe_image_source(settings.mask.path, settings.mask.values.shape)
    return values


def move_deprecated(settings: DreamSettings) -> None:
    """Values given under a setting's old meaning move to their new setting, with a
    ``DeprecatedSettingWarning`` (``jitter`` with L-BFGS becomes ``lbfgs_noise``)."""
    for spec in SETTINGS.values():
        if spec.moved_to is None or spec.moved_to[0] != settings.optimizer:
            continue
        value = getattr(settings, spec.name)
        if value == spec.default:
            continue
        optimizer, target = spec.moved_to
        warnings.warn(
            f"{spec.name} with optimizer='{optimizer}' is now called {target}; "
            f"{spec.name}={value} is used as {target}={value}",
            DeprecatedSettingWarning,
            stacklevel=5,
        )
        if getattr(settings, target) == SETTINGS[target].default:
            object.__setattr__(settings, target, SETTINGS[target].check(value))
        object.__setattr__(settings, spec.name, spec.default)


def check_processing_pair(model: Any, preprocess: Any, deprocess: Any) -> tuple[Any, Any]:
    """The checked ``(preprocess, deprocess)`` of ``model``: none for a registry name
    (which knows its own), a scheme or two functions for a ``keras.Model``."""
    preprocess = check_processing("preprocess", preprocess)
    deprocess = check_processing("deprocess", deprocess)
    if isinstance(model, str):
        if preprocess is not None or deprocess is not None:
            raise SettingError(
                f"preprocess and deprocess are for a keras.Model; {model!r} knows its own "
                "preprocessing",
                setting="preprocess", value=describe_value(preprocess), allowed="None",
            )  # fmt: skip
        return None, None
    if callable(preprocess) != callable(deprocess) and deprocess is not None:
        raise SettingError(
            "give preprocess and deprocess both as functions (deprocess must undo "
            "preprocess), or name one scheme",
            setting="deprocess", value=describe_value(deprocess), allowed="a function",
        )  # fmt: skip
    if callable(preprocess) and deprocess is None:
        raise SettingError(
            "preprocess is a function: give deprocess too, a function that undoes it",
            setting="deprocess", value=None, allowed="a function",
        )  # fmt: skip
    return preprocess, preprocess if deprocess is None else deprocess


def describe_value(value: Any) -> Any:
    """A JSON-friendly stand-in for a model object or a function."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    name = getattr(value, "name", None) or getattr(value, "__name__", None)
    return f"<{type(value).__name__} {name}>" if name else f"<{type(value).__name__}>"


def describe_image_source(path: Any, shape: tuple[int, ...]) -> str:
    """The file a guide or mask came from, or its size when it was given as pixels."""
    return str(path) if path is not None else f"<array {shape[1]}x{shape[0]}>"


def _engine_value(spec: Setting, value: Any) -> Any:
    if spec.engine == "presence":
        return value is not None
    if isinstance(value, Mapping):
        return tuple(value.items())
    return value


def _declarations() -> dict[str, Setting]:
    declared = {}
    for field in dataclasses.fields(DreamSettings):
        spec = field.metadata[SPEC]
        declared[field.name] = dataclasses.replace(spec, name=field.name)
    return declared


SETTINGS: Mapping[str, Setting] = _declarations()
"""Every setting of ``DreamSettings``, by name, in declaration order."""

RUN_OPTIONS: Mapping[str, Setting] = {
    spec.name: spec
    for spec in (
        Setting(
            None, kind="path", group="output", allow_none=True, after="precision",
            name="save_octaves", metavar="DIR",
            help="a folder: one PNG per octave is written there",
        ),
        Setting(
            None, kind="path", group="output", allow_none=True, after="save_octaves",
            name="output", cli=False,
            help="a file to write the dream to (atomically); it keeps the input's mode and alpha",
        ),
        Setting(
            False, kind="flag", group="output", after="output", name="progress", cli=False,
            r_default="interactive()", help="show a progress bar",
        ),
        Setting(
            None, kind="function", group="output", allow_none=True, after="progress",
            name="callback", cli=False,
            help="callback(octave, step, loss) after each step; returning True stops the dream",
        ),
        Setting(
            False, kind="flag", group="output", after="lbfgs_evaluations", name="overwrite",
            help="allow output to be the input file itself",
        ),
    )
}  # fmt: skip
"""The arguments of a dreaming call that are not settings of the picture; ``after`` places
each in the signature (``deep_dream``'s order, which R keeps too)."""

ZOOM, VIDEO = ("zoom",), ("video",)
ANIMATIONS = ("zoom", "video")

ANIMATION_SETTINGS: Mapping[str, Setting] = {
    spec.name: spec
    for spec in (
        Setting(
            1.05, kind="number", group="animation", minimum=1.0, maximum=MAX_ZOOM, name="zoom",
            keyframes=True, animations=ZOOM,
            help="magnification a frame, 1 to 4 (1.05 zooms in 5% a frame; 1 does not zoom)",
        ),
        Setting(
            0.0, kind="number", group="animation", name="rotate", keyframes=True,
            animations=ZOOM, metavar="DEG",
            help="degrees a frame, anticlockwise (negative: clockwise)",
        ),
        Setting(
            (0.0, 0.0), kind="offset", group="animation", name="translate", keyframes=True,
            animations=ZOOM, metavar="X,Y", r_default="c(0, 0)",
            help="pixels a frame the picture moves, x right and y down (a pan)",
        ),
        Setting(
            0.6, kind="number", group="animation", minimum=0.0, maximum=1.0, name="blend",
            keyframes=True, animations=VIDEO,
            help="share of the previous frame's dream in each frame's start, 0 to 1",
        ),
        Setting(
            "dis", kind="switch", group="animation", choices=FLOWS, name="flow",
            animations=VIDEO, r_default="TRUE",
            help="optical flow that carries the dream along the motion: dis (True), "
            "farneback, or False to blend without warping",
        ),
        Setting(
            12.0, kind="number", group="animation", strictly_above=0.0, maximum=MAX_FPS,
            name="fps", animations=ANIMATIONS, allow_none=True,
            help="frames per second of the animation (a video: None keeps the video's)",
        ),
        Setting(
            None, kind="switch", group="animation", choices=COLOR_LOCKS, name="color_lock",
            animations=ANIMATIONS, r_default="FALSE", metavar="METHOD",
            help="hold each frame's colours to the first frame's (zoom) or to its source "
            "frame's (video): mean_std (True: each channel's mean and spread) or histogram",
        ),
        Setting(
            None, kind="choice", group="animation", choices=LOOPS, allow_none=True, name="loop",
            animations=ANIMATIONS,
            help="pingpong: the frames forward then back; seamless (zoom): the last frames "
            "cross-fade into the first, so the animation closes on itself",
        ),
        Setting(
            "linear", kind="choice", group="animation", choices=INTERPOLATIONS,
            name="interpolation", animations=ANIMATIONS,
            help="how numbers change between keyframes: linear, or smooth (easing in and out "
            "of each keyframe)",
        ),
        Setting(
            None, kind="path", group="animation", allow_none=True, name="schedule",
            animations=ANIMATIONS, metavar="FILE.json",
            help="keyframes of any keyframed setting: {frame: {setting: value}}, or a JSON file "
            "holding that object",
        ),
    )
}  # fmt: skip
"""The settings of animations beside the dream's own: how frames move, how long they last,
their colours, their loop and their keyframes. ``keyframes`` marks the ones (here and in
``SETTINGS``) an animation may change from frame to frame; a single picture takes one value of
each (keyframes apply to animations only)."""

KEYFRAMED: tuple[str, ...] = tuple(
    name for name, spec in {**SETTINGS, **ANIMATION_SETTINGS}.items() if spec.keyframes
)
"""The settings an animation may keyframe, dream settings first."""

VISUAL_SETTINGS: Mapping[str, Setting] = {
    spec.name: spec
    for spec in (
        Setting(
            1, kind="whole", group="visualization", minimum=1, maximum=MAX_COUNT, name="count",
            help="pictures of the one objective, drawn together (with a diversity term they "
            "differ)",
        ),
        Setting(
            224, kind="size", group="visualization", maximum=MAX_SIZE, name="size", metavar="PX",
            help="pixels of each picture's side (or height, width); with image, its longer side",
        ),
        Setting(
            "fft", kind="choice", group="visualization", choices=PARAMS, name="param",
            help="how the picture is optimised: fft (a spectrum scaled toward low frequencies: "
            "clean shapes) or pixel (the pixels themselves, as deep_dream does)",
        ),
        Setting(
            1.0, kind="number", group="visualization", minimum=0.0, maximum=10.0,
            name="fft_decay",
            help="with fft, the spectrum's scale 1 / f**fft_decay: larger favours coarser shapes",
        ),
        Setting(
            True, kind="flag", group="visualization", name="decorrelate",
            help="colours through the square root of ImageNet's colour covariance (natural "
            "colours)",
        ),
        Setting(
            "standard", kind="transforms", group="visualization", allow_none=True,
            name="transforms", metavar="standard|none|NAME:RANGE,...",
            help="random transformations each step, so the picture works at every shift, scale "
            "and angle: standard (pad 12, shift 8, scale 0.9..1.1, rotate -10..10, shift 4), "
            "None, or named ones (pad, shift, scale, rotate) with their ranges",
        ),
        Setting(
            0.05, kind="number", group="visualization", strictly_above=0.0, maximum=10.0,
            name="learning_rate",
            help="Adam's step on the picture's variables",
        ),
        Setting(
            1.0, kind="number", group="visualization", minimum=0.0, name="photo_weight",
            help="with image: weight of the pull toward the photo (mean squared difference of "
            "0..1 pixels, against the objective's mean activation): larger keeps more of it",
        ),
    )
}  # fmt: skip
"""The settings of ``pydream.visualize`` beside the dream's own ``iterations``, ``seed``,
``model`` and ``weights`` (with its own default of ``iterations``, see ``FUNCTION_DEFAULTS``):
its defaults are its own (Fourier parameterisation, decorrelated colours, lucid's transforms),
while ``deep_dream`` keeps plain pixel ascent."""

VISUALIZE_SETTINGS = ("iterations", "seed", "model", "weights")
"""The dream settings ``visualize`` takes too, with the same meaning."""

FUNCTION_DEFAULTS: Mapping[str, Mapping[str, Any]] = {
    # small dreams: without a border crop the deep layers keep their few positions
    "dream_gallery": {"border": 0},
    # the blog's building block computes the whole picture unless asked to tile
    "gradient_ascent": {"tile_size": None, "max_loss": None},
    # a video keeps its own frame rate unless told
    "dream_video": {"fps": None},
    # a picture from noise needs many more steps than a dream's octave (lucid: 512)
    "visualize": {"iterations": 256},
}
"""Functions that use another default than the schema's on purpose: name -> setting -> value."""


def call_arguments(run_options: tuple[str, ...] = tuple(RUN_OPTIONS)) -> list[Setting]:
    """The settings and the given run options in signature order (``deep_dream``'s)."""
    ordered = list(SETTINGS.values())
    for name in run_options:
        option = RUN_OPTIONS[name]
        anchor = next(index for index, spec in enumerate(ordered) if spec.name == option.after)
        ordered.insert(anchor + 1, option)
    return ordered


def settings_parameters(function: str, run_options: Sequence[str] = ()) -> list[inspect.Parameter]:
    """Keyword-only parameters for every setting but ``layers`` and the given
    ``run_options``, in ``deep_dream``'s order.

    Defaults are the schema's, or ``FUNCTION_DEFAULTS[function]``'s; a setting's default is
    wrapped in ``Default`` (so a preset may replace it).
    """
    overrides = FUNCTION_DEFAULTS.get(function, {})
    parameters = []
    for spec in call_arguments(tuple(run_options)):
        if spec.name == "layers":
            continue
        default = overrides.get(spec.name, spec.default)
        if spec.name in SETTINGS:
            default = Default(default)
        parameters.append(
            inspect.Parameter(spec.name, inspect.Parameter.KEYWORD_ONLY, default=default)
        )
    return parameters


def settings_docs(indent: str = "        ") -> str:
    """Google-style ``Args`` lines for every setting but ``layers``, from their declared
    help, each line starting with ``indent``."""
    lines = []
    for name, spec in SETTINGS.items():
        if name == "layers":
            continue
        only = "" if len(spec.optimizers) > 1 else f" ({spec.optimizers[0]} only)"
        text = f"{name}: {spec.help}{only}; default {spec.default!r}."
        lines.extend(textwrap.wrap(text, 96 - len(indent), initial_indent=indent,
                                   subsequent_indent=indent + "    "))  # fmt: skip
    return "\n".join(lines)


def check_optimizer_settings(settings: DreamSettings, given: Mapping[str, Any]) -> None:
    """Raise a ``SettingError`` for a setting given explicitly (in ``given``) that the
    chosen optimiser does not use (``normalize`` with ``optimizer="lbfgs"``)."""
    for name, value in given.items():
        spec = SETTINGS.get(name)
        if spec is None or isinstance(value, Default) or spec.moved_to is not None:
            continue
        if not spec.applies_to(settings.optimizer, getattr(settings, name)):
            users = " and ".join(f"optimizer='{each}'" for each in spec.optimizers)
            raise SettingError(
                f"{name} applies to {users} only, not optimizer='{settings.optimizer}': "
                f"leave it out or change the optimizer",
                setting=name, value=describe_value(value), allowed=f"only with {users}",
            )  # fmt: skip


SETTING_NAMES = tuple(field.name for field in dataclasses.fields(DreamSettings))
SETTING_DEFAULTS = {
    field.name: field.default
    for field in dataclasses.fields(DreamSettings)
    if field.default is not dataclasses.MISSING
}

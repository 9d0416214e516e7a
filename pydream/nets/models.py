"""Model registry: builders, pre/deprocessing, layer names, minimum sizes and weights.

Every model is built once per (model, weights, precision) and kept in a small cache, and each
feature extractor once per set of layers, so that dreaming many pictures pays the build once.
What is cached for a ``keras.Model`` passed in is held weakly: it leaves with the model.
``clear_caches`` empties them all.
"""

from __future__ import annotations

import collections
import dataclasses
import difflib
import functools
import inspect
import os
import re
import warnings
import weakref
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Generic, TypeVar

import keras
import numpy as np

from ..errors import LayerError, SettingError, WeightsError, WeightsNotFoundError
from .folding import fold_batch_norm, fold_in_place, set_policies_in_place, set_precision

CAFFE_MEAN_BGR = np.array([103.939, 116.779, 123.68], dtype=np.float32)
TORCH_MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
TORCH_STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)
CUSTOM_MIN_SIZE = 32  # pixels: the smallest input assumed for a keras.Model passed in
TOP_LAYERS = ("avg_pool", "predictions")  # what the classification top adds to a registry model


@dataclasses.dataclass(frozen=True)
class ModelSpec:
    """What pydream needs to know about one Keras ImageNet model.

    Attributes:
        name: registry name (``"inception_v3"``), or a model object's own name.
        builder: the ``keras.applications`` constructor (for a model object: returns it).
        preprocessing: ``"tf"`` (pixels to [-1, 1]), ``"caffe"`` (BGR, ImageNet mean
            removed), ``"torch"`` (0..1, ImageNet mean and std removed) or ``"custom"``
            (``preprocess_function``/``deprocess_function``).
        min_size: smallest height or width, in pixels, the network accepts.
        layer_pattern: regular expression matching the layers ``list_layers`` shows.
        float32_convolutions: with ``precision="bfloat16"`` or ``"float16"``, the first this
            many convolutions (and the layers before the next one) still compute in float32,
            so the network sees the image at full precision. bfloat16 keeps 8 bits of
            mantissa: an image value near 1 would be rounded by about one 0..255 pixel level,
            a noise that the dream amplifies.
    """

    name: str
    builder: Callable[..., Any]
    preprocessing: str
    min_size: int
    layer_pattern: str
    float32_convolutions: int = 1
    network: Any = None
    preprocess_function: Callable[[np.ndarray], Any] | None = None
    deprocess_function: Callable[[np.ndarray], Any] | None = None

    def preprocess(self, rgb: np.ndarray) -> np.ndarray:
        """uint8 or float RGB pixels (…, H, W, 3) in 0..255 -> float32 network input."""
        pixels = np.asarray(rgb, dtype=np.float32)
        if self.preprocessing == "tf":
            return pixels / 127.5 - 1.0
        if self.preprocessing == "torch":
            return (pixels / 255.0 - TORCH_MEAN) / TORCH_STD
        if self.preprocessing == "custom" and self.preprocess_function is not None:
            return _custom_array("preprocess", self.preprocess_function(pixels), pixels.shape)
        return pixels[..., ::-1] - CAFFE_MEAN_BGR

    def deprocess(self, x: np.ndarray) -> np.ndarray:
        """Network input (…, H, W, 3) float -> uint8 RGB pixels, rounded and clipped to 0..255."""
        values = np.asarray(x, dtype=np.float32)
        if self.preprocessing == "tf":
            pixels = (values + 1.0) * 127.5
        elif self.preprocessing == "torch":
            pixels = (values * TORCH_STD + TORCH_MEAN) * 255.0
        elif self.preprocessing == "custom" and self.deprocess_function is not None:
            pixels = _custom_array("deprocess", self.deprocess_function(values), values.shape)
        else:
            pixels = (values + CAFFE_MEAN_BGR)[..., ::-1]
        return np.clip(np.rint(pixels), 0, 255).astype(np.uint8)

    def input_range(self) -> tuple[np.ndarray, np.ndarray]:
        """Per-channel (low, high) of preprocessed pixel values, each of shape (3,)."""
        low = self.preprocess(np.zeros(3, dtype=np.float32))
        high = self.preprocess(np.full(3, 255.0, dtype=np.float32))
        return low, high

    def pixel_scale(self) -> float:
        """Preprocessed units per 0..255 pixel unit (averaged over the channels)."""
        low, high = self.input_range()
        return float(np.mean(np.abs(high - low))) / 255.0


def _custom_array(what: str, value: Any, shape: tuple[int, ...]) -> np.ndarray:
    """The result of a user's pre/deprocess function as float32 of ``shape``, or an error."""
    try:
        array = np.asarray(value, dtype=np.float32)
    except (TypeError, ValueError):
        raise TypeError(
            f"the {what} function must return an array of numbers, not {type(value).__name__}"
        ) from None
    if array.shape != tuple(shape):
        raise ValueError(
            f"the {what} function must return an array of the shape it was given "
            f"{tuple(shape)}, not {array.shape}"
        )
    return array


_apps = keras.applications
MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec("inception_v3", _apps.InceptionV3, "tf", 75, r"^mixed\d+$", 2),
        ModelSpec("vgg16", _apps.VGG16, "caffe", 32, r"^block\d_(conv\d|pool)$"),
        ModelSpec("vgg19", _apps.VGG19, "caffe", 32, r"^block\d_(conv\d|pool)$"),
        ModelSpec("xception", _apps.Xception, "tf", 71, r"^(block\d+_sepconv\d_act|add(_\d+)?)$"),
        ModelSpec("resnet50", _apps.ResNet50, "caffe", 32, r"^conv\d_block\d+_out$"),
        ModelSpec("mobilenet_v2", _apps.MobileNetV2, "tf", 32, r"^(block_\d+_add|out_relu)$"),
        ModelSpec(
            "inception_resnet_v2",
            _apps.InceptionResNetV2,
            "tf",
            75,
            r"^(mixed_\w+|block(35|17|8)_\d+_ac|conv_7b_ac)$",
        ),
    )
}


def get_spec(model: Any) -> ModelSpec:
    """Return the registry entry for ``model``, or raise ``ValueError`` listing the names.

    A ``keras.Model`` gets an entry of its own (``"tf"`` preprocessing; see ``model_spec``).
    """
    if isinstance(model, keras.Model):
        return custom_spec(model)
    if not isinstance(model, str):
        raise TypeError(
            "model must be a model name (see pydream.models.MODELS) or a keras.Model, "
            f"not {type(model).__name__}"
        )
    if model not in MODELS:
        close = difflib.get_close_matches(str(model), list(MODELS), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise SettingError(
            f"unknown model {model!r}{hint}; models are: {', '.join(MODELS)}",
            setting="model",
            value=model,
            allowed=", ".join(map(repr, MODELS)),
        )
    return MODELS[model]


def _own_network(**_: Any) -> keras.Model:
    """The builder of a ``keras.Model`` passed in: never called, the model is used as it is."""
    raise TypeError("a keras.Model passed in is used as it is, not built")


def custom_spec(network: keras.Model) -> ModelSpec:
    """A registry-like entry for a ``keras.Model`` passed in by the user.

    Raises:
        TypeError, ValueError: the model is not a functional (or Sequential) model taking
            images of any size with 3 channels.
    """
    try:
        inputs = network.inputs
    except (AttributeError, ValueError):
        inputs = None
    if not inputs or len(inputs) != 1:
        raise TypeError(
            f"model {network.name!r} must be a functional or Sequential keras.Model with one "
            "image input (built on keras.Input); subclassed models cannot be taken apart"
        )
    shape = tuple(inputs[0].shape)
    if len(shape) != 4 or shape[-1] != 3:
        raise ValueError(
            f"model {network.name!r} must take images (batch, height, width, 3), not inputs "
            f"of shape {shape}"
        )
    if shape[1] is not None or shape[2] is not None:
        raise ValueError(
            f"model {network.name!r} takes only {shape[2]}x{shape[1]} images; a dream needs "
            "any size: build it with input_shape=(None, None, 3) (include_top=False)"
        )
    return ModelSpec(network.name, _own_network, "tf", CUSTOM_MIN_SIZE, r".", network=network)


def model_spec(model: Any, preprocess: Any = None, deprocess: Any = None) -> ModelSpec:
    """The entry for ``model`` with a model object's ``preprocess``/``deprocess`` applied.

    ``preprocess``/``deprocess``: ``None`` (``"tf"``), a scheme name, or functions.
    """
    spec = get_spec(model)
    if spec.network is None or (preprocess is None and deprocess is None):
        return spec
    if callable(preprocess):
        return dataclasses.replace(
            spec,
            preprocessing="custom",
            preprocess_function=preprocess,
            deprocess_function=deprocess,
        )
    return dataclasses.replace(spec, preprocessing=preprocess or "tf")


def _resolve_imagenet_file(spec: ModelSpec, top: bool = False) -> str | None:
    """An ImageNet weights file for ``spec`` from ``PYDREAM_WEIGHTS_DIR``, if one is there.

    Without ``top``, a file whose name says ``notop`` is preferred; with it, only files
    whose name does not say ``notop`` are taken.
    """
    folder = os.environ.get("PYDREAM_WEIGHTS_DIR")
    if not folder:
        return None
    candidates = sorted(Path(folder).glob(f"{spec.name}*.h5"))
    headless = [path for path in candidates if "notop" in path.name]
    whole = [path for path in candidates if "notop" not in path.name]
    chosen = whole if top else headless + whole
    return str(chosen[0]) if chosen else None


def check_weights_file(path: str) -> Path:
    """Raise a clear error unless ``path`` names a readable, non-empty HDF5 file."""
    file = Path(path).expanduser()
    if not file.exists():
        raise WeightsNotFoundError(
            f"weights file not found: {path} (give an existing file, 'imagenet' or no weights)",
            path=str(path),
        )
    if not file.is_file():
        raise WeightsError(f"weights path {path} is not a file", path=str(path))
    if not str(file).endswith(".h5"):
        raise WeightsError(f"weights file {path} must end in .weights.h5 or .h5", path=str(path))
    with open(file, "rb") as handle:
        signature = handle.read(8)
    if signature != b"\x89HDF\r\n\x1a\n":
        raise WeightsError(
            f"weights file {path} is not an HDF5 weights file (wrong signature)", path=str(path)
        )
    return file


MIXED_POLICIES = {"bfloat16": "mixed_bfloat16", "float16": "mixed_float16"}
"""Keras dtype policy of each reduced precision: float32 weights, reduced-precision compute."""


def _build(spec: ModelSpec, weights: str | None, top: bool = False) -> keras.Model:
    """The headless model in float32 with ``weights`` loaded (``top``: with its classifier,
    see ``_build_with_top``). A model object is returned as it is, with its own weights."""
    if spec.network is not None:
        return spec.network
    previous_policy = keras.config.dtype_policy()
    keras.config.set_dtype_policy("float32")
    try:
        if top:
            return _build_with_top(spec, weights)
        if weights == "imagenet":
            local_file = _resolve_imagenet_file(spec)
            if local_file is None:
                try:
                    return spec.builder(include_top=False, weights="imagenet")
                except Exception as error:
                    raise WeightsError(
                        f"could not get the ImageNet weights of {spec.name} ({error}); "
                        "pass weights=PATH to a weights file, or set PYDREAM_WEIGHTS_DIR to a "
                        "folder holding one",
                        path="imagenet",
                    ) from None
            weights = local_file
        # a missing or non-HDF5 file fails before the network is built (seconds for Inception)
        file = check_weights_file(weights) if weights is not None else None
        model = spec.builder(include_top=False, weights=None)
        if file is not None:
            _load_weights_strictly(model, file, spec.name)
        return model
    finally:
        keras.config.set_dtype_policy(previous_policy)


def _build_with_top(spec: ModelSpec, weights: str | None) -> keras.Model:
    """The model with its classification top, taking images of any size.

    Keras builds a registry model's top for its one default input size; the weights are
    loaded into that, then copied into the same layers built for any size: the headless
    network, global average pooling ``avg_pool`` and the dense layer ``predictions`` (no
    softmax: its outputs are the logits).
    """
    fixed = _load_top_model(spec, weights)
    if not isinstance(fixed.layers[-2], keras.layers.GlobalAveragePooling2D):
        raise ValueError(
            f"class objectives need a model whose top pools globally; {spec.name}'s does not "
            "(use inception_v3, xception, resnet50, mobilenet_v2 or inception_resnet_v2)"
        )
    headless = spec.builder(include_top=False, weights=None)
    pooled = keras.layers.GlobalAveragePooling2D(name="avg_pool")(headless.output)
    classes = int(fixed.layers[-1].units)
    logits = keras.layers.Dense(classes, name="predictions")(pooled)
    model = keras.Model(headless.input, logits, name=f"{spec.name}_with_top")
    model.set_weights(fixed.get_weights())
    return model


def _load_top_model(spec: ModelSpec, weights: str | None) -> keras.Model:
    """The registry model with its top, at its default input size, with ``weights``."""
    if weights == "imagenet":
        local_file = _resolve_imagenet_file(spec, top=True)
        if local_file is None:
            try:
                return spec.builder(
                    include_top=True, weights="imagenet", classifier_activation=None
                )
            except Exception as error:
                raise WeightsError(
                    f"could not get the ImageNet weights of {spec.name} with its classification "
                    f"top ({error}); pass weights=PATH to a weights file of the whole model",
                    path="imagenet",
                ) from None
        weights = local_file
    if weights is not None and not _may_hold_top(check_weights_file(weights)):
        raise WeightsError(
            f"weights file {check_weights_file(weights)} has no classification top (no dense "
            "layer in it): class objectives such as 'predictions:207' need the "
            'weights of the whole model, e.g. weights "imagenet"',
            path=str(weights),
        )
    model = spec.builder(include_top=True, weights=None, classifier_activation=None)
    if weights is None:
        return model
    file = check_weights_file(weights)
    try:
        _load_weights_strictly(model, file, spec.name)
    except ValueError:
        if _fits_headless(spec, file):
            raise WeightsError(
                f"weights file {file} has no classification top (it holds {spec.name} without "
                "its top): class objectives such as 'predictions:207' need the weights of the "
                'whole model, e.g. weights "imagenet"',
                path=str(weights),
            ) from None
        raise
    return model


TOP_LAYER = "predictions"
"""The name of the classification top's dense layer in every Keras ImageNet model."""
_DENSE_PATH = re.compile(rf"^(?:{TOP_LAYER}|dense(?:_\d+)?)$")
"""A weights file's group of a dense layer: a legacy ``.h5`` names it ``predictions``, a
Keras 3 ``.weights.h5`` by its class (``dense``, ``dense_1``, ...)."""


def _may_hold_top(file: Path) -> bool:
    """Whether an HDF5 weights file may hold a classification top: it has a dense layer
    (the headless Keras ImageNet networks have none). Read from the file's index in
    milliseconds, where building the network to try takes seconds; a file h5py cannot read
    is left to the loading."""
    import h5py

    def dense(name: str) -> bool | None:
        return True if any(_DENSE_PATH.match(part) for part in name.split("/")) else None

    try:
        with h5py.File(file, "r") as handle:
            return bool(handle.visit(dense))
    except OSError:
        return True


def _fits_headless(spec: ModelSpec, file: Path) -> bool:
    """Whether ``file`` loads into the headless model (so it lacks only the top)."""
    try:
        _load_weights_strictly(spec.builder(include_top=False, weights=None), file, spec.name)
    except ValueError:
        return False
    return True


def layer_policies(
    model: keras.Model, precision: str, float32_convolutions: int
) -> dict[str, str] | None:
    """Layer name -> Keras dtype policy for computing ``model`` at ``precision``.

    ``None`` for float32 (nothing to change). Otherwise every layer before the
    ``float32_convolutions + 1``-th ``Conv2D`` (in layer order) stays float32 and the rest
    get the mixed policy (float32 weights, bfloat16 or float16 compute).
    """
    if precision == "float32":
        return None
    policies = {}
    convolutions = 0
    for layer in model.layers:
        if isinstance(layer, keras.layers.Conv2D):
            convolutions += 1
        full = convolutions <= float32_convolutions
        policies[layer.name] = "float32" if full else MIXED_POLICIES[precision]
    return policies


def _load_weights_strictly(model: keras.Model, file: Path, model_name: str) -> None:
    """Load ``file`` into ``model``; any layer Keras skips or cannot fill is an error."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            model.load_weights(str(file))
        except Exception as error:
            reason = describe_weights_error(model, str(error))
            raise WeightsError(
                f"weights file {file} does not fit {model_name}: {reason}", path=str(file)
            ) from None
    for warning in caught:
        message = str(warning.message)
        if "skipping" in message.lower() or "retain" in message.lower():
            raise WeightsError(
                f"weights file {file} does not fit {model_name}: {message.splitlines()[0]}",
                path=str(file),
            )
        warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)


def weights_file_names(model: keras.Model) -> dict[str, str]:
    """Layer name in this session -> the layer's entry name in a Keras weights file.

    Keras files name a layer by its class and rank (``conv2d_4`` is the fifth ``Conv2D``),
    not by its session name, which depends on how many models were built before.
    """
    counts: dict[str, int] = {}
    names = {}
    for layer in model.layers:
        kind = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", type(layer).__name__)
        kind = re.sub(r"([a-z])([A-Z])", r"\1_\2", kind).lower()
        rank = counts.get(kind, -1) + 1
        counts[kind] = rank
        names[layer.name] = kind if rank == 0 else f"{kind}_{rank}"
    return names


def describe_weights_error(model: keras.Model, message: str) -> str:
    """One line naming the layer a weights file failed to fill, from Keras' long message."""
    lines = [line.strip() for line in message.strip().splitlines() if line.strip()]
    if not lines:
        return "Keras could not load it"
    failed = re.search(r"object <(\w+) name=([^,>]+)", message)
    total = re.search(r"A total of (\d+) objects", message)
    if failed is None or len(lines) < 2:
        return lines[0]
    kind, session_name = failed.groups()
    entry = weights_file_names(model).get(session_name, session_name)
    detail = lines[1].split(" Target variable:")[0]
    # Shapes print as "(3, 3)" (TensorFlow, JAX) or "torch.Size([3, 3])" (PyTorch).
    shape = r"(?:torch\.Size\(\[([^\]]*)\]\)|\(([^)]*)\))"
    shapes = re.search(rf"variable\.shape={shape}.*value\.shape={shape}", detail)
    if shapes:
        expected, found = (
            f"({first or second})" for first, second in (shapes.group(1, 2), shapes.group(3, 4))
        )
        detail = f"the model expects shape {expected}, the file has {found}"
    count = int(total.group(1)) if total else 1
    others = ""
    if count > 1:
        others = f" ({count - 1} more layer{'s' if count > 2 else ''} failed too)"
    stored = f", stored as {entry!r}" if entry != session_name else ""
    return f"layer {session_name!r} ({kind}{stored}) could not be loaded: {detail}{others}"


Result = TypeVar("Result")


class ModelCache(Generic[Result]):
    """What ``function(model, *arguments)`` returned, kept per model.

    For a registry name: a least-recently-used cache of ``maxsize`` entries. For a
    ``keras.Model``: entries held by a weak reference to the model, so they leave with it
    (a result that is the model itself is not kept: it would keep its own key alive).
    """

    def __init__(self, function: Callable[..., Result], maxsize: int) -> None:
        self.function = function
        self.maxsize = maxsize
        self._signature = inspect.signature(function)
        self._named: collections.OrderedDict[tuple[Any, ...], Result] = collections.OrderedDict()
        self._weak: weakref.WeakKeyDictionary[Any, dict[tuple[Any, ...], Result]] = (
            weakref.WeakKeyDictionary()
        )
        functools.update_wrapper(self, function)
        _MODEL_CACHES.append(self)

    def _key(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
        bound = self._signature.bind(*args, **kwargs)
        bound.apply_defaults()
        return tuple(bound.arguments.values())

    def __call__(self, *args: Any, **kwargs: Any) -> Result:
        key = self._key(args, kwargs)
        found = self.cached(*key)
        if found is not None:
            return found
        result = self.function(*key)
        model, rest = key[0], key[1:]
        if isinstance(model, keras.Model):
            if result is not model:
                self._weak.setdefault(model, {})[rest] = result
            return result
        self._named[key] = result
        while len(self._named) > self.maxsize:
            self._named.popitem(last=False)
        return result

    def cached(self, *args: Any, **kwargs: Any) -> Result | None:
        """The result kept for these arguments, or ``None`` (nothing is built)."""
        key = self._key(args, kwargs)
        model = key[0]
        if isinstance(model, keras.Model):
            return self._weak.get(model, {}).get(key[1:])
        if key in self._named:
            self._named.move_to_end(key)
            return self._named[key]
        return None

    def cache_clear(self) -> None:
        """Forget every result."""
        self._named.clear()
        self._weak.clear()


_MODEL_CACHES: list[ModelCache[Any]] = []


def clear_caches() -> None:
    """Forget every model, layer list and feature extractor built so far."""
    for cache in _MODEL_CACHES:
        cache.cache_clear()
    _EXTRACTORS.clear()


def _load_base_model(
    model: Any, weights: str | None, precision: str = "float32", top: bool = False
) -> keras.Model:
    """``load_base_model(model, weights, precision="float32", top=False)``: build (once) the
    headless ``model`` with ``weights``, computing at ``precision`` (Keras dtype policies per
    layer, see ``layer_policies``). ``top``: with the classification top (see
    ``_build_with_top``). A reduced precision is a copy of the float32 model where that one is
    built already, the fresh build itself otherwise."""
    spec = get_spec(model)
    if precision == "float32":
        return _build(spec, weights, top)
    base = load_base_model.cached(model, weights, "float32", top)
    if base is None and spec.network is None:  # nothing to copy from: set a fresh build's
        fresh = _build(spec, weights, top)
        policies = layer_policies(fresh, precision, spec.float32_convolutions)
        return set_policies_in_place(fresh, policies or {})
    base = base if base is not None else load_base_model(model, weights, "float32", top)
    policies = layer_policies(base, precision, spec.float32_convolutions)
    return set_precision(base, policies or {})


load_base_model = ModelCache(_load_base_model, maxsize=4)


def _load_inference_model(
    model: Any, weights: str | None, precision: str = "float32", top: bool = False
) -> keras.Model:
    """``load_inference_model(model, weights, precision="float32", top=False)``: the model
    with batch norm folded into its convolutions (``learning_phase=0``), computing at
    ``precision``. Built once, and folded in place, unless the float32 base model is built
    already (then it is a folded copy of that one); a ``keras.Model`` passed in is copied, never
    changed."""
    spec = get_spec(model)
    base = load_base_model.cached(model, weights, "float32", top)
    if base is None and spec.network is None:  # one build, folded in place: no copy
        fresh = _build(spec, weights, top)
        return fold_in_place(fresh, layer_policies(fresh, precision, spec.float32_convolutions))
    base = base if base is not None else load_base_model(model, weights, "float32", top)
    return fold_batch_norm(base, layer_policies(base, precision, spec.float32_convolutions))


load_inference_model = ModelCache(_load_inference_model, maxsize=4)


def needs_top(model: Any, layer_names: Sequence[str]) -> bool:
    """Whether the layers of a registry ``model`` include its classification top."""
    return isinstance(model, str) and any(name in TOP_LAYERS for name in layer_names)


def _layer_names(model: Any) -> tuple[str, ...]:
    """Every layer of ``model`` but its input, in network order."""
    network = _build(get_spec(model), None)
    return tuple(
        layer.name for layer in network.layers if not isinstance(layer, keras.layers.InputLayer)
    )


_model_layer_names = ModelCache(_layer_names, maxsize=8)


def list_layers(model: Any = "inception_v3", *, all_layers: bool = False) -> list[str]:
    """Names of the layers worth dreaming with, in network order.

    Args:
        model: a registry name (its block outputs are listed) or a ``keras.Model`` (every
            layer but the input is listed).
        all_layers: list every layer of the network instead (any of them may be dreamed).
    """
    spec = get_spec(model)
    names = _model_layer_names(model)
    if all_layers or spec.network is not None:
        return list(names)
    pattern = re.compile(spec.layer_pattern)
    return [name for name in names if pattern.match(name)]


def _close_layer_names(name: str, shown: Sequence[str], available: Sequence[str]) -> list[str]:
    """Up to three layer names close to ``name``: among ``shown`` first, else among all."""
    return difflib.get_close_matches(name, list(shown), n=3) or difflib.get_close_matches(
        name, list(available), n=3
    )


def check_layer_names(model: Any, layers: Sequence[str], available: Sequence[str]) -> None:
    """Raise a ``LayerError`` naming every unknown layer, the valid ones and the nearest.

    The error's ``layer`` (and ``value``) is the first unknown name, ``suggestions`` the
    names close to it (the message suggests one for each unknown name).
    """
    known = set(available)
    unknown = [name for name in layers if name not in known]
    if not unknown:
        return
    shown = list_layers(model)
    close = {name: _close_layer_names(name, shown, available) for name in unknown}
    described = [
        f"{name!r} (did you mean {close[name][0]!r}?)" if close[name] else repr(name)
        for name in unknown
    ]
    noun = "layer" if len(unknown) == 1 else "layers"
    name = get_spec(model).name
    classes = ", and classes as 'predictions:N'" if isinstance(model, str) else ""
    raise LayerError(
        f"unknown {noun} {', '.join(described)} for {name}; valid layers: {', '.join(shown)} "
        f"(or any other layer of the network, as list_layers lists them with all_layers{classes})",
        setting="layers",
        value=unknown[0],
        allowed=", ".join(shown),
        layer=unknown[0],
        model=name,
        suggestions=close[unknown[0]],
    )


_EXTRACTORS: weakref.WeakKeyDictionary[keras.Model, dict[tuple[str, ...], keras.Model]] = (
    weakref.WeakKeyDictionary()
)


def feature_extractor(
    base: keras.Model, layer_names: tuple[str, ...], inputs_of: frozenset[str] = frozenset()
) -> keras.Model:
    """A model from the base model's input to the named layers' outputs (in that order).

    For the layers named in ``inputs_of`` the extractor gives the layer's input instead (a
    classification layer's features, from which its logits are computed). Only the part of
    the network up to the deepest requested layer is kept.
    """
    cache = _EXTRACTORS.setdefault(base, {})
    key = (*layer_names, *sorted(f"<input of {name}>" for name in inputs_of))
    if key not in cache:
        outputs = [
            base.get_layer(name).input if name in inputs_of else base.get_layer(name).output
            for name in layer_names
        ]
        inputs = base.inputs[0] if len(base.inputs) == 1 else base.inputs
        cache[key] = keras.Model(inputs=inputs, outputs=outputs)
    return cache[key]

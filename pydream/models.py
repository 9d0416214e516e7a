"""Model registry: builders, pre/deprocessing, layer names, minimum sizes and weights.

Every model is built once per (model, weights, precision) and kept in a small cache, and each
feature extractor once per set of layers, so that dreaming many pictures pays the build once.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import os
import re
import warnings
import weakref
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import keras
import numpy as np

from .folding import fold_batch_norm, set_precision

CAFFE_MEAN_BGR = np.array([103.939, 116.779, 123.68], dtype=np.float32)


@dataclasses.dataclass(frozen=True)
class ModelSpec:
    """What pydream needs to know about one Keras ImageNet model.

    Attributes:
        name: registry name (``"inception_v3"``).
        builder: the ``keras.applications`` constructor.
        preprocessing: ``"tf"`` (pixels to [-1, 1]) or ``"caffe"`` (BGR, ImageNet mean removed).
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

    def preprocess(self, rgb: np.ndarray) -> np.ndarray:
        """uint8 or float RGB pixels (…, H, W, 3) in 0..255 -> float32 network input."""
        pixels = np.asarray(rgb, dtype=np.float32)
        if self.preprocessing == "tf":
            return pixels / 127.5 - 1.0
        return pixels[..., ::-1] - CAFFE_MEAN_BGR

    def deprocess(self, x: np.ndarray) -> np.ndarray:
        """Network input (…, H, W, 3) float -> uint8 RGB pixels, rounded and clipped to 0..255."""
        values = np.asarray(x, dtype=np.float32)
        if self.preprocessing == "tf":
            pixels = (values + 1.0) * 127.5
        else:
            pixels = (values + CAFFE_MEAN_BGR)[..., ::-1]
        return np.clip(np.rint(pixels), 0, 255).astype(np.uint8)

    def input_range(self) -> tuple[np.ndarray, np.ndarray]:
        """Per-channel (low, high) of preprocessed pixel values, each of shape (3,)."""
        low = self.preprocess(np.zeros(3, dtype=np.float32))
        high = self.preprocess(np.full(3, 255.0, dtype=np.float32))
        return low, high

    def pixel_scale(self) -> float:
        """Preprocessed units per 0..255 pixel unit."""
        return 1.0 / 127.5 if self.preprocessing == "tf" else 1.0


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


def get_spec(model: str) -> ModelSpec:
    """Return the registry entry for ``model``, or raise ``ValueError`` listing the names."""
    if model not in MODELS:
        close = difflib.get_close_matches(str(model), list(MODELS), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(f"unknown model {model!r}{hint}; models are: {', '.join(MODELS)}")
    return MODELS[model]


def _resolve_imagenet_file(spec: ModelSpec) -> str | None:
    """An ImageNet weights file for ``spec`` from ``PYDREAM_WEIGHTS_DIR``, if one is there."""
    folder = os.environ.get("PYDREAM_WEIGHTS_DIR")
    if not folder:
        return None
    candidates = sorted(Path(folder).glob(f"{spec.name}*.h5"))
    return str(candidates[0]) if candidates else None


def check_weights_file(path: str) -> Path:
    """Raise a clear error unless ``path`` names a readable, non-empty HDF5 file."""
    file = Path(path).expanduser()
    if not file.exists():
        raise FileNotFoundError(
            f"weights file not found: {path} (use weights='imagenet', None or an existing file)"
        )
    if not file.is_file():
        raise ValueError(f"weights path {path} is not a file")
    if not str(file).endswith(".h5"):
        raise ValueError(f"weights file {path} must end in .weights.h5 or .h5")
    with open(file, "rb") as handle:
        signature = handle.read(8)
    if signature != b"\x89HDF\r\n\x1a\n":
        raise ValueError(f"weights file {path} is not an HDF5 weights file (wrong signature)")
    return file


MIXED_POLICIES = {"bfloat16": "mixed_bfloat16", "float16": "mixed_float16"}
"""Keras dtype policy of each reduced precision: float32 weights, reduced-precision compute."""


def _build(spec: ModelSpec, weights: str | None) -> keras.Model:
    """The headless model in float32 with ``weights`` loaded."""
    previous_policy = keras.config.dtype_policy()
    keras.config.set_dtype_policy("float32")
    try:
        if weights == "imagenet":
            local_file = _resolve_imagenet_file(spec)
            if local_file is None:
                try:
                    return spec.builder(include_top=False, weights="imagenet")
                except Exception as error:
                    raise ValueError(
                        f"could not get the ImageNet weights of {spec.name} ({error}); "
                        "pass weights=PATH to a weights file, or set PYDREAM_WEIGHTS_DIR to a "
                        "folder holding one"
                    ) from None
            weights = local_file
        model = spec.builder(include_top=False, weights=None)
        if weights is not None:
            file = check_weights_file(weights)
            _load_weights_strictly(model, file, spec.name)
        return model
    finally:
        keras.config.set_dtype_policy(previous_policy)


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
            raise ValueError(f"weights file {file} does not fit {model_name}: {reason}") from None
    for warning in caught:
        message = str(warning.message)
        if "skipping" in message.lower() or "retain" in message.lower():
            raise ValueError(
                f"weights file {file} does not fit {model_name}: {message.splitlines()[0]}"
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
    shapes = re.search(r"variable\.shape=(\([^)]*\)).*value\.shape=(\([^)]*\))", detail)
    if shapes:
        detail = f"the model expects shape {shapes.group(1)}, the file has {shapes.group(2)}"
    count = int(total.group(1)) if total else 1
    others = ""
    if count > 1:
        others = f" ({count - 1} more layer{'s' if count > 2 else ''} failed too)"
    stored = f", stored as {entry!r}" if entry != session_name else ""
    return f"layer {session_name!r} ({kind}{stored}) could not be loaded: {detail}{others}"


@functools.lru_cache(maxsize=4)
def load_base_model(model: str, weights: str | None, precision: str = "float32") -> keras.Model:
    """Build (once) the headless ``model`` with ``weights``, computing at ``precision``.

    The reduced precisions are copies of the float32 model (see ``layer_policies``).
    """
    spec = get_spec(model)
    if precision == "float32":
        return _build(spec, weights)
    base = load_base_model(model, weights)
    policies = layer_policies(base, precision, spec.float32_convolutions)
    return set_precision(base, policies or {})


@functools.lru_cache(maxsize=4)
def load_inference_model(
    model: str, weights: str | None, precision: str = "float32"
) -> keras.Model:
    """The base model with batch norm folded into its convolutions (``learning_phase=0``),
    computing at ``precision``: one copy of the float32 model."""
    spec = get_spec(model)
    base = load_base_model(model, weights)
    return fold_batch_norm(base, layer_policies(base, precision, spec.float32_convolutions))


@functools.lru_cache(maxsize=8)
def _model_layer_names(model: str) -> tuple[str, ...]:
    return tuple(layer.name for layer in _build(get_spec(model), None).layers)


def list_layers(model: str = "inception_v3", *, all_layers: bool = False) -> list[str]:
    """Names of the layers worth dreaming with (block outputs), in network order.

    Args:
        model: a registry name.
        all_layers: list every layer of the network instead (any of them may be dreamed).
    """
    spec = get_spec(model)
    names = _model_layer_names(model)
    if all_layers:
        return [name for name in names if not name.startswith("input")]
    pattern = re.compile(spec.layer_pattern)
    return [name for name in names if pattern.match(name)]


def check_layer_names(model: str, layers: Sequence[str], available: Sequence[str]) -> None:
    """Raise a ``ValueError`` naming every unknown layer, the valid ones and the nearest."""
    known = set(available)
    unknown = [name for name in layers if name not in known]
    if not unknown:
        return
    shown = list_layers(model)
    described = []
    for name in unknown:
        close = difflib.get_close_matches(name, shown, n=1) or difflib.get_close_matches(
            name, list(available), n=1
        )
        described.append(f"{name!r} (did you mean {close[0]!r}?)" if close else repr(name))
    noun = "layer" if len(unknown) == 1 else "layers"
    raise ValueError(
        f"unknown {noun} {', '.join(described)} for {model}; valid layers: {', '.join(shown)} "
        f"(or any name from list_layers({model!r}, all_layers=True))"
    )


_EXTRACTORS: weakref.WeakKeyDictionary[keras.Model, dict[tuple[str, ...], keras.Model]] = (
    weakref.WeakKeyDictionary()
)


def feature_extractor(base: keras.Model, layer_names: tuple[str, ...]) -> keras.Model:
    """A model from the base model's input to the named layers' outputs (in that order).

    Only the part of the network up to the deepest requested layer is kept.
    """
    cache = _EXTRACTORS.setdefault(base, {})
    if layer_names not in cache:
        outputs = [base.get_layer(name).output for name in layer_names]
        cache[layer_names] = keras.Model(inputs=base.inputs, outputs=outputs)
    return cache[layer_names]

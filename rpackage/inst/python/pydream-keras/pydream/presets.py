"""Named settings from the posts DeepDream is usually learnt from.

A preset is a partial set of ``DreamSettings`` fields; explicit arguments win over it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

from .errors import PresetError
from .settings import SETTING_NAMES, Default, DreamSettings, check_optimizer_settings

_PRESETS: dict[str, dict[str, Any]] = {
    # The R post ("jellyfish"): five octaves, no border crop. The post also lists mixed11,
    # mixed27, mixed37 and mixed47, which InceptionV3 does not have (mixed0..mixed10).
    "jellyfish": {
        "layers": {"mixed2": 0.2, "mixed3": 0.8, "mixed4": 2.0, "mixed5": 4.0, "mixed6": 5.0},
        "step": 0.025,
        "num_octave": 5,
        "octave_scale": 1.4,
        "iterations": 20,
        "max_loss": 10.0,
        "border": 0,
    },
    # The Python keras post.
    "chollet": {
        "layers": {"mixed2": 0.2, "mixed3": 3.0, "mixed4": 2.0, "mixed5": 1.5},
        "step": 0.01,
        "num_octave": 3,
        "octave_scale": 1.4,
        "iterations": 20,
        "max_loss": 10.0,
        "border": 2,
    },
    # The TensorFlow 2 tutorial: mean activation, std-normalised gradient, clipped image.
    "tutorial": {
        "layers": {"mixed3": 1.0, "mixed5": 1.0},
        "loss": "mean",
        "normalize": "std",
        "clip": True,
        "num_octave": 1,
        "iterations": 100,
        "step": 0.01,
        "max_loss": None,
    },
    # The VGG16 "paintings" post: L-BFGS on features minus continuity and image-L2 penalties,
    # with random noise (lbfgs_noise) added before and removed after each round.
    "acid": {
        "model": "vgg16",
        "layers": {"block4_conv1": 0.05, "block4_conv2": 0.01, "block4_conv3": 0.01},
        "optimizer": "lbfgs",
        "continuity": 0.1,
        "dream_l2": 0.8,
        "lbfgs_noise": 5.0,
        "num_octave": 1,
        "iterations": 5,
        "lbfgs_evaluations": 7,
        "max_loss": None,
        "border": 2,
    },
    "doggos": {
        "model": "vgg16",
        "layers": {"block5_conv1": 0.05, "block5_conv2": 0.02},
        "optimizer": "lbfgs",
        "continuity": 0.1,
        "dream_l2": 0.02,
        "lbfgs_noise": 0.0,
        "num_octave": 1,
        "iterations": 5,
        "lbfgs_evaluations": 7,
        "max_loss": None,
        "border": 2,
    },
}

for _name, _settings in _PRESETS.items():
    _unknown = set(_settings) - set(SETTING_NAMES)
    if _unknown:  # pragma: no cover - a programming error caught at import
        raise RuntimeError(f"preset {_name!r} sets unknown settings {sorted(_unknown)}")

presets: Mapping[str, Mapping[str, Any]] = MappingProxyType(
    {name: MappingProxyType(settings) for name, settings in _PRESETS.items()}
)
"""Preset name -> the settings it sets (read-only)."""


def preset_settings(name: str) -> dict[str, Any]:
    """Return a fresh copy of a preset's settings, or raise ``PresetError`` (a
    ``ValueError``) listing the names."""
    if not isinstance(name, str) or name not in _PRESETS:
        raise PresetError(
            f"unknown preset {name!r}; presets are: {', '.join(_PRESETS)}",
            setting="preset",
            value=name,
            allowed=", ".join(map(repr, _PRESETS)),
            preset=name,
            presets=list(_PRESETS),
        )
    settings = dict(_PRESETS[name])
    settings["layers"] = dict(settings["layers"])
    return settings


def describe_preset(name: str) -> str:
    """One line saying what a preset sets, e.g. for ``pydream presets``."""
    settings = preset_settings(name)
    layers = ", ".join(f"{layer}={value:g}" for layer, value in settings.pop("layers").items())
    rest = ", ".join(f"{key}={value}" for key, value in settings.items())
    return f"{name}: layers {layers}; {rest}"


DEFAULT_LAYERS = dict(_PRESETS["chollet"]["layers"])
"""The layers of a dream given neither ``layers`` nor a preset (the ``chollet`` preset's)."""


def resolve_settings(
    layers: Mapping[str, float] | Sequence[Mapping[str, float]] | None,
    preset: str | None,
    arguments: Mapping[str, Any],
) -> DreamSettings:
    """Combine defaults, a preset and explicit arguments (which win) into settings.

    ``arguments`` maps setting names to values; values wrapped in ``Default`` were not given
    by the caller, so a preset may replace them. Without layers or a preset, the ``chollet``
    preset's layers are used.

    Raises:
        SettingError: a value cannot be used, or a setting given explicitly is one that the
            chosen optimiser does not use (see ``check_optimizer_settings``).
    """
    values: dict[str, Any] = preset_settings(preset) if preset is not None else {}
    for name, value in arguments.items():
        if isinstance(value, Default):
            values.setdefault(name, value.value)
        else:
            values[name] = value
    if layers is not None:
        values["layers"] = layers
    values.setdefault("layers", dict(DEFAULT_LAYERS))
    settings = DreamSettings(**values)
    check_optimizer_settings(settings, arguments)
    return settings


def resolve_named_settings(
    caller: str,
    layers: Mapping[str, float] | Sequence[Mapping[str, float]] | None,
    preset: str | None,
    settings: Mapping[str, Any],
) -> DreamSettings:
    """``resolve_settings`` for a function taking ``**settings``: a name that is no
    ``deep_dream`` setting is a ``TypeError`` naming ``caller``."""
    unknown = sorted(set(settings) - set(SETTING_NAMES))
    if unknown:
        raise TypeError(f"{caller}() got unknown settings: {', '.join(unknown)}")
    return resolve_settings(layers, preset, settings)

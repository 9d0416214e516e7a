"""What pydream raises when the user's input cannot be used, and the notices it gives.

Every error is a ``PydreamError`` and also the built-in exception that callers caught before
these classes existed (``ValueError``, ``TypeError``, ``FileNotFoundError``), so
``except ValueError`` keeps working. Each carries the facts of the problem as attributes
(``fields()`` lists them), so that the command line, R and other callers can show or act on
them without reading the message text.

    PydreamError
    ├── SettingError        (ValueError, TypeError)  a setting's value: setting, value, allowed
    │   ├── LayerError                               an unknown layer: layer, model, suggestions
    │   └── PresetError                              an unknown preset: preset, presets
    ├── ImageError          (ValueError)             a picture that cannot be used: path
    │   └── ImageNotFoundError (FileNotFoundError)   a picture file that does not exist
    ├── WeightsError        (ValueError)             a weights file or download: path
    │   └── WeightsNotFoundError (FileNotFoundError)
    ├── OutputError         (ValueError)             where a result cannot be written: path
    │   └── OutputWriteError (OSError)               a write that failed on the way: errno
    └── MemoryBudgetError   (ValueError, MemoryError) needed, budget (bytes)
"""

from __future__ import annotations

from typing import Any


class PydreamError(Exception):
    """Base of pydream's errors about the user's input.

    Attributes:
        message: the one-line message (also ``str(error)``).
    """

    field_names: tuple[str, ...] = ()
    """The attributes that describe the problem, beside the message."""

    def __init__(self, message: str, **fields: Any) -> None:
        super().__init__(message)
        self.message = message
        for name in self.field_names:
            setattr(self, name, fields.pop(name, None))
        if fields:
            raise TypeError(f"{type(self).__name__} has no field {', '.join(fields)}")

    def fields(self) -> dict[str, Any]:
        """The facts of the problem, by name (values as given: strings, numbers, lists)."""
        return {name: getattr(self, name) for name in self.field_names}

    def __reduce__(self) -> tuple[Any, ...]:  # picklable across worker processes
        return (_rebuild, (type(self), self.message, self.fields()))


def _rebuild(kind: type[PydreamError], message: str, fields: dict[str, Any]) -> PydreamError:
    return kind(message, **fields)


class SettingError(PydreamError, ValueError, TypeError):
    """A setting whose value cannot be used (out of bounds, wrong type, unknown choice, or
    a setting the chosen optimiser does not use).

    Attributes:
        setting: the setting's name, as in ``deep_dream`` (``"step"``, ``"layers"``).
        value: the value given (or its description when it is not a plain value).
        allowed: what is allowed, in words (``"a number >= 0"``, ``"'l2', 'mean'"``).
    """

    field_names: tuple[str, ...] = ("setting", "value", "allowed")


class LayerError(SettingError):
    """A layer name the model does not have.

    Attributes:
        layer: the unknown name. model: the model's name. suggestions: close names.
    """

    field_names: tuple[str, ...] = (*SettingError.field_names, "layer", "model", "suggestions")


class PresetError(SettingError):
    """An unknown preset name. Attributes: preset, presets (the valid names)."""

    field_names: tuple[str, ...] = (*SettingError.field_names, "preset", "presets")


class ImageError(PydreamError, ValueError):
    """A picture that cannot be used (not a picture, truncated, empty, too large, ...).

    Attributes:
        path: the file, as given (``None`` for pixels given as an array or picture).
        role: what the picture is for: ``"image"``, ``"guide"``, ``"mask"``, ``"frame"``.
    """

    field_names: tuple[str, ...] = ("path", "role")


class ImageNotFoundError(ImageError, FileNotFoundError):
    """A picture file that does not exist."""


class WeightsError(PydreamError, ValueError):
    """Weights that cannot be loaded. Attributes: path (the file or ``"imagenet"``)."""

    field_names: tuple[str, ...] = ("path",)


class WeightsNotFoundError(WeightsError, FileNotFoundError):
    """A weights file that does not exist."""


class OutputError(PydreamError, ValueError):
    """A result that cannot be written where asked. Attributes: path."""

    field_names: tuple[str, ...] = ("path",)


class OutputWriteError(OutputError, OSError):
    """A write that failed on the way (disk full, read-only folder, permission denied).

    A class of its own because such failures were ``OSError``s with an ``errno`` before the
    typed errors, and callers still catch them so; it is also an ``OutputError``.

    Attributes:
        errno: the system's error number (``errno.ENOSPC``, ...), or ``None``.
    """

    field_names: tuple[str, ...] = (*OutputError.field_names, "errno")


class MemoryBudgetError(PydreamError, ValueError, MemoryError):
    """A dream that cannot fit its memory budget, even tiled.

    Attributes:
        needed: estimated bytes of the smallest plan. budget: the budget, in bytes.
    """

    field_names: tuple[str, ...] = ("needed", "budget")


class DeprecatedSettingWarning(FutureWarning):
    """A setting given under a name or meaning that is going away; the message says the new."""


class DreamNotice(UserWarning):
    """Something the dream decided for the user (such as tiling), said once per dream."""


class HardwareNotice(DreamNotice):
    """The hardware emulates what was asked (such as bfloat16 on a CPU without it)."""

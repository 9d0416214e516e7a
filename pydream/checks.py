"""Checks of single values given by the user: each returns the value in its canonical type
or raises a ``SettingError`` that names the setting, the value and what is allowed."""

from __future__ import annotations

import math
import numbers
import sys
from typing import Any

from .errors import SettingError

PREPROCESSING_SCHEMES = ("tf", "caffe", "torch")


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _fail(name: str, value: Any, allowed: str, message: str) -> SettingError:
    shown = value if isinstance(value, (str, int, float, bool, type(None))) else repr(value)
    return SettingError(message, setting=name, value=shown, allowed=allowed)


def describe_bounds(
    kind: str,
    minimum: float | None = None,
    maximum: float | None = None,
    strictly_above: float | None = None,
) -> str:
    """What a number may be, in words: ``"a whole number from 1 to 50"``."""
    noun = "a whole number" if kind == "whole" else "a number"
    if strictly_above is not None and maximum is not None:
        return f"{noun} above {strictly_above:g} and at most {maximum:g}"
    if strictly_above is not None:
        return f"{noun} above {strictly_above:g}"
    if minimum is not None and maximum is not None:
        return f"{noun} from {minimum:g} to {maximum:g}"
    if minimum is not None:
        return f"{noun} >= {minimum:g}"
    if maximum is not None:
        return f"{noun} <= {maximum:g}"
    return noun


def check_float(
    name: str,
    value: Any,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    strictly_above: float | None = None,
    allow_none: bool = False,
) -> float | None:
    """Return ``value`` as a finite float, or raise a ``SettingError`` naming it."""
    if value is None and allow_none:
        return None
    allowed = describe_bounds("number", minimum, maximum, strictly_above)
    if not _is_number(value):
        raise _fail(name, value, allowed, f"{name} must be a number, not {value!r}")
    result = float(value)
    if not math.isfinite(result):
        raise _fail(name, value, allowed, f"{name} must be a finite number, not {result}")
    if minimum is not None and maximum is not None and not minimum <= result <= maximum:
        message = f"{name} must be from {minimum:g} to {maximum:g}, not {result:g}"
        raise _fail(name, value, allowed, message)
    if minimum is not None and result < minimum:
        raise _fail(name, value, allowed, f"{name} must be at least {minimum}, not {result}")
    if strictly_above is not None and result <= strictly_above:
        message = (
            f"{name} must be a positive number, not {result}"
            if strictly_above == 0
            else f"{name} must be greater than {strictly_above}, not {result}"
        )
        raise _fail(name, value, allowed, message)
    if maximum is not None and result > maximum:
        raise _fail(name, value, allowed, f"{name} must be at most {maximum:g}, not {result}")
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
    allowed = describe_bounds("whole", minimum, maximum)
    if not _is_number(value):
        raise _fail(name, value, allowed, f"{name} must be a whole number, not {value!r}")
    if isinstance(value, numbers.Integral):
        result = int(value)
    else:
        as_float = float(value)
        if not math.isfinite(as_float) or not as_float.is_integer():
            raise _fail(name, value, allowed, f"{name} must be a whole number, not {value!r}")
        result = int(as_float)
    if minimum is not None and result < minimum:
        raise _fail(name, value, allowed, f"{name} must be at least {minimum}, not {result}")
    if maximum is not None and result > maximum:
        raise _fail(name, value, allowed, f"{name} must be at most {maximum}, not {result}")
    return result


def check_choice(name: str, value: Any, choices: tuple[str, ...]) -> str:
    """Return ``value`` if it is one of ``choices``, else raise naming the valid ones."""
    if not isinstance(value, str) or value not in choices:
        allowed = ", ".join(map(repr, choices))
        raise _fail(name, value, allowed, f"{name} must be one of {allowed}, not {value!r}")
    return value


def check_flag(name: str, value: Any) -> bool:
    """``True`` or ``False`` (no other truthy value)."""
    if not isinstance(value, bool):
        raise _fail(name, value, "True or False", f"{name} must be True or False, not {value!r}")
    return value


def check_offset(name: str, value: Any) -> tuple[float, float]:
    """Two finite numbers ``(x, y)``: pixels right and down."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__") or len(value) != 2:
        shown = value if _is_number(value) else repr(value)
        raise _fail(
            name, value, "two numbers (x, y)",
            f"{name} must be two numbers (x, y pixels a frame), not {shown}",
        )  # fmt: skip
    x, y = (check_float(name, each) for each in value)
    return (float(x or 0.0), float(y or 0.0))


def check_switch(name: str, value: Any, choices: tuple[str, ...]) -> str | None:
    """``False``/``None`` (off), ``True`` (the first of ``choices``) or one of ``choices``."""
    if value is None or value is False:
        return None
    if value is True:
        return choices[0]
    if not isinstance(value, str) or value not in choices:
        allowed = "True, False or one of " + ", ".join(map(repr, choices))
        raise _fail(name, value, allowed, f"{name} must be {allowed}, not {value!r}")
    return value


def check_size_form(name: str, value: Any, maximum: float | None = None) -> int | tuple[int, int]:
    """A side in pixels (a whole number >= 1) or a pair ``(height, width)`` of them."""
    top = None if maximum is None else int(maximum)
    if isinstance(value, (tuple, list)) and len(value) == 2:
        height, width = (check_int(name, each, minimum=1, maximum=top) or 1 for each in value)
        return (height, width)
    return check_int(name, value, minimum=1, maximum=top) or 1


def check_transforms_form(name: str, value: Any) -> Any:
    """``"standard"``, ``"none"``/``None`` or a list of named transforms: the names and
    ranges themselves are checked where the transforms are built
    (``pydream.visual.transforms.parse_transforms``)."""
    if value is None or isinstance(value, str):
        return None if value is None or value.strip().lower() == "none" else value
    if isinstance(value, (list, tuple)):
        return tuple(value)
    raise _fail(
        name, value, "'standard', None or a list of transforms",
        f"{name} must be 'standard', None or a list such as ['pad:12', 'rotate:-10..10'], "
        f"not {value!r}",
    )  # fmt: skip


def check_tile_size(name: str, value: Any) -> int | str | None:
    """``"auto"``, ``None`` or a whole number of pixels >= 1."""
    if value is None or (isinstance(value, str) and value == "auto"):
        return value
    if isinstance(value, str):
        raise _fail(
            name,
            value,
            "'auto', None or a whole number >= 1",
            f"{name} must be 'auto', None or a number of pixels, not {value!r}",
        )
    return check_int(name, value, minimum=1)


def check_weights(name: str, value: Any) -> str | None:
    """``"imagenet"``, ``None`` or a file path (``os.PathLike`` accepted) -> a string."""
    if value is None or isinstance(value, str):
        return value
    try:
        return str(value.__fspath__())
    except AttributeError:
        raise _fail(
            name,
            value,
            "'imagenet', None or a file path",
            f"{name} must be 'imagenet', None or a file path, not {value!r}",
        ) from None


def is_keras_model(value: Any) -> bool:
    """Whether ``value`` is a ``keras.Model`` (checked without importing Keras)."""
    keras = sys.modules.get("keras")
    return keras is not None and isinstance(value, keras.Model)


def check_model(name: str, model: Any) -> Any:
    """A model registry name or a ``keras.Model``."""
    if isinstance(model, str) or is_keras_model(model):
        return model
    raise _fail(
        name,
        model,
        "a model name or a keras.Model",
        f"{name} must be a model name (see pydream.models.MODELS) or a keras.Model, "
        f"not {type(model).__name__}",
    )


def check_processing(name: str, value: Any) -> Any:
    """``None``, a named scheme (``"tf"``, ``"caffe"``, ``"torch"``) or a callable."""
    if value is None or callable(value):
        return value
    if isinstance(value, str):
        return check_choice(name, value, PREPROCESSING_SCHEMES)
    raise _fail(
        name,
        value,
        "None, a scheme name or a function",
        f"{name} must be None, one of {', '.join(map(repr, PREPROCESSING_SCHEMES))} or a "
        f"function, not {type(value).__name__}",
    )

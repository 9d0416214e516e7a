"""Glue between the R package deepdream and the pydream engine, loaded through reticulate.

Arrays cross between the languages as flat column-major (Fortran order) lists plus a shape.
That route works with every reticulate version, including those that do not understand
NumPy 2 arrays (Debian 12's reticulate 1.28 leaves them as Python objects and refuses to
turn R arrays into them). Errors come back as values (type, message and, for the engine's
typed errors, their classes and fields), so that R can raise a clean R error of matching
classes without a Python traceback.
"""

from __future__ import annotations

import os
import traceback
import warnings
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

import pydream
from pydream.presets import resolve_settings
from pydream.settings import SETTING_NAMES

_last_error: dict[str, str] = {}

try:  # an older engine has no typed errors: nothing is then a PydreamError
    from pydream.errors import PydreamError
except ImportError:  # pragma: no cover - older engines
    PydreamError = type("NoPydreamError", (Exception,), {})  # type: ignore[assignment,misc]

# The engine's notices (an older engine has none: nothing is then a notice).
_NOTICE: type[Warning] = getattr(pydream, "DreamNotice", type("NoNotice", (Warning,), {}))


def array_from_r(values: Any, shape: Any, dtype: str = "float32") -> np.ndarray:
    """Rebuild a NumPy array from R's column-major values and its dim."""
    shape = tuple(int(size) for size in (shape if isinstance(shape, (list, tuple)) else [shape]))
    if isinstance(values, (bytes, bytearray)):
        flat = np.frombuffer(bytes(values), dtype=np.uint8)
    else:
        flat = np.asarray(values if isinstance(values, list) else [values], dtype=np.float64)
    if flat.size != int(np.prod(shape)):
        raise ValueError(f"{flat.size} values do not fill an array of shape {shape}")
    return np.ascontiguousarray(flat.reshape(shape, order="F").astype(dtype, copy=False))


def to_r(value: Any) -> Any:
    """Turn a result into values reticulate converts the same way in every version."""
    if isinstance(value, np.ndarray):
        target = np.int64 if value.dtype.kind in "biu" else np.float64
        values: list[Any] = value.astype(target, copy=False).ravel(order="F").tolist()
        return {
            "__array__": True,
            "values": values,
            "shape": [int(size) for size in value.shape],
            "dtype": str(value.dtype),
        }
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Mapping):
        return {str(key): to_r(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_r(item) for item in value]
    return value


def r_array_function(function: Any, what: str) -> Any:
    """Wrap an R function of an array (see ``r_array_function`` in R) as a function of a
    NumPy array, for a model object's ``preprocess`` or ``deprocess``.

    The R side receives ``to_r(array)`` and returns ``{"values": [...], "shape": [...]}``,
    or the message of the R error it caught, which is raised here as a ``ValueError``.
    """

    def apply(array: Any) -> np.ndarray:
        result = function(to_r(np.asarray(array)))
        if not isinstance(result, Mapping):
            raise ValueError(f"the {what} function failed in R: {result}")
        return array_from_r(result["values"], result["shape"], "float32")

    apply.__name__ = apply.__qualname__ = f"r_{what}"
    return apply


def r_callback(function: Any) -> Any:
    """Wrap an R function as the engine's callback(octave, step, loss) -> bool."""

    def callback(octave: int, step: int, loss: float) -> bool:
        return bool(function(int(octave), int(step), float(loss)))

    return callback


def error_facts(error: BaseException) -> dict[str, Any]:
    """What R needs to know of an error beside its message.

    Returns:
        ``{"chain": [...], "builtins": [...], "fields": {...}}``: ``chain`` the names of the
        engine's error classes from the error's own up to ``PydreamError`` (empty for any
        other error), ``builtins`` the built-in exception classes it is (``ValueError``,
        ``TypeError``, ``FileNotFoundError``, ``OSError``, ..., without ``Exception``), and
        ``fields`` the typed error's ``fields()`` as ``to_r`` gives them (values that are
        not plain data become their ``repr``).
    """
    classes = type(error).__mro__
    chain = [kind.__name__ for kind in classes if issubclass(kind, PydreamError)]
    builtins = [
        kind.__name__
        for kind in classes
        if kind.__module__ == "builtins" and kind not in (BaseException, Exception, object)
    ]
    fields = error.fields() if isinstance(error, PydreamError) else {}
    return {
        "chain": chain,
        "builtins": builtins,
        "fields": {name: to_r(_plain(value)) for name, value in fields.items()},
    }


def _plain(value: Any) -> Any:
    """``value`` if R can read it as data (numbers, strings, arrays, lists and dicts of
    them), else its ``repr``."""
    if value is None or isinstance(value, (bool, int, float, str, np.ndarray, np.generic)):
        return value
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return repr(value)


def call(name: str, args: Any = None, kwargs: Any = None) -> dict[str, Any]:
    """Call ``pydream.<name>(*args, **kwargs)``.

    Returns ``{"ok": True, "value": ..., "warnings": [...], "notes": [...]}`` or, when it
    raised, ``{"ok": False, "type": ..., "message": ..., "chain": [...], "builtins": [...],
    "fields": {...}, "warnings": [...], "notes": [...]}`` (see ``error_facts``).
    ``notes`` are the texts of the engine's ``DreamNotice`` warnings (decisions it made for
    the user, such as tiling), which R shows as messages; ``warnings`` the texts of its
    other ``UserWarning``s, which R shows as warnings.
    """
    function = _BRIDGE_FUNCTIONS[name] if name in _BRIDGE_FUNCTIONS else getattr(pydream, name)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = function(*(args or []), **(kwargs or {}))
        except Exception as error:  # every failure goes back to R as a value
            _last_error.clear()
            _last_error.update(
                type=type(error).__name__,
                message=str(error),
                traceback="".join(traceback.format_exception(error)),
            )
            return {
                "ok": False,
                "type": type(error).__name__,
                "message": str(error),
                **error_facts(error),
                "warnings": _messages(caught),
                "notes": _notes(caught),
            }
    return {
        "ok": True,
        "value": to_r(result),
        "warnings": _messages(caught),
        "notes": _notes(caught),
    }


def _messages(caught: list[warnings.WarningMessage]) -> list[str]:
    """The text of the warnings the engine raised (not those of its libraries), notices
    excepted (see ``_notes``)."""
    engine = (os.sep + "pydream" + os.sep, "deepdream_bridge")
    return [
        str(item.message)
        for item in caught
        if issubclass(item.category, UserWarning)
        and not issubclass(item.category, _NOTICE)
        and any(part in str(item.filename) for part in engine)
    ]


def _notes(caught: list[warnings.WarningMessage]) -> list[str]:
    """The text of the engine's ``DreamNotice`` warnings, in the order they came."""
    return [str(item.message) for item in caught if issubclass(item.category, _NOTICE)]


def set_environment(name: str, value: str | None) -> None:
    """Set (or with ``None`` remove) an environment variable as Python sees it."""
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


def last_error() -> dict[str, str]:
    """Type, message and formatted traceback of the last failed call (empty if none)."""
    return dict(_last_error)


def step_plan(kwargs: Mapping[str, Any]) -> dict[str, int]:
    """Octaves and steps per octave that ``deep_dream(**kwargs)`` plans, for a progress bar.

    Defaults, preset and explicit arguments are resolved by the engine itself. Invalid
    arguments give one step: the dream call that follows reports the error.
    """
    arguments = {key: value for key, value in kwargs.items() if key in SETTING_NAMES}
    arguments.pop("layers", None)
    try:
        settings = resolve_settings(kwargs.get("layers"), kwargs.get("preset"), arguments)
    except Exception:  # the dream call that follows reports it
        return {"num_octave": 1, "iterations": 1}
    return {"num_octave": settings.num_octave, "iterations": settings.iterations}


def presets() -> dict[str, Any]:
    """The engine's presets as plain dicts."""
    return to_r(pydream.presets)


def gallery(image: Any, layers: Any = None, **kwargs: Any) -> dict[str, Any]:
    """``pydream.dream_gallery(image, layers, **kwargs)`` and the keys it dreamed, in order.

    Returns ``{"sheet": array, "entries": [...]}``: the entries are those of
    ``pydream.gallery.gallery_entries``, or, without ``layers`` and ``channels``, the layers
    ``list_layers`` shows for the model the settings resolve to.
    """
    from pydream.run.gallery import gallery_entries

    sheet = pydream.dream_gallery(image, layers, **kwargs)
    entries = gallery_entries(layers, kwargs.get("channels"))
    if not entries:
        arguments = {key: value for key, value in kwargs.items() if key in SETTING_NAMES}
        model = resolve_settings({"_": 1.0}, kwargs.get("preset"), arguments).model
        entries = pydream.list_layers(model)
    return {"sheet": sheet, "entries": list(entries)}


def batch(inputs: Any, output_dir: Any, **kwargs: Any) -> dict[str, Any]:
    """``pydream.dream_batch`` as one row per picture, in input order.

    Returns ``{"input": [...], "output": [...], "status": [...], "message": [...]}``: status
    ``"dreamed"``, ``"skipped"`` (its output was there) or ``"failed"`` (message: why), and
    ``"summary"``, the one-line summary of the command.
    """
    result = pydream.dream_batch(inputs, output_dir, **kwargs)
    written, skipped = set(result.written), set(result.skipped)
    rows: dict[str, list[str]] = {"input": [], "output": [], "status": [], "message": []}
    for job in result.jobs:
        output = job.output
        status = "dreamed" if output in written else "skipped" if output in skipped else "failed"
        rows["input"].append(str(job.input))
        rows["output"].append(str(output))
        rows["status"].append(status)
        rows["message"].append(result.failed.get(job.input, ""))
    return {**rows, "summary": result.summary()}


class AnimationStopped(Exception):
    """An animation stopped before it was written (Ctrl-C, Esc in R, or the R callback asked
    to stop); the message is the engine's, saying how many frames are kept and where."""


def r_frame_callback(function: Any, with_frame: bool = True) -> Any:
    """Wrap an R function as an animation's ``callback(index, frame)``.

    R receives the 0-based index and, with ``with_frame``, the frame as ``to_r`` gives it
    (otherwise ``None``: a progress bar needs no pixels). When R returns true the animation
    stops as on Ctrl-C, keeping the frames written so far.
    """

    def callback(index: int, frame: np.ndarray) -> None:
        if function(int(index), to_r(frame) if with_frame else None):
            raise KeyboardInterrupt

    return callback


def _animation(function: Any, *args: Any, **kwargs: Any) -> str:
    try:
        return str(function(*args, **kwargs))
    except KeyboardInterrupt as interrupt:
        raise AnimationStopped(str(interrupt) or "interrupted; nothing was written") from None


def zoom(image: Any, output: Any, **kwargs: Any) -> str:
    """``pydream.dream_zoom``; the path written, or ``AnimationStopped`` when stopped early."""
    return _animation(pydream.dream_zoom, image, output, **kwargs)


def video(input: Any, output: Any, **kwargs: Any) -> str:
    """``pydream.dream_video``; the path written, or ``AnimationStopped`` when stopped early."""
    return _animation(pydream.dream_video, input, output, **kwargs)


def video_frame_count(input: Any) -> int | None:
    """Frames in a video or a folder of frames, for a progress bar; ``None`` when it cannot
    be read (the call that follows reports why)."""
    from pydream.motion.dreams import open_source

    try:
        return int(open_source(input).count)
    except Exception:  # reported by dream_video
        return None


def objective(terms: Any) -> Any:
    """An R objective (``objective_layer()``, ...) as a ``pydream.objectives.Objective``.

    ``terms``: one dict per term, in order, with ``kind``, ``layer``, ``key`` (its layer key,
    or a direction's label), ``weight`` and, for a direction (which has no key), ``vector``
    and ``cosine``.
    """
    from pydream import objectives

    parts = []
    for term in terms:
        if term["kind"] == "direction":
            value = objectives.direction(term["layer"], list(term["vector"]), term["cosine"])
        else:
            value = objectives.as_objective({term["key"]: 1.0})
        parts.append(value * float(term["weight"]))
    return sum(parts, objectives.Objective())


def classify(image: Any, top: int = 5, **kwargs: Any) -> dict[str, list[Any]]:
    """``pydream.engine.classify.classify`` as columns: ``{"index": [...], "name": [...],
    "probability": [...]}``, most probable first."""
    from pydream.engine.classify import classify as classify_picture

    found = classify_picture(image, top, **kwargs)
    return {
        "index": [index for index, _, _ in found],
        "name": [name for _, name, _ in found],
        "probability": [probability for _, _, probability in found],
    }


def visualize(step_callback: Any = None, **kwargs: Any) -> dict[str, Any]:
    """``pydream.visualize(**kwargs)`` and the label of each picture, in order.

    Returns ``{"pictures": array, "labels": [...], "stopped": None}``: one (H, W, 3) picture
    or (N, H, W, 3), labelled by ``visualize_labels``. ``step_callback(done, total)``, when
    given, is called after every step; when it returns true the visualisation stops, nothing
    is written, and the result is ``{"pictures": None, "labels": [], "stopped": "stopped
    after N of M steps"}``.
    """
    if step_callback is None:
        pictures = pydream.visualize(**kwargs)
        return {"pictures": pictures, "labels": visualize_labels(**kwargs), "stopped": None}
    from pydream.media.images import check_output_path
    from pydream.settings import FUNCTION_DEFAULTS
    from pydream.visual.request import write_sheet

    output, columns = kwargs.pop("output", None), kwargs.pop("columns", None)
    if output is not None:
        output = check_output_path(output, None, False)
    total = int(kwargs.get("iterations", FUNCTION_DEFAULTS["visualize"]["iterations"]))
    stopped: list[int] = []

    def report(step: int, _scores: Any) -> bool:
        if step_callback(step, total):
            stopped.append(step)
            return True
        return False

    pictures = pydream.visualize(callback=report, **kwargs)
    if stopped:
        return {"pictures": None, "labels": [], "stopped":
                f"stopped after {stopped[0]} of {total} steps"}  # fmt: skip
    labels = visualize_labels(**kwargs)
    if output is not None:
        write_sheet(pictures[None] if pictures.ndim == 3 else pictures, labels, output,
                    columns, pictures.ndim == 4)  # fmt: skip
    return {"pictures": pictures, "labels": labels, "stopped": None}


def visualize_labels(
    objective: Any = None, layers: Any = None, channels: Any = None, count: int = 1, **_: Any
) -> list[str]:
    """The label of each picture ``visualize`` draws, as its sheet shows them: a key per
    objective, layer or channel, ``"KEY #i"`` for the ``count`` pictures of one objective."""
    from pydream.visual.request import drawing_request

    return list(drawing_request(objective, layers, channels, count).labels)


# Functions of this module that R calls through ``call`` (the others are pydream's).
_BRIDGE_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "gallery": gallery,
    "zoom": zoom,
    "video": video,
    "batch": batch,
    "classify": classify,
    "visualize": visualize,
}

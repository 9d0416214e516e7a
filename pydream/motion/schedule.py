"""Keyframes: settings of an animation that change from frame to frame.

A keyframed setting (``pydream.settings.KEYFRAMED``: ``zoom``, ``rotate``, ``translate``,
``blend``, ``step``, ``iterations``, ``layers``, ...) is given to ``dream_zoom`` or
``dream_video`` as

- a constant, as for a single picture;
- a list with one value a frame (not ``layers``, whose list means one mapping an octave);
- keyframes ``{frame: value}``: frames numbered from 0, increasing, before the last frame.
  Before the first keyframe its value holds, after the last the last's. Numbers move between
  keyframes linearly or smoothly (``interpolation="smooth"``: smoothstep, ``3t^2 - 2t^3``,
  which eases in and out of every keyframe and never leaves the range of the two keyframes
  around it, so a zoom never drops below 1); whole numbers are rounded; layer mappings and
  other values switch at their keyframe and hold until the next.

``schedule={frame: {setting: value}}`` (or a JSON file of that object) gives keyframes of any
of them at once. A ``Schedule`` answers what every setting is at a frame; ``describe()`` is
what the work folder's manifest records, so a rerun with other keyframes is refused and a
resumed run dreams the same frames.
"""

from __future__ import annotations

import dataclasses
import json
import math
import numbers
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import SettingError
from ..settings import ANIMATION_SETTINGS, KEYFRAMED, SETTINGS, DreamSettings, Setting

INTERPOLATED_KINDS = ("number", "whole", "offset")


@dataclasses.dataclass(frozen=True)
class Track:
    """One keyframed setting: its checked values at increasing frames.

    Attributes:
        name: the setting.
        frames: the keyframes' frame numbers, increasing, from 0.
        values: the setting's value at each of them (checked).
    """

    name: str
    frames: tuple[int, ...]
    values: tuple[Any, ...]

    def at(self, index: int, interpolation: str) -> Any:
        """The value at frame ``index`` (0-based)."""
        if index <= self.frames[0]:
            return self.values[0]
        if index >= self.frames[-1]:
            return self.values[-1]
        after = next(k for k, frame in enumerate(self.frames) if frame > index)
        before = after - 1
        start, end = self.values[before], self.values[after]
        if not _interpolated(spec_of(self.name), start, end):
            return start
        t = (index - self.frames[before]) / (self.frames[after] - self.frames[before])
        if interpolation == "smooth":
            t = t * t * (3.0 - 2.0 * t)
        return _mix(spec_of(self.name), start, end, t)

    def describe(self) -> dict[str, Any]:
        """The track as JSON-friendly values (for the manifest)."""
        return {"frames": list(self.frames), "values": [_plain(value) for value in self.values]}


def spec_of(name: str) -> Setting:
    """The declaration of a keyframed setting."""
    return SETTINGS[name] if name in SETTINGS else ANIMATION_SETTINGS[name]


def _interpolated(spec: Setting, start: Any, end: Any) -> bool:
    return spec.kind in INTERPOLATED_KINDS and start is not None and end is not None


def _mix(spec: Setting, start: Any, end: Any, t: float) -> Any:
    if spec.kind == "offset":
        return tuple(a + (b - a) * t for a, b in zip(start, end, strict=True))
    value = start + (end - start) * t
    return math.floor(value + 0.5) if spec.kind == "whole" else value


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(key): weight for key, weight in value.items()}
    if isinstance(value, tuple) and value and isinstance(value[0], Mapping):
        return [_plain(each) for each in value]
    return list(value) if isinstance(value, tuple) else value


@dataclasses.dataclass(frozen=True)
class Schedule:
    """What every keyframed setting of an animation is at each frame.

    Attributes:
        constants: the settings given as one value, checked (animation settings only; the
            dream's own are in the ``DreamSettings`` the schedule is applied to).
        tracks: the keyframed settings, by name.
        interpolation: ``"linear"`` or ``"smooth"``.
    """

    constants: Mapping[str, Any]
    tracks: Mapping[str, Track]
    interpolation: str = "linear"

    def value(self, name: str, index: int) -> Any:
        """An animation setting (``zoom``, ``blend``, ...) at frame ``index``."""
        if name in self.tracks:
            return self.tracks[name].at(index, self.interpolation)
        return self.constants[name]

    def settings_at(self, settings: DreamSettings, index: int) -> DreamSettings:
        """``settings`` with the dream settings keyframed here set to their values at
        frame ``index``."""
        changes = {
            name: track.at(index, self.interpolation)
            for name, track in self.tracks.items()
            if name in SETTINGS
        }
        return dataclasses.replace(settings, **changes) if changes else settings

    def keyframe_settings(self, settings: DreamSettings) -> list[DreamSettings]:
        """``settings`` at frame 0 and at every keyframe: each distinct network and step an
        animation needs (built before its first frame, so a bad layer fails at once)."""
        frames = sorted({0, *(frame for track in self.tracks.values() for frame in track.frames)})
        return [self.settings_at(settings, frame) for frame in frames]

    def describe(self) -> dict[str, Any]:
        """The keyframes as JSON-friendly values (``{}`` without any): what the manifest
        records."""
        if not self.tracks:
            return {}
        tracks = {name: track.describe() for name, track in sorted(self.tracks.items())}
        return {"interpolation": self.interpolation, "tracks": tracks}


# --- reading what the user gave -------------------------------------------------------------


def is_keyframes(value: Any) -> bool:
    """Whether ``value`` is keyframes ``{frame: value}``: a mapping whose keys are all frame
    numbers (ints, or digit strings as JSON and R give them)."""
    return (
        isinstance(value, Mapping)
        and bool(value)
        and all(_frame_number(key) is not None for key in value)
    )


def is_per_frame(name: str, value: Any) -> bool:
    """Whether ``value`` is a list with one value a frame (never for ``layers``, whose list
    means one mapping an octave; for ``translate``, a list of pairs)."""
    if (
        name == "layers"
        or value is None
        or isinstance(value, (numbers.Number, str, bytes, Mapping))
    ):
        return False
    if not isinstance(value, Sequence) and not hasattr(value, "tolist"):
        return False
    items = value.tolist() if hasattr(value, "tolist") else list(value)
    if spec_of(name).kind == "offset":
        return bool(items) and all(isinstance(item, (Sequence, Mapping)) for item in items)
    return True


def _frame_number(key: Any) -> int | None:
    if isinstance(key, bool):
        return None
    if isinstance(key, numbers.Integral):
        return int(key)
    if isinstance(key, str) and key.strip().isdigit():
        return int(key.strip())
    return None


def keyframe_track(name: str, keyframes: Mapping[Any, Any], frames: int | None) -> Track:
    """A ``Track`` from ``{frame: value}``, its frames and values checked.

    Raises:
        SettingError: a frame that is no whole number >= 0, frames out of order, a frame
            past the last of ``frames``, or a value the setting cannot take.
    """
    spec = spec_of(name)
    numbers_: list[int] = []
    values: list[Any] = []
    for key, value in keyframes.items():
        frame = _frame_number(key)
        if frame is None or frame < 0:
            raise _keyframe_error(
                name, key, f"{name} keyframes are frame numbers from 0, not {key!r}"
            )
        if numbers_ and frame <= numbers_[-1]:
            raise _keyframe_error(
                name, key,
                f"{name} keyframes must be in increasing frame order: frame {frame} comes after "
                f"frame {numbers_[-1]}",
            )  # fmt: skip
        if frames is not None and frame >= frames:
            raise _keyframe_error(
                name, key,
                f"{name} keyframe at frame {frame} is past the last frame ({frames - 1}) of "
                f"{frames} frames",
            )  # fmt: skip
        numbers_.append(frame)
        values.append(spec.check(value))
    return Track(name, tuple(numbers_), tuple(values))


def per_frame_track(name: str, values: Any, frames: int | None) -> Track:
    """A ``Track`` from a list with one value a frame.

    Raises:
        SettingError: a list whose length is not ``frames``, or a value the setting cannot
            take.
    """
    items = values.tolist() if hasattr(values, "tolist") else list(values)
    if frames is not None and len(items) != frames:
        raise SettingError(
            f"{name} has {len(items)} values but the animation has {frames} frames: give one "
            "a frame, or keyframes {frame: value}",
            setting=name, value=f"<{len(items)} values>", allowed=f"{frames} values",
        )  # fmt: skip
    if not items:
        raise SettingError(
            f"{name} is an empty list: give a value, one a frame, or keyframes {{frame: value}}",
            setting=name, value="<0 values>", allowed="one value a frame",
        )  # fmt: skip
    spec = spec_of(name)
    return Track(name, tuple(range(len(items))), tuple(spec.check(item) for item in items))


def _keyframe_error(name: str, key: Any, message: str) -> SettingError:
    return SettingError(message, setting=name, value=str(key), allowed="frames 0, 1, ... in order")


def read_schedule(schedule: Any) -> dict[str, dict[Any, Any]]:
    """``schedule`` ({frame: {setting: value}} or a JSON file of it) as keyframes by setting:
    ``{setting: {frame: value}}``, frames in the order given.

    Raises:
        SettingError: not such an object, an unreadable file, or a setting that cannot be
            keyframed.
        FileNotFoundError: a file that does not exist.
    """
    if isinstance(schedule, (str, os.PathLike)):
        schedule = _load_schedule_file(Path(schedule).expanduser())
    if not isinstance(schedule, Mapping) or not is_keyframes(schedule):
        raise SettingError(
            "schedule must be an object of frame -> settings, such as "
            '{"0": {"zoom": 1.02}, "48": {"zoom": 1.1}}',
            setting="schedule", value=repr(schedule)[:60], allowed="{frame: {setting: value}}",
        )  # fmt: skip
    tracks: dict[str, dict[Any, Any]] = {}
    for frame, settings in schedule.items():
        if not isinstance(settings, Mapping):
            raise SettingError(
                f"schedule frame {frame} must map setting names to values, not {settings!r}",
                setting="schedule", value=repr(settings)[:60], allowed="{setting: value}",
            )  # fmt: skip
        for name, value in settings.items():
            check_keyframed_name(str(name), "schedule")
            tracks.setdefault(str(name), {})[frame] = value
    return tracks


def check_keyframed_name(name: str, where: str) -> None:
    """Raise a ``SettingError`` unless ``name`` is a setting an animation may keyframe."""
    if name not in KEYFRAMED:
        known = "known" if name in SETTINGS or name in ANIMATION_SETTINGS else "not a setting"
        raise SettingError(
            f"{where}: {name} cannot change from frame to frame ({known}); keyframed settings "
            f"are {', '.join(KEYFRAMED)}",
            setting=name, value=name, allowed=", ".join(KEYFRAMED),
        )  # fmt: skip


def _load_schedule_file(path: Path) -> Any:
    if not path.is_file():
        raise FileNotFoundError(f"schedule file not found: {path}")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise SettingError(
            f"schedule file {path} is not JSON ({error}); it must hold an object of frame -> "
            "settings",
            setting="schedule", value=str(path), allowed="a JSON object",
        ) from None  # fmt: skip


def animation_schedule(
    animation: Mapping[str, Any],
    settings: Mapping[str, Any],
    schedule: Any,
    frames: int | None,
    interpolation: str,
) -> tuple[Schedule, dict[str, Any]]:
    """The ``Schedule`` of an animation, and its dream settings with each keyframed one at
    its first value (what ``DreamSettings`` are made from).

    Args:
        animation: the animation's own settings (``zoom``, ``rotate``, ...), as given; a
            ``pydream.settings.Default`` marks one not given.
        settings: the dream settings given (``layers`` included when given).
        schedule: ``None``, ``{frame: {setting: value}}`` or a JSON file of it.
        frames: the number of frames (``None``: not known, lengths are not checked).
        interpolation: ``"linear"`` or ``"smooth"``.

    Raises:
        SettingError: a bad keyframe, list or value; a setting both given and in
            ``schedule``.
    """
    from ..settings import Default

    given = {name: value for name, value in {**animation, **settings}.items()
             if not isinstance(value, Default)}  # fmt: skip
    tracks: dict[str, Track] = {}
    for name, keyframes in (read_schedule(schedule) if schedule is not None else {}).items():
        if name in given:
            raise SettingError(
                f"{name} is given both as an argument and in schedule: give it in one place",
                setting=name, value=describe_given(given[name]), allowed="one of the two",
            )  # fmt: skip
        tracks[name] = keyframe_track(name, keyframes, frames)
    for name, value in given.items():
        if name in KEYFRAMED and is_keyframes(value):
            tracks[name] = keyframe_track(name, value, frames)
        elif name in KEYFRAMED and is_per_frame(name, value):
            tracks[name] = per_frame_track(name, value, frames)
    constants = {
        name: ANIMATION_SETTINGS[name].check(value.value if isinstance(value, Default) else value)
        for name, value in animation.items()
        if name not in tracks
    }
    plain = {name: value for name, value in settings.items() if name not in tracks}
    plain.update({name: track.values[0] for name, track in tracks.items() if name in SETTINGS})
    return Schedule(constants, tracks, interpolation), plain


def describe_given(value: Any) -> Any:
    """A short JSON-friendly stand-in for a value given (for an error's fields)."""
    return value if isinstance(value, (str, int, float, bool, type(None))) else repr(value)[:60]

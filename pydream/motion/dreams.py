"""Animations: zoom into a dream frame after frame, or dream a video that stays steady.

Every frame is written, as soon as it is dreamed, into a work folder beside the output
(``OUT.frames/``, frames ``frame_00000.png`` ... and a ``manifest.json`` naming the input
and the settings). Running the same command again after an interrupt or a crash dreams only
the frames that are missing and gives the same animation as a run without a break: each
frame's seed comes from ``seed`` and the frame's index, and everything a frame starts from
(the previous dream) is on disk. The animation (GIF, WebP, MP4 or a folder of PNGs) is
written only once every frame is there, atomically, and the work folder is then removed
(``keep_frames=True`` keeps it).

This module holds what a user calls (``dream_zoom``, ``dream_video``), the checks of their
arguments and the dreaming of each frame; the work folder and its manifest are in
``pydream.workfolder``, reading a video or a folder of frames in ``pydream.frames``, and
writing the animation in ``pydream.animation``.

Needs the ``video`` extra (OpenCV, imageio, imageio-ffmpeg), imported only when an
animation is made.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import warnings
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from ..checks import check_int
from ..engine.colors import match_colors
from ..engine.memory import DreamNotice
from ..errors import SettingError
from ..media.images import load_image, save_image
from ..settings import ANIMATION_SETTINGS, Default, DreamSettings
from ..settings import MAX_FPS as MAX_FPS
from ..settings import MAX_ZOOM as MAX_ZOOM

# ``name as name``: defined here before the work folder, the frame sources and the animation
# writers had modules of their own, and still importable from here.
from .animation import ANIMATION_FORMATS as ANIMATION_FORMATS
from .animation import MP4_AUDIO_CODECS as MP4_AUDIO_CODECS
from .animation import MP4_QUALITY as MP4_QUALITY
from .animation import VIDEO_EXTRA as VIDEO_EXTRA
from .animation import Target, animation_target, require_video_libraries, write_animation
from .animation import audio_codec as audio_codec
from .frames import FRAME_SUFFIXES as FRAME_SUFFIXES
from .frames import FrameSource, open_source
from .frames import natural_key as natural_key
from .schedule import Schedule, animation_schedule
from .workfolder import MANIFEST as MANIFEST
from .workfolder import MAX_FRAMES, WorkFolder, fingerprint_pixels, frame_seed, new_manifest
from .workfolder import WORK_SUFFIX as WORK_SUFFIX
from .workfolder import fingerprint_file as fingerprint_file
from .workfolder import frame_name as frame_name
from .workfolder import manifest_differences as manifest_differences

DEFAULT_FPS = float(ANIMATION_SETTINGS["fps"].default)
DEFAULT_BLEND = float(ANIMATION_SETTINGS["blend"].default)
# Defaults that mark "not given" (a keyframe of ``schedule`` may then set them).
_ZOOM, _ROTATE, _TRANSLATE, _BLEND = (
    Default(ANIMATION_SETTINGS[name].default) for name in ("zoom", "rotate", "translate", "blend")
)
"""Share of the previous frame's warped dream in the next frame's start. On a pan of the
Shanghai photo (4 px a frame) the frames changed about 0.4 times as much from one to the next
as when each frame was dreamed on its own (blend 0), at the same dream strength; a larger
blend is steadier still but lags behind fast motion where the flow is wrong."""
SCENE_CUT = 0.5
"""A video frame more than this share new (``pydream.flow.new_content``: a scene cut) is
dreamed with all its iterations, as the first frame is."""

FrameCallback = Callable[[int, np.ndarray], Any]
"""``callback(index, frame)`` after each frame is written (0-based, uint8 H x W x 3)."""


# --- the frames of a run --------------------------------------------------------------------


@contextlib.contextmanager
def frame_progress(work: WorkFolder, total: int, first: int, enabled: bool) -> Iterator[Any]:
    """A tqdm bar counting frames (ETA included) from ``first`` of ``total``; Ctrl-C becomes a
    ``KeyboardInterrupt`` saying which frames are kept."""
    bar = tqdm(total=total, initial=first, unit="frame", disable=not enabled, dynamic_ncols=True)
    try:
        yield bar
    except KeyboardInterrupt:
        raise work.interrupted(total) from None
    finally:
        bar.close()


def top_up_iterations(iterations: int, blend: float) -> int:
    """Steps per octave for a video frame after the first: ``round((1 - blend) * iterations)``,
    at least 1 (0 stays 0).

    A frame starts with ``blend`` of the previous dream already in it, so it needs only the
    rest to stay as dreamed as the first frame; with every frame dreamed in full a video
    drifts to ``1 / (1 - blend)`` times the strength of a single dream, and flickers more.
    """
    if not iterations:
        return 0
    return max(1, round((1.0 - blend) * iterations))


def dream_frame(start: np.ndarray, settings: DreamSettings, seed: int, index: int) -> np.ndarray:
    """Dream one frame from ``start`` (uint8 H x W x 3) with the frame's own seed."""
    from ..engine.dream import DEFAULT_DREAMER

    frame_settings = dataclasses.replace(settings, seed=frame_seed(seed, index))
    return DEFAULT_DREAMER.dream(start, frame_settings)


def finish(
    work: WorkFolder,
    count: int,
    target: Target,
    fps: float,
    keep: bool,
    audio: Path | None = None,
    loop: str | None = None,
) -> Path:
    """Write the animation of frames ``0 .. count - 1`` (in the order ``loop`` asks, see
    ``loop_frames``) and remove the work folder (unless ``keep``); returns the animation's
    path."""
    write_animation(loop_frames(work, count, loop), target, fps, audio)
    if not keep:
        shutil.rmtree(work.path, ignore_errors=True)
    return target.path


def loop_frames(work: WorkFolder, count: int, loop: str | None) -> list[Path]:
    """The frame files of the animation, in order.

    ``None``: frames ``0 .. count - 1``. ``"pingpong"``: then ``count - 2`` back to 1, so the
    animation runs forward and back without showing an end frame twice. ``"seamless"``: the
    ``L = seamless_overlap(count)`` frames dreamed past ``count`` cross-fade into the first
    ``L``: shown frame ``j < L`` is ``(1 - w) * frame[count + j] + w * frame[j]`` with
    ``w = (j + 1) / (L + 1)``, so the last frame shown (``count - 1``) is followed by one
    made mostly of its own successor, and the animation closes on itself. The cross-faded
    frames are written into the work folder (``loop_00000.png`` ...).
    """
    paths = [work.frame_path(index) for index in range(count)]
    if loop == "pingpong":
        return paths + paths[-2:0:-1]
    if loop == "seamless":
        overlap = seamless_overlap(count)
        for j in range(overlap):
            weight = (j + 1) / (overlap + 1)
            mixed = (1.0 - weight) * work.load(count + j) + weight * work.load(j)
            faded = work.path / f"loop_{j:05d}.png"
            save_image(np.clip(np.rint(mixed), 0, 255).astype(np.uint8), faded)
            paths[j] = faded
    return paths


# --- checks ---------------------------------------------------------------------------------


def motion_settings(
    layers: Any, preset: str | None, settings: Mapping[str, Any], what: str
) -> DreamSettings:
    """The dream settings of an animation, checked (but not yet against the model).

    Raises:
        TypeError: a name that is no ``deep_dream`` setting.
    """
    from ..presets import resolve_named_settings

    return resolve_named_settings(what, layers, preset, settings)


def build_models(plan: Schedule, settings: DreamSettings) -> None:
    """Build the model and step of every distinct network the animation dreams with (frame
    0 and each keyframe), now: unknown layers and unreadable weights fail before a frame is
    dreamed."""
    from ..engine.dream import DEFAULT_DREAMER

    seen: set[Any] = set()
    for each in plan.keyframe_settings(settings):
        key = repr([each.for_octave(octave, each.num_octave).engine_key()
                    for octave in range(each.num_octave)])  # fmt: skip
        if key not in seen:
            seen.add(key)
            DEFAULT_DREAMER.octave_engines(each)


def check_animation_options(what: str, **options: Any) -> dict[str, Any]:
    """``fps``, ``color_lock``, ``loop``, ``interpolation`` checked by their declarations
    (``pydream.settings.ANIMATION_SETTINGS``)."""
    checked = {name: ANIMATION_SETTINGS[name].check(value) for name, value in options.items()}
    if checked.get("loop") == "seamless" and what != "dream_zoom":
        raise SettingError(
            "loop='seamless' closes a zoom on its first frame; a video takes loop='pingpong' "
            "or None",
            setting="loop", value="seamless", allowed="'pingpong' or None",
        )  # fmt: skip
    return checked


def seamless_overlap(frames: int) -> int:
    """Frames a seamless zoom dreams past ``frames`` and cross-fades into its first ones: a
    quarter of them, at least 1.

    Raises:
        SettingError: fewer than 2 frames.
    """
    if frames < 2:
        raise SettingError(
            "loop='seamless' needs at least 2 frames",
            setting="loop", value="seamless", allowed="frames >= 2",
        )  # fmt: skip
    return max(1, frames // 4)


def plan_animation(
    what: str,
    animation: Mapping[str, Any],
    layers: Any,
    preset: str | None,
    settings: Mapping[str, Any],
    options: Mapping[str, Any],
    frames: int | None,
) -> tuple[Schedule, DreamSettings]:
    """The animation's schedule and its dream settings (each keyframed one at its first
    value), checked."""
    given = dict(settings) if layers is None else {**settings, "layers": layers}
    plan, plain = animation_schedule(
        animation, given, options.get("schedule"), frames, options["interpolation"]
    )
    plain_layers = plain.pop("layers", None)
    return plan, motion_settings(plain_layers, preset, plain, what)


def motion_record(plan: Schedule, color_lock: str | None) -> dict[str, Any]:
    """The manifest's ``motion``: the animation's constants that shape its frames (a
    translate of 0 and no colour lock are left out, as before they existed)."""
    record = dict(plan.constants)
    if tuple(record.get("translate", (0.0, 0.0))) == (0.0, 0.0):
        record.pop("translate", None)
    if color_lock is not None:
        record["color_lock"] = color_lock
    return record


# --- zoom -----------------------------------------------------------------------------------


def dream_zoom(
    image: Any,
    output: Any,
    *,
    frames: int,
    zoom: Any = _ZOOM,
    rotate: Any = _ROTATE,
    translate: Any = _TRANSLATE,
    fps: float = DEFAULT_FPS,
    color_lock: bool | str | None = False,
    loop: str | None = None,
    interpolation: str = "linear",
    schedule: Any = None,
    layers: Any = None,
    preset: str | None = None,
    progress: bool = False,
    keep_frames: bool = False,
    restart: bool = False,
    overwrite: bool = False,
    callback: FrameCallback | None = None,
    **settings: Any,
) -> Path:
    """An endless-zoom animation: dream, zoom into the centre, dream again, ``frames`` times.

    Frame 0 is the dream of ``image``; frame ``k`` is the dream of frame ``k - 1`` zoomed by
    ``zoom``, turned by ``rotate`` degrees about its centre and moved by ``translate``
    (``pydream.flow.zoom_frame``), dreamed with the seed ``frame_seed(seed, k)``. Every
    frame is the size of ``image``.

    Args:
        image: a file path, a ``PIL.Image`` or a uint8 array.
        output: ``.gif``, ``.webp`` or ``.mp4`` file, or a folder (one PNG a frame,
            ``frame_00000.png`` ...).
        frames: number of frames, >= 1.
        zoom: magnification per frame, 1 .. 4 (1.05: 5% a frame).
        rotate: degrees per frame, anticlockwise (negative: clockwise).
        translate: ``(x, y)``, pixels a frame the picture moves right and down (a pan).
        fps: frames per second of the animation.
        color_lock: hold every frame's colours to frame 0's: ``True`` or ``"mean_std"``
            (each channel's mean and spread), ``"histogram"``, or ``False``.
        loop: ``None``, ``"pingpong"`` (forward then back) or ``"seamless"`` (a quarter more
            frames are dreamed and cross-fade into the first ones, so the animation closes;
            it still has ``frames`` frames).
        interpolation: how keyframed numbers move between keyframes: ``"linear"`` or
            ``"smooth"`` (see ``pydream.motion.schedule``).
        schedule: keyframes of any keyframed setting, ``{frame: {setting: value}}``, or the
            path of a JSON file holding that object.
        layers, preset, **settings: as ``deep_dream`` (every setting), for every frame.
            ``zoom``, ``rotate``, ``translate`` and the settings ``pydream.settings.KEYFRAMED``
            names (``step``, ``iterations``, ``layers``, ...) may also be a list with one
            value a frame or keyframes ``{frame: value}`` (frames from 0).
        progress: a progress bar counting frames, with the time left.
        keep_frames: keep the work folder ``OUT.frames`` after the animation is written
            (a later run with more ``frames`` then only dreams the new ones).
        restart: discard frames a run with other settings left in the work folder
            (otherwise that is an error).
        overwrite: allow ``output`` to be the input file.
        callback: ``callback(index, frame)`` after each frame is written.

    Returns:
        The path of the animation.

    Raises:
        ValueError, TypeError: a setting, a keyframe, the picture or the output is unusable.
        ModuleNotFoundError: the ``video`` extra is not installed.
        KeyboardInterrupt: Ctrl-C; its message says how many frames are kept.
    """
    require_video_libraries()
    frames = int(check_int("frames", frames, minimum=1, maximum=MAX_FRAMES) or 0)
    options = check_animation_options(
        "dream_zoom", fps=fps, color_lock=color_lock, loop=loop, interpolation=interpolation
    )
    animation = {"zoom": zoom, "rotate": rotate, "translate": translate}
    plan, checked = plan_animation(
        "dream_zoom", animation, layers, preset, settings, {**options, "schedule": schedule},
        frames,
    )  # fmt: skip
    target = animation_target(output, _input_path(image), bool(overwrite))
    picture = load_image(image).rgb
    build_models(plan, checked)
    total = frames + (seamless_overlap(frames) if options["loop"] == "seamless" else 0)
    input_id = {"pixels": fingerprint_pixels(picture)}
    motion = motion_record(plan, options["color_lock"])
    manifest = new_manifest("zoom", input_id, checked, motion, plan.describe())
    work = WorkFolder.open(target.work, manifest, restart)
    run = ZoomRun(picture, plan, checked, options["color_lock"], work)
    with frame_progress(work, total, work.first_missing(total), bool(progress)) as bar:
        for index in range(work.first_missing(total), total):
            frame = run.frame(index)
            work.save(index, frame)
            bar.update(1)
            if callback is not None:
                callback(index, frame)
    return finish(work, frames, target, options["fps"], bool(keep_frames), loop=options["loop"])


@dataclasses.dataclass
class ZoomRun:
    """The frames of a zoom, one after the other, from where the work folder stands."""

    picture: np.ndarray
    plan: Schedule
    settings: DreamSettings
    color_lock: str | None
    work: WorkFolder
    previous: np.ndarray | None = None
    reference: np.ndarray | None = None

    def frame(self, index: int) -> np.ndarray:
        """Dream frame ``index`` (after frame ``index - 1``, from disk when resuming)."""
        from .flow import zoom_frame

        if index == 0:
            start = self.picture
        else:
            previous = self.previous if self.previous is not None else self.work.load(index - 1)
            start = zoom_frame(
                previous,
                self.plan.value("zoom", index),
                self.plan.value("rotate", index),
                self.plan.value("translate", index),
            )
        dream = dream_frame(start, self.plan.settings_at(self.settings, index), self.work.seed,
                            index)  # fmt: skip
        if self.color_lock is not None:
            if index == 0 or self.reference is None:
                self.reference = dream if index == 0 else self.work.load(0)
            dream = match_colors(dream, self.reference, self.color_lock) if index else dream
        self.previous = dream
        return dream


def _input_path(value: Any) -> Path | None:
    return Path(value).expanduser() if isinstance(value, (str, os.PathLike)) else None


# --- video ----------------------------------------------------------------------------------


def dream_video(
    input: Any,
    output: Any,
    *,
    blend: Any = _BLEND,
    flow: bool | str = True,
    fps: float | None = None,
    color_lock: bool | str | None = False,
    loop: str | None = None,
    interpolation: str = "linear",
    schedule: Any = None,
    layers: Any = None,
    preset: str | None = None,
    progress: bool = False,
    keep_frames: bool = False,
    restart: bool = False,
    overwrite: bool = False,
    callback: FrameCallback | None = None,
    **settings: Any,
) -> Path:
    """Dream a video frame by frame, each frame starting from the previous frame's dream.

    Frame 0 is dreamed from the first source frame. Frame ``k`` starts from
    ``blend * warped + (1 - blend) * source_k``, ``warped`` the dream of frame ``k - 1``
    moved along the optical flow from ``source_k`` to ``source_{k-1}``; where the flow is
    occluded (the forward and backward flows disagree, it leaves the frame, or the moved
    source differs from ``source_k``: new content) the start is ``source_k``. See
    ``pydream.flow.carry_dream``. With ``blend`` above 0 the frames after the first run
    ``top_up_iterations(iterations, blend)`` steps per octave: their start holds ``blend``
    of a dream already, and the rest keeps them as dreamed as the first frame (and the
    video steadier, and faster to make); a frame more than half new (a scene cut) runs
    them all. Each frame's seed is ``frame_seed(seed, k)``.

    Args:
        input: a video file (anything ffmpeg reads) or a folder of frames (pictures sorted
            by name, numbers compared as numbers; all of one size).
        output: ``.mp4``, ``.gif`` or ``.webp`` file, or a folder (one PNG a frame).
        blend: share of the previous dream, 0..1; 0 dreams every frame on its own, in
            full. The default 0.6 keeps dreams steady from frame to frame (see
            ``DEFAULT_BLEND``).
        flow: ``True`` or ``"dis"`` (OpenCV's DIS optical flow), ``"farneback"``, or
            ``False`` to blend without warping.
        fps: frames per second of the output; ``None`` keeps the video's (a folder: 12).
        color_lock: hold each frame's colours to its source frame's: ``True`` or
            ``"mean_std"``, ``"histogram"``, or ``False``.
        loop: ``None`` or ``"pingpong"`` (the frames forward, then back).
        interpolation, schedule: as ``dream_zoom``; ``blend`` and the keyframed settings
            may change from frame to frame (a list has one value a source frame).
        layers, preset, **settings: as ``deep_dream`` (every setting), for every frame.
        progress: a progress bar counting frames, with the time left.
        keep_frames, restart, overwrite, callback: as ``dream_zoom``.

    Returns:
        The path of the output. An MP4 made from a video with sound carries that sound.

    Raises:
        FileNotFoundError: ``input`` does not exist.
        ValueError, TypeError: an unusable input, frame (named), setting or output.
        ModuleNotFoundError: the ``video`` extra is not installed.
        KeyboardInterrupt: Ctrl-C; its message says how many frames are kept.
    """
    require_video_libraries()
    options = check_animation_options(
        "dream_video", flow=flow, color_lock=color_lock, loop=loop, interpolation=interpolation
    )
    rate = None if fps is None else ANIMATION_SETTINGS["fps"].check(fps)
    arguments = ("dream_video", {"blend": blend}, layers, preset, settings,
                 {**options, "schedule": schedule})  # fmt: skip
    plan_animation(*arguments, None)  # every value checked before the video is opened
    source = open_source(input)
    plan, checked = plan_animation(*arguments, source.count)  # and against its frames
    target = animation_target(output, source.path, bool(overwrite))
    build_models(plan, checked)
    rate = rate or source.fps or DEFAULT_FPS
    sound = _sound_for(source, target)
    method = options["flow"]
    motion = {**motion_record(plan, options["color_lock"]), "flow": method}
    if plan.constants.get("blend", 1.0) == 0:
        motion["flow"] = None
    manifest = new_manifest("video", source.fingerprint(), checked, motion, plan.describe())
    work = WorkFolder.open(target.work, manifest, restart)
    run = VideoRun(plan, checked, method, options["color_lock"], work)
    count = run.dream_all(source, callback, bool(progress))
    if not count:
        raise ValueError(f"no frame of {source.path} could be read")
    return finish(work, count, target, rate, bool(keep_frames), sound, options["loop"])


@dataclasses.dataclass
class VideoRun:
    """The frames of a video dream, one after the other, from where the work folder stands."""

    plan: Schedule
    settings: DreamSettings
    method: str | None
    color_lock: str | None
    work: WorkFolder

    def dream_all(self, source: FrameSource, callback: FrameCallback | None, progress: bool) -> int:
        """Dream the missing frames of ``source``; returns the number of frames read."""
        first = self.work.first_missing(source.count)
        count = first
        with frame_progress(self.work, source.count, first, progress) as bar:
            previous = self.work.load(first - 1) if first else None
            previous_frame = None
            reread = max(first - 1, 0)  # the source frame before the first missing one
            for index, frame in enumerate(source.frames(reread), start=reread):
                if index >= first:
                    previous = self.frame(index, frame, previous, previous_frame)
                    self.work.save(index, previous)
                    bar.update(1)
                    if callback is not None:
                        callback(index, previous)
                previous_frame = frame
                count = index + 1
        return count

    def frame(
        self,
        index: int,
        frame: np.ndarray,
        previous: np.ndarray | None,
        previous_frame: np.ndarray | None,
    ) -> np.ndarray:
        """Dream frame ``index`` from its source ``frame`` and the dream before it."""
        settings = self.plan.settings_at(self.settings, index)
        start = frame
        if previous is not None and previous_frame is not None:
            blend = float(self.plan.value("blend", index))
            start, settings = _carried_start(
                previous, previous_frame, frame, blend, self.method, settings
            )
        dream = dream_frame(start, settings, self.work.seed, index)
        if self.color_lock is not None:
            dream = match_colors(dream, frame, self.color_lock)
        return dream


def _carried_start(
    previous_dream: np.ndarray,
    previous_frame: np.ndarray,
    frame: np.ndarray,
    blend: float,
    method: str | None,
    settings: DreamSettings,
) -> tuple[np.ndarray, DreamSettings]:
    """A video frame's start (``pydream.flow.carry_dream``) and its settings: the top-up
    iterations, or all of them for a frame dreamed on its own or mostly new."""
    from .flow import carry_dream

    start, fresh = carry_dream(previous_dream, previous_frame, frame, blend, method)
    if not blend or fresh.mean() > SCENE_CUT:
        return start, settings
    iterations = top_up_iterations(settings.iterations, blend)
    return start, dataclasses.replace(settings, iterations=iterations)


def _sound_for(source: FrameSource, target: Target) -> Path | None:
    """The video whose sound the output takes, or ``None`` (with a note when sound is lost)."""
    if source.audio is None:
        return None
    if target.kind != "mp4":
        warnings.warn(
            f"the sound of {source.path.name} is not kept: only an .mp4 output carries sound",
            DreamNotice,
            stacklevel=3,
        )
        return None
    return source.path


__all__ = ["dream_video", "dream_zoom"]

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

from ..checks import check_float, check_int
from ..engine.memory import DreamNotice
from ..media.images import load_image
from ..settings import DreamSettings

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
from .workfolder import MANIFEST as MANIFEST
from .workfolder import MAX_FRAMES, WorkFolder, fingerprint_pixels, frame_seed, new_manifest
from .workfolder import WORK_SUFFIX as WORK_SUFFIX
from .workfolder import fingerprint_file as fingerprint_file
from .workfolder import frame_name as frame_name
from .workfolder import manifest_differences as manifest_differences

DEFAULT_FPS = 12.0
MAX_FPS = 240.0
MAX_ZOOM = 4.0
DEFAULT_BLEND = 0.6
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
) -> Path:
    """Write the animation of frames ``0 .. count - 1`` and remove the work folder (unless
    ``keep``); returns the animation's path."""
    write_animation([work.frame_path(index) for index in range(count)], target, fps, audio)
    if not keep:
        shutil.rmtree(work.path, ignore_errors=True)
    return target.path


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


def build_model(settings: DreamSettings) -> None:
    """Build the model and step of ``settings`` now: unknown layers and unreadable weights
    fail before a frame is dreamed."""
    from ..engine.dream import DEFAULT_DREAMER

    DEFAULT_DREAMER.octave_engines(settings)


def check_fps(fps: Any) -> float:
    """Frames per second: a number above 0, at most ``MAX_FPS``."""
    value = float(check_float("fps", fps, strictly_above=0.0) or 0.0)
    if value > MAX_FPS:
        raise ValueError(f"fps must be at most {MAX_FPS:g}, not {value:g}")
    return value


def check_zoom(zoom: Any) -> float:
    """Magnification per frame, 1 .. ``MAX_ZOOM``."""
    value = float(check_float("zoom", zoom) or 0.0)
    if not 1.0 <= value <= MAX_ZOOM:
        raise ValueError(
            f"zoom must be from 1 to {MAX_ZOOM:g} (1.05 zooms in 5% a frame; below 1 would "
            f"zoom out), not {value:g}"
        )
    return value


def check_blend(blend: Any) -> float:
    """Share of the previous dream, 0 .. 1."""
    value = float(check_float("blend", blend, minimum=0.0) or 0.0)
    if value > 1.0:
        raise ValueError(f"blend must be from 0 to 1, not {value:g}")
    return value


def check_flow(flow: Any) -> str | None:
    """``True`` (DIS), ``"dis"``, ``"farneback"`` or ``False``/``None`` (no warping)."""
    from .flow import check_flow_method

    if flow is True:
        return "dis"
    if flow is False or flow is None:
        return None
    if not isinstance(flow, str):
        raise TypeError(f"flow must be True, False, 'dis' or 'farneback', not {flow!r}")
    return check_flow_method(flow)


# --- zoom -----------------------------------------------------------------------------------


def dream_zoom(
    image: Any,
    output: Any,
    *,
    frames: int,
    zoom: float = 1.05,
    rotate: float = 0.0,
    fps: float = DEFAULT_FPS,
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
    ``zoom`` and turned by ``rotate`` degrees about its centre (``pydream.flow.zoom_frame``),
    dreamed with the seed ``frame_seed(seed, k)``. Every frame is the size of ``image``.

    Args:
        image: a file path, a ``PIL.Image`` or a uint8 array.
        output: ``.gif``, ``.webp`` or ``.mp4`` file, or a folder (one PNG a frame,
            ``frame_00000.png`` ...).
        frames: number of frames, >= 1.
        zoom: magnification per frame, 1 .. 4 (1.05: 5% a frame).
        rotate: degrees per frame, anticlockwise (negative: clockwise).
        fps: frames per second of the animation.
        layers, preset, **settings: as ``deep_dream`` (every setting), for every frame.
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
        ValueError, TypeError: a setting, the picture or the output is unusable.
        ModuleNotFoundError: the ``video`` extra is not installed.
        KeyboardInterrupt: Ctrl-C; its message says how many frames are kept.
    """
    require_video_libraries()
    from .flow import zoom_frame

    frames = int(check_int("frames", frames, minimum=1, maximum=MAX_FRAMES) or 0)
    zoom, fps = check_zoom(zoom), check_fps(fps)
    rotate = float(check_float("rotate", rotate) or 0.0)
    checked = motion_settings(layers, preset, settings, "dream_zoom")
    target = animation_target(output, _input_path(image), bool(overwrite))
    picture = load_image(image).rgb
    build_model(checked)
    input_id = {"pixels": fingerprint_pixels(picture)}
    motion = {"zoom": zoom, "rotate": rotate}
    work = WorkFolder.open(target.work, new_manifest("zoom", input_id, checked, motion), restart)
    first = work.first_missing(frames)
    previous = work.load(first - 1) if first else picture
    with frame_progress(work, frames, first, bool(progress)) as bar:
        for index in range(first, frames):
            start = picture if index == 0 else zoom_frame(previous, zoom, rotate)
            previous = dream_frame(start, checked, work.seed, index)
            work.save(index, previous)
            bar.update(1)
            if callback is not None:
                callback(index, previous)
    return finish(work, frames, target, fps, bool(keep_frames))


def _input_path(value: Any) -> Path | None:
    return Path(value).expanduser() if isinstance(value, (str, os.PathLike)) else None


# --- video ----------------------------------------------------------------------------------


def dream_video(
    input: Any,
    output: Any,
    *,
    blend: float = DEFAULT_BLEND,
    flow: bool | str = True,
    fps: float | None = None,
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
    blend, method = check_blend(blend), check_flow(flow)
    rate = None if fps is None else check_fps(fps)
    checked = motion_settings(layers, preset, settings, "dream_video")
    source = open_source(input)
    target = animation_target(output, source.path, bool(overwrite))
    build_model(checked)
    rate = rate or source.fps or DEFAULT_FPS
    sound = _sound_for(source, target)
    motion = {"blend": blend, "flow": method if blend else None}
    manifest = new_manifest("video", source.fingerprint(), checked, motion)
    work = WorkFolder.open(target.work, manifest, restart)
    first = work.first_missing(source.count)
    count = first
    with frame_progress(work, source.count, first, bool(progress)) as bar:
        previous = work.load(first - 1) if first else None
        previous_frame = None
        reread = max(first - 1, 0)  # the source frame before the first missing one
        for index, frame in enumerate(source.frames(reread), start=reread):
            if index >= first:
                start, frame_settings = frame, checked
                if previous is not None and previous_frame is not None:
                    start, frame_settings = _carried_start(
                        previous, previous_frame, frame, blend, method, checked
                    )
                previous = dream_frame(start, frame_settings, work.seed, index)
                work.save(index, previous)
                bar.update(1)
                if callback is not None:
                    callback(index, previous)
            previous_frame = frame
            count = index + 1
    if not count:
        raise ValueError(f"no frame of {source.path} could be read")
    return finish(work, count, target, rate, bool(keep_frames), sound)


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

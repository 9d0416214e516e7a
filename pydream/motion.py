"""Animations: zoom into a dream frame after frame, or dream a video that stays steady.

Every frame is written, as soon as it is dreamed, into a work folder beside the output
(``OUT.frames/``, frames ``frame_00000.png`` ... and a ``manifest.json`` naming the input
and the settings). Running the same command again after an interrupt or a crash dreams only
the frames that are missing and gives the same animation as a run without a break: each
frame's seed comes from ``seed`` and the frame's index, and everything a frame starts from
(the previous dream) is on disk. The animation (GIF, WebP, MP4 or a folder of PNGs) is
written only once every frame is there, atomically, and the work folder is then removed
(``keep_frames=True`` keeps it).

Needs the ``video`` extra (OpenCV, imageio, imageio-ffmpeg), imported only when an
animation is made.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import re
import secrets
import shutil
import tempfile
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from ._version import __version__
from .images import atomic_path, check_folder_writable, load_image, save_image
from .memory import DreamNotice
from .settings import SETTING_NAMES, DreamSettings, check_float, check_int

VIDEO_EXTRA = "pip install 'pydream-keras[video]'"
ANIMATION_FORMATS = {".gif": "gif", ".webp": "webp", ".mp4": "mp4"}
FRAME_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp")
"""Pictures a folder of frames may hold (other files in it are ignored)."""
MANIFEST = "manifest.json"
WORK_SUFFIX = ".frames"
DEFAULT_FPS = 12.0
MAX_FPS = 240.0
MAX_FRAMES = 1_000_000
MAX_ZOOM = 4.0
DEFAULT_BLEND = 0.6
"""Share of the previous frame's warped dream in the next frame's start. On a pan of the
Shanghai photo (4 px a frame) the frames changed about 0.4 times as much from one to the next
as when each frame was dreamed on its own (blend 0), at the same dream strength; a larger
blend is steadier still but lags behind fast motion where the flow is wrong."""
SCENE_CUT = 0.5
"""A video frame more than this share new (``pydream.flow.new_content``: a scene cut) is
dreamed with all its iterations, as the first frame is."""
MP4_AUDIO_CODECS = ("aac", "mp3", "alac", "ac3", "eac3", "opus", "flac")
"""Sound an MP4 holds as it is; other sound is re-encoded to AAC."""
MP4_QUALITY = 7
"""imageio-ffmpeg's quality (0..10) for H.264: CRF 15, dream detail kept."""

FrameCallback = Callable[[int, np.ndarray], Any]
"""``callback(index, frame)`` after each frame is written (0-based, uint8 H x W x 3)."""


def require_video_libraries() -> None:
    """Import OpenCV, imageio and imageio-ffmpeg, or say in one line how to install them.

    Raises:
        ModuleNotFoundError: one of them is missing.
    """
    missing = []
    for module, package in (
        ("cv2", "opencv-python-headless"),
        ("imageio", "imageio"),
        ("imageio_ffmpeg", "imageio-ffmpeg"),
    ):
        try:
            __import__(module)
        except ImportError:
            missing.append(package)
    if missing:
        raise ModuleNotFoundError(
            f"animations need {', '.join(missing)}: {VIDEO_EXTRA}", name=missing[0]
        )


def frame_seed(seed: int, index: int) -> int:
    """The seed of frame ``index`` (0-based) of a run seeded with ``seed``: 0 .. 2**32 - 1."""
    return int(np.random.SeedSequence([seed, index]).generate_state(1)[0])


def frame_name(index: int) -> str:
    """``frame_00000.png`` for frame 0 (five digits at least)."""
    return f"frame_{index:05d}.png"


def natural_key(name: str) -> list[Any]:
    """Sort key comparing the numbers in names as numbers (``f2`` before ``f10``)."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", name)]


# --- the output -----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Target:
    """Where an animation goes.

    Attributes:
        path: the animation file, or the folder of frames.
        kind: ``"gif"``, ``"webp"``, ``"mp4"`` or ``"folder"``.
        work: the work folder beside it (``OUT.frames``).
    """

    path: Path
    kind: str
    work: Path


def animation_target(
    output: Any, input_path: Path | None = None, overwrite: bool = False
) -> Target:
    """Check where an animation is to be written, before any work is done.

    A ``.gif``, ``.webp`` or ``.mp4`` name is a file; an existing folder, a name ending in
    ``/`` or a name without an extension is a folder of PNG frames.

    Raises:
        ValueError: a format that holds no animation (``.png``, ``.jpg``, ...), a missing or
            read-only folder, a folder holding other files, or the input itself.
        TypeError: ``output`` is not a path.
    """
    if not isinstance(output, (str, os.PathLike)):
        raise TypeError(f"output must be a file or folder path, not {type(output).__name__}")
    path = Path(output).expanduser()
    text = os.fspath(output)
    if path.is_dir() or text.endswith(("/", os.sep)) or not path.suffix:
        kind = "folder"
    else:
        kind = _animation_kind(path)
    if not path.parent.is_dir():
        raise ValueError(f"cannot write {path}: folder {path.parent} does not exist")
    check_folder_writable(path.parent, str(path))
    same = input_path is not None and path.exists() and os.path.samefile(path, input_path)
    if same and (kind == "folder" or not overwrite):
        raise ValueError(
            f"output {path} is the input; choose another output"
            + ("" if kind == "folder" else ", or pass overwrite=True (--overwrite)")
        )
    if kind == "folder" and path.is_file():
        raise ValueError(f"cannot write frames into {path}: it is a file")
    if kind == "folder" and path.exists():
        _check_output_folder(path)
    return Target(path=path, kind=kind, work=path.parent / (path.name + WORK_SUFFIX))


def _animation_kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in ANIMATION_FORMATS:
        return ANIMATION_FORMATS[suffix]
    formats = ".gif, .webp, .mp4 or a folder"
    if suffix in FRAME_SUFFIXES:
        raise ValueError(
            f"{path.name} is a single picture; an animation needs {formats} (one PNG a frame)"
        )
    raise ValueError(
        f"cannot tell the animation format of {path.name}: use {formats} "
        "(a name without an extension, or ending in /)"
    )


def _check_output_folder(path: Path) -> None:
    strays = [
        entry.name for entry in path.iterdir() if not re.fullmatch(r"frame_\d+\.png", entry.name)
    ]
    if strays:
        raise ValueError(
            f"output folder {path} holds other files ({strays[0]}, ...); choose an empty or "
            "new folder (an earlier animation's frame_*.png files alone are replaced)"
        )


# --- the work folder ------------------------------------------------------------------------


def fingerprint_file(path: Path) -> str:
    """SHA-256 of a file's bytes (hex)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fingerprint_pixels(rgb: np.ndarray) -> str:
    """SHA-256 (hex) of a picture's shape and pixels."""
    digest = hashlib.sha256(repr(rgb.shape).encode())
    digest.update(np.ascontiguousarray(rgb).tobytes())
    return digest.hexdigest()


def _plain(value: Any) -> Any:
    return json.loads(json.dumps(value, sort_keys=True, default=str))


def manifest_differences(stored: Mapping[str, Any], wanted: Mapping[str, Any]) -> list[str]:
    """What makes frames dreamed under ``stored`` unusable for ``wanted``: setting names,
    motion parameters, ``"input"`` or ``"kind"``."""
    if stored.get("kind") != wanted["kind"]:
        return ["kind"]
    differences = [] if stored.get("input") == wanted["input"] else ["input"]
    for section in ("settings", "motion"):
        old, new = stored.get(section) or {}, wanted[section]
        differences += [key for key in sorted(set(old) | set(new)) if old.get(key) != new.get(key)]
    return differences


class WorkFolder:
    """The frames of one animation on disk, with the manifest they were dreamed under.

    Created on the first frame written, so a run that fails before it leaves nothing.
    """

    def __init__(self, path: Path, manifest: dict[str, Any]) -> None:
        self.path = path
        self.manifest = manifest

    @classmethod
    def open(cls, path: Path, manifest: dict[str, Any], restart: bool = False) -> WorkFolder:
        """The work folder at ``path`` for ``manifest`` (settings, input, seed, ...).

        An existing folder dreamed under the same input and settings is continued (with its
        seed); one dreamed under others is refused, or removed when ``restart``.

        Raises:
            ValueError: ``path`` is not a work folder, or holds frames of another run.
        """
        wanted = _plain(manifest)
        if not path.exists():
            return cls(path, wanted)
        stored = _read_manifest(path)
        differences = manifest_differences(stored, wanted)
        if not differences:
            wanted["seed"] = stored.get("seed", wanted["seed"])
            return cls(path, wanted)
        if not restart:
            raise ValueError(
                f"{path} holds frames dreamed with another {', '.join(differences)}; rerun "
                "with the same settings to go on, or pass restart=True (--restart) to start over"
            )
        count = len(list(path.glob("frame_*.png")))
        shutil.rmtree(path)
        warnings.warn(
            f"starting over: removed {count} frames of another run from {path}",
            DreamNotice,
            stacklevel=3,
        )
        return cls(path, wanted)

    @property
    def seed(self) -> int:
        """The run's seed (``seed``, or one drawn at the first run and kept)."""
        return int(self.manifest["seed"])

    def frame_path(self, index: int) -> Path:
        return self.path / frame_name(index)

    def first_missing(self, total: int) -> int:
        """The first frame of ``0 .. total - 1`` not yet on disk (``total`` when none)."""
        return next(
            (index for index in range(total) if not self.frame_path(index).is_file()), total
        )

    def count(self) -> int:
        """Frames on disk from frame 0 on, without a gap."""
        return self.first_missing(MAX_FRAMES)

    def load(self, index: int) -> np.ndarray:
        """Frame ``index``, uint8 (H, W, 3)."""
        return load_image(self.frame_path(index)).rgb

    def save(self, index: int, rgb: np.ndarray) -> None:
        """Write frame ``index`` atomically (creating the folder and manifest first)."""
        if not self.path.is_dir():
            self.path.mkdir()
            try:
                with atomic_path(self.path / MANIFEST) as temporary:
                    temporary.write_text(json.dumps(self.manifest, indent=1, sort_keys=True))
            except BaseException:
                shutil.rmtree(self.path, ignore_errors=True)  # no folder without a manifest
                raise
        metadata = {"frame": index, "seed": frame_seed(self.seed, index)}
        save_image(rgb, self.frame_path(index), metadata={**self.manifest["settings"], **metadata})

    def interrupted(self, total: int) -> KeyboardInterrupt:
        """The interrupt to raise, saying what is kept and how to go on."""
        done = self.count() if self.path.is_dir() else 0
        if not done:
            return KeyboardInterrupt("interrupted; nothing was written")
        return KeyboardInterrupt(
            f"interrupted; {min(done, total)} of {total} frames are kept in {self.path}: run the "
            "same command again to go on"
        )


def _read_manifest(path: Path) -> dict[str, Any]:
    manifest = path / MANIFEST
    if not manifest.is_file():
        raise ValueError(
            f"{path} is in the way: it is not an animation's work folder (no {MANIFEST}); "
            "move it away or choose another output"
        )
    try:
        stored = json.loads(manifest.read_text())
    except (OSError, ValueError) as error:
        raise ValueError(f"cannot read {manifest} ({error}); remove {path} to start over") from None
    if not isinstance(stored, dict):
        raise ValueError(f"{manifest} is not a manifest; remove {path} to start over")
    return stored


def new_manifest(
    kind: str, input_id: Mapping[str, Any], settings: DreamSettings, motion: Mapping[str, Any]
) -> dict[str, Any]:
    """A manifest: what was dreamed (``kind``, ``input``), how (``settings``, ``motion``) and
    the run's ``seed`` (the settings' seed, or a fresh one kept for resuming)."""
    seed = settings.seed if settings.seed is not None else secrets.randbelow(2**31)
    return {
        "pydream": __version__,
        "kind": kind,
        "input": dict(input_id),
        "settings": settings.as_dict(),
        "motion": dict(motion),
        "seed": seed,
    }


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
    from .dream import DEFAULT_DREAMER

    frame_settings = dataclasses.replace(settings, seed=frame_seed(seed, index))
    return DEFAULT_DREAMER.dream(start, frame_settings)


# --- writing the animation ------------------------------------------------------------------


def write_animation(
    frames: Sequence[Path], target: Target, fps: float, audio: Path | None = None
) -> None:
    """Write the frames (PNG files, in order) as ``target``, atomically.

    Args:
        frames: the frame files, all of one size.
        target: where, and as what (see ``animation_target``).
        fps: frames per second (GIF keeps 1/100 s steps, WebP 1/1000 s).
        audio: a video whose sound track an MP4 takes over (``None``: no sound).
    """
    if target.kind == "folder":
        _write_folder(frames, target.path)
        return
    with atomic_path(target.path) as temporary:
        if target.kind == "mp4":
            _write_mp4(frames, temporary, fps, audio)
        else:
            _write_pillow_animation(frames, temporary, fps, target.kind)


def _write_pillow_animation(frames: Sequence[Path], path: Path, fps: float, kind: str) -> None:
    import imageio.v3 as iio

    options: dict[str, Any] = {"duration": round(1000.0 / fps), "loop": 0}
    if kind == "webp":
        options["quality"] = 90
    with iio.imopen(path, "w", plugin="pillow", extension=f".{kind}") as file:
        for frame in frames:
            file.write(load_image(frame).rgb, is_batch=False, **options)


def _even(rgb: np.ndarray) -> np.ndarray:
    """Pad an odd height or width by repeating the last row or column (H.264 4:2:0 needs
    even sizes)."""
    height, width = rgb.shape[:2]
    return np.pad(rgb, ((0, height % 2), (0, width % 2), (0, 0)), mode="edge")


def audio_codec(path: Path | None) -> str | None:
    """The codec of ``path``'s sound track (``"aac"``, ...), or ``None`` without sound."""
    if path is None:
        return None
    import imageio_ffmpeg

    reader = imageio_ffmpeg.read_frames(str(path))
    try:
        meta = next(reader)
    finally:
        reader.close()
    codec = meta.get("audio_codec")
    return str(codec) if codec else None


def _write_mp4(frames: Sequence[Path], path: Path, fps: float, audio: Path | None) -> None:
    import imageio_ffmpeg

    first = _even(load_image(frames[0]).rgb)
    height, width = first.shape[:2]
    options: dict[str, Any] = {}
    codec = audio_codec(audio)
    if audio is not None and codec is not None:
        options["audio_path"] = str(audio)
        options["audio_codec"] = "copy" if codec in MP4_AUDIO_CODECS else "aac"
    writer = imageio_ffmpeg.write_frames(
        str(path),
        (width, height),
        fps=fps,
        codec="libx264",
        quality=MP4_QUALITY,
        macro_block_size=1,
        ffmpeg_log_level="error",
        output_params=["-shortest", "-movflags", "+faststart"],
        **options,
    )
    try:
        writer.send(None)
        for frame in frames:
            writer.send(np.ascontiguousarray(_even(load_image(frame).rgb)).tobytes())
        writer.close()  # waits for ffmpeg, which reports its failures here
    except (RuntimeError, BrokenPipeError) as error:
        raise OSError(f"ffmpeg could not write the video: {error}") from None
    finally:
        writer.close()


def _write_folder(frames: Sequence[Path], folder: Path) -> None:
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".part", dir=folder.parent))
    old = None
    try:
        for frame in frames:
            try:
                os.link(frame, staging / frame.name)
            except OSError:
                shutil.copy2(frame, staging / frame.name)
        if folder.exists():
            old = folder.rename(folder.parent / f"{staging.name}.old")
        os.replace(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if old is not None and not folder.exists():
            old.rename(folder)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


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
    from .dream import resolve_settings

    unknown = sorted(set(settings) - set(SETTING_NAMES))
    if unknown:
        raise TypeError(f"{what}() got unknown settings: {', '.join(unknown)}")
    return resolve_settings(layers, preset, settings)


def build_model(settings: DreamSettings) -> None:
    """Build the model and step of ``settings`` now: unknown layers and unreadable weights
    fail before a frame is dreamed."""
    from .dream import DEFAULT_DREAMER

    for mapping in settings.layer_schedule:
        DEFAULT_DREAMER.engine(dataclasses.replace(settings, layers=dict(mapping)))


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


@dataclasses.dataclass(frozen=True)
class FrameSource:
    """The frames of a video file or of a folder of pictures.

    Attributes:
        path: the video file or the folder.
        count: number of frames (a video's count as its container gives it).
        fps: frames per second, or ``None`` (a folder, or a video that does not say).
        files: a folder's pictures, in order; ``None`` for a video.
        audio: the codec of a video's sound track (``"aac"``, ...), or ``None``.
    """

    path: Path
    count: int
    fps: float | None
    files: tuple[Path, ...] | None = None
    audio: str | None = None

    def frames(self, start: int = 0) -> Iterator[np.ndarray]:
        """The frames from index ``start`` on, uint8 (H, W, 3), all of the first's size.

        Raises:
            ValueError: a frame that cannot be read or differs in size (named).
        """
        if self.files is not None:
            return self._pictures(start)
        return self._decoded(start)

    def _pictures(self, start: int) -> Iterator[np.ndarray]:
        assert self.files is not None
        expected = _picture_size(self.files[0])
        for file in self.files[start:]:
            rgb = load_image(file).rgb
            if rgb.shape[:2] != expected:
                raise ValueError(_size_mismatch(file, rgb.shape[:2], expected))
            yield rgb

    def _decoded(self, start: int) -> Iterator[np.ndarray]:
        import imageio_ffmpeg

        reader = imageio_ffmpeg.read_frames(str(self.path))
        try:
            width, height = next(reader)["size"]
            for index, raw in enumerate(reader):
                if index >= start:
                    yield np.frombuffer(raw, np.uint8).reshape(height, width, 3)
        finally:
            reader.close()

    def fingerprint(self) -> dict[str, Any]:
        """What identifies the input in a manifest: a hash of the video, or of each picture."""
        if self.files is None:
            return {"video": fingerprint_file(self.path)}
        return {"frames": {file.name: fingerprint_file(file) for file in self.files}}


def _size_mismatch(file: Path, size: tuple[int, int], expected: tuple[int, int]) -> str:
    return (
        f"frame {file} is {size[1]}x{size[0]} but the first frame is {expected[1]}x{expected[0]}: "
        "all frames must have one size"
    )


def _picture_size(file: Path) -> tuple[int, int]:
    """(height, width) of a picture as ``load_image`` will give it, read from its header."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(file) as picture:
            width, height = picture.size
            # EXIF orientation 5..8 turns the picture a quarter; read where it is in the
            # header (a PNG keeps it after the pixels: its frames are checked when loaded).
            headed = picture.format in ("JPEG", "MPO", "TIFF", "WEBP")
            turned = headed and picture.getexif().get(0x0112) in (5, 6, 7, 8)
    except UnidentifiedImageError:
        raise ValueError(f"frame {file} is not a picture Pillow can read") from None
    except OSError as error:
        raise ValueError(f"frame {file} cannot be read: {error}") from None
    return (width, height) if turned else (height, width)


def open_source(value: Any) -> FrameSource:
    """A video file or a folder of frames (pictures sorted by name, numbers as numbers).

    Raises:
        FileNotFoundError: nothing at ``value``.
        ValueError: an empty folder, a picture or a file that is not a video, frames of
            different sizes.
    """
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(
            f"input must be a video file or a folder of frames, not {type(value).__name__}"
        )
    path = Path(value).expanduser()
    if not path.exists():
        raise FileNotFoundError(f"input video not found: {path}")
    if path.is_dir():
        return _folder_source(path)
    if path.suffix.lower() in FRAME_SUFFIXES:
        raise ValueError(
            f"{path.name} is a single picture; give a video or a folder of frames "
            "(pydream zoom animates one picture)"
        )
    return _video_source(path)


def _folder_source(folder: Path) -> FrameSource:
    files = sorted(
        (
            entry
            for entry in folder.iterdir()
            if entry.is_file()
            and entry.suffix.lower() in FRAME_SUFFIXES
            and not entry.name.startswith(".")
        ),
        key=lambda entry: natural_key(entry.name),
    )
    if not files:
        raise ValueError(
            f"folder {folder} holds no frames (pictures named {', '.join(FRAME_SUFFIXES)})"
        )
    expected = _picture_size(files[0])
    for file in files[1:]:
        size = _picture_size(file)
        if size != expected:
            raise ValueError(_size_mismatch(file, size, expected))
    return FrameSource(path=folder, count=len(files), fps=None, files=tuple(files))


def _video_source(path: Path) -> FrameSource:
    import imageio_ffmpeg

    if path.stat().st_size == 0:
        raise ValueError(f"input video {path} is empty (0 bytes)")
    try:
        reader = imageio_ffmpeg.read_frames(str(path))
        try:
            meta = next(reader)
        finally:
            reader.close()
        count, _ = imageio_ffmpeg.count_frames_and_secs(str(path))
    except (OSError, RuntimeError, StopIteration, ValueError):
        raise ValueError(f"{path} is not a video ffmpeg can read") from None
    if not count:
        raise ValueError(f"video {path} holds no frames")
    fps = float(meta.get("fps") or 0.0) or None
    audio = str(meta["audio_codec"]) if meta.get("audio_codec") else None
    return FrameSource(path=path, count=int(count), fps=fps, audio=audio)


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

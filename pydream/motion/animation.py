"""Writing an animation: a GIF or WebP (Pillow, through imageio), an MP4 (H.264 through
imageio-ffmpeg, with the input video's sound) or a folder of PNG frames, each written
atomically; and where it goes (``animation_target``), checked before any frame is dreamed.

The video libraries (OpenCV, imageio, imageio-ffmpeg: the ``video`` extra) are imported only
when an animation is made; ``require_video_libraries`` says how to install them.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..media.images import atomic_path, check_folder_writable, load_image
from .frames import FRAME_SUFFIXES
from .workfolder import WORK_SUFFIX, frame_name

VIDEO_EXTRA = "pip install 'pydream-keras[video]'"
ANIMATION_FORMATS = {".gif": "gif", ".webp": "webp", ".mp4": "mp4"}
MP4_AUDIO_CODECS = ("aac", "mp3", "alac", "ac3", "eac3", "opus", "flac")
"""Sound an MP4 holds as it is; other sound is re-encoded to AAC."""
MP4_QUALITY = 7
"""imageio-ffmpeg's quality (0..10) for H.264: CRF 15, dream detail kept."""


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
            + ("" if kind == "folder" else ", or turn overwrite on")
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
        for index, frame in enumerate(frames):  # named by place: a loop shows frames twice
            try:
                os.link(frame, staging / frame_name(index))
            except OSError:
                shutil.copy2(frame, staging / frame_name(index))
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

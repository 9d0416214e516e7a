"""The frames a video is dreamed from: a video file (decoded by imageio-ffmpeg) or a folder of
pictures (sorted by name, numbers compared as numbers, all of one size).

imageio-ffmpeg is imported only when a video is opened or read.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from ..media.images import load_image
from .workfolder import fingerprint_file

FRAME_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp")
"""Pictures a folder of frames may hold (other files in it are ignored)."""


def natural_key(name: str) -> list[Any]:
    """Sort key comparing the numbers in names as numbers (``f2`` before ``f10``)."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", name)]


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

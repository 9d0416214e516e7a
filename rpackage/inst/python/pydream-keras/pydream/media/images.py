"""Reading and writing pictures: any Pillow input in, RGB to dream in, the input's mode out.

Writes are atomic: a temporary file in the target folder is renamed over the target only once
it is complete, so an interrupted run never leaves a partial file.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import json
import os
import tempfile
import warnings
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from PIL import Image, ImageOps, PngImagePlugin, UnidentifiedImageError

from .._version import __version__
from ..errors import (
    ImageError,
    ImageNotFoundError,
    OutputError,
    OutputWriteError,
    SettingError,
)

T = TypeVar("T")

ALPHA_MODES = ("RGBA", "LA", "PA", "RGBa", "La")
SIXTEEN_BIT_MODES = ("I;16", "I;16B", "I;16L", "I;16N", "I")


@dataclasses.dataclass
class LoadedImage:
    """A picture ready to dream.

    Attributes:
        rgb: uint8 array (H, W, 3).
        mode: the Pillow mode of the input (``"RGB"``, ``"L"``, ``"RGBA"``, ``"I;16"``, ...).
        alpha: the input's alpha channel, uint8 (H, W), or ``None``.
        path: the file it came from, if any.
    """

    rgb: np.ndarray
    mode: str
    alpha: np.ndarray | None = None
    path: Path | None = None


def _load_whole(path: Path) -> Image.Image:
    """Open and decode ``path`` with Pillow; its truncation warning becomes an ``OSError``,
    and the file is closed when decoding fails."""
    image: Image.Image | None = None
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            image = Image.open(path)
            image.load()
    except BaseException:
        if image is not None:
            image.close()
        raise
    for warning in caught:
        pillow_warning = not issubclass(warning.category, ResourceWarning)
        if pillow_warning and "truncated" in str(warning.message).lower():
            image.close()
            raise OSError(str(warning.message))
        if not issubclass(warning.category, Image.DecompressionBombWarning):
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )
    return image


def _open_file(path: Path, given: str, role: str) -> Image.Image:
    """Open the picture file ``path``; ``given`` is the path as the caller wrote it and
    ``role`` what the picture is for, both kept in the errors."""
    if not path.exists():
        raise ImageNotFoundError(f"input image not found: {path}", path=given, role=role)
    if not path.is_file():
        raise ImageError(f"input image {path} is not a file", path=given, role=role)
    if path.stat().st_size == 0:
        raise ImageError(f"input image {path} is empty (0 bytes)", path=given, role=role)
    try:
        image = _load_whole(path)
    except Image.DecompressionBombError as error:
        raise ImageError(
            f"input image {path} is too large to open safely ({error}); "
            "resize it first, or raise PIL.Image.MAX_IMAGE_PIXELS if you trust the file",
            path=given,
            role=role,
        ) from None
    except UnidentifiedImageError:
        raise ImageError(
            f"input image {path} is not a picture Pillow can read (JPEG, PNG, TIFF, ...)",
            path=given,
            role=role,
        ) from None
    except (OSError, SyntaxError, ValueError) as error:
        raise ImageError(
            f"input image {path} is truncated or corrupt: {error}", path=given, role=role
        ) from None
    return image


def _sixteen_bit_to_8(image: Image.Image) -> np.ndarray:
    values = np.asarray(image, dtype=np.float64)
    if values.max(initial=0) > 255 or image.mode.startswith("I;16"):
        values = values / 257.0
    return np.clip(np.rint(values), 0, 255).astype(np.uint8)


def to_pil(image: Any, role: str = "image") -> tuple[Image.Image, Path | None]:
    """Accept a path, a ``PIL.Image`` or a uint8 array and return a loaded Pillow image.

    Args:
        image: the picture.
        role: what the picture is for (``"image"``, ``"guide"``, ...), kept in the errors.

    Raises:
        ImageNotFoundError: no such file. ImageError: a file or array that is no usable
            picture. SettingError (a ``TypeError``): ``image`` is none of the above.
    """
    if isinstance(image, (str, os.PathLike)):
        path = Path(image).expanduser()
        return _open_file(path, os.fsdecode(image), role), path
    if isinstance(image, Image.Image):
        return image, None
    if isinstance(image, np.ndarray):
        return array_to_pil(image, role), None
    accepted = "a file path, a PIL.Image or a uint8 array"
    raise SettingError(
        f"image must be {accepted}, not {type(image).__name__}",
        setting=role,
        value=type(image).__name__,
        allowed=accepted,
    )


def array_to_pil(array: np.ndarray, role: str = "image") -> Image.Image:
    """A uint8 array (H, W), (H, W, 3) or (H, W, 4) as a Pillow image (L, RGB or RGBA).

    Raises:
        ImageError: (with ``role``, no path) the array holds no uint8 picture.
    """
    if array.dtype != np.uint8:
        if (
            np.issubdtype(array.dtype, np.integer)
            and array.size
            and (array.min() >= 0 and array.max() <= 255)
        ):
            array = array.astype(np.uint8)
        else:
            raise ImageError(
                f"image arrays must hold uint8 values 0..255, not {array.dtype} "
                "(convert with np.clip(a, 0, 255).astype(np.uint8))",
                role=role,
            )
    modes = {2: "L", 3: "RGB", 4: "RGBA"}
    if array.ndim == 2:
        mode = "L"
    elif array.ndim == 3 and array.shape[2] in (3, 4):
        mode = modes[array.shape[2]]
    else:
        raise ImageError(
            f"image arrays must be H x W, H x W x 3 or H x W x 4, not {array.shape}", role=role
        )
    if min(array.shape[:2]) == 0:
        raise ImageError(f"image array is empty: shape {array.shape}", role=role)
    picture = Image.fromarray(np.ascontiguousarray(array))  # uint8: L, RGB or RGBA by shape
    assert picture.mode == mode
    return picture


def load_image(image: Any, role: str = "image") -> LoadedImage:
    """Read ``image`` (path, ``PIL.Image`` or uint8 array) as RGB, keeping mode and alpha.

    EXIF orientation is applied. Grayscale, palette, 16-bit, CMYK and alpha inputs all
    become RGB; the alpha channel (if any) is kept apart, unchanged. ``role`` (what the
    picture is for) and the path as given are kept in the errors (see ``to_pil``).
    """
    pil, path = to_pil(image, role)
    mode = pil.mode
    pil = ImageOps.exif_transpose(pil) or pil
    alpha = None
    if mode == "P" and "transparency" in pil.info:
        pil = pil.convert("RGBA")
    if pil.mode in ALPHA_MODES or (pil.mode == "P" and "transparency" in pil.info):
        alpha = np.asarray(pil.getchannel("A"), dtype=np.uint8).copy()
    if pil.mode in SIXTEEN_BIT_MODES:
        gray = _sixteen_bit_to_8(pil)
        rgb = np.repeat(gray[:, :, None], 3, axis=2)
    elif pil.mode == "F":
        gray = np.clip(np.rint(np.asarray(pil, dtype=np.float64)), 0, 255).astype(np.uint8)
        rgb = np.repeat(gray[:, :, None], 3, axis=2)
    else:
        rgb = np.asarray(pil.convert("RGB"), dtype=np.uint8).copy()
    return LoadedImage(rgb=rgb, mode=mode, alpha=alpha, path=path)


@dataclasses.dataclass
class MaskImage:
    """Where to dream: 1 dreams fully, 0 keeps the photo, values between dream less.

    Attributes:
        values: float32 array (H, W) in 0..1.
        path: the file it came from, if any.
    """

    values: np.ndarray
    path: Path | None = None


def call_named(function: Callable[[Any], T], value: Any, name: str, accepted: str) -> T:
    """``function(value)`` with its errors about ``value`` naming it as ``name``.

    ``accepted`` says what ``name`` may be (for the ``SettingError``, a ``TypeError``, when
    ``value`` is of the wrong type). Picture errors keep their class and path, their
    message starts with ``name`` and their ``role`` is ``name``.
    """
    try:
        return function(value)
    except ImageError as error:
        fields = {**error.fields(), "role": name}
        raise type(error)(f"{name}: {error}", **fields) from None
    except TypeError:
        raise SettingError(
            f"{name} must be {accepted}, not {type(value).__name__}",
            setting=name,
            value=type(value).__name__,
            allowed=accepted,
        ) from None
    except FileNotFoundError as error:
        raise ImageNotFoundError(f"{name}: {error}", role=name) from None
    except ValueError as error:
        raise ImageError(f"{name}: {error}", role=name) from None


def load_guide(guide: Any) -> LoadedImage:
    """Read a guide picture (path, ``PIL.Image`` or uint8 array), naming it in errors."""
    return call_named(load_image, guide, "guide", "a file path, a PIL.Image or a uint8 array")


def load_mask(mask: Any) -> MaskImage:
    """Read a mask: a picture file or ``PIL.Image`` (grey levels, colour converted to luma),
    or an array (H, W) of 0..1 floats or 0..255 values (uint8 arrays are always 0..255).

    Returns:
        The mask as float32 (H, W) in 0..1.
    """
    path = None
    if isinstance(mask, np.ndarray) and mask.dtype != np.uint8:
        values = _mask_array(mask)
    else:
        accepted = "a file path, a PIL.Image or an array of 0..1 or 0..255 values"
        pil, path = call_named(to_pil, mask, "mask", accepted)
        if pil.mode in SIXTEEN_BIT_MODES:
            gray = _sixteen_bit_to_8(pil)
        else:
            gray = np.asarray(pil.convert("L"), dtype=np.uint8)
        values = gray.astype(np.float32) / 255.0
    return MaskImage(values=np.ascontiguousarray(values, dtype=np.float32), path=path)


def _mask_array(mask: np.ndarray) -> np.ndarray:
    """A mask array of numbers as float32 (H, W) in 0..1; an ``ImageError`` (role
    ``"mask"``) for any other array."""
    if mask.ndim == 3 and mask.shape[2] == 1:
        mask = mask[:, :, 0]
    if mask.ndim != 2 or min(mask.shape) == 0:
        raise ImageError(f"mask arrays must be H x W, not {mask.shape}", role="mask")
    if not (np.issubdtype(mask.dtype, np.floating) or np.issubdtype(mask.dtype, np.integer)):
        raise ImageError(f"mask arrays must hold numbers, not {mask.dtype}", role="mask")
    values = mask.astype(np.float64)
    if not np.isfinite(values).all():
        raise ImageError(
            "mask holds NaN or infinite values; use numbers from 0 to 1 (or 255)", role="mask"
        )
    low, high = float(values.min()), float(values.max())
    if low < 0 or high > 255:
        raise ImageError(
            f"mask values must be from 0 to 1 (or 0 to 255), not {low:g} to {high:g}",
            role="mask",
        )
    if high > 1 or np.issubdtype(mask.dtype, np.integer):
        values = values / 255.0
    return values.astype(np.float32)


# Modes each output format can hold; anything else is written as RGB (or RGBA with alpha).
_FORMAT_MODES = {
    "PNG": ("L", "LA", "RGB", "RGBA", "I;16"),
    "JPEG": ("L", "RGB", "CMYK"),
    "TIFF": ("L", "LA", "RGB", "RGBA", "CMYK", "I;16"),
    "WEBP": ("RGB", "RGBA"),
    "BMP": ("L", "RGB"),
}


def output_format(path: Path) -> str:
    """The Pillow format for ``path``'s extension, or an ``OutputError`` naming the known
    ones."""
    extensions = Image.registered_extensions()
    suffix = path.suffix.lower()
    if suffix not in extensions or extensions[suffix] not in Image.SAVE:
        known = ", ".join(sorted({".png", ".jpg", ".jpeg", ".tif", ".tiff", ".webp", ".bmp"}))
        raise OutputError(
            f"cannot tell the image format of {path}: use one of {known}", path=str(path)
        )
    return extensions[suffix]


def _target_mode(input_mode: str, has_alpha: bool, image_format: str) -> str:
    wanted = {"1": "L", "P": "RGB", "PA": "RGBA", "I": "I;16", "F": "L", "YCbCr": "RGB"}.get(
        input_mode, input_mode
    )
    if wanted.startswith("I;16"):
        wanted = "I;16"
    if has_alpha and wanted not in ("RGBA", "LA"):
        wanted = "RGBA"
    allowed = _FORMAT_MODES.get(image_format, ("RGB",))
    if wanted in allowed:
        return wanted
    if wanted == "LA" and "L" in allowed:
        return "L"
    return "RGBA" if has_alpha and "RGBA" in allowed else "RGB"


def compose_output(rgb: np.ndarray, mode: str, alpha: np.ndarray | None, image_format: str):
    """The dream (uint8 RGB, H x W x 3) as a Pillow image in the input's mode where possible."""
    target = _target_mode(mode, alpha is not None, image_format)
    picture = Image.fromarray(np.ascontiguousarray(rgb))  # uint8 (H, W, 3): RGB
    if target in ("RGBA", "LA") and alpha is not None:
        base = picture.convert(target[:-1])
        base.putalpha(Image.fromarray(np.ascontiguousarray(alpha, dtype=np.uint8)))
        return base
    if target == "I;16":
        gray = np.asarray(picture.convert("L"), dtype=np.uint16) * 257
        # frombytes works on every Pillow; fromarray(..., mode="I;16") fails on Pillow 13.
        height, width = gray.shape
        return Image.frombytes("I;16", (width, height), gray.astype("<u2").tobytes())
    return picture.convert(target)


def _current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_advice(error: OSError) -> str:
    """What a failed write means for the user, in a few words."""
    return {
        errno.ENOSPC: "the disk is full; free some space or write elsewhere",
        errno.EDQUOT: "the disk quota is used up; free some space or write elsewhere",
        errno.EROFS: "the folder is on a read-only file system; write elsewhere",
        errno.EACCES: "permission denied; write to a folder you may write to",
        errno.EPERM: "permission denied; write to a folder you may write to",
    }.get(error.errno or 0, error.strerror or str(error))


def write_error(target: Path, error: OSError) -> OutputWriteError:
    """An ``OutputWriteError`` (an ``OSError`` with the same ``errno``) whose one-line
    message names the file and the fix."""
    return OutputWriteError(
        f"cannot write {target}: {write_advice(error)} (nothing was written)",
        path=str(target),
        errno=error.errno,
    )


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it over ``target`` on success.

    The temporary file has a unique name, so concurrent writers never mix their bytes: the
    last rename wins and the target is always one whole file. On any exception (Ctrl-C
    included) the temporary file is removed and ``target`` is left as it was. Write
    failures (disk full, read-only folder, ...) become an ``OSError`` whose message names
    the file and says what to do.
    """
    folder = target.parent
    try:
        handle, temporary_name = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".part" + target.suffix, dir=folder
        )
    except OSError as error:
        raise write_error(target, error) from None
    os.close(handle)
    temporary = Path(temporary_name)
    try:
        try:
            yield temporary
            with open(temporary, "rb") as written:
                os.fsync(written.fileno())
            os.chmod(temporary, 0o666 & ~_current_umask())  # mkstemp makes it private
            os.replace(temporary, target)
        except OSError as error:
            raise write_error(target, error) from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def check_folder_writable(folder: Path, what: str, path: Any = None) -> None:
    """Create and remove a scratch file in ``folder``: an ``OutputError`` if that fails.

    Catches read-only file systems and permissions before a long dream, not after it.
    ``what`` says what would be written (in the message); the error's ``path`` is ``path``,
    or ``folder`` without it.
    """
    try:
        # unnamed where the system can (O_TMPFILE), else removed at once: nothing is left
        # behind even when the process is interrupted here
        with tempfile.TemporaryFile(prefix=".pydream-check.", dir=folder):
            pass
    except OSError as error:
        raise OutputError(
            f"cannot write {what}: {write_advice(error)}", path=str(path or folder)
        ) from None


def check_output_path(output: Any, input_path: Path | None, overwrite: bool) -> Path:
    """Check an output path before any work is done, so that errors come first.

    Raises:
        OutputError: (a ``ValueError``) unknown extension, missing folder, a folder that
            cannot be written, or the output is the input file and ``overwrite`` is false.
        SettingError: (a ``TypeError``) ``output`` is not a path.
    """
    if not isinstance(output, (str, os.PathLike)):
        raise SettingError(
            f"output must be a file path, not {type(output).__name__}",
            setting="output",
            value=type(output).__name__,
            allowed="a file path",
        )
    path = Path(output).expanduser()
    given = os.fsdecode(output)
    output_format(path)
    if not path.parent.is_dir():
        raise OutputError(f"cannot write {path}: folder {path.parent} does not exist", path=given)
    if path.is_dir():
        raise OutputError(f"cannot write {path}: it is a folder", path=given)
    check_folder_writable(path.parent, str(path), given)
    if (
        input_path is not None
        and path.exists()
        and input_path.exists()
        and os.path.samefile(path, input_path)
        and not overwrite
    ):
        raise OutputError(
            f"output {path} is the input file; choose another output, or turn overwrite on "
            "to replace the input",
            path=given,
        )
    return path


def save_image(
    rgb: np.ndarray,
    path: Any,
    *,
    mode: str = "RGB",
    alpha: np.ndarray | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> Path:
    """Write a uint8 RGB array (H, W, 3) atomically, in ``mode`` where the format allows.

    PNG files get ``metadata`` as a JSON text chunk ``pydream:settings``.
    """
    target = Path(path).expanduser()
    image_format = output_format(target)
    picture = compose_output(np.asarray(rgb, dtype=np.uint8), mode, alpha, image_format)
    options: dict[str, Any] = {}
    if image_format == "PNG":
        info = PngImagePlugin.PngInfo()
        info.add_text("Software", f"pydream {__version__}")
        if metadata:
            info.add_text("pydream:settings", json.dumps(dict(metadata), sort_keys=True))
        options["pnginfo"] = info
    elif image_format == "JPEG":
        options["quality"] = 95
    with atomic_path(target) as temporary:
        picture.save(temporary, format=image_format, **options)
    return target


def save_img(img: Any, fname: Any) -> Path:
    """Save a picture: a uint8 array (H, W[, 3|4]) or a ``PIL.Image``, atomically.

    The blog's building block; the format follows ``fname``'s extension.
    """
    if isinstance(img, Image.Image):
        img = np.asarray(img.convert("RGBA" if "A" in img.mode else "RGB"))
    array = np.asarray(img)
    if array.ndim == 4 and array.shape[0] == 1:
        array = array[0]
    picture = array_to_pil(array)
    alpha = np.asarray(picture.getchannel("A")) if picture.mode == "RGBA" else None
    rgb = np.asarray(picture.convert("RGB"))
    return save_image(rgb, fname, mode=picture.mode, alpha=alpha)

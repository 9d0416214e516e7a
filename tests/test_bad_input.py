"""The bad-input battery, through the Python API and the command line.

Every case must give one clear line (a ``ValueError``/``TypeError``/``OSError`` in Python,
``pydream: error: ...`` and exit code 2 on the command line), leave the input file's bytes
as they were, and leave no new file in the folder.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import pydream
from pydream.cli import main

from .conftest import REAL_WEIGHTS, needs_real_weights
from .test_images import png_header_claiming


def _photo(folder: Path) -> Path:
    path = folder / "photo.jpg"
    rng = np.random.default_rng(1)
    Image.fromarray(rng.integers(0, 256, (90, 120, 3)).astype(np.uint8)).save(path, quality=90)
    return path


def _truncated(folder: Path) -> Path:
    path = folder / "truncated.jpg"
    path.write_bytes(_photo(folder).read_bytes()[:1500])
    (folder / "photo.jpg").unlink()
    return path


def _write(name: str, content: bytes) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(content)
        return path

    return make


def _not_weights(folder: Path) -> Path:
    (folder / "fake.weights.h5").write_text("not weights")
    return _photo(folder)


def _photo_and_notes(folder: Path) -> Path:
    (folder / "notes.png").write_text("dear diary\n" * 20)
    return _photo(folder)


# name: (make the input in a folder, Python keyword arguments, command-line arguments, words)
CASES: dict[str, tuple[Callable[[Path], Path], dict, list[str], str]] = {
    "missing file": (lambda folder: folder / "missing.jpg", {}, [], "input image not found"),
    "empty file": (_write("empty.jpg", b""), {}, [], "is empty"),
    "truncated JPEG": (_truncated, {}, [], "truncated or corrupt"),
    "text as .jpg": (_write("notes.jpg", b"dear diary\n" * 50), {}, [], "not a picture"),
    "PNG claiming 60000x60000": (
        _write("huge.png", png_header_claiming(60000, 60000)), {}, [], "too large to open safely"
    ),
    "unknown layer": (_photo, {"layers": {"mixed27": 1.0}}, ["--layers", "mixed27=1"],
                      "unknown layer 'mixed27'"),
    "negative iterations": (_photo, {"iterations": -1}, ["--iterations", "-1"],
                            "iterations must be at least 0"),
    "NaN step": (_photo, {"step": float("nan")}, ["--step", "nan"], "step must be a finite"),
    "octave_scale below 1": (_photo, {"octave_scale": 0.5}, ["--octave-scale", "0.5"],
                             "octave_scale must be at least 1"),
    "weights file that is not one": (_not_weights, {"weights": "WEIGHTS"},
                                     ["--weights", "WEIGHTS"], "not an HDF5 weights file"),
    "output is the input": (_photo, {"output": "INPUT"}, ["-o", "INPUT"], "is the input file"),
    "memory budget too small": (_photo, {"memory_budget": 1e-5}, ["--memory-budget", "1e-5"],
                                "more than the memory budget"),
    "unknown output format": (_photo, {"output": "OUT.xyz"}, ["-o", "OUT.xyz"],
                              "cannot tell the image format"),
    "channel past the last": (_photo, {"layers": {"mixed3:900": 1.0}},
                              ["--layers", "mixed3:900=1"], "has 768 channels (0..767)"),
    "guide that is not a picture": (_photo_and_notes, {"guide": "NOTES"}, ["--guide", "NOTES"],
                                    "guide: input image"),
    "mask that is not a picture": (_photo_and_notes, {"mask": "NOTES"}, ["--mask", "NOTES"],
                                   "mask: input image"),
    "schedule longer than the octaves": (
        _photo, {"layers": [{"mixed3": 1.0}] * 4, "num_octave": 3},
        ["--layers", "mixed3=1;mixed3=1;mixed3=1;mixed3=1", "--num-octave", "3"],
        "4 per-octave mappings but the dream has only 3 octaves",
    ),
}  # fmt: skip
CASES["class on weights without the top"] = (
    _photo, {"layers": {"predictions:207": 1.0}, "weights": str(REAL_WEIGHTS)},
    ["--layers", "predictions:207=1", "--weights", str(REAL_WEIGHTS)],
    "has no classification top",
)  # fmt: skip
# the cases that read the real weights: they skip without them (and fail under CI=true)
CASE_PARAMS = [
    pytest.param(case, marks=needs_real_weights) if str(REAL_WEIGHTS) in str(CASES[case]) else case
    for case in CASES
]


def _snapshot(folder: Path) -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.iterdir())
        if path.is_file()
    }


def _resolve(value: object, folder: Path, image: Path) -> object:
    replacements = {
        "INPUT": str(image),
        "WEIGHTS": str(folder / "fake.weights.h5"),
        "OUT.xyz": str(folder / "out.xyz"),
        "NOTES": str(folder / "notes.png"),
    }
    return replacements.get(value, value) if isinstance(value, str) else value


@pytest.mark.parametrize("case", CASE_PARAMS)
def test_python_api(case, tmp_path):
    make, keywords, _, words = CASES[case]
    image = make(tmp_path)
    before = _snapshot(tmp_path)
    arguments = {"layers": {"mixed3": 1.0}, "weights": None, "output": tmp_path / "out.png"}
    arguments.update({key: _resolve(value, tmp_path, image) for key, value in keywords.items()})
    with pytest.raises((ValueError, TypeError, OSError)) as raised:
        pydream.deep_dream(image, **arguments)
    message = str(raised.value)
    assert words in message and "\n" not in message.strip()
    assert _snapshot(tmp_path) == before


@pytest.mark.parametrize("case", CASE_PARAMS)
def test_command_line(case, tmp_path, capsys):
    make, _, options, words = CASES[case]
    image = make(tmp_path)
    before = _snapshot(tmp_path)
    options = [str(_resolve(option, tmp_path, image)) for option in options]
    if "-o" not in options:
        options += ["-o", str(tmp_path / "out.png")]
    if "--weights" not in options:
        options += ["--weights", "none"]
    code = main(["dream", str(image), "--quiet", *options])
    error = capsys.readouterr().err
    assert code == 2
    assert error.startswith("pydream: error: ") and error.count("\n") == 1 and words in error
    assert _snapshot(tmp_path) == before


def test_a_truncated_picture_leaves_no_file_open(tmp_path):
    import gc
    import warnings

    from pydream.media.images import load_image

    path = _truncated(tmp_path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(ValueError, match="truncated or corrupt"):
            load_image(path)
        gc.collect()
    assert not [warning for warning in caught if issubclass(warning.category, ResourceWarning)]


def test_another_files_warning_while_loading_does_not_fail_the_picture(tmp_path, monkeypatch):
    import warnings

    from pydream.media import images

    good = tmp_path / "good.png"
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(good)
    original = Image.open

    def open_after_a_collected_file(*args, **kwargs):
        # what garbage collection of someone else's open file says, mid-load
        warnings.warn(
            "unclosed file <_io.FileIO name='truncated.jpg'>", ResourceWarning, stacklevel=2
        )
        return original(*args, **kwargs)

    monkeypatch.setattr(images.Image, "open", open_after_a_collected_file)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        assert images.load_image(good).rgb.shape == (8, 8, 3)


def test_the_writability_check_leaves_nothing_in_the_folder(tmp_path):
    from pydream.media.images import check_folder_writable

    check_folder_writable(tmp_path, "here")
    assert list(tmp_path.iterdir()) == []

"""The R package deepdream gives the same dreams as pydream, driven from here through rpy2.

The R package (rpackage/) is installed into a temporary library first, unless
DEEPDREAM_R_LIB names a library that already holds it. Inside this process R's reticulate
attaches to the running Python, so both languages use the same engine; what is compared is
everything R adds: argument checks and conversion, the array route between the languages
and the "deep_dream" result.

rpy2 calls R with the GIL released (cffi does that), and reticulate 1.28 (Debian 12) frees
Python objects from R's garbage collector without taking the GIL, which aborts Python. So
R code that touches Python runs through ``GilHoldingR.run``: R's ``R_tryEval`` called via
``ctypes.PyDLL`` (which keeps the GIL), ending with a garbage collection, so that no Python
object is left for a collection outside it. Results are then read as plain R vectors.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import platform
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

import pydream
from pydream.settings import Default

from .conftest import IMAGES, REAL_WEIGHTS, needs_real_weights, require


def _r_string(value: object) -> str:
    """A Python string as an R string literal."""
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _restore(name: str, value: str | None) -> None:
    """Set the environment variable ``name`` back to ``value`` (None: unset)."""
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


class GilHoldingR:
    """Evaluate R code in the embedded R while this thread keeps the GIL."""

    def __init__(self) -> None:
        import rpy2.rinterface as rinterface
        import rpy2.robjects as robjects
        import rpy2.situation
        from rpy2.rinterface_lib import openrlib

        self._rinterface = rinterface
        self._robjects = robjects
        self._ffi = openrlib.ffi
        library_path = rpy2.situation.get_rlib_path(openrlib.R_HOME, platform.system())
        self._libr = ctypes.PyDLL(library_path)  # PyDLL: calls keep the GIL
        self._libr.R_tryEval.restype = ctypes.c_void_p
        self._libr.R_tryEval.argtypes = [
            ctypes.c_void_p, ctypes.c_void_p, ctypes.POINTER(ctypes.c_int)
        ]  # fmt: skip
        self._global_env = ctypes.c_void_p.in_dll(self._libr, "R_GlobalEnv")
        self._call = rinterface.parse(
            "base::eval(base::parse(text = .parity_code), envir = globalenv())"
        )[0]

    def run(self, code: str) -> None:
        """Run R code (statements); raise RuntimeError with R's message on an R error."""
        self._rinterface.globalenv[".parity_code"] = self._rinterface.StrSexpVector(
            [code + "\ninvisible(gc())"]
        )
        failed = ctypes.c_int(0)
        pointer = int(self._ffi.cast("uintptr_t", self._call.__sexp__._cdata))
        self._libr.R_tryEval(pointer, self._global_env, ctypes.byref(failed))
        if failed.value:
            raise RuntimeError(str(self._robjects.r("geterrmessage()")[0]).strip())

    def get(self, code: str) -> Any:
        """The value of an R expression that gives a plain vector."""
        self.run(f".parity_value <- ({code})")
        return self._robjects.globalenv.find(".parity_value")


@pytest.fixture(scope="module")
def r(r_library: Path) -> Iterator[GilHoldingR]:
    """The embedded R with the deepdream package attached."""
    require(
        importlib.util.find_spec("rpy2") is not None,
        "rpy2 is not installed (pip install 'rpy2==3.5.17')",
    )
    library = str(r_library)
    library_path_before = os.environ.get("LD_LIBRARY_PATH")
    try:
        session = GilHoldingR()
    except Exception as error:  # R missing or not loadable by rpy2
        require(False, f"rpy2 cannot start R: {error}")
        raise
    finally:
        # Starting R puts R's library folder and the system's first in LD_LIBRARY_PATH; the
        # Pythons that later tests of this worker start would then load the system's
        # libpython instead of their own (ssl fails: "undefined symbol _PyModule_Add").
        _restore("LD_LIBRARY_PATH", library_path_before)
    session.run(f".libPaths(c({_r_string(library)}, .libPaths()))")
    require(
        bool(session.get('isTRUE(requireNamespace("deepdream", quietly = TRUE))')[0]),
        f"the R package deepdream is not installed in {library}",
    )
    session.run("suppressPackageStartupMessages(library(deepdream))")
    require(
        bool(session.get("isTRUE(deepdream::pydream_available())")[0]),
        "deepdream (R) cannot reach pydream from this process",
    )
    session.run(
        "error_message <- function(f) tryCatch({ f(); NA_character_ }, "
        "error = function(e) paste(class(e)[1], conditionMessage(e), sep = ': '))"
    )
    yield session
    session.run("unlink(tempdir(), recursive = TRUE)")  # R never ends in-process (conftest)


@pytest.fixture(scope="module")
def small_photo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The jellyfish photo resized to about 200 pixels wide (never kept in the repo)."""
    source = IMAGES / "jellyfish.jpg"
    require(source.is_file(), f"example photos not found in {IMAGES}")
    picture = Image.open(source).convert("RGB")
    picture.thumbnail((200, 200), Image.Resampling.LANCZOS)
    path = tmp_path_factory.mktemp("photos") / "jellyfish_small.png"
    picture.save(path)
    return path


def _r_dream(r: GilHoldingR, code: str) -> np.ndarray:
    """Evaluate R code returning a "deep_dream" and bring it over as an (H, W, 3) uint8 array."""
    r.run(f"dream <- {code}")
    assert list(r.get("class(dream)")) == ["deep_dream"]
    shape = tuple(int(size) for size in r.get("dim(dream)"))
    values = np.asarray(r.get("as.integer(as.vector(unclass(dream)))"), dtype=np.int64)
    assert values.min() >= 0 and values.max() <= 255
    return values.reshape(shape, order="F").astype(np.uint8)


PARITY_CASES: dict[str, tuple[dict[str, Any], str]] = {
    "plain": ({}, ""),
    "seed_and_jitter": ({"seed": 3, "jitter": 8}, ", seed = 3L, jitter = 8L"),
}


@needs_real_weights
@pytest.mark.parametrize("case", sorted(PARITY_CASES))
def test_r_and_python_dream_the_same_picture(r: GilHoldingR, small_photo: Path, case: str) -> None:
    python_extra, r_extra = PARITY_CASES[case]
    expected = pydream.deep_dream(
        str(small_photo),
        layers={"mixed3": 1.0, "mixed5": 2.0},
        weights=str(REAL_WEIGHTS),
        num_octave=2,
        iterations=3,
        step=0.01,
        max_loss=None,
        **python_extra,
    )
    got = _r_dream(
        r,
        f"deep_dream({_r_string(small_photo)}, layers = list(mixed3 = 1, mixed5 = 2), "
        f"weights = {_r_string(REAL_WEIGHTS)}, num_octave = 2L, iterations = 3L, "
        f"step = 0.01, max_loss = NULL, progress = FALSE{r_extra})",
    )
    assert got.shape == expected.shape == (134, 200, 3)
    original = np.asarray(Image.open(small_photo).convert("RGB"))
    assert np.abs(expected.astype(int) - original).max() > 10  # it really dreamed
    assert np.abs(got.astype(int) - expected.astype(int)).max() <= 1


@needs_real_weights
def test_r_array_input_and_plot(r: GilHoldingR, small_photo: Path) -> None:
    """An R array as the image gives the same dream as the file, and plot() draws it."""
    pixels = np.asarray(Image.open(small_photo).convert("RGB"))
    expected = pydream.deep_dream(
        pixels, layers={"mixed4": 1.0}, weights=str(REAL_WEIGHTS), num_octave=1,
        iterations=2, max_loss=None,
    )  # fmt: skip
    r.run(f"pixels <- unclass(deprocess_image(preprocess_image({_r_string(small_photo)})))")
    got = _r_dream(
        r,
        f"deep_dream(pixels, layers = list(mixed4 = 1), weights = {_r_string(REAL_WEIGHTS)}, "
        "num_octave = 1L, iterations = 2L, max_loss = NULL, progress = FALSE)",
    )
    assert np.abs(got.astype(int) - expected.astype(int)).max() <= 1
    r.run('plot_file <- tempfile(fileext = ".png"); grDevices::png(plot_file, 200, 134)')
    r.run("plot(dream); invisible(grDevices::dev.off())")
    assert r.get("file.size(plot_file)")[0] > 1000


@pytest.fixture(scope="module")
def photo_160(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The jellyfish photo resized to 160 pixels wide (107 high)."""
    source = IMAGES / "jellyfish.jpg"
    require(source.is_file(), f"example photos not found in {IMAGES}")
    picture = Image.open(source).convert("RGB")
    picture.thumbnail((160, 160), Image.Resampling.LANCZOS)
    path = tmp_path_factory.mktemp("photos") / "jellyfish_160.png"
    picture.save(path)
    return path


@needs_real_weights
def test_r_and_python_dream_the_same_guided_channel_masked_picture(
    r: GilHoldingR, photo_160: Path
) -> None:
    """Channel keys, a guide photo and a mask (left half 0) reach the engine alike."""
    guide = IMAGES / "sky_clouds.jpg"
    require(guide.is_file(), f"the guide photo is missing: {guide}")
    original = np.asarray(Image.open(photo_160).convert("RGB"))
    height, width = original.shape[:2]
    mask = np.ones((height, width))
    mask[:, : width // 2] = 0.0
    expected = pydream.deep_dream(
        str(photo_160),
        {"mixed4:0-31": 1.0, "mixed3": 0.5},
        weights=str(REAL_WEIGHTS),
        num_octave=2,
        iterations=3,
        step=0.02,
        max_loss=None,
        seed=5,
        jitter=4,
        guide=str(guide),
        mask=mask,
    )
    r.run(f"mask <- matrix(1, {height}L, {width}L); mask[, seq_len({width // 2}L)] <- 0")
    got = _r_dream(
        r,
        f'deep_dream({_r_string(photo_160)}, layers = list("mixed4:0-31" = 1, mixed3 = 0.5), '
        f"weights = {_r_string(REAL_WEIGHTS)}, num_octave = 2L, iterations = 3L, step = 0.02, "
        f"max_loss = NULL, seed = 5L, jitter = 4L, guide = {_r_string(guide)}, mask = mask, "
        "progress = FALSE)",
    )
    assert got.shape == expected.shape == (height, width, 3)
    change = np.abs(expected.astype(int) - original)
    assert change[:, : width // 2].max() == 0  # the masked half stays the photo
    assert change[:, width // 2 :].max() > 10  # the other half dreamed
    assert np.abs(got.astype(int) - expected.astype(int)).max() <= 1


@needs_real_weights
def test_r_and_python_dream_the_same_per_octave_layers(r: GilHoldingR, photo_160: Path) -> None:
    """A list of layer lists (one per octave), Laplacian normalisation and smoothing."""
    expected = pydream.deep_dream(
        str(photo_160),
        [{"mixed3": 1.0}, {"mixed5": 1.0, "mixed4:0-15": 2.0}],
        weights=str(REAL_WEIGHTS),
        num_octave=2,
        iterations=3,
        step=0.02,
        max_loss=None,
        normalize="laplacian",
        lap_levels=3,
        smoothing=0.5,
    )
    got = _r_dream(
        r,
        f"deep_dream({_r_string(photo_160)}, "
        'layers = list(list(mixed3 = 1), list(mixed5 = 1, "mixed4:0-15" = 2)), '
        f"weights = {_r_string(REAL_WEIGHTS)}, num_octave = 2L, iterations = 3L, step = 0.02, "
        'max_loss = NULL, normalize = "laplacian", lap_levels = 3L, smoothing = 0.5, '
        "progress = FALSE)",
    )
    original = np.asarray(Image.open(photo_160).convert("RGB"))
    assert np.abs(expected.astype(int) - original).max() > 10
    assert np.abs(got.astype(int) - expected.astype(int)).max() <= 1


@needs_real_weights
def test_objective_values_in_r_and_python_dream_as_the_dict(
    r: GilHoldingR, photo_160: Path
) -> None:
    """``objective_layer("mixed4") * 2 + objective_channel("mixed4", 97)`` in R, its Python
    twin and the dict ``{"mixed4": 2, "mixed4:97": 1}`` give the same picture."""
    settings = {"weights": str(REAL_WEIGHTS), "num_octave": 2, "iterations": 3, "seed": 5}
    by_dict = pydream.deep_dream(str(photo_160), {"mixed4": 2.0, "mixed4:97": 1.0}, **settings)
    objective = pydream.objectives.layer("mixed4") * 2 + pydream.objectives.channel("mixed4", 97)
    by_value = pydream.deep_dream(str(photo_160), objective, **settings)
    got = _r_dream(
        r,
        f"deep_dream({_r_string(photo_160)}, "
        'layers = objective_layer("mixed4") * 2 + objective_channel("mixed4", 97), '
        f"weights = {_r_string(REAL_WEIGHTS)}, num_octave = 2L, iterations = 3L, seed = 5L, "
        "progress = FALSE)",
    )
    original = np.asarray(Image.open(photo_160).convert("RGB"))
    assert np.abs(by_dict.astype(int) - original).max() > 10  # it really dreamed
    assert np.array_equal(by_value, by_dict)
    assert np.abs(got.astype(int) - by_dict.astype(int)).max() <= 1


@needs_real_weights
def test_r_and_python_make_the_same_gallery(r: GilHoldingR, photo_160: Path) -> None:
    """dream_gallery(): the same sheet, and the keys of its tiles kept in R."""
    expected = pydream.dream_gallery(
        str(photo_160), ["mixed3"], channels="mixed4:0-1", size=160, weights=str(REAL_WEIGHTS),
        num_octave=1, iterations=2, max_loss=None,
    )  # fmt: skip
    r.run(
        f'sheet <- dream_gallery({_r_string(photo_160)}, layers = "mixed3", '
        f'channels = "mixed4:0-1", size = 160L, weights = {_r_string(REAL_WEIGHTS)}, '
        "num_octave = 1L, iterations = 2L, max_loss = NULL, progress = FALSE)"
    )
    assert list(r.get("class(sheet)")) == ["deep_dream_gallery", "deep_dream"]
    assert list(r.get('attr(sheet, "entries")')) == ["mixed3", "mixed4:0", "mixed4:1"]
    shape = tuple(int(size) for size in r.get("dim(sheet)"))
    values = np.asarray(r.get("as.integer(as.vector(unclass(sheet)))"), dtype=np.int64)
    got = values.reshape(shape, order="F")
    assert got.shape == expected.shape
    assert np.abs(got - expected.astype(int)).max() <= 1


# Layer keys the engine accepts or refuses; R must judge each the same way, before Python.
LAYER_KEYS = [
    "mixed4", "mixed4:97", "mixed4:97,120", "mixed4:0-15", " mixed4 : 3 - 5 , 9 ",
    "predictions:207", "mixed4:1000000", "mixed4:", "mixed4:x", "mixed4:3,", "mixed4:,3",
    "mixed4:-3", "mixed4:3-", "mixed4:1-2-3", "mixed4:1.5", "mixed4:+2", "mixed4:1:2",
    "mixed4:15-0", "mixed4:0-1000001", "mixed4:1000001", ":5", " : 5", " ",
]  # fmt: skip


def test_r_judges_layer_keys_as_the_engine_does(r: GilHoldingR) -> None:
    from pydream.objectives import term_from_key

    kinds = ("must look like", "runs backwards", "beyond any network", "no layer name",
             "non-empty", "names select ImageNet classes", "chooses no channel",
             "must end in @X,Y")  # fmt: skip
    for key in (*LAYER_KEYS, "mixed4:strong0", "mixed4:97@3", "mixed4:strong3", "mixed4:97@c"):
        try:
            term_from_key(key)
            python_kind = None
        except (TypeError, ValueError) as error:
            python_kind = next(kind for kind in kinds if kind in str(error))
        message = str(
            r.get(
                "{ m <- error_message(function() deepdream:::check_layers(stats::setNames("
                f'list(1), {_r_string(key)}))); if (is.na(m)) "" else m }}'
            )[0]
        )
        r_kind = None
        if message:
            assert message.startswith("deepdream_argument_error: `layers`"), message
            r_kind = next(kind for kind in kinds if kind in message)
        assert r_kind == python_kind, f"{key!r}: R {message!r}, Python {python_kind!r}"


def _r_error(r: GilHoldingR, code: str) -> str:
    message = r.get(f"error_message(function() {code})")[0]
    assert message is not None and str(message) != "NA", f"no R error from {code}"
    return str(message)


def test_missing_file_is_an_r_error(r: GilHoldingR) -> None:
    message = _r_error(r, 'deep_dream("no/such/photo.jpg")')
    assert "`image` file not found" in message
    assert "no/such/photo.jpg" in message


def test_unknown_layer_is_an_r_error_listing_the_valid_ones(
    r: GilHoldingR, small_photo: Path
) -> None:
    message = _r_error(
        r,
        f"deep_dream({_r_string(small_photo)}, layers = list(mixed27 = 1), weights = NULL, "
        "num_octave = 1L, progress = FALSE)",
    )
    assert message.startswith("deepdream_layer_error: unknown layer 'mixed27'")
    assert "mixed0" in message and "mixed10" in message
    assert "Traceback" not in message


def test_negative_iterations_is_an_r_error(r: GilHoldingR, small_photo: Path) -> None:
    message = _r_error(r, f"deep_dream({_r_string(small_photo)}, iterations = -1)")
    assert message == (
        "deepdream_argument_error: `iterations` must be a single non-negative whole number, not -1."
    )


def test_character_for_a_number_is_an_r_error(r: GilHoldingR, small_photo: Path) -> None:
    message = _r_error(r, f'deep_dream({_r_string(small_photo)}, step = "0.01")')
    assert "`step` must be a single finite non-negative number" in message
    assert 'not the string "0.01"' in message
    message = _r_error(r, f'deep_dream({_r_string(small_photo)}, num_octave = "five")')
    assert "`num_octave`" in message and '"five"' in message


# --- animations -----------------------------------------------------------------------------


def _needs_video_extra() -> None:
    from pydream.motion.dreams import require_video_libraries

    try:
        require_video_libraries()
    except ModuleNotFoundError as error:
        pytest.skip(str(error))


def _frames(folder: Path) -> list[np.ndarray]:
    return [np.asarray(Image.open(path).convert("RGB")) for path in sorted(folder.glob("*.png"))]


@needs_real_weights
def test_r_and_python_make_the_same_zoom(r: GilHoldingR, photo_160: Path, tmp_path: Path) -> None:
    """dream_zoom(): the same frames (3, seeded, zooming and turning), and the R callback
    sees each frame as it was written, counted from 1."""
    _needs_video_extra()
    expected = _frames(
        pydream.dream_zoom(
            str(photo_160), tmp_path / "python", frames=3, zoom=1.1, rotate=2.0,
            layers={"mixed4": 1.0}, weights=str(REAL_WEIGHTS), num_octave=2, iterations=2,
            step=0.02, max_loss=None, seed=11,
        )
    )  # fmt: skip
    r.run(
        "seen <- list(); "
        f"made <- dream_zoom({_r_string(photo_160)}, {_r_string(tmp_path / 'r')}, frames = 3L, "
        "zoom = 1.1, rotate = 2, layers = list(mixed4 = 1), "
        f"weights = {_r_string(REAL_WEIGHTS)}, num_octave = 2L, iterations = 2L, step = 0.02, "
        "max_loss = NULL, seed = 11L, progress = FALSE, "
        "callback = function(index, frame) { seen[[index]] <<- frame; FALSE })"
    )
    assert str(r.get("made")[0]) == str(tmp_path / "r")
    got = _frames(tmp_path / "r")
    assert len(got) == len(expected) == 3
    original = np.asarray(Image.open(photo_160).convert("RGB"))
    assert np.abs(expected[0].astype(int) - original).max() > 10  # it really dreamed
    assert np.abs(expected[2].astype(int) - expected[1]).mean() > 3  # and it moves
    for index, (mine, theirs) in enumerate(zip(got, expected, strict=True)):
        assert np.abs(mine.astype(int) - theirs).max() <= 1, f"frame {index}"
        shape = tuple(int(size) for size in r.get(f"dim(seen[[{index + 1}]])"))
        values = np.asarray(
            r.get(f"as.integer(as.vector(unclass(seen[[{index + 1}]])))"), dtype=np.int64
        )
        assert np.array_equal(values.reshape(shape, order="F"), mine)


def test_r_animation_defaults_are_the_engines(r: GilHoldingR) -> None:
    """dream_zoom() and dream_video() have the engine's arguments and defaults."""
    import inspect

    for name in ("dream_zoom", "dream_video"):
        python = inspect.signature(getattr(pydream, name)).parameters
        r_names = list(r.get(f"names(formals({name}))"))
        assert set(python) - {"settings"} <= set(r_names) - {"..."}, name
        for argument, parameter in python.items():
            if parameter.default is inspect.Parameter.empty or argument in ("progress",):
                continue
            code = f"{{ d <- eval(formals({name})${argument}); if (is.null(d)) NA else d }}"
            default = list(r.get(code))
            wanted = parameter.default
            if isinstance(wanted, Default):  # not given, as far as a preset or schedule knows
                wanted = wanted.value
            if wanted is None:
                assert str(default[0]) == "NA", f"{name}({argument})"
            elif isinstance(wanted, tuple):
                assert default == list(wanted), f"{name}({argument}): R {default!r}"
            else:
                assert default == [wanted], f"{name}({argument}): R {default!r}, Python {wanted!r}"


def test_bad_animation_arguments_are_r_errors(r: GilHoldingR, tmp_path: Path) -> None:
    message = _r_error(r, f'dream_zoom("no/such/photo.jpg", {_r_string(tmp_path / "z.gif")}, 3L)')
    assert message.startswith("deepdream_argument_error: `image` file not found")
    message = _r_error(r, f"dream_video({_r_string(tmp_path)}, {_r_string(tmp_path / 'z.png')})")
    assert "`output`: z.png is a single picture; an animation needs .gif, .webp, .mp4" in message

"""Shared fixtures: tiny models with hand-set weights, small pictures, the real weights.

A test whose part is missing here (R, rpy2, the R package, Chromium, Selenium, the real
weights, the photos) skips, saying why, through ``require`` or the ``requires`` mark; with
``CI=true`` it fails instead, so that a missing part cannot pass a gate unseen.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

# JAX compiles each step function with XLA, and LLVM's optimisation of that code takes most of
# a JAX test run; it changes no number (XLA computes without fast math either way). The tests
# compile without it, unless XLA_FLAGS is set already (an empty XLA_FLAGS keeps XLA's default).
if os.environ.get("KERAS_BACKEND") == "jax":
    os.environ.setdefault("XLA_FLAGS", "--xla_backend_optimization_level=0")

# A pytest-xdist worker computes with its share of the cores (TensorFlow's and PyTorch's
# thread pools, read as they start, here and in the processes tests start): pools as large as
# the machine in every worker only wait on each other.
if "PYTEST_XDIST_WORKER_COUNT" in os.environ:
    _share = (os.cpu_count() or 1) // max(1, int(os.environ["PYTEST_XDIST_WORKER_COUNT"]))
    for _name in ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS", "OMP_NUM_THREADS"):
        os.environ.setdefault(_name, str(max(1, _share)))

import numpy as np
import pytest
from PIL import Image

import pydream
from pydream.run import workers

if TYPE_CHECKING:  # Keras loads with the first test module: pytest-xdist's controller never
    import keras  # needs it

SHARED = Path(os.environ.get("PYDREAM_SHARED", Path(__file__).resolve().parents[2] / "shared"))
REAL_WEIGHTS = SHARED / "weights" / "inception_v3_apple2015_bnfolded_PARTIAL_notop.weights.h5"
IMAGES = SHARED / "images"

os.environ.setdefault("PYDREAM_IMAGES", str(IMAGES))


# Under pytest-xdist the tests are shared out by module (--dist loadscope): a module's tests
# run in one worker, in order, so that each module fixture is made once, R is embedded in one
# process (test_r_parity) and one app serves one browser (test_app_browser). The longest
# modules go first (with --no-loadscope-reorder), so that the short ones fill the end.
LONGEST_FIRST = (
    "test_r_parity", "test_app_browser", "test_backends", "test_workers", "test_real_weights",
    "test_animation_controls", "test_docs_site", "test_visualize", "test_real_objectives",
    "test_objectives_beyond", "test_models", "test_motion", "test_python_package",
    "test_dream", "test_cli", "test_writes", "test_visualize_api", "test_bad_input",
    "test_batch", "test_integrity", "test_visual_parameterization", "test_images",
    "test_schema_drift",
)  # fmt: skip


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if hasattr(config, "workerinput"):  # a pytest-xdist worker: every worker sorts alike
        rank = {name: index for index, name in enumerate(LONGEST_FIRST)}
        items.sort(key=lambda item: rank.get(item.path.stem, len(rank)))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    session.config.stash[_EXIT_STATUS] = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """Leave at once when the R parity tests embedded R in this process.

    rpy2 ends R from an atexit handler, and Python objects that reticulate and rpy2 still hold
    are freed after that, calling into the ended R: the interpreter then crashes at exit now
    and again (a segmentation fault after every test passed). Nothing is left to do at this
    point, so the process ends here with pytest's own exit status. Under pytest-xdist this
    happens in the worker that ran them, after it has sent its results.
    """
    if "rpy2.rinterface" in sys.modules and _EXIT_STATUS in config.stash:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(config.stash[_EXIT_STATUS])


_EXIT_STATUS = pytest.StashKey[int]()


def in_ci() -> bool:
    return os.environ.get("CI") == "true"


def require(condition: bool, reason: str, *, _at_the_test: bool = False) -> None:
    """Go on when ``condition`` holds; otherwise skip with ``reason``, or fail under CI=true."""
    if condition:
        return
    if in_ci():
        pytest.fail(f"CI=true: {reason}", pytrace=False)
    # a skip from the mark is reported at the test, as skipif's is
    raise pytest.skip.Exception(reason, _use_item_location=_at_the_test)


def requires(condition: bool, reason: str) -> pytest.MarkDecorator:
    """``require`` as a mark, for a test, a class or a module's ``pytestmark``: checked as each
    test is set up, before its fixtures."""
    return pytest.mark.requires(bool(condition), reason)


RPACKAGE = Path(__file__).resolve().parents[1] / "rpackage"


@pytest.fixture(scope="session")
def r_library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A library holding the R package deepdream: ``DEEPDREAM_R_LIB`` (scripts/test installs
    the tarball there once for every R check), else rpackage/ installed once per process."""
    require(
        shutil.which("R") is not None and shutil.which("Rscript") is not None,
        "R is not installed (apt-get install r-base-core r-cran-reticulate)",
    )
    given = os.environ.get("DEEPDREAM_R_LIB")
    if given:
        found = (
            "quit(status = !requireNamespace('deepdream', lib.loc = commandArgs(TRUE), "
            "quietly = TRUE))"
        )
        installed = subprocess.run(["Rscript", "-e", found, given], capture_output=True)
        require(installed.returncode == 0, f"the R package deepdream is not installed in {given}")
        return Path(given)
    require((RPACKAGE / "DESCRIPTION").is_file(), f"the R package sources are missing ({RPACKAGE})")
    library = tmp_path_factory.mktemp("r-library")
    result = subprocess.run(
        ["R", "CMD", "INSTALL", "--no-docs", "--no-multiarch", "-l", str(library), str(RPACKAGE)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    tail = (result.stdout + result.stderr).strip().splitlines()[-3:]
    require(
        result.returncode == 0,
        f"the R package deepdream could not be installed (R CMD INSTALL exit status "
        f"{result.returncode}): " + (" | ".join(tail) or "no output"),
    )
    return library


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "requires(condition, reason): skip (fail under CI=true) unless condition"
    )


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    for mark in item.iter_markers("requires"):
        require(*mark.args, _at_the_test=True)


# PYDREAM_LONG_TESTS=1: the long real-weight checks at full length (more frames, larger
# pictures); by default each runs a shorter version that checks the same things.
LONG_TESTS = os.environ.get("PYDREAM_LONG_TESTS") == "1"

needs_real_weights = requires(
    REAL_WEIGHTS.is_file(), f"real Inception-v3 weights not found at {REAL_WEIGHTS}"
)
needs_images = requires(
    (IMAGES / "jellyfish.jpg").is_file(), f"example photos not found in {IMAGES}"
)


def build_square_model(include_top: bool = False, weights: object = None) -> keras.Model:
    """input -> 1x1 conv 'square' (identity kernel, no bias) -> layer 'double' (x2).

    With loss "l2" and border 0 the loss of an image x with n = H*W*3 values is
    ``sum(x**2) / n`` for 'square' and ``4 * sum(x**2) / n`` for 'double'.
    """
    import keras

    inputs = keras.Input(shape=(None, None, 3))
    square = keras.layers.Conv2D(3, 1, use_bias=False, name="square")(inputs)
    double = keras.layers.Rescaling(2.0, name="double")(square)
    model = keras.Model(inputs, double, name="tiny")
    model.get_layer("square").set_weights([np.eye(3, dtype=np.float32).reshape(1, 1, 3, 3)])
    return model


def build_batchnorm_model(include_top: bool = False, weights: object = None) -> keras.Model:
    """input -> 3x3 conv -> batch norm 'bn' -> relu 'act', with fixed weights."""
    import keras

    inputs = keras.Input(shape=(None, None, 3))
    conv = keras.layers.Conv2D(4, 3, padding="same", name="conv")(inputs)
    norm = keras.layers.BatchNormalization(name="bn")(conv)
    act = keras.layers.Activation("relu", name="act")(norm)
    model = keras.Model(inputs, act, name="tiny_bn")
    rng = np.random.default_rng(0)
    model.get_layer("conv").set_weights(
        [rng.normal(size=(3, 3, 3, 4)).astype(np.float32), np.zeros(4, np.float32)]
    )
    model.get_layer("bn").set_weights(
        [np.full(4, 1.5, np.float32), np.full(4, 0.1, np.float32),
         np.full(4, 0.3, np.float32), np.full(4, 2.0, np.float32)]
    )  # fmt: skip
    return model


def register_tiny_models() -> None:
    """Register 'tiny' and 'tiny_bn' for good in this process (e.g. in a Ray worker, as its
    ``worker_process_setup_hook``); tests use the ``tiny_models`` fixture instead."""
    from pydream.nets import models

    models.MODELS["tiny"] = models.ModelSpec(
        "tiny", build_square_model, "tf", 8, r"^(square|double)$"
    )
    models.MODELS["tiny_bn"] = models.ModelSpec(
        "tiny_bn", build_batchnorm_model, "tf", 8, r"^(conv|bn|act)$"
    )


@pytest.fixture
def tiny_models(monkeypatch):
    """Register 'tiny' and 'tiny_bn' as models (preprocessing 'tf', minimum size 8 px)."""
    from pydream.nets import models

    monkeypatch.setitem(
        models.MODELS,
        "tiny",
        models.ModelSpec("tiny", build_square_model, "tf", 8, r"^(square|double)$"),
    )
    monkeypatch.setitem(
        models.MODELS,
        "tiny_bn",
        models.ModelSpec("tiny_bn", build_batchnorm_model, "tf", 8, r"^(conv|bn|act)$"),
    )
    pydream.clear_caches()
    # The registrations live in this process only: batches dream them here, not in workers.
    monkeypatch.setattr(workers, "main_module_can_spawn", lambda: False)
    yield
    pydream.clear_caches()


@pytest.fixture
def photo(tmp_path) -> Path:
    """A 120 x 90 RGB PNG with smooth gradients and a square."""
    y, x = np.mgrid[0:90, 0:120]
    rgb = np.stack([x * 2, y * 3, (x + y) % 256], axis=2).astype(np.uint8)
    rgb[20:40, 30:60] = [200, 30, 90]
    path = tmp_path / "photo.png"
    Image.fromarray(rgb).save(path)
    return path


def shrunk_jellyfish(folder: Path, width: int) -> Path:
    """The jellyfish photo shrunk to ``width`` pixels wide, as a PNG in ``folder``."""
    source = IMAGES / "jellyfish.jpg"
    require(source.is_file(), f"example photo not found: {source}")
    image = Image.open(source)
    image.thumbnail((width, width))
    path = folder / f"jellyfish_{width}.png"
    image.save(path)
    return path


@pytest.fixture
def small_jellyfish(tmp_path) -> Path:
    """The jellyfish photo shrunk to 320 px wide (skips when the photo is absent)."""
    return shrunk_jellyfish(tmp_path, 320)

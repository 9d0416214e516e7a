"""The R package carries a copy of the engine (rpackage/inst/python/pydream-keras), from which
install_deepdream() installs it: the copy must match the sources and build with pip."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COPY = ROOT / "rpackage" / "inst" / "python" / "pydream-keras"


def _sources() -> list[Path]:
    modules = sorted(path.relative_to(ROOT) for path in (ROOT / "pydream").rglob("*.py"))
    return [Path("pyproject.toml"), *modules]


def test_the_copy_in_the_r_package_matches_the_sources():
    stale = [
        str(path)
        for path in _sources()
        if not (COPY / path).is_file() or (COPY / path).read_bytes() != (ROOT / path).read_bytes()
    ]
    copied = (path.relative_to(COPY) for path in (COPY / "pydream").rglob("*.py"))
    extra = sorted(str(path) for path in copied if not (ROOT / path).exists())
    assert (COPY / "README.md").is_file(), "the copy has no README.md: run scripts/sync-engine"
    assert not stale and not extra, (
        f"rpackage/inst/python/pydream-keras is stale ({', '.join(stale + extra)}): "
        "run scripts/sync-engine"
    )


@pytest.mark.slow
def test_pip_builds_the_engine_from_the_copy(tmp_path):
    # the build runs on a copy, as install_deepdream() does (an installed package may be read-only)
    source = tmp_path / "pydream-keras"
    shutil.copytree(COPY, source)
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
         "-w", str(tmp_path / "wheels"), str(source)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    (wheel,) = (tmp_path / "wheels").glob("pydream_keras-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in _sources()[1:]:
        assert path.as_posix() in names
    assert any(name.endswith("entry_points.txt") for name in names)

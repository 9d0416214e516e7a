"""The engine has one source, pydream/: git holds no second copy, and scripts/build-r stages
it into the R package's tarball (inst/python/pydream-keras), from which install_deepdream()
installs it. The staged copy must equal the sources and build with pip."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from pydream._version import __version__

ROOT = Path(__file__).resolve().parents[1]
BUILD_R = ROOT / "scripts" / "build-r"


def _sources() -> list[Path]:
    modules = sorted(
        path.relative_to(ROOT)
        for path in (ROOT / "pydream").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    )
    return [Path("pyproject.toml"), *modules]


@pytest.fixture(scope="module")
def staged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The engine as scripts/build-r stages it into the R package."""
    folder = tmp_path_factory.mktemp("stage")
    result = subprocess.run(
        [str(BUILD_R), "--stage", str(folder)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return folder / "deepdream" / "inst" / "python" / "pydream-keras"


def test_git_holds_one_copy_of_each_engine_module():
    if not (ROOT / ".git").exists() or shutil.which("git") is None:
        pytest.skip("not a git checkout")
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    copies = [path for path in tracked if re.search(r".+/pydream/.*[.]py$", path)]
    assert not copies, f"a second copy of the engine is tracked: {copies[:5]}"
    assert "rpackage/inst/python/deepdream_bridge.py" in tracked


def test_build_r_stages_the_engine_from_its_sources(staged):
    stale = [
        str(path)
        for path in _sources()
        if not (staged / path).is_file()
        or (staged / path).read_bytes() != (ROOT / path).read_bytes()
    ]
    extra = sorted(
        str(path.relative_to(staged))
        for path in (staged / "pydream").rglob("*")
        if path.is_file() and not (ROOT / path.relative_to(staged)).exists()
    )
    assert not stale and not extra, f"the staged engine differs: {stale + extra}"
    readme = (staged / "README.md").read_text(encoding="utf-8")
    assert f"pydream-keras {__version__}" in readme
    description = (staged.parents[2] / "DESCRIPTION").read_text(encoding="utf-8")
    assert f"\nVersion: {__version__}\n" in description


def test_build_r_stops_when_the_versions_disagree(tmp_path):
    checkout = tmp_path / "checkout"
    (checkout / "scripts").mkdir(parents=True)
    (checkout / "pydream").mkdir()
    (checkout / "rpackage").mkdir()
    shutil.copy(BUILD_R, checkout / "scripts" / "build-r")
    (checkout / "pydream" / "_version.py").write_text('__version__ = "9.9.9"\n')
    (checkout / "rpackage" / "DESCRIPTION").write_text("Package: deepdream\nVersion: 0.1.0\n")
    result = subprocess.run(
        [str(checkout / "scripts" / "build-r"), "--stage", str(tmp_path / "out")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert "version '0.1.0'" in result.stderr and "'9.9.9'" in result.stderr
    assert not (tmp_path / "out" / "deepdream").exists()


@pytest.mark.slow
def test_pip_builds_the_engine_from_the_staged_copy(staged, tmp_path):
    # the build runs on a copy, as install_deepdream() does (an installed package may be read-only)
    source = tmp_path / "pydream-keras"
    shutil.copytree(staged, source)
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
         "-w", str(tmp_path / "wheels"), str(source)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    (wheel,) = (tmp_path / "wheels").glob(f"pydream_keras-{__version__}-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in _sources()[1:]:
        assert path.as_posix() in names
    assert any(name.endswith("entry_points.txt") for name in names)

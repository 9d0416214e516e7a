"""One version, written once in pydream/_version.py and read everywhere else."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from pydream._version import __version__

ROOT = Path(__file__).resolve().parents[1]


def test_the_r_package_has_the_engines_version():
    description = (ROOT / "rpackage" / "DESCRIPTION").read_text(encoding="utf-8")
    assert re.search(r"(?m)^Version: (.+)$", description)[1] == __version__


def test_pyproject_reads_the_version_instead_of_writing_it():
    project = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r"(?m)^dynamic = \[.*\"version\".*\]", project)
    assert not re.search(r"(?m)^version = \"", project)
    assert re.search(r"(?m)^version = \{ ?attr = \"pydream._version.__version__\" ?\}", project)


def test_changelog_and_news_describe_this_version():
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    news = (ROOT / "rpackage" / "NEWS.md").read_text(encoding="utf-8")
    assert re.search(rf"(?m)^## \[{re.escape(__version__)}\] - \d{{4}}-\d{{2}}-\d{{2}}$", changelog)
    assert re.search(rf"(?m)^# deepdream {re.escape(__version__)}$", news)


def test_the_command_says_its_version():
    for command in (["-m", "pydream", "--version"], ["-m", "pydream.cli", "--version"]):
        result = subprocess.run(
            [sys.executable, *command], capture_output=True, text=True, check=False, timeout=120
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == f"pydream {__version__}"

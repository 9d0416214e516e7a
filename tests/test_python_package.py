"""The sdist and the wheel pass the registries' checks and hold the package only
(scripts/check-python-package), and that script's checks catch what must not ship."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "check-python-package"


def require(condition: bool, reason: str) -> None:
    """Skip with the reason when a part is missing; under CI=true the missing part fails."""
    if condition:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: this must run)")
    pytest.skip(reason)


def load_script() -> types.ModuleType:
    loader = importlib.machinery.SourceFileLoader("check_python_package", str(SCRIPT))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


@pytest.mark.slow
def test_the_sdist_and_the_wheel_pass_every_check():
    missing = [name for name in ("build", "twine") if importlib.util.find_spec(name) is None]
    require(not missing, f"{' and '.join(missing)} not installed: pip install -e '.[dev]'")
    result = subprocess.run(
        [sys.executable, str(SCRIPT)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHON": sys.executable},
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "check-python-package (reduced): all 8 checks passed" in output, output
    assert "FAIL" not in output, output


@pytest.mark.parametrize(
    "name",
    [
        "tests/test_dream.py",
        "pydream/tests/test_inside.py",
        "pydream/inception_v3.weights.h5",
        "pydream/model.keras",
        "pydream/jellyfish.jpg",
        "pydream/figure.png",
        "vignettes/jellyfish.Rmd",
        "rpackage/DESCRIPTION",
        "docs/index.md",
        "scripts/dream",
        "pydream/__pycache__/cli.cpython-311.pyc",
        "pydream/data.json",
        "setup.py",
    ],
)
def test_the_wheel_check_refuses_what_is_not_the_package(name):
    script = load_script()
    good = ["pydream/__init__.py", "pydream_keras-0.1.0.dist-info/METADATA"]
    script.check_names(good, script.WHEEL_ALLOWED, good, "0.1.0")
    with pytest.raises(script.CheckFailed, match=name.replace(".", r"\.")):
        script.check_names([*good, name], script.WHEEL_ALLOWED, good, "0.1.0")


def test_the_file_checks_miss_no_module_and_no_sdist_part():
    script = load_script()
    top = "pydream_keras-0.1.0"
    names = [f"{top}/{name}" for name in ("PKG-INFO", "pyproject.toml", "pydream/cli.py")]
    required = [*names, f"{top}/pydream/engine/dream.py", f"{top}/LICENSE"]
    with pytest.raises(script.CheckFailed) as failure:
        script.check_names(names, script.SDIST_ALLOWED, required, "0.1.0")
    assert f"{top}/LICENSE is missing" in str(failure.value)
    assert f"{top}/pydream/engine/dream.py is missing" in str(failure.value)
    with pytest.raises(script.CheckFailed, match=r"tests/test_cli\.py \(a test\)"):
        script.check_names([*names, f"{top}/tests/test_cli.py"], script.SDIST_ALLOWED, [], "0.1.0")


def test_the_metadata_check_wants_the_version_licence_and_urls():
    script = load_script()
    metadata = (
        "Metadata-Version: 2.4\nName: pydream-keras\nVersion: 0.1.0\nLicense-Expression: MIT\n"
        "License-File: LICENSE\nRequires-Python: >=3.10\n"
        "Project-URL: Homepage, https://example.org\n"
        "Classifier: License :: OSI Approved :: MIT License\n\nREADME\n"
    )
    problems = "\n".join(script.check_metadata_text(metadata, "METADATA", "0.2.0"))
    assert "Version is '0.1.0', not '0.2.0'" in problems
    for label in ("Documentation", "Source", "Issues", "Changelog"):
        assert f"no https Project-URL {label}" in problems
    assert "Homepage" not in problems
    assert "License classifier" in problems


def test_the_version_is_written_once():
    script = load_script()
    assert script.source_version() == __import__("pydream").__version__
    text = (ROOT / "pyproject.toml").read_text()
    assert 'dynamic = ["version"]' in text
    assert 'version = { attr = "pydream._version.__version__" }' in text

"""The layout: every module is on the README's module map, and the module paths of before
the subpackages still import, as the same modules."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_the_readme_module_map_lists_every_module():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    modules = sorted(
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "pydream").rglob("*.py")
        if "__pycache__" not in path.parts
    )
    missing = [module for module in modules if f"| `{module}` |" not in readme]
    assert not missing, f"add to the README's module map: {', '.join(missing)}"


def test_every_module_opens_with_a_docstring():
    bare = []
    for path in (ROOT / "pydream").rglob("*.py"):
        text = path.read_text(encoding="utf-8").lstrip()
        if not text.startswith('"""'):
            bare.append(path.relative_to(ROOT).as_posix())
    assert not bare


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("pydream.batch", "pydream.run.batch"),
        ("pydream.workers", "pydream.run.workers"),
        ("pydream.gallery", "pydream.run.gallery"),
        ("pydream.images", "pydream.media.images"),
        ("pydream.memory", "pydream.engine.memory"),
        ("pydream.octaves", "pydream.engine.octaves"),
        ("pydream.workfolder", "pydream.motion.workfolder"),
    ],
)
def test_old_module_paths_give_the_same_modules(old, new):
    assert importlib.import_module(old) is importlib.import_module(new)
    assert importlib.import_module(old).__spec__.name == new


def test_old_paths_of_the_readme_keep_working_and_pydream_stays_light():
    code = (
        "import sys, pydream\n"
        "from pydream.batch import BatchFailure\n"
        "from pydream.memory import MemoryBudgetError\n"
        "assert BatchFailure.__module__ == 'pydream.run.batch'\n"
        "assert MemoryBudgetError is pydream.errors.MemoryBudgetError\n"
        "assert 'keras' not in sys.modules, 'importing pydream must not import Keras'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr

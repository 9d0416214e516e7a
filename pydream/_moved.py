"""The module paths of before the subpackages (``pydream.batch``, ``pydream.dream``, ...),
kept working: importing one gives the module at its new place, the same module object."""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
from collections.abc import Sequence
from types import ModuleType

MOVED = {
    "pydream.dream": "pydream.engine.dream",
    "pydream.ascent": "pydream.engine.ascent",
    "pydream.lbfgs": "pydream.engine.lbfgs",
    "pydream.gradients": "pydream.engine.gradients",
    "pydream.octaves": "pydream.engine.octaves",
    "pydream.memory": "pydream.engine.memory",
    "pydream.models": "pydream.nets.models",
    "pydream.folding": "pydream.nets.folding",
    "pydream.backend": "pydream.nets.backend",
    "pydream.images": "pydream.media.images",
    "pydream.examples": "pydream.media.examples",
    "pydream.animation": "pydream.motion.animation",
    "pydream.flow": "pydream.motion.flow",
    "pydream.frames": "pydream.motion.frames",
    "pydream.workfolder": "pydream.motion.workfolder",
    "pydream.batch": "pydream.run.batch",
    "pydream.workers": "pydream.run.workers",
    "pydream.gallery": "pydream.run.gallery",
}
"""Old module path -> where the module lives now."""


class _Alias(importlib.abc.Loader):
    def __init__(self, target: str) -> None:
        self.target = target
        self.real_spec: importlib.machinery.ModuleSpec | None = None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        module = importlib.import_module(self.target)
        self.real_spec = module.__spec__
        return module

    def exec_module(self, module: ModuleType) -> None:
        """The module ran at its new place already: give it back its own spec, which the
        import system has just replaced by the old path's."""
        module.__spec__ = self.real_spec


class MovedModuleFinder(importlib.abc.MetaPathFinder):
    """Finds an old module path and hands out the module at its new place."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in MOVED:
            return None
        return importlib.machinery.ModuleSpec(fullname, _Alias(MOVED[fullname]))


def install() -> None:
    """Put the finder on ``sys.meta_path`` (once)."""
    if not any(isinstance(finder, MovedModuleFinder) for finder in sys.meta_path):
        sys.meta_path.append(MovedModuleFinder())

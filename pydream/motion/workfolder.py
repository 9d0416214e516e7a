"""The work folder of an animation: its frames on disk and the manifest they were dreamed under.

Every frame is written, as soon as it is dreamed, into a folder beside the output
(``OUT.frames/``, frames ``frame_00000.png`` ... and a ``manifest.json`` naming the input,
the settings and the run's seed). A later run with the same input and settings finds the
frames already there and goes on from the first missing one; a run with others is told what
differs (``manifest_differences``). Inputs are named in the manifest by fingerprints of their
bytes or pixels, and each frame's seed comes from the run's seed and the frame's index.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import shutil
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from .._version import __version__
from ..engine.memory import DreamNotice
from ..media.images import atomic_path, load_image, save_image
from ..settings import DreamSettings

MANIFEST = "manifest.json"
WORK_SUFFIX = ".frames"
MAX_FRAMES = 1_000_000
"""The most frames an animation may have."""


def frame_seed(seed: int, index: int) -> int:
    """The seed of frame ``index`` (0-based) of a run seeded with ``seed``: 0 .. 2**32 - 1."""
    return int(np.random.SeedSequence([seed, index]).generate_state(1)[0])


def frame_name(index: int) -> str:
    """``frame_00000.png`` for frame 0 (five digits at least)."""
    return f"frame_{index:05d}.png"


def fingerprint_file(path: Path) -> str:
    """SHA-256 of a file's bytes (hex)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fingerprint_pixels(rgb: np.ndarray) -> str:
    """SHA-256 (hex) of a picture's shape and pixels."""
    digest = hashlib.sha256(repr(rgb.shape).encode())
    digest.update(np.ascontiguousarray(rgb).tobytes())
    return digest.hexdigest()


def _plain(value: Any) -> Any:
    return json.loads(json.dumps(value, sort_keys=True, default=str))


def manifest_differences(stored: Mapping[str, Any], wanted: Mapping[str, Any]) -> list[str]:
    """What makes frames dreamed under ``stored`` unusable for ``wanted``: setting names,
    motion parameters, ``"schedule"`` (the keyframes), ``"input"`` or ``"kind"``."""
    if stored.get("kind") != wanted["kind"]:
        return ["kind"]
    differences = [] if stored.get("input") == wanted["input"] else ["input"]
    for section in ("settings", "motion"):
        old, new = stored.get(section) or {}, wanted[section]
        differences += [key for key in sorted(set(old) | set(new)) if old.get(key) != new.get(key)]
    if (stored.get("schedule") or {}) != (wanted.get("schedule") or {}):
        differences.append("schedule")
    return differences


class WorkFolder:
    """The frames of one animation on disk, with the manifest they were dreamed under.

    Created on the first frame written, so a run that fails before it leaves nothing.
    """

    def __init__(self, path: Path, manifest: dict[str, Any]) -> None:
        self.path = path
        self.manifest = manifest

    @classmethod
    def open(cls, path: Path, manifest: dict[str, Any], restart: bool = False) -> WorkFolder:
        """The work folder at ``path`` for ``manifest`` (settings, input, seed, ...).

        An existing folder dreamed under the same input and settings is continued (with its
        seed); one dreamed under others is refused, or removed when ``restart``.

        Raises:
            ValueError: ``path`` is not a work folder, or holds frames of another run.
        """
        wanted = _plain(manifest)
        if not path.exists():
            return cls(path, wanted)
        stored = _read_manifest(path)
        differences = manifest_differences(stored, wanted)
        if not differences:
            wanted["seed"] = stored.get("seed", wanted["seed"])
            return cls(path, wanted)
        if not restart:
            raise ValueError(
                f"{path} holds frames dreamed with another {', '.join(differences)}; rerun "
                "with the same settings to go on, or turn restart on to start over"
            )
        count = len(list(path.glob("frame_*.png")))
        shutil.rmtree(path)
        warnings.warn(
            f"starting over: removed {count} frames of another run from {path}",
            DreamNotice,
            stacklevel=3,
        )
        return cls(path, wanted)

    @property
    def seed(self) -> int:
        """The run's seed (``seed``, or one drawn at the first run and kept)."""
        return int(self.manifest["seed"])

    def frame_path(self, index: int) -> Path:
        return self.path / frame_name(index)

    def first_missing(self, total: int) -> int:
        """The first frame of ``0 .. total - 1`` not yet on disk (``total`` when none)."""
        return next(
            (index for index in range(total) if not self.frame_path(index).is_file()), total
        )

    def count(self) -> int:
        """Frames on disk from frame 0 on, without a gap."""
        return self.first_missing(MAX_FRAMES)

    def load(self, index: int) -> np.ndarray:
        """Frame ``index``, uint8 (H, W, 3)."""
        return load_image(self.frame_path(index)).rgb

    def save(self, index: int, rgb: np.ndarray) -> None:
        """Write frame ``index`` atomically (creating the folder and manifest first)."""
        if not self.path.is_dir():
            self.path.mkdir()
            try:
                with atomic_path(self.path / MANIFEST) as temporary:
                    temporary.write_text(json.dumps(self.manifest, indent=1, sort_keys=True))
            except BaseException:
                shutil.rmtree(self.path, ignore_errors=True)  # no folder without a manifest
                raise
        metadata = {"frame": index, "seed": frame_seed(self.seed, index)}
        save_image(rgb, self.frame_path(index), metadata={**self.manifest["settings"], **metadata})

    def interrupted(self, total: int) -> KeyboardInterrupt:
        """The interrupt to raise, saying what is kept and how to go on."""
        done = self.count() if self.path.is_dir() else 0
        if not done:
            return KeyboardInterrupt("interrupted; nothing was written")
        return KeyboardInterrupt(
            f"interrupted; {min(done, total)} of {total} frames are kept in {self.path}: run the "
            "same command again to go on"
        )


def _read_manifest(path: Path) -> dict[str, Any]:
    manifest = path / MANIFEST
    if not manifest.is_file():
        raise ValueError(
            f"{path} is in the way: it is not an animation's work folder (no {MANIFEST}); "
            "move it away or choose another output"
        )
    try:
        stored = json.loads(manifest.read_text())
    except (OSError, ValueError) as error:
        raise ValueError(f"cannot read {manifest} ({error}); remove {path} to start over") from None
    if not isinstance(stored, dict):
        raise ValueError(f"{manifest} is not a manifest; remove {path} to start over")
    return stored


def new_manifest(
    kind: str,
    input_id: Mapping[str, Any],
    settings: DreamSettings,
    motion: Mapping[str, Any],
    schedule: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A manifest: what was dreamed (``kind``, ``input``), how (``settings``, ``motion``, the
    keyframes of ``schedule``: ``pydream.motion.schedule.Schedule.describe()``) and the run's
    ``seed`` (the settings' seed, or a fresh one kept for resuming)."""
    seed = settings.seed if settings.seed is not None else secrets.randbelow(2**31)
    return {
        "pydream": __version__,
        "kind": kind,
        "input": dict(input_id),
        "settings": settings.as_dict(),
        "motion": dict(motion),
        "schedule": dict(schedule or {}),
        "seed": seed,
    }

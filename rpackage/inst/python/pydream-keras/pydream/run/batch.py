"""Batches: dream many pictures, each model built once, resuming where a run stopped.

Each input picture gives one output in the output folder, named after it (same stem; the
input's extension where Pillow can write that format, else ``.png``). An output already
there is skipped, so running the same batch again after an interrupt or a crash dreams only
what is missing (``overwrite=True`` dreams everything again). A picture that cannot be read
or dreamed is reported (a ``BatchFailure`` warning naming it) and the others go on; the
result says what was written, skipped and failed.

The pictures are dreamed in this process, by several local worker processes at once
(``workers``), or on Ray (``ray``): see ``pydream.workers``. Keras is imported only when a
picture is dreamed (not for a batch that is already done), and Ray only when asked for.
"""

from __future__ import annotations

import dataclasses
import glob
import os
import warnings
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from PIL import Image
from tqdm.auto import tqdm

from ..media.images import check_folder_writable, output_format
from ..settings import DreamSettings
from .workers import (
    Job,
    Outcome,
    check_ray,
    check_workers,
    dream_in_process,
    dream_in_processes,
    dream_on_ray,
    resolve_workers,
)

GLOB_CHARACTERS = frozenset("*?[")


class BatchFailure(UserWarning):
    """A picture of a batch could not be read or dreamed; the others go on."""


@dataclasses.dataclass
class BatchResult:
    """What a batch did.

    Attributes:
        written: the outputs dreamed by this run, in input order.
        skipped: the outputs that were already there (not dreamed again).
        failed: input path -> one-line message, for each picture that failed.
        jobs: every picture of the batch with its output, in input order.
    """

    written: list[Path] = dataclasses.field(default_factory=list)
    skipped: list[Path] = dataclasses.field(default_factory=list)
    failed: dict[Path, str] = dataclasses.field(default_factory=dict)
    jobs: list[Job] = dataclasses.field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every picture was dreamed or was already there."""
        return not self.failed

    def summary(self) -> str:
        """One line, e.g. ``dreamed 6, skipped 2, failed 1 (photos/broken.jpg)``."""
        line = (
            f"dreamed {len(self.written)}, skipped {len(self.skipped)}, failed {len(self.failed)}"
        )
        if self.failed:
            line += f" ({', '.join(str(path) for path in self.failed)})"
        return line


# --- inputs and outputs ---------------------------------------------------------------------


def is_picture_name(path: Path) -> bool:
    """True for a visible file name with an extension Pillow can open."""
    return not path.name.startswith(".") and path.suffix.lower() in Image.registered_extensions()


def folder_pictures(folder: Path) -> list[Path]:
    """The pictures directly inside ``folder``, sorted by name.

    Raises:
        ValueError: the folder holds no pictures.
    """
    pictures = sorted(path for path in folder.iterdir() if path.is_file() and is_picture_name(path))
    if not pictures:
        raise ValueError(f"folder {folder} holds no pictures")
    return pictures


def expand_input(item: Any) -> list[Path]:
    """One input of a batch as picture paths: a file, a folder's pictures, or a glob's matches.

    A path that does not exist (and is no glob) is kept: it is reported as a failure of its
    own when the batch reaches it, the others going on.

    Raises:
        ValueError: a glob matches nothing, or a folder holds no pictures.
        TypeError: the item is not a path.
    """
    if not isinstance(item, (str, os.PathLike)):
        raise TypeError(f"inputs must be file, folder or glob paths, not {type(item).__name__}")
    path = Path(item).expanduser()
    if path.is_dir():
        return folder_pictures(path)
    if path.exists() or not GLOB_CHARACTERS.intersection(str(item)):
        return [path]
    matches = sorted(Path(match) for match in glob.glob(str(path)))
    files = [match for match in matches if match.is_file()]
    files += [picture for match in matches if match.is_dir() for picture in folder_pictures(match)]
    if not files:
        raise ValueError(f"{item} matches no file")
    return files


def expand_inputs(inputs: Any) -> list[Path]:
    """Every picture path of ``inputs`` (a path or a list of them), in order, each once.

    Raises:
        ValueError: no inputs, a glob matching nothing, or a folder without pictures.
    """
    items = [inputs] if isinstance(inputs, (str, os.PathLike)) else list(inputs)
    if not items:
        raise ValueError("a batch needs at least one input (a file, folder or glob)")
    unique: dict[Path, Path] = {}
    for item in items:
        for path in expand_input(item):
            unique.setdefault(path.resolve(), path)
    return list(unique.values())


def output_name(path: Path) -> str:
    """The file name of ``path``'s dream: its stem, with its extension where Pillow can
    write that format, else ``.png``."""
    try:
        output_format(path)
    except ValueError:
        return f"{path.stem}.png"
    return path.name


def plan_jobs(pictures: Sequence[Path], folder: Path) -> list[Job]:
    """One job per picture, its output in ``folder``.

    Raises:
        ValueError: two pictures would give the same output name (both named), or an
            output would be an input itself.
    """
    jobs: list[Job] = []
    claimed: dict[str, Path] = {}
    for picture in pictures:
        name = output_name(picture)
        key = name.casefold()  # some file systems do not tell a.JPG from a.jpg
        if key in claimed:
            raise ValueError(
                f"{claimed[key]} and {picture} would both be written as {folder / name}; "
                "rename one, or dream them into different folders"
            )
        claimed[key] = picture
        jobs.append(Job(picture, folder / name))
    for job in jobs:
        if job.output.exists() and job.input.exists() and os.path.samefile(job.output, job.input):
            raise ValueError(
                f"the output of {job.input} would replace the input itself; "
                "choose an output folder apart from the inputs"
            )
    return jobs


def prepare_output_folder(output_dir: Any) -> Path:
    """The output folder, created if missing and checked writable.

    Raises:
        ValueError: it is a file, cannot be created, or cannot be written.
    """
    if not isinstance(output_dir, (str, os.PathLike)):
        raise TypeError(f"output_dir must be a folder path, not {type(output_dir).__name__}")
    folder = Path(output_dir).expanduser()
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"output folder {folder} is a file")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ValueError(f"cannot create the output folder {folder}: {error.strerror}") from None
    check_folder_writable(folder, f"into the output folder {folder}")
    return folder


def batch_settings(layers: Any, preset: str | None, settings: Mapping[str, Any]) -> DreamSettings:
    """The dream settings shared by every picture, checked.

    Raises:
        TypeError: a name that is no ``deep_dream`` setting.
        ValueError: a setting's value is unusable.
    """
    from ..presets import resolve_named_settings

    return resolve_named_settings("dream_batch", layers, preset, settings)


# --- the batch ------------------------------------------------------------------------------


def report_failure(job: Job, message: str) -> None:
    """Warn that ``job``'s picture failed (one line naming it), above any progress bar."""
    with tqdm.external_write_mode():
        warnings.warn(f"{job.input}: {message}", BatchFailure, stacklevel=2)


def run_jobs(
    results: Iterable[Outcome], total: int, result: BatchResult, progress: bool
) -> set[Path]:
    """Collect the failures into ``result``, with a progress bar of pictures; returns the
    outputs written."""
    written: set[Path] = set()
    with tqdm(total=total, disable=not progress, unit="picture", dynamic_ncols=True) as bar:
        for job, failure in results:
            if failure is None:
                written.add(job.output)
            else:
                result.failed[job.input] = failure
                report_failure(job, failure)
            bar.update(1)
    return written


def dream_outcomes(
    jobs: Sequence[Job], settings: DreamSettings, workers: int | str, ray: str | None
) -> Iterable[Outcome]:
    """The jobs dreamed on Ray, on local worker processes, or in this process."""
    if ray is not None:
        return dream_on_ray(jobs, settings, ray)
    count = resolve_workers(workers, len(jobs), settings)
    if count > 1:
        return dream_in_processes(jobs, settings, count)
    return dream_in_process(jobs, settings)


def dream_batch(
    inputs: Any,
    output_dir: Any,
    layers: Any = None,
    *,
    preset: str | None = None,
    overwrite: bool = False,
    progress: bool = False,
    workers: int | str = "auto",
    ray: str | None = None,
    **settings: Any,
) -> BatchResult:
    """Dream many pictures with the same settings into one folder, building the model once.

    Args:
        inputs: a path or a list of paths: picture files, folders (their pictures, sorted
            by name) and globs (``"photos/*.jpg"``, expanded here when no shell did).
        output_dir: the folder to write the dreams into (created if missing). Each output is
            named after its input: the same stem, and the input's extension where Pillow
            can write that format (else ``.png``).
        layers, preset, **settings: as ``deep_dream`` (every setting), for every picture.
        overwrite: dream again pictures whose output is already there (by default they
            are skipped, so a rerun resumes an interrupted batch).
        progress: a progress bar counting pictures.
        workers: how many pictures are dreamed at once by local worker processes, each
            with its own model and a share of the CPU cores (``1``: all in this process).
            ``"auto"`` (default) picks one worker per core up to 4 cores, beyond that one
            per 4 cores, fewer when memory is short; one where a GPU may compute, with an
            untrained network (``weights=None``: every process would draw its own), and in
            a script run as ``python script.py`` (worker processes run such a script
            again: there, put the batch under ``if __name__ == "__main__":`` and give
            ``workers`` a number). On a 2-core CPU two workers dream 8 pictures about 1.3
            times as fast as one. A worker computes with fewer threads than this process,
            so its rounding differs and the dream is the same in kind, not to the bit, as
            ``deep_dream``'s (``workers=1`` gives the same bits). Ignored with ``ray``.
        ray: ``None`` dreams in this process; ``"local"`` starts a local Ray runtime
            whose services listen on the loopback address only (127.0.0.1); an address
            (``"HEAD:6379"``, ``"ray://HEAD:10001"``; without a port, Ray's 6379 or 10001)
            joins that Ray cluster, once a TCP connection to it opens within 3 seconds.
            Each Ray worker (one per GPU, or per ``CPUS_PER_WORKER`` CPUs) builds the model
            once and reads and writes the pictures itself: on a cluster they must be on a
            shared file system.

    Returns:
        A ``BatchResult``: outputs written, outputs skipped, and input -> message for each
        picture that failed (each failure is also a ``BatchFailure`` warning). A failed
        picture raises nothing.

    Raises:
        ValueError, TypeError: a setting is unusable, an input glob matches nothing, a folder
            holds no pictures, two inputs would give the same output name, or the output
            folder cannot be written, or nothing listens at the ``ray`` address (a
            ``SettingError`` naming ``ray``, before the output folder is made); all
            before any picture is dreamed.
        ImportError: ``ray`` is given and Ray is not installed.
    """
    checked = batch_settings(layers, preset, settings)
    workers = check_workers(workers)
    pictures = expand_inputs(inputs)  # before the folder is made: a bad input leaves none
    ray = check_ray(ray)  # a Ray address nobody listens at leaves no folder either
    folder = prepare_output_folder(output_dir)
    result = BatchResult(jobs=plan_jobs(pictures, folder))
    pending = []
    for job in result.jobs:
        if overwrite or not job.output.exists():
            pending.append(job)
        else:
            result.skipped.append(job.output)
    if pending:
        outcomes = dream_outcomes(pending, checked, workers, ray)
        try:
            written = run_jobs(outcomes, len(pending), result, bool(progress))
        except KeyboardInterrupt:
            raise KeyboardInterrupt(
                "interrupted; the pictures dreamed so far are written, run again to go on"
            ) from None
        result.written.extend(job.output for job in pending if job.output in written)
    return result

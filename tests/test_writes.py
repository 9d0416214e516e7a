"""Writes that lose nothing: full disks, read-only folders, concurrent writers, permissions."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import tempfile
import textwrap
import time

import numpy as np
import pytest
from PIL import Image

import pydream
from pydream.cli import main
from pydream.media import images


def _names(folder):
    return sorted(path.name for path in folder.iterdir())


def test_a_full_disk_during_the_write_leaves_nothing_and_says_so(tiny_models, photo, monkeypatch):
    before = photo.read_bytes()
    output = photo.parent / "dream.png"
    real_save = Image.Image.save

    def save_until_the_disk_is_full(self, target, *args, **kwargs):
        real_save(self, target, *args, **kwargs)  # the bytes land, then the disk fills up
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Image.Image, "save", save_until_the_disk_is_full)
    with pytest.raises(OSError, match=r"cannot write .*dream\.png: the disk is full") as raised:
        pydream.deep_dream(photo, {"square": 1}, model="tiny", weights=None, output=output)
    assert raised.value.errno == errno.ENOSPC and "\n" not in str(raised.value)
    assert _names(photo.parent) == ["photo.png"]
    assert photo.read_bytes() == before


def test_a_read_only_folder_is_refused_before_dreaming(tiny_models, photo, monkeypatch, capsys):
    steps = []

    def read_only(create):  # a file made in the photo's folder fails as on a read-only disk
        def creating(*args, **kwargs):
            if os.path.realpath(kwargs.get("dir", "")) == os.path.realpath(photo.parent):
                raise OSError(errno.EROFS, "Read-only file system")
            return create(*args, **kwargs)

        return creating

    monkeypatch.setattr(tempfile, "mkstemp", read_only(tempfile.mkstemp))
    monkeypatch.setattr(tempfile, "TemporaryFile", read_only(tempfile.TemporaryFile))
    with pytest.raises(ValueError, match="read-only file system; write elsewhere"):
        pydream.deep_dream(photo, {"square": 1}, model="tiny", weights=None,
                           output=photo.parent / "dream.png",
                           callback=lambda *_: steps.append(1))  # fmt: skip
    assert steps == []
    code = main(["dream", str(photo), "-o", str(photo.parent / "d.png"), "--model", "tiny",
                 "--weights", "none", "--layers", "square=1", "--quiet"])  # fmt: skip
    assert code == 2 and "read-only" in capsys.readouterr().err
    with pytest.raises(ValueError, match=r"octave images .* read-only"):
        pydream.deep_dream(photo, {"square": 1}, model="tiny", weights=None,
                           save_octaves=photo.parent)  # fmt: skip
    assert _names(photo.parent) == ["photo.png"]


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root ignores modes")
def test_a_folder_without_write_permission(tiny_models, photo, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        with pytest.raises(ValueError, match="permission denied"):
            pydream.deep_dream(photo, {"square": 1}, model="tiny", weights=None,
                               output=locked / "dream.png")  # fmt: skip
    finally:
        locked.chmod(0o755)


def test_outputs_follow_the_umask_not_the_private_temporary_mode(tiny_models, photo):
    previous = os.umask(0o027)
    try:
        output = pydream.save_img(np.zeros((8, 8, 3), np.uint8), photo.parent / "x.png")
    finally:
        os.umask(previous)
    assert output.stat().st_mode & 0o777 == 0o640


WRITER = textwrap.dedent(
    """
    import sys
    import numpy as np
    from pydream.media.images import save_image
    value, target, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    rng = np.random.default_rng(value)
    picture = rng.integers(0, 256, (700, 700, 3)).astype(np.uint8)
    picture[0, 0] = value
    for _ in range(count):
        save_image(picture, target)
    """
)


def test_two_processes_writing_the_same_path_leave_one_whole_picture(tmp_path):
    """Two writers race 15 times each; a reader never sees a partial or mixed file."""
    target = tmp_path / "dream.png"
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(value), str(target), "15"], env=environment
        )
        for value in (1, 2)
    ]
    seen = set()
    while any(writer.poll() is None for writer in writers):
        if target.exists():
            with Image.open(target) as picture:
                picture.load()  # raises on a truncated or mixed file
                seen.add(picture.getpixel((0, 0))[0])
        time.sleep(0.01)
    assert [writer.returncode for writer in writers] == [0, 0]
    assert seen and seen <= {1, 2}  # it read whole pictures while the writers raced
    with Image.open(target) as picture:
        picture.load()
        assert picture.getpixel((0, 0))[0] in (1, 2)
    assert _names(tmp_path) == ["dream.png"]


@pytest.mark.slow
def test_two_dream_commands_writing_the_same_path(tmp_path):
    """Two dream commands write one path; a reader, while they run, sees only whole dreams."""
    work = tmp_path / "work"
    work.mkdir()
    photo = work / "photo.png"
    rng = np.random.default_rng(3)
    Image.fromarray(rng.integers(0, 256, (160, 200, 3)).astype(np.uint8)).save(photo)
    target = work / "dream.png"
    command = [sys.executable, "-m", "pydream.cli", "dream", str(photo), "-o", str(target),
               "--weights", "none", "--iterations", "2", "--num-octave", "1",
               "--quiet"]  # fmt: skip
    logs = [tmp_path / f"stderr-{seed}.txt" for seed in (1, 2)]
    runs = []
    for seed, log in zip((1, 2), logs, strict=True):
        with open(log, "w") as stderr:
            runs.append(subprocess.Popen([*command, "--seed", str(seed)], stderr=stderr))
    seen = set()
    deadline = time.monotonic() + 300
    try:
        # A command lives on after its write (the interpreter and TensorFlow end), so the
        # reader sees the file while a command still runs.
        while any(run.poll() is None for run in runs) and time.monotonic() < deadline:
            if target.exists():
                with Image.open(target) as picture:
                    picture.load()  # raises on a truncated or mixed file
                    assert picture.size == (200, 160)
                    seen.add(picture.tobytes())
            time.sleep(0.01)
    finally:
        for run in runs:
            if run.poll() is None:
                run.kill()
    assert [run.wait() for run in runs] == [0, 0], [log.read_text() for log in logs]
    assert seen, "the reader never saw a dream while the commands ran"
    with Image.open(target) as picture:
        picture.load()
        assert picture.size == (200, 160)
    assert _names(work) == ["dream.png", "photo.png"]


def test_atomic_path_turns_a_failed_rename_into_a_clear_error(tmp_path, monkeypatch):
    target = tmp_path / "x.png"

    def failing_replace(*_):
        raise OSError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(images.os, "replace", failing_replace)
    with pytest.raises(OSError, match="permission denied"), images.atomic_path(target) as part:
        part.write_bytes(b"data")
    assert _names(tmp_path) == []

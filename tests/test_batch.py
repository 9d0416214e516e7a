"""Batches: inputs, output names, failures, resume, the command, and Ray."""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import pydream
from pydream.cli import main
from pydream.errors import SettingError
from pydream.run import workers
from pydream.run.batch import BatchFailure, dream_batch, output_name

ROOT = Path(__file__).resolve().parents[1]
SMALL = {
    "model": "tiny", "weights": None, "layers": {"square": 1.0}, "num_octave": 1,
    "iterations": 2, "border": 0, "seed": 0,
}  # fmt: skip
SMALL_OPTIONS = [
    "--model", "tiny", "--weights", "none", "--layers", "square=1", "--num-octave", "1",
    "--iterations", "2", "--border", "0", "--seed", "0", "--quiet",
]  # fmt: skip


def picture(path: Path, seed: int = 0) -> Path:
    """A 24 x 20 picture of noise at ``path`` (its extension sets the format)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rgb = np.random.default_rng(seed).integers(0, 256, (20, 24, 3), dtype=np.uint8)
    Image.fromarray(rgb).save(path)
    return path


def count_dreams(monkeypatch) -> list[Path]:
    """Record the picture of each dream of the shared dreamer."""
    seen: list[Path] = []
    original = pydream.dream.DEFAULT_DREAMER.dream

    def counting(image, *args, **kwargs):
        seen.append(Path(image))
        return original(image, *args, **kwargs)

    monkeypatch.setattr(pydream.dream.DEFAULT_DREAMER, "dream", counting)
    return seen


def test_files_folders_and_globs_give_outputs_named_after_them(tiny_models, tmp_path):
    folder = tmp_path / "in"
    picture(folder / "b.jpg", 1)
    picture(folder / "a.png", 2)
    (folder / "notes.txt").write_text("not a picture")
    single = picture(tmp_path / "single" / "c.tif", 3)
    picture(tmp_path / "globbed" / "d.bmp", 4)
    picture(tmp_path / "globbed" / "e.webp", 5)
    inputs = [folder, single, str(tmp_path / "globbed" / "*.bmp")]
    result = dream_batch(inputs, tmp_path / "out", **SMALL)
    out = tmp_path / "out"
    assert result.written == [out / "a.png", out / "b.jpg", out / "c.tif", out / "d.bmp"]
    assert result.ok and not result.skipped
    assert [(job.input.name, job.output) for job in result.jobs] == [
        ("a.png", out / "a.png"), ("b.jpg", out / "b.jpg"), ("c.tif", out / "c.tif"),
        ("d.bmp", out / "d.bmp"),
    ]  # fmt: skip
    assert sorted(os.listdir(out)) == ["a.png", "b.jpg", "c.tif", "d.bmp"]
    assert Image.open(out / "b.jpg").format == "JPEG"
    assert result.summary() == "dreamed 4, skipped 0, failed 0"


def test_output_names_keep_writable_extensions_else_png():
    assert output_name(Path("x/photo.JPG")) == "photo.JPG"
    assert output_name(Path("scan.tiff")) == "scan.tiff"
    assert output_name(Path("layers.psd")) == "layers.png"  # Pillow reads PSD, cannot write it


def test_a_broken_file_is_named_and_the_others_are_written(tiny_models, tmp_path):
    picture(tmp_path / "in" / "a.png")
    (tmp_path / "in" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    picture(tmp_path / "in" / "c.png")
    with pytest.warns(BatchFailure, match=r"broken\.png: input image .* (corrupt|Pillow)"):
        result = dream_batch(tmp_path / "in", tmp_path / "out", **SMALL)
    assert sorted(os.listdir(tmp_path / "out")) == ["a.png", "c.png"]
    assert list(result.failed) == [tmp_path / "in" / "broken.png"]
    assert result.summary().endswith(f"failed 1 ({tmp_path / 'in' / 'broken.png'})")
    assert not result.ok


def test_a_rerun_skips_what_exists_and_overwrite_redoes_it(tiny_models, tmp_path, monkeypatch):
    for name in ("a.png", "b.png", "c.png"):
        picture(tmp_path / "in" / name)
    dreams = count_dreams(monkeypatch)
    dream_batch(tmp_path / "in", tmp_path / "out", **SMALL)
    (tmp_path / "out" / "b.png").unlink()  # as if the first run had stopped there
    result = dream_batch(tmp_path / "in", tmp_path / "out", **SMALL)
    assert [path.name for path in dreams] == ["a.png", "b.png", "c.png", "b.png"]
    assert result.written == [tmp_path / "out" / "b.png"]
    assert result.skipped == [tmp_path / "out" / "a.png", tmp_path / "out" / "c.png"]
    again = dream_batch(tmp_path / "in", tmp_path / "out", overwrite=True, **SMALL)
    assert len(dreams) == 7 and len(again.written) == 3 and not again.skipped


def test_the_engine_is_built_once_for_all_pictures(tiny_models, tmp_path, monkeypatch):
    for index in range(3):
        picture(tmp_path / "in" / f"p{index}.png", index)
    builds = []
    original = pydream.dream.Dreamer._build_engine

    def counting(self, settings):
        builds.append(settings.model)
        return original(self, settings)

    monkeypatch.setattr(pydream.dream.Dreamer, "_build_engine", counting)
    assert len(dream_batch(tmp_path / "in", tmp_path / "out", **SMALL).written) == 3
    assert builds == ["tiny"]


def test_same_names_from_different_folders_are_an_error_before_any_work(tiny_models, tmp_path):
    first = picture(tmp_path / "x" / "a.png")
    second = picture(tmp_path / "y" / "a.png")
    with pytest.raises(ValueError, match="both be written") as caught:
        dream_batch([first, second], tmp_path / "out", **SMALL)
    assert str(first) in str(caught.value) and str(second) in str(caught.value)
    assert os.listdir(tmp_path / "out") == []


@pytest.mark.parametrize(
    ("inputs", "output", "words"),
    [
        (["nowhere/*.png"], "out", "matches no file"),
        (["empty"], "out", "holds no pictures"),
        (["in"], "in", "replace the input itself"),
        ([], "out", "at least one input"),
    ],
)
def test_bad_inputs_are_errors_before_any_work(tmp_path, monkeypatch, inputs, output, words):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty").mkdir()
    picture(tmp_path / "in" / "a.png")
    with pytest.raises(ValueError, match=words):
        dream_batch(inputs, output, model="tiny")
    assert not (tmp_path / "out").exists()  # no folder is left behind


def test_an_output_folder_that_is_a_file_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="is a file"):
        dream_batch(picture(tmp_path / "a.png"), picture(tmp_path / "b.png"))


def test_the_command_prints_failures_and_a_summary_and_exits_1(tiny_models, tmp_path, capsys):
    picture(tmp_path / "in" / "a.png")
    (tmp_path / "in" / "broken.png").write_bytes(b"")
    out = str(tmp_path / "out")
    assert main(["batch", str(tmp_path / "in"), "-o", out, *SMALL_OPTIONS]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"pydream: error: {tmp_path / 'in' / 'broken.png'}: input image")
    assert err[-1] == f"pydream: dreamed 1, skipped 0, failed 1 ({tmp_path / 'in' / 'broken.png'})"
    (tmp_path / "in" / "broken.png").unlink()
    assert main(["batch", str(tmp_path / "in" / "*.png"), "-o", out, *SMALL_OPTIONS]) == 0
    assert capsys.readouterr().err == ""  # --quiet, nothing failed


def test_the_command_summary_counts_skipped_pictures(tiny_models, tmp_path, capsys):
    picture(tmp_path / "in" / "a.png")
    options = [opt for opt in SMALL_OPTIONS if opt != "--quiet"]
    arguments = ["batch", str(tmp_path / "in"), "-o", str(tmp_path / "out"), *options]
    assert main(arguments) == 0
    assert main(arguments) == 0
    assert capsys.readouterr().err.splitlines()[-1] == "pydream: dreamed 0, skipped 1, failed 0"


def test_bad_settings_exit_2_before_any_work(tmp_path, capsys):
    picture(tmp_path / "in" / "a.png")
    arguments = ["batch", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--step", "-1"]
    assert main(arguments) == 2
    assert capsys.readouterr().err.startswith("pydream: error: step")
    assert not (tmp_path / "out").exists()


def test_ray_without_ray_says_what_to_install(tiny_models, tmp_path, monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "ray", None)
    picture(tmp_path / "in" / "a.png")
    with pytest.raises(ImportError, match=r"pip install 'pydream-keras\[ray\]'"):
        dream_batch(tmp_path / "in", tmp_path / "out", ray="local", **SMALL)


def test_a_ray_batch_writes_the_same_pictures(tiny_models, tmp_path):
    ray = pytest.importorskip(
        "ray", reason="Ray is not installed (pip install 'pydream-keras[ray]')"
    )
    for index in range(2):
        picture(tmp_path / "in" / f"p{index}.png", index)
    here = dream_batch(tmp_path / "in", tmp_path / "here", **SMALL)
    workers.start_local_ray(  # on the loopback only, as the batch's own runtime
        ray,
        num_cpus=1,
        log_to_driver=False,
        runtime_env={
            "worker_process_setup_hook": "tests.conftest.register_tiny_models",
            "env_vars": {
                "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
            },
        },
    )
    try:
        there = dream_batch(tmp_path / "in", tmp_path / "ray", ray="local", **SMALL)
    finally:
        ray.shutdown()
    assert there.ok and len(there.written) == 2 and len(here.written) == 2
    for name in ("p0.png", "p1.png"):
        assert np.array_equal(
            np.asarray(Image.open(tmp_path / "here" / name)),
            np.asarray(Image.open(tmp_path / "ray" / name)),
        )


def free_loopback_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens at (bound, then closed)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_ray_address_nobody_listens_at_fails_fast_and_makes_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(workers, "ray_installed", lambda: True)  # Ray itself is not needed
    picture(tmp_path / "in" / "a.png")
    address = f"127.0.0.1:{free_loopback_port()}"
    began = time.monotonic()
    with pytest.raises(SettingError) as caught:
        dream_batch(tmp_path / "in", tmp_path / "out", ray=address, **SMALL)
    assert time.monotonic() - began < 10
    assert caught.value.setting == "ray" and caught.value.value == address
    assert f"nothing listens at {address}" in str(caught.value)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["in"]


def test_the_command_says_so_in_one_line_and_exits_2(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(workers, "ray_installed", lambda: True)
    picture(tmp_path / "in" / "a.png")
    address = f"127.0.0.1:{free_loopback_port()}"
    began = time.monotonic()
    arguments = ["batch", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--ray", address]
    assert main([*arguments, *SMALL_OPTIONS]) == 2
    assert time.monotonic() - began < 10
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"pydream: error: cannot reach Ray at {address}")
    assert "ray start --head" in lines[0] and not (tmp_path / "out").exists()

"""Where a batch is dreamed: how many local workers, their checks, and worker processes."""

from __future__ import annotations

import types
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pydream.presets import resolve_settings
from pydream.run import workers
from pydream.run.batch import BatchFailure, dream_batch
from pydream.run.workers import Job, auto_workers, check_workers

from .conftest import build_batchnorm_model

GB = 1024**3
OBJECT_MODEL = {"layers": {"act": 1.0}, "num_octave": 2, "iterations": 3, "border": 0}


def noise_pictures(folder: Path, count: int) -> list[Path]:
    """``count`` different 64 x 48 noise pictures in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(count):
        rgb = np.random.default_rng(index).integers(0, 256, (48, 64, 3), dtype=np.uint8)
        paths.append(folder / f"p{index}.png")
        Image.fromarray(rgb).save(paths[-1])
    return paths


@pytest.mark.parametrize(
    ("pictures", "cores", "memory", "gpu", "expected"),
    [
        (8, 2, 20 * GB, False, 2),  # one per core on a small machine
        (8, 4, 20 * GB, False, 4),
        (8, 8, 20 * GB, False, 4),  # then one per 4 cores, at least 4
        (40, 32, 64 * GB, False, 8),
        (3, 16, 64 * GB, False, 3),  # never more than the pictures
        (1, 16, 64 * GB, False, 1),
        (8, 16, 5 * GB, False, 2),  # nor than the memory holds
        (8, 16, 1 * GB, False, 1),
        (8, 16, 64 * GB, True, 1),  # a GPU does the work in this process
    ],
)
def test_auto_workers_follow_cores_memory_pictures_and_gpus(pictures, cores, memory, gpu, expected):
    assert auto_workers(pictures, cores, memory, gpu) == expected


@pytest.mark.parametrize(
    ("value", "expected"), [("auto", "auto"), (" AUTO ", "auto"), (3, 3), ("2", 2)]
)
def test_workers_accept_auto_and_whole_numbers(value, expected):
    assert check_workers(value) == expected


@pytest.mark.parametrize("value", [0, -1, 1.5, True, "many", None, "0", 1025])
def test_other_workers_are_one_clear_error(value):
    with pytest.raises(ValueError, match=r"must be 'auto' or a whole number from 1 to 1024"):
        check_workers(value)


def test_bad_workers_fail_before_any_work(tmp_path):
    with pytest.raises(ValueError, match="workers must be"):
        dream_batch(tmp_path / "missing.png", tmp_path / "out", workers=0)
    assert not (tmp_path / "out").exists()


def test_the_command_says_what_workers_it_takes(tmp_path, capsys):
    from pydream.cli import main

    noise_pictures(tmp_path / "in", 1)
    assert main(["batch", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--workers", "x"]) == 2
    error = capsys.readouterr().err
    assert "workers must be 'auto' or a whole number from 1 to 1024, not 'x'" in error


def test_a_script_run_by_path_dreams_in_its_own_process(monkeypatch):
    script = types.ModuleType("__main__")
    script.__file__ = "/somewhere/script.py"
    script.__spec__ = None
    monkeypatch.setitem(__import__("sys").modules, "__main__", script)
    assert not workers.main_module_can_spawn()
    trained = resolve_settings(None, None, {"weights": "some.weights.h5"})
    assert workers.resolve_workers("auto", 8, trained) == 1
    assert workers.resolve_workers(2, 8, trained) == 2  # a number is the caller's word
    script.__spec__ = types.SimpleNamespace(name="package.module")  # python -m: safe
    assert workers.main_module_can_spawn()
    del script.__file__  # the interactive prompt, a notebook, R: safe
    script.__spec__ = None
    assert workers.main_module_can_spawn()


def test_an_untrained_network_is_dreamed_in_one_process(monkeypatch):
    monkeypatch.setattr(workers, "main_module_can_spawn", lambda: True)
    monkeypatch.setattr(workers, "gpu_may_compute", lambda: False)
    monkeypatch.setattr(workers, "cpu_cores", lambda: 4)
    trained = resolve_settings(None, None, {"weights": "some.weights.h5"})
    assert workers.resolve_workers("auto", 8, trained) == 4
    untrained = resolve_settings(None, None, {"weights": None})
    assert workers.resolve_workers("auto", 8, untrained) == 1
    model_object = resolve_settings(None, None, {"model": build_batchnorm_model()})
    assert workers.resolve_workers("auto", 8, model_object) == 4  # its weights travel with it


def test_a_script_from_standard_input_cannot_start_workers(monkeypatch, tmp_path):
    script = types.ModuleType("__main__")
    script.__file__ = "<stdin>"
    script.__spec__ = None
    monkeypatch.setitem(__import__("sys").modules, "__main__", script)
    with pytest.raises(ValueError, match="cannot start from a script read from <stdin>"):
        workers.check_main_script()
    script.__file__ = str(tmp_path / "script.py")
    (tmp_path / "script.py").write_text("")
    workers.check_main_script()


def test_a_visible_nvidia_gpu_means_one_worker(monkeypatch):
    monkeypatch.setattr(workers.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    assert workers.gpu_may_compute()
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "-1")  # hidden from this process
    monkeypatch.setattr(workers.sys, "platform", "linux")
    assert not workers.gpu_may_compute()


def test_the_backend_is_read_without_keras(monkeypatch, tmp_path):
    monkeypatch.delenv("KERAS_BACKEND", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    assert workers.configured_backend() == "tensorflow"
    (tmp_path / "keras.json").write_text('{"backend": "jax"}')
    assert workers.configured_backend() == "jax"
    monkeypatch.setenv("KERAS_BACKEND", "torch")
    assert workers.configured_backend() == "torch"


def test_worker_processes_write_what_this_process_writes(tmp_path):
    model = build_batchnorm_model()
    noise_pictures(tmp_path / "in", 3)
    here = dream_batch(tmp_path / "in", tmp_path / "here", model=model, workers=1, **OBJECT_MODEL)
    there = dream_batch(tmp_path / "in", tmp_path / "there", model=model, workers=2, **OBJECT_MODEL)
    assert here.ok and there.ok
    assert there.written == [tmp_path / "there" / f"p{index}.png" for index in range(3)]
    for index in range(3):
        near = np.asarray(Image.open(tmp_path / "here" / f"p{index}.png"), np.int16)
        far = np.asarray(Image.open(tmp_path / "there" / f"p{index}.png"), np.int16)
        assert np.abs(near - far).max() <= 1  # one thread a worker rounds a little apart
        assert np.abs(near - np.asarray(Image.open(tmp_path / "in" / f"p{index}.png"))).max() > 0
    rerun = dream_batch(tmp_path / "in", tmp_path / "there", model=model, workers=2, **OBJECT_MODEL)
    assert rerun.skipped == there.written and not rerun.written


def test_a_broken_file_among_worker_pictures_is_named(tmp_path):
    noise_pictures(tmp_path / "in", 2)
    (tmp_path / "in" / "broken.png").write_bytes(b"not a picture")
    with pytest.warns(BatchFailure, match="broken.png"):
        result = dream_batch(
            tmp_path / "in", tmp_path / "out", model=build_batchnorm_model(), workers=2,
            **OBJECT_MODEL,
        )  # fmt: skip
    assert sorted(path.name for path in result.written) == ["p0.png", "p1.png"]
    assert list(result.failed) == [tmp_path / "in" / "broken.png"]


def test_a_layer_the_workers_cannot_build_is_one_error_and_nothing_is_written(tmp_path):
    noise_pictures(tmp_path / "in", 2)
    settings = dict(OBJECT_MODEL, layers={"no_such_layer": 1.0})
    with pytest.raises(ValueError, match="no_such_layer"):
        dream_batch(
            tmp_path / "in", tmp_path / "out", model=build_batchnorm_model(), workers=2, **settings
        )
    assert list((tmp_path / "out").iterdir()) == []


def test_settings_that_cannot_reach_a_process_say_use_one_worker(tmp_path):
    functions = {"preprocess": lambda x: x / 127.5 - 1.0, "deprocess": lambda x: (x + 1) * 127.5}
    settings = resolve_settings(
        None, None, dict(OBJECT_MODEL, model=build_batchnorm_model(), **functions)
    )
    jobs = [Job(path, tmp_path / "out" / path.name) for path in noise_pictures(tmp_path / "in", 2)]
    with pytest.raises(ValueError, match=r"cannot be sent to worker processes.*workers=1"):
        next(workers.dream_in_processes(jobs, settings, 2))


def test_a_batch_stopped_midway_stops_its_workers_and_leaves_no_partial_files(tmp_path):
    settings = resolve_settings(
        None, None, dict(OBJECT_MODEL, model=build_batchnorm_model(), iterations=400)
    )
    (tmp_path / "out").mkdir()
    jobs = [Job(path, tmp_path / "out" / path.name) for path in noise_pictures(tmp_path / "in", 6)]
    outcomes = workers.dream_in_processes(jobs, settings, 2)
    first_job, failure = next(outcomes)
    assert failure is None and first_job.output.is_file()
    outcomes.close()  # as an interrupt does: the workers are stopped mid-picture
    left = sorted(path.name for path in (tmp_path / "out").iterdir())
    assert not [name for name in left if name.startswith(".")], left
    assert len(left) < len(jobs)

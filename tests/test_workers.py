"""Where a batch is dreamed: how many local workers, their checks, and worker processes."""

from __future__ import annotations

import contextlib
import ipaddress
import os
import socket
import time
import types
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pydream.errors import SettingError
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


# --- Ray: addresses checked before any work, a local runtime on the loopback only -----------


def free_loopback_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens at (bound, then closed)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("head:6380", ("", "head", 6380)),
        ("  10.1.2.3  ", ("", "10.1.2.3", 6379)),  # Ray's default port for a head
        ("ray://head:10002", ("ray://", "head", 10002)),
        ("RAY://head", ("ray://", "head", 10001)),  # Ray Client's default port
        ("[::1]:7000", ("", "::1", 7000)),
        ("[::1]", ("", "::1", 6379)),
        ("fe80::1", ("", "fe80::1", 6379)),
    ],
)
def test_ray_addresses_are_read_as_ray_reads_them(address, expected):
    assert workers.ray_address_parts(address) == expected


@pytest.mark.parametrize("address", ["head:port", "head:0", "head:70000", ":6379", "ray://"])
def test_a_malformed_ray_address_is_a_setting_error(address):
    with pytest.raises(SettingError) as caught:
        workers.ray_address_parts(address)
    assert caught.value.setting == "ray" and caught.value.value == address


def test_a_ray_address_nobody_listens_at_fails_fast_with_what_to_do(monkeypatch):
    monkeypatch.setattr(workers, "ray_installed", lambda: True)
    port = free_loopback_port()
    began = time.monotonic()
    with pytest.raises(SettingError) as caught:
        workers.check_ray(f"127.0.0.1:{port}")
    assert time.monotonic() - began < 10
    message = str(caught.value)
    assert f"nothing listens at 127.0.0.1:{port}" in message
    assert "ray start --head" in message and "\n" not in message
    assert caught.value.setting == "ray" and caught.value.value == f"127.0.0.1:{port}"


def test_a_ray_address_something_listens_at_passes_with_its_port(monkeypatch):
    monkeypatch.setattr(workers, "ray_installed", lambda: True)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        assert workers.check_ray(f" 127.0.0.1:{port} ") == f"127.0.0.1:{port}"
        assert workers.check_ray(f"ray://127.0.0.1:{port}") == f"ray://127.0.0.1:{port}"
    assert workers.check_ray(None) is None and workers.check_ray("Local") == "local"


def test_ray_not_installed_is_said_before_the_address_is_tried(monkeypatch):
    monkeypatch.setattr(workers, "ray_installed", lambda: False)
    monkeypatch.setattr(workers, "tcp_refusal", lambda *_: pytest.fail("address tried"))
    with pytest.raises(ImportError, match=r"pydream-keras\[ray\]"):
        workers.check_ray("head:6379")


class FakeRay:
    """What ``start_local_ray`` uses of Ray, recording what it was asked."""

    __version__ = "0.0"

    def __init__(self, node: str) -> None:
        self.options: dict = {}
        self.variable_at_init: str | None = None
        self.stopped = False
        self.util = types.SimpleNamespace(get_node_ip_address=lambda: node)
        self._private = types.SimpleNamespace(
            ray_constants=types.SimpleNamespace(ENABLE_RAY_CLUSTER=True)
        )

    def init(self, **options) -> None:
        self.options = options
        self.variable_at_init = os.environ.get(workers.RAY_CLUSTER_VARIABLE)
        self.cluster_at_init = self._private.ray_constants.ENABLE_RAY_CLUSTER

    def shutdown(self) -> None:
        self.stopped = True


def test_a_local_runtime_is_asked_for_on_the_loopback_and_the_switch_is_put_back(monkeypatch):
    monkeypatch.delenv(workers.RAY_CLUSTER_VARIABLE, raising=False)
    ray = FakeRay("127.0.0.1")
    workers.start_local_ray(ray, num_cpus=1)
    assert ray.options["address"] == "local" and ray.options["_node_ip_address"] == "127.0.0.1"
    assert ray.options["include_dashboard"] is False and ray.options["num_cpus"] == 1
    assert ray.variable_at_init == "0" and ray.cluster_at_init is False
    assert workers.RAY_CLUSTER_VARIABLE not in os.environ
    assert ray._private.ray_constants.ENABLE_RAY_CLUSTER is True and not ray.stopped


def test_a_local_runtime_that_left_the_loopback_is_stopped_with_an_error():
    ray = FakeRay("192.0.2.7")
    with pytest.raises(ValueError, match=r"on 192\.0\.2\.7, not on the loopback"):
        workers.start_local_ray(ray)
    assert ray.stopped


def socket_address(hex_address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """A /proc/net/tcp{,6} local address (hex, in the kernel's 32-bit words) as an address."""
    raw = bytes.fromhex(hex_address.split(":")[0])
    words = b"".join(raw[index : index + 4][::-1] for index in range(0, len(raw), 4))
    return ipaddress.ip_address(words)


def is_loopback(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """127.0.0.0/8, ::1, and 127.x mapped into IPv6 (``::ffff:127.0.0.1``)."""
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or (mapped is not None and mapped.is_loopback)


def listening_sockets() -> dict[int, ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """inode -> local address of every TCP socket in the LISTEN state (0A), IPv4 and IPv6."""
    found = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        path = Path(table)
        for line in path.read_text().splitlines()[1:] if path.is_file() else []:
            fields = line.split()
            if fields[3] == "0A":
                found[int(fields[9])] = socket_address(fields[1])
    return found


def own_process_tree() -> list[int]:
    """This process and every process started under it (Ray's GCS, raylet, workers)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                stat = (entry / "stat").read_text()
                parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree = [os.getpid()]
    for pid in tree:
        tree.extend(child for child, parent in parents.items() if parent == pid)
    return tree


def socket_inodes(pids: list[int]) -> set[int]:
    """The inodes of the sockets these processes hold open."""
    inodes = set()
    for pid in pids:
        with contextlib.suppress(OSError):
            for fd in os.listdir(f"/proc/{pid}/fd"):
                with contextlib.suppress(OSError):
                    target = os.readlink(f"/proc/{pid}/fd/{fd}")
                    if target.startswith("socket:["):
                        inodes.add(int(target[8:-1]))
    return inodes


def test_proc_addresses_are_decoded():
    assert socket_address("0100007F:1F90") == ipaddress.ip_address("127.0.0.1")
    assert socket_address("00000000:0050") == ipaddress.ip_address("0.0.0.0")
    assert is_loopback(socket_address("0000000000000000FFFF00000100007F:1F90"))
    assert is_loopback(socket_address("00000000000000000000000001000000:1F90"))  # ::1
    assert not is_loopback(socket_address("00000000000000000000000000000000:1F90"))  # ::
    assert not is_loopback(socket_address("020000C0:1F90"))  # 192.0.2.2


def test_a_local_ray_runtime_listens_on_the_loopback_only():
    ray = pytest.importorskip(
        "ray", reason="Ray is not installed (pip install 'pydream-keras[ray]')"
    )
    if not Path("/proc/net/tcp").is_file():
        pytest.skip("the listening sockets are read from /proc/net/tcp (Linux)")
    if ray.is_initialized():
        pytest.skip("a Ray runtime is already running in this process")
    assert workers.connect_ray(ray, "local")
    try:
        worker = ray.remote(num_cpus=0)(lambda: os.getpid()).remote()
        assert ray.get(worker, timeout=120) != os.getpid()  # a worker process listens too
        listening = listening_sockets()
        owned = {inode: listening[inode] for inode in socket_inodes(own_process_tree())
                 if inode in listening}  # fmt: skip
    finally:
        ray.shutdown()
    assert len(owned) >= 4, owned  # GCS, raylet (2), this driver and the worker
    assert [str(address) for address in owned.values() if not is_loopback(address)] == []

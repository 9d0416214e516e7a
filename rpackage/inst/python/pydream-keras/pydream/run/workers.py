"""Where a batch's pictures are dreamed: this process, local worker processes, or Ray.

Each way yields ``(job, failure)`` pairs as pictures finish, ``failure`` being ``None`` for a
picture written and a one-line message for one that failed (the others go on).

- **This process** uses the shared ``DEFAULT_DREAMER``.
- **Local worker processes** (``workers=N``): one CPU picture's gradient steps keep a
  processor's cores only partly busy (on a 2-core machine, 2 threads dream 1.47 times as fast
  as 1, not 2 times), so N processes, each with its own model and a share of the cores, dream
  N pictures at once. The processes are started fresh (``spawn``), so nothing of this process
  but the settings reaches them; every one builds its model once.
- **Ray**: long-lived actors (one per GPU, or one per ``CPUS_PER_WORKER`` CPUs), each holding
  its own built model. The workers read the inputs and write the outputs themselves: on a
  cluster, inputs and output folder must be on a file system every node sees at the same path.
  A local runtime listens on the loopback address only; a cluster's address is tried with a
  plain TCP connection first (Ray itself retries for minutes where nothing listens).

Keras is imported only by what dreams (never to pick the number of workers), and Ray only
when asked for.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import importlib.util
import ipaddress
import json
import logging
import multiprocessing
import os
import pickle
import platform
import shutil
import signal
import socket
import sys
import sysconfig
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ..errors import SettingError
from ..settings import DreamSettings

RAY_EXTRA = "pip install 'pydream-keras[ray]'"
CPUS_PER_WORKER = 4  # CPU cores a Ray worker without a GPU asks for (fewer on a smaller node)
ONE_CORE_WORKERS_UP_TO = 4  # "auto": one worker per core on machines this small, ...
CORES_PER_LARGE_WORKER = 4  # ... else one per this many cores
WORKER_MEMORY_BYTES = 2 * 1024**3  # what "auto" keeps free for each worker (runtime, model)
MAX_WORKERS = 1024
STOP_GRACE_SECONDS = 10.0  # how long interrupted workers get to tidy up before they are killed
RAY_PORT = 6379  # Ray's port for a head's address without one
RAY_CLIENT_PORT = 10001  # ... and for a Ray Client address (ray://HOST) without one
RAY_CONNECT_TIMEOUT_SECONDS = 3.0  # how long a Ray address gets to accept a TCP connection
RAY_CLUSTER_VARIABLE = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"  # "0": Ray's node address is local
LOOPBACK = "127.0.0.1"


@dataclasses.dataclass(frozen=True)
class Job:
    """One picture of a batch: where it is read and where its dream goes."""

    input: Path
    output: Path


Outcome = tuple[Job, "str | None"]


def failure_message(error: BaseException) -> str:
    """The first line of an error's message (its type when it has none)."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def dream_job(dreamer: Any, job: Job, settings: DreamSettings) -> str | None:
    """Dream one picture into its output; ``None`` when written, else why it failed."""
    try:
        dreamer.dream(job.input, settings, output=job.output, overwrite=False)
    except Exception as error:  # any picture's failure is reported; the others go on
        return failure_message(error)
    return None


# --- this process ---------------------------------------------------------------------------


def dream_in_process(jobs: Sequence[Job], settings: DreamSettings) -> Iterator[Outcome]:
    """Dream each job with the shared ``DEFAULT_DREAMER``, yielding (job, failure or None)."""
    from ..engine.dream import DEFAULT_DREAMER

    DEFAULT_DREAMER.octave_engines(settings)  # bad layers and weights fail before any picture
    for job in jobs:
        yield job, dream_job(DEFAULT_DREAMER, job, settings)


class BatchWorker:
    """A worker's state: its own ``Dreamer``, built once, dreaming job after job.

    ``threads`` limits the CPU threads of the worker's process (``None``: the backend's
    default); it must be the first thing the process computes with.
    """

    def __init__(self, settings: DreamSettings, threads: int | None = None) -> None:
        from .._quiet import import_keras

        import_keras()
        from ..engine.dream import Dreamer
        from ..nets import backend

        if threads is not None:
            backend.limit_cpu_threads(threads)
        self.settings = settings
        self.dreamer = Dreamer()
        self.dreamer.octave_engines(settings)

    def dream(self, job: Job) -> Outcome:
        """Dream one job; returns it with its failure message (``None`` when written)."""
        return job, dream_job(self.dreamer, job, self.settings)


# --- how many local workers -----------------------------------------------------------------


def cpu_cores() -> int:
    """The CPU cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def configured_backend() -> str:
    """The Keras backend Keras will use (``KERAS_BACKEND``, else ``keras.json``), read
    without importing Keras."""
    name = os.environ.get("KERAS_BACKEND")
    if name:
        return name
    home = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras"))
    try:
        config = json.loads((home / "keras.json").read_text())
    except (OSError, ValueError):
        return "tensorflow"
    return str(config.get("backend", "tensorflow")) if isinstance(config, dict) else "tensorflow"


def gpu_may_compute() -> bool:
    """Whether a GPU may do the work: an NVIDIA device is visible, or an Apple silicon Mac
    runs a backend that can use its GPU (PyTorch, JAX). Checked without importing Keras."""
    hidden = os.environ.get("CUDA_VISIBLE_DEVICES", "unset").strip() in ("", "-1")
    if not hidden and (Path("/dev/nvidia0").exists() or shutil.which("nvidia-smi")):
        return True
    apple_silicon = sys.platform == "darwin" and platform.machine() == "arm64"
    return apple_silicon and configured_backend() != "tensorflow"


def main_module_can_spawn() -> bool:
    """Whether worker processes can start without running the caller's script again.

    A fresh process re-imports a script started as ``python script.py``; without an
    ``if __name__ == "__main__":`` guard that would start the batch again. The ``pydream``
    command, ``python -m``, notebooks, the interactive prompt and R (reticulate) are safe.
    """
    main = sys.modules.get("__main__")
    if main is None or getattr(main, "__spec__", None) is not None:
        return True
    if not hasattr(main, "__file__"):
        return True
    command = sys.modules.get("pydream.cli")  # the console script's wrapper is guarded
    return command is not None and getattr(main, "main", None) is getattr(command, "main", None)


def auto_workers(pictures: int, cores: int, memory: int, gpu: bool) -> int:
    """The workers ``workers="auto"`` starts for ``pictures`` pictures to dream.

    One (this process) with a GPU or a single picture; else one per core up to
    ``ONE_CORE_WORKERS_UP_TO`` cores, beyond that one per ``CORES_PER_LARGE_WORKER`` cores;
    never more than the pictures, nor than ``memory`` bytes hold ``WORKER_MEMORY_BYTES`` each.
    """
    if gpu or pictures <= 1:
        return 1
    if cores <= ONE_CORE_WORKERS_UP_TO:
        by_cores = cores
    else:
        by_cores = max(ONE_CORE_WORKERS_UP_TO, cores // CORES_PER_LARGE_WORKER)
    by_memory = max(1, memory // WORKER_MEMORY_BYTES)
    return max(1, min(by_cores, by_memory, pictures))


def check_workers(workers: Any) -> int | str:
    """``workers`` as given to a batch: ``"auto"`` or a whole number from 1 to ``MAX_WORKERS``.

    Raises:
        ValueError: anything else.
    """
    if isinstance(workers, str) and workers.strip().lower() == "auto":
        return "auto"
    if isinstance(workers, str) and workers.strip().isdigit():
        workers = int(workers)
    if isinstance(workers, bool) or not isinstance(workers, int) or not 1 <= workers <= MAX_WORKERS:
        raise ValueError(
            f"workers must be 'auto' or a whole number from 1 to {MAX_WORKERS}, not {workers!r}"
        )
    return workers


def untrained(settings: DreamSettings) -> bool:
    """Whether ``settings`` dream with a registry model's random, untrained weights: every
    process draws its own, so worker processes would dream with different networks."""
    return isinstance(settings.model, str) and settings.weights is None


def resolve_workers(workers: int | str, pictures: int, settings: DreamSettings) -> int:
    """The number of local workers for ``pictures`` pictures (``workers`` checked): for
    ``"auto"``, one where the caller's script cannot start workers or the network is
    untrained (one network for the whole batch), else ``auto_workers``."""
    if workers != "auto":
        return max(1, min(int(workers), pictures))
    if not main_module_can_spawn() or untrained(settings):
        return 1
    from ..engine.memory import available_memory

    return auto_workers(pictures, cpu_cores(), available_memory(), gpu_may_compute())


# --- local worker processes -----------------------------------------------------------------

_PROCESS_WORKER: BatchWorker | None = None
_PROCESS_SETUP: tuple[DreamSettings, int, Any] | None = None
STOPPED = "stopped before it began"


def _start_process(settings: DreamSettings, threads: int, stop: Any) -> None:
    """A worker process's start: remember what to build (the first job builds it, so that a
    build error comes back as a message rather than a broken pool) and the batch's stop
    event. Ctrl-C is ignored but while a picture is dreamed (see ``_interrupt_once``)."""
    global _PROCESS_SETUP
    _PROCESS_SETUP = (settings, threads, stop)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _interrupt_once(signum: int, frame: Any) -> None:
    """Stop the picture being dreamed (its partial output is removed on the way out); a
    second Ctrl-C cannot interrupt that tidying."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise KeyboardInterrupt


def _dream_in_process_worker(job: Job) -> tuple[Job, str | None, str | None]:
    """Dream ``job`` in a worker process: (job, picture failure, build failure)."""
    global _PROCESS_WORKER
    assert _PROCESS_SETUP is not None
    settings, threads, stop = _PROCESS_SETUP
    if stop.is_set():
        return job, STOPPED, None
    signal.signal(signal.SIGINT, _interrupt_once)
    try:
        if _PROCESS_WORKER is None:
            try:
                _PROCESS_WORKER = BatchWorker(settings, threads)
            except Exception as error:  # the settings cannot be built: every picture would fail
                return job, None, failure_message(error)
        return (*_PROCESS_WORKER.dream(job), None)
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextlib.contextmanager
def own_libpython_first() -> Iterator[None]:
    """Processes started inside find this Python's shared libpython before any other.

    A program that embeds Python (R through reticulate) may put folders that hold another
    libpython first in ``LD_LIBRARY_PATH``; a worker would load that one and fail. Linux
    only, and only where Python is a shared library and ``LD_LIBRARY_PATH`` is set.
    """
    folder = sysconfig.get_config_var("LIBDIR")
    paths = os.environ.get("LD_LIBRARY_PATH")
    shared = sysconfig.get_config_var("Py_ENABLE_SHARED")
    if not (sys.platform.startswith("linux") and shared and folder and paths):
        yield
        return
    os.environ["LD_LIBRARY_PATH"] = os.pathsep.join([folder, paths])
    try:
        yield
    finally:
        os.environ["LD_LIBRARY_PATH"] = paths


def check_main_script() -> None:
    """Raise ``ValueError`` when worker processes cannot start because the caller's script
    is no file they can read again (``python - < script.py``, ``python -c``)."""
    main = sys.modules.get("__main__")
    if main is None or getattr(main, "__spec__", None) is not None:
        return
    path = getattr(main, "__file__", None)
    if path is not None and not Path(path).is_file():
        raise ValueError(
            f"worker processes cannot start from a script read from {path}: save it as a "
            "file, or use workers=1"
        )


def check_sendable(settings: DreamSettings) -> None:
    """Raise ``ValueError`` when ``settings`` cannot be sent to a worker process (a model,
    function or picture object that cannot be pickled)."""
    try:
        pickle.dumps(settings)
    except Exception as error:  # pickling fails with many error types
        raise ValueError(
            f"the settings cannot be sent to worker processes ({failure_message(error)}); "
            "use workers=1"
        ) from None


def dream_in_processes(
    jobs: Sequence[Job], settings: DreamSettings, workers: int
) -> Iterator[Outcome]:
    """Dream the jobs on ``workers`` fresh local processes, yielding (job, failure or None)
    as each picture finishes. The cores are shared out among the workers, and so is the
    memory ``tile_size="auto"`` plans with when no ``memory_budget`` is set.

    Raises:
        ValueError: a worker cannot build the model (bad layers or weights), the settings
            cannot be sent to a process, or a worker process died (out of memory, say).
    """
    check_main_script()
    check_sendable(settings)
    threads = max(1, cpu_cores() // workers)
    if settings.memory_budget is None:
        from ..engine.memory import GB, default_budget

        settings = dataclasses.replace(settings, memory_budget=default_budget() / workers / GB)
    context = multiprocessing.get_context("spawn")
    stop = context.Event()
    executor = concurrent.futures.ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start_process, initargs=(settings, threads, stop)
    )
    finished = False
    try:
        with own_libpython_first():  # the workers start as the jobs are handed in
            futures = [executor.submit(_dream_in_process_worker, job) for job in jobs]
        for future in concurrent.futures.as_completed(futures):
            job, failure, build_failure = future.result()
            if build_failure is not None:
                raise ValueError(build_failure)
            yield job, failure
        finished = True
    except concurrent.futures.process.BrokenProcessPool:
        raise ValueError(
            "a worker process stopped without a word (out of memory?); the pictures dreamed "
            "so far are written: run again with fewer workers to go on"
        ) from None
    finally:
        if not finished:
            stop.set()
        stop_processes(executor, finished)


def stop_processes(executor: concurrent.futures.ProcessPoolExecutor, finished: bool) -> None:
    """Shut the worker processes down; when the batch did not finish (an interrupt, an
    error; the stop event set), interrupt the pictures they are dreaming first (so that
    each removes its partial output) and kill those still running after
    ``STOP_GRACE_SECONDS``."""
    if finished:
        executor.shutdown(wait=True)
        return
    processes = list(getattr(executor, "_processes", {}).values())
    executor.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive() and process.pid is not None:
            with contextlib.suppress(OSError):  # it has just ended
                os.kill(process.pid, signal.SIGINT if os.name == "posix" else signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive():
            process.kill()


# --- Ray ------------------------------------------------------------------------------------


def import_ray() -> Any:
    """The ``ray`` module, or an ``ImportError`` saying how to install it."""
    try:
        import ray
    except ImportError:
        raise ImportError(f"dreaming on Ray needs Ray: {RAY_EXTRA}") from None
    return ray


def ray_installed() -> bool:
    """Whether Ray can be imported (found without importing it)."""
    return importlib.util.find_spec("ray") is not None


def ray_address_parts(address: str) -> tuple[str, str, int]:
    """``address`` (``"HOST:PORT"``, ``"HOST"``, ``"[IPV6]:PORT"``, ``"ray://HOST:PORT"``) as
    (scheme, host, port): the scheme is ``""`` or ``"ray://"`` (Ray Client); a missing port
    is Ray's default, ``RAY_PORT`` (6379) for a head, ``RAY_CLIENT_PORT`` (10001) for Ray
    Client.

    Raises:
        SettingError: no host, or a port that is no number from 1 to 65535.
    """
    text = address.strip()
    scheme = "ray://" if text.lower().startswith("ray://") else ""
    rest = text[len(scheme) :].rstrip("/")
    default = RAY_CLIENT_PORT if scheme else RAY_PORT
    if rest.startswith("["):  # [IPv6] or [IPv6]:PORT
        host, _, tail = rest[1:].partition("]")
        port_text = tail[1:] if tail.startswith(":") else tail
    elif rest.count(":") == 1:
        host, port_text = rest.split(":")
    else:  # a name, an IPv4 address or a bare IPv6 address: no port
        host, port_text = rest, ""
    port = int(port_text) if port_text.isdigit() else (default if not port_text else 0)
    if not host or not 1 <= port <= 65535:
        raise SettingError(
            f"ray must be 'local' or a Ray address HOST:PORT ('head-node:6379'), not {address!r}",
            setting="ray",
            value=address,
            allowed="'local', 'HOST:PORT', 'ray://HOST:PORT'",
        )
    return scheme, host, port


def ray_address(scheme: str, host: str, port: int) -> str:
    """The address Ray is given: ``[ray://]HOST:PORT``, an IPv6 host in brackets."""
    shown = f"[{host}]" if ":" in host else host
    return f"{scheme}{shown}:{port}"


def tcp_refusal(host: str, port: int, timeout: float) -> str | None:
    """``None`` when a TCP connection to ``host``:``port`` opens within ``timeout`` seconds
    (name lookup included), else why not, in a few words."""
    outcome: list[str | None] = []

    def connect() -> None:
        try:
            socket.create_connection((host, port), timeout=timeout).close()
            outcome.append(None)
        except socket.gaierror:
            outcome.append(f"{host} is no host name this machine can find")
        except TimeoutError:
            outcome.append(f"nothing answers at {ray_address('', host, port)}")
        except OSError:  # refused, unreachable
            outcome.append(f"nothing listens at {ray_address('', host, port)}")

    thread = threading.Thread(target=connect, name="pydream-ray-check", daemon=True)
    thread.start()
    thread.join(timeout + 1.0)  # a name lookup that hangs is cut off too
    return outcome[0] if outcome else f"nothing answers at {ray_address('', host, port)}"


def check_ray(ray: Any) -> str | None:
    """``ray`` as given to a batch, checked before any work: ``None``, ``"local"``, or a
    Ray address that something listens at, as Ray is given it (with its port).

    The address is tried with a plain TCP connection (``RAY_CONNECT_TIMEOUT_SECONDS``):
    Ray itself would retry for minutes before it gives up on an address nobody listens at.

    Raises:
        SettingError: ``ray`` is no string, a malformed address, or nothing listens there.
        ImportError: Ray is not installed.
    """
    if ray is None:
        return None
    if not (isinstance(ray, str) and ray.strip()):
        raise SettingError(
            f"ray must be None, 'local' or a Ray address HOST:PORT, not {ray!r}",
            setting="ray",
            value=repr(ray),
            allowed="None, 'local', 'HOST:PORT', 'ray://HOST:PORT'",
        )
    if not ray_installed():
        raise ImportError(f"dreaming on Ray needs Ray: {RAY_EXTRA}")
    if ray.strip().lower() in ("local", "auto"):  # "auto": Ray's own record of its head
        return ray.strip().lower()
    scheme, host, port = ray_address_parts(ray)
    refusal = tcp_refusal(host, port, RAY_CONNECT_TIMEOUT_SECONDS)
    if refusal is not None:
        start = f"--ray-client-server-port {port}" if scheme else f"--port {port}"
        raise SettingError(
            f"cannot reach Ray at {ray.strip()}: {refusal}; start the Ray head there "
            f"(`ray start --head {start}`) or check the address",
            setting="ray",
            value=ray,
            allowed="the address of a running Ray head",
        )
    return ray_address(scheme, host, port)


@contextlib.contextmanager
def _node_on_loopback(ray: Any) -> Iterator[None]:
    """While Ray starts a runtime, make the loopback address its node address.

    Ray binds its services (GCS, raylet, workers, agents) to the node address. It turns an
    asked-for ``127.0.0.1`` into the machine's network address, except where its
    clusters are switched off (``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0``, read by the
    processes it starts; Ray's own constant, read by this one).
    """
    constants: Any = getattr(getattr(ray, "_private", None), "ray_constants", None)
    saved_variable = os.environ.get(RAY_CLUSTER_VARIABLE)
    saved_constant = getattr(constants, "ENABLE_RAY_CLUSTER", None)
    os.environ[RAY_CLUSTER_VARIABLE] = "0"
    if saved_constant is not None:
        constants.ENABLE_RAY_CLUSTER = False
    try:
        yield
    finally:
        if saved_variable is None:
            os.environ.pop(RAY_CLUSTER_VARIABLE, None)
        else:
            os.environ[RAY_CLUSTER_VARIABLE] = saved_variable
        if saved_constant is not None:
            constants.ENABLE_RAY_CLUSTER = saved_constant


def start_local_ray(ray: Any, **options: Any) -> None:
    """Start a Ray runtime on this machine whose services listen on the loopback address
    only (``127.0.0.1``), and no dashboard; ``options`` go to ``ray.init`` beside those.

    Raises:
        ValueError: Ray cannot start, or started with a node address other than the
            loopback (then it is stopped; Ray 2.9 to 2.60 keep every service on it).
    """
    options = {"include_dashboard": False, **options, "address": "local"}
    try:
        # Ray's processes must load this Python's libpython, not one that an embedding
        # program (R) put first in LD_LIBRARY_PATH: Ray's start timed out after R.
        with _node_on_loopback(ray), own_libpython_first():
            ray.init(_node_ip_address=LOOPBACK, **options)
    except (ConnectionError, RuntimeError, ValueError) as error:
        raise ValueError(f"cannot start a local Ray runtime: {failure_message(error)}") from None
    node = str(ray.util.get_node_ip_address())
    if not ipaddress.ip_address(node.strip("[]")).is_loopback:
        ray.shutdown()
        raise ValueError(
            f"Ray {ray.__version__} started its local runtime on {node}, not on the loopback "
            f"address only; stopped it: upgrade Ray ({RAY_EXTRA})"
        )


def connect_ray(ray: Any, address: str) -> bool:
    """Start a local Ray runtime (``"local"``, see ``start_local_ray``) or join the
    cluster at ``address`` (checked by ``check_ray``), unless this process is connected
    already; returns whether it connected (and should leave)."""
    if ray.is_initialized():
        return False
    options: dict[str, Any] = {
        "log_to_driver": False,
        "logging_level": logging.ERROR,  # no start-up chatter around the progress bar
    }
    if address == "local":
        start_local_ray(ray, **options)
        return True
    try:
        ray.init(address=address, include_dashboard=False, **options)
    except (ConnectionError, RuntimeError, ValueError) as error:
        raise ValueError(f"cannot reach Ray at {address!r}: {failure_message(error)}") from None
    return True


def worker_resources(ray: Any, jobs: int) -> tuple[int, dict[str, float]]:
    """How many actors to start and what each asks for: one per GPU of the cluster, else one
    per ``CPUS_PER_WORKER`` CPUs (at least one), never more than there are jobs."""
    resources = ray.cluster_resources()
    gpus = int(resources.get("GPU", 0))
    if gpus:
        return max(1, min(gpus, jobs)), {"num_gpus": 1}
    cpus = max(1, int(resources.get("CPU", 1)))
    per_worker = min(CPUS_PER_WORKER, cpus)
    return max(1, min(cpus // per_worker, jobs)), {"num_cpus": per_worker}


def dream_on_ray(jobs: Sequence[Job], settings: DreamSettings, address: str) -> Iterator[Outcome]:
    """Dream the jobs on Ray actors, yielding (job, failure or None) as each finishes.

    Raises:
        ImportError: Ray is not installed.
        ValueError: Ray cannot be started or reached, or a worker cannot build the model.
    """
    ray = import_ray()
    from ray.util import ActorPool

    started = connect_ray(ray, address)
    try:
        count, resources = worker_resources(ray, len(jobs))
        threads = int(resources["num_cpus"]) if "num_cpus" in resources else None
        actor = ray.remote(**resources)(BatchWorker)
        pool = ActorPool([actor.remote(settings, threads) for _ in range(count)])
        try:
            yield from pool.map_unordered(lambda worker, job: worker.dream.remote(job), list(jobs))
        except ray.exceptions.RayError as error:
            raise ValueError(f"a Ray worker failed: {failure_message(error)}") from None
    finally:
        if started:
            ray.shutdown()

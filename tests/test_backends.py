"""The same dream on every Keras backend: each backend runs in a process of its own
(``KERAS_BACKEND`` is read once, when Keras is imported), and its first step on the jellyfish
photo with the real weights is compared with TensorFlow's. The other backends' processes start
together, and TensorFlow's step is computed in this process meanwhile where Keras runs on
TensorFlow here."""

from __future__ import annotations

import importlib.util
import inspect
import os
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

from .conftest import IMAGES, REAL_WEIGHTS, needs_real_weights, require

OTHER_BACKENDS = ("jax", "torch")


def one_step(photo: str, weights: str) -> np.ndarray:
    """The change one blog-layer step makes to the photo, on this process's Keras backend."""
    from PIL import Image

    import pydream
    from pydream.engine.dream import DEFAULT_DREAMER
    from pydream.settings import DreamSettings

    image = Image.open(photo)
    image.thumbnail((320, 320))
    x = pydream.preprocess_image(np.asarray(image.convert("RGB")))
    layers = {"mixed2": 0.2, "mixed3": 0.8, "mixed4": 2.0, "mixed5": 4.0, "mixed6": 5.0}
    settings = DreamSettings(layers=layers, weights=weights, tile_size=None, border=0,
                             step=0.025, iterations=1, max_loss=None)  # fmt: skip
    after, _ = DEFAULT_DREAMER.ascend(x, settings, np.random.default_rng(0))
    return after - x


STEP_SCRIPT = f"""
import sys
import numpy as np
from pydream.nets import backend

{inspect.getsource(one_step)}
np.save(sys.argv[3], one_step(sys.argv[1], sys.argv[2]))
print(backend.NAME)
"""


class BackendStep:
    """``one_step`` on the ``name`` backend, in a process of its own started at once."""

    def __init__(self, name: str, folder: Path) -> None:
        self.name = name
        self.out = folder / f"{name}.npy"
        self.stdout, self.stderr = folder / f"{name}.out", folder / f"{name}.err"
        environment = {**os.environ, "KERAS_BACKEND": name}
        if name == "jax":  # as conftest compiles for the JAX tests (the same numbers, sooner)
            environment.setdefault("XLA_FLAGS", "--xla_backend_optimization_level=0")
        with open(self.stdout, "w") as stdout, open(self.stderr, "w") as stderr:
            self.process = subprocess.Popen(
                [sys.executable, "-c", STEP_SCRIPT, str(IMAGES / "jellyfish.jpg"),
                 str(REAL_WEIGHTS), str(self.out)],
                stdout=stdout, stderr=stderr, env=environment,
            )  # fmt: skip

    def result(self) -> np.ndarray:
        code = self.process.wait(timeout=600)
        assert code == 0, self.stderr.read_text()[-2000:]
        assert self.stdout.read_text().split()[-1] == self.name
        return np.load(self.out).ravel()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture(scope="module")
def backend_steps(tmp_path_factory):
    """The other installed backends' steps, started together."""
    require(REAL_WEIGHTS.is_file(), f"real Inception-v3 weights not found at {REAL_WEIGHTS}")
    require((IMAGES / "jellyfish.jpg").is_file(), f"example photo not found in {IMAGES}")
    folder = tmp_path_factory.mktemp("steps")
    steps = {
        name: BackendStep(name, folder)
        for name in OTHER_BACKENDS
        if importlib.util.find_spec(name) is not None
    }
    try:
        yield steps
    finally:
        for step in steps.values():
            step.stop()


@pytest.fixture(scope="module")
def tensorflow_step(backend_steps, tmp_path_factory) -> np.ndarray:
    """TensorFlow's step: here, where Keras runs on TensorFlow, else in a process of its own."""
    if keras.backend.backend() == "tensorflow":
        return one_step(str(IMAGES / "jellyfish.jpg"), str(REAL_WEIGHTS)).ravel()
    return BackendStep("tensorflow", tmp_path_factory.mktemp("tensorflow")).result()


@needs_real_weights
@pytest.mark.real_weights
@pytest.mark.parametrize("name", OTHER_BACKENDS)
def test_one_step_agrees_with_tensorflow(name, backend_steps, tensorflow_step):
    if name not in backend_steps:
        pytest.skip(f"{name} is not installed (pip install 'pydream-keras[{name}]')")
    change = backend_steps[name].result()
    cosine = change @ tensorflow_step / (np.linalg.norm(change) * np.linalg.norm(tensorflow_step))
    assert cosine >= 0.999
    assert np.linalg.norm(change) == pytest.approx(np.linalg.norm(tensorflow_step), rel=1e-3)


@pytest.mark.parametrize(
    ("device", "cpu_bfloat16", "expected"),
    [("cpu", True, "bfloat16"), ("cpu", False, "float32"), ("tpu:0 (TPU v4)", False, "bfloat16")],
)
def test_auto_precision_picks_what_the_machine_computes_best(
    monkeypatch, device, cpu_bfloat16, expected
):
    import warnings

    from pydream.engine.dream import concrete_precision
    from pydream.nets import backend
    from pydream.settings import DreamSettings

    monkeypatch.setattr(backend, "device_description", lambda: device)
    monkeypatch.setattr(backend, "cpu_has_bfloat16", lambda: cpu_bfloat16)
    settings = DreamSettings(layers={"mixed3": 1.0}, precision="auto")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        chosen = concrete_precision(settings)
    assert chosen.precision == expected and settings.precision == "auto"
    assert any(f"computing on {device}" in str(warning.message) for warning in caught)
    assert concrete_precision(chosen) is chosen


AVX2_ONLY = frozenset({"sse4_2", "avx", "avx2", "fma"})


@pytest.mark.parametrize(
    ("precision", "flags", "emulated"),
    [
        ("bfloat16", AVX2_ONLY, True),
        ("bfloat16", AVX2_ONLY | {"avx512f", "avx512_bf16"}, False),
        ("bfloat16", AVX2_ONLY | {"amx_bf16"}, False),
        ("float16", AVX2_ONLY, True),
        ("float16", AVX2_ONLY | {"avx512_bf16"}, True),  # bfloat16 is no float16
        ("float16", AVX2_ONLY | {"avx512_fp16"}, False),
        ("float32", AVX2_ONLY, False),
    ],
)
def test_an_emulated_precision_on_a_cpu_is_named_with_its_cost(precision, flags, emulated):
    from pydream.nets import backend

    notice = backend.emulated_precision_notice(precision, "cpu", flags)
    if not emulated:
        assert notice is None
        return
    assert notice is not None and "\n" not in notice
    assert f"precision='{precision}' is emulated on this CPU" in notice
    assert "about 10 times as long as in float32" in notice and "precision='auto'" in notice


def test_gpus_and_unknown_processors_say_nothing(monkeypatch):
    from pydream.nets import backend

    assert backend.emulated_precision_notice("bfloat16", "cuda:0 (NVIDIA T4)", AVX2_ONLY) is None
    monkeypatch.setattr(backend, "cpu_flags", lambda: None)  # no /proc/cpuinfo
    assert backend.emulated_precision_notice("bfloat16", "cpu") is None


def test_this_machines_flags_are_read_from_proc_cpuinfo():
    from pydream.nets import backend

    if not os.path.isfile("/proc/cpuinfo"):
        pytest.skip("no /proc/cpuinfo here")
    flags = backend.cpu_flags()
    assert flags is not None
    assert ("avx512_bf16" in flags or "amx_bf16" in flags) == backend.cpu_has_bfloat16()


@pytest.fixture
def avx2_cpu(monkeypatch):
    """A CPU with AVX2 and no native bfloat16 or float16, whose notices are not said yet."""
    from pydream.nets import backend

    monkeypatch.setattr(backend, "device_description", lambda: "cpu")
    monkeypatch.setattr(backend, "cpu_flags", lambda: AVX2_ONLY)
    monkeypatch.setattr(backend, "_SAID", set())


def hardware_notices(caught) -> list[str]:
    from pydream.errors import HardwareNotice

    return [str(each.message) for each in caught if issubclass(each.category, HardwareNotice)]


def test_an_explicit_emulated_precision_is_said_once_per_process(avx2_cpu, monkeypatch):
    import warnings

    from pydream.engine.dream import concrete_precision
    from pydream.nets import backend
    from pydream.settings import DreamSettings

    monkeypatch.setattr(backend, "cpu_has_bfloat16", lambda: False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for precision in ("bfloat16", "bfloat16", "float32", "auto", "float16", "bfloat16"):
            settings = DreamSettings(layers={"mixed3": 1.0}, precision=precision)
            assert concrete_precision(settings).precision == (
                "float32" if precision == "auto" else precision
            )
    said = hardware_notices(caught)
    assert len(said) == 2, said
    assert said[0].startswith("precision='bfloat16'") and said[1].startswith("precision='float16'")


def test_a_machine_with_native_bfloat16_says_nothing(monkeypatch):
    import warnings

    from pydream.engine.dream import concrete_precision
    from pydream.nets import backend
    from pydream.settings import DreamSettings

    monkeypatch.setattr(backend, "device_description", lambda: "cpu")
    monkeypatch.setattr(backend, "cpu_flags", lambda: AVX2_ONLY | {"avx512_bf16"})
    monkeypatch.setattr(backend, "_SAID", set())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        concrete_precision(DreamSettings(layers={"mixed3": 1.0}, precision="bfloat16"))
    assert hardware_notices(caught) == []


def test_deep_dream_and_the_command_say_it(avx2_cpu, tiny_models, tmp_path, capsys):
    import warnings

    from PIL import Image

    import pydream
    from pydream.cli import main
    from pydream.errors import DreamNotice, HardwareNotice

    rgb = np.random.default_rng(0).integers(0, 256, (20, 24, 3), dtype=np.uint8)
    small = {"model": "tiny", "weights": None, "layers": {"square": 1.0}, "num_octave": 1,
             "iterations": 1, "border": 0, "seed": 0}  # fmt: skip
    with pytest.warns(HardwareNotice, match="precision='bfloat16' is emulated"):
        pydream.deep_dream(rgb, precision="bfloat16", **small)
    assert issubclass(HardwareNotice, DreamNotice)
    Image.fromarray(rgb).save(tmp_path / "in.png")
    arguments = [
        "dream", str(tmp_path / "in.png"), "-o", str(tmp_path / "out.png"), "--model", "tiny",
        "--weights", "none", "--layers", "square=1", "--num-octave", "1", "--iterations", "1",
        "--precision", "float16", "--quiet",
    ]  # fmt: skip
    with warnings.catch_warnings():
        assert main(arguments) == 0
    notes = [line for line in capsys.readouterr().err.splitlines() if "emulated" in line]
    assert notes == [notes[0]] and notes[0].startswith("pydream: note: precision='float16'")

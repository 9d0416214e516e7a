"""Everything that differs between Keras' TensorFlow, JAX and PyTorch backends.

The backend is Keras' own choice (``KERAS_BACKEND``, or ``~/.keras/keras.json``). The rest of
pydream is written with ``keras.ops`` and NumPy; this module holds the three things that
cannot be: how a gradient is taken, how a function is compiled, and how a tensor becomes a
NumPy array.

- TensorFlow: ``tf.GradientTape``; ``tf.function`` with a shape-polymorphic signature, so a
  step is traced once for every image size.
- JAX: ``jax.value_and_grad``; ``jax.jit`` (compiled once per image size).
- PyTorch: ``torch.autograd.grad``; run eagerly (``torch.compile`` recompiles for every
  octave size, which costs more than it saves for a few dozen steps).
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import os
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import keras
import numpy as np

from ..errors import HardwareNotice

NAME: str = keras.backend.backend()
"""``"tensorflow"``, ``"jax"`` or ``"torch"``."""

SUPPORTED = ("tensorflow", "jax", "torch")


@dataclasses.dataclass(frozen=True)
class Signature:
    """Shape and dtype of a compiled function's argument (``None`` in a shape: any size)."""

    shape: tuple[int | None, ...]
    dtype: str = "float32"


LossFunction = Callable[..., tuple[Any, Any]]
"""``function(image, *arguments) -> (value to differentiate, loss to report)``."""


def check_backend() -> None:
    """Raise a clear error on a Keras backend pydream cannot dream with."""
    if NAME not in SUPPORTED:
        raise ValueError(
            f"pydream runs on the Keras backends {', '.join(SUPPORTED)}, not {NAME!r}: "
            "set KERAS_BACKEND to one of them"
        )


def value_and_gradient(function: LossFunction, image: Any, *arguments: Any) -> tuple[Any, Any]:
    """The reported loss and the gradient of the differentiated value with respect to
    ``image``, for ``function(image, *arguments) -> (value, loss)``.

    Call it inside a function compiled by ``compile_function`` (or eagerly).
    """
    if NAME == "jax":
        import jax

        (_, loss), gradient = jax.value_and_grad(function, has_aux=True)(image, *arguments)
        return loss, gradient
    if NAME == "torch":
        import torch

        with torch.enable_grad():
            watched = image.detach().requires_grad_(True)
            value, loss = function(watched, *arguments)
            (gradient,) = torch.autograd.grad(value, watched)
        return loss.detach(), gradient
    import tensorflow as tf

    with tf.GradientTape() as tape:
        tape.watch(image)
        value, loss = function(image, *arguments)
    return loss, tape.gradient(value, image)


def compile_function(function: Callable[..., Any], signature: Sequence[Any]) -> Callable[..., Any]:
    """``function`` compiled for this backend.

    ``signature`` describes the arguments for TensorFlow, as ``Signature`` values or tuples
    of them (``None`` in a shape: any size); the other backends ignore it.
    """
    if NAME == "jax":
        import jax

        return jax.jit(function)
    if NAME == "torch":
        return function
    import tensorflow as tf

    _quiet_retracing_warnings(tf)
    specs = [_tensor_spec(tf, item) for item in signature]
    # No AutoGraph: pydream's compiled functions branch on Python values only, so the graph
    # is the same, and the first trace skips converting every function it calls.
    return tf.function(function, input_signature=specs, reduce_retracing=True, autograph=False)


class _RetracingFilter(logging.Filter):
    """Drops TensorFlow's "triggered tf.function retracing" warning: every engine (a gallery
    or a per-octave schedule builds several) traces its step once for all image sizes, which
    TensorFlow counts as retracing though nothing is traced twice."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "triggered tf.function retracing" not in record.getMessage()


def _quiet_retracing_warnings(tf: Any) -> None:
    logger = tf.get_logger()
    if not any(isinstance(each, _RetracingFilter) for each in logger.filters):
        logger.addFilter(_RetracingFilter())


def _tensor_spec(tf: Any, item: Any) -> Any:
    if isinstance(item, (list, tuple)):
        return type(item)(_tensor_spec(tf, each) for each in item)
    return tf.TensorSpec(shape=item.shape, dtype=item.dtype)


def roll(image: Any, shift: Any) -> Any:
    """``image`` (1, H, W, C) rolled by ``shift`` = (rows, columns), a pair of ints or an int
    tensor of shape (2,)."""
    if NAME == "torch":
        import torch

        rows, columns = (int(value) for value in to_numpy(shift).reshape(2))
        return torch.roll(image, shifts=(rows, columns), dims=(1, 2))
    if isinstance(shift, (tuple, list)):
        shift = to_tensor(np.asarray(shift, np.int32), "int32")
    return keras.ops.roll(image, shift, axis=(1, 2))


def to_tensor(value: Any, dtype: str = "float32") -> Any:
    """A NumPy array (or tensor) as a tensor of this backend, on its default device."""
    return keras.ops.convert_to_tensor(value, dtype=dtype)


def to_numpy(value: Any) -> np.ndarray:
    """A tensor of this backend (or an array) as a NumPy array."""
    return np.asarray(keras.ops.convert_to_numpy(value))


def to_float(value: Any) -> float:
    """A scalar tensor as a Python float."""
    return float(to_numpy(value))


def stateless_model_call(model: keras.Model, state: Any, image: Any, training: bool) -> Any:
    """``model(image)`` with the weights passed in ``state`` (``model_state``), so that a
    compiled function takes them as arguments instead of baking them in (JAX)."""
    trainable, frozen = state
    outputs, _ = model.stateless_call(trainable, frozen, image, training=training)
    return outputs


def model_state(model: keras.Model) -> tuple[list[Any], list[Any]]:
    """The current values of ``model``'s trainable and non-trainable weights."""
    return (
        [variable.value for variable in model.trainable_variables],
        [variable.value for variable in model.non_trainable_variables],
    )


def passes_state() -> bool:
    """Whether compiled functions take the model's weights as an argument (JAX), rather
    than reading them from the model (TensorFlow and PyTorch)."""
    return NAME == "jax"


@functools.cache
def device_description() -> str:
    """The device the backend computes on, in a few words (e.g. ``"cuda:0 (NVIDIA H100)"``)."""
    if NAME == "jax":
        import jax

        device = jax.devices()[0]
        if device.platform == "cpu":
            return "cpu"
        return f"{device.platform}:{device.id} ({getattr(device, 'device_kind', device.platform)})"
    if NAME == "torch":
        import torch

        if torch.cuda.is_available():
            return f"cuda:0 ({torch.cuda.get_device_name(0)})"
        if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
            return "mps (Apple GPU)"
        return "cpu"
    import tensorflow as tf

    gpus = tf.config.list_logical_devices("GPU")
    return f"{gpus[0].name} (GPU)" if gpus else "cpu"


def limit_cpu_threads(threads: int) -> None:
    """Let this process compute with at most ``threads`` CPU threads (``threads`` >= 1).

    For worker processes sharing one machine's cores: call it before the first computation
    (TensorFlow fixes its thread pools then; a later call changes nothing). On JAX it takes
    effect only for ``threads == 1`` and only before JAX starts.
    """
    if NAME == "torch":
        import torch

        torch.set_num_threads(threads)
    elif NAME == "jax":
        if threads == 1:
            flags = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
            os.environ["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} {flags}".strip()
    else:
        import tensorflow as tf

        try:
            tf.config.threading.set_intra_op_parallelism_threads(threads)
            tf.config.threading.set_inter_op_parallelism_threads(threads)
        except RuntimeError:  # the runtime has started: it keeps its pools
            pass


NATIVE_CPU_FLAGS = {"bfloat16": ("avx512_bf16", "amx_bf16"), "float16": ("avx512_fp16", "amx_fp16")}
"""The /proc/cpuinfo flags of processors that compute each reduced precision natively."""

EMULATED_SLOWDOWN = {"bfloat16": "about 10 times", "float16": "about 10 times"}
"""How much longer a step takes in an emulated precision than in float32 on a CPU (measured
on Inception-v3, 224 x 224: bfloat16 without native support 10 to 17 times, float16 without
AVX-512 FP16 6 to 10 times)."""


@functools.cache
def cpu_flags() -> frozenset[str] | None:
    """The processor's feature flags (``/proc/cpuinfo``, Linux), ``None`` where unknown."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            lines = [line for line in handle if line.startswith(("flags", "Features"))]
    except OSError:
        return None
    return frozenset(flag for line in lines for flag in line.split(":", 1)[-1].split())


def cpu_has_bfloat16() -> bool:
    """Whether the processor computes bfloat16 natively (AVX-512 BF16 or AMX), on Linux."""
    flags = cpu_flags()
    return flags is not None and not flags.isdisjoint(NATIVE_CPU_FLAGS["bfloat16"])


def clear_caches() -> None:
    """Forget the device facts found so far (the device, the processor's flags)."""
    for cached in _DEVICE_FACTS:
        cached.cache_clear()


_DEVICE_FACTS = (device_description, cpu_flags)


def auto_precision() -> str:
    """The precision ``precision="auto"`` picks: bfloat16 on GPUs that have it (NVIDIA
    compute capability 8 and later, TPUs) and on CPUs with native bfloat16, float16 on other
    GPUs, float32 elsewhere. The first convolutions stay float32 in every reduced precision,
    which keeps the dream's quality (see ``ModelSpec.float32_convolutions``)."""
    device = device_description()
    if device == "cpu":
        return "bfloat16" if cpu_has_bfloat16() else "float32"
    if NAME == "torch" and device.startswith("cuda"):
        import torch

        major, _ = torch.cuda.get_device_capability(0)
        return "bfloat16" if major >= 8 else "float16"
    if device.startswith("mps"):
        return "float16"
    return "bfloat16"


_SAID: set[str] = set()


def emulated_precision_notice(
    precision: str, device: str | None = None, flags: frozenset[str] | None = None
) -> str | None:
    """What to tell someone who asked for ``precision`` where the device only emulates it,
    else ``None``: bfloat16 on a CPU without AVX-512 BF16 or AMX, float16 on a CPU without
    AVX-512 FP16 or AMX-FP16 (most). GPUs, and CPUs whose flags are unknown, say nothing.

    Args:
        precision: the precision asked for (``"float32"``, ``"bfloat16"``, ``"float16"``).
        device: as ``device_description()`` says it (read when ``None``).
        flags: the processor's flags, as ``cpu_flags()`` reads them (read when ``None``).
    """
    native = NATIVE_CPU_FLAGS.get(precision)
    if native is None or (device_description() if device is None else device) != "cpu":
        return None
    flags = cpu_flags() if flags is None else flags
    if flags is None or not flags.isdisjoint(native):
        return None
    return (
        f"precision={precision!r} is emulated on this CPU (it has no {' or '.join(native)}): "
        f"a step takes {EMULATED_SLOWDOWN[precision]} as long as in float32; "
        "precision='auto' picks the fastest precision this device has"
    )


def warn_emulated_precision(precision: str) -> None:
    """Say ``emulated_precision_notice``'s notice, once per process, as a ``HardwareNotice``."""
    notice = emulated_precision_notice(precision)
    if notice is not None and notice not in _SAID:
        _SAID.add(notice)
        warnings.warn(notice, HardwareNotice, stacklevel=4)

"""Benchmark: pydream against a plain reference implementation, in one run, alternating.

Prints whole-process seconds and ratios (blog settings, an 800 px photo), ms per step at
299 x 299 and 800 px, achieved GFLOP/s against this machine's measured matmul rate, the
peak memory of a tiled 4096 x 3072 dream, and pictures per minute of a batch of 8 against
8 separate commands (automatic workers and one), each installed Keras backend side by
side (start-up, ms per step, agreement with TensorFlow), and the phases of a cold start (import,
network build, weights, first step, later steps) against an earlier commit of this code, in the
same run. Run it through ``scripts/bench``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("PYDREAM_SHARED", ROOT.parent / "shared"))
WEIGHTS = Path(
    os.environ.get(
        "PYDREAM_BENCH_WEIGHTS",
        SHARED / "weights" / "inception_v3_apple2015_bnfolded_PARTIAL_notop.weights.h5",
    )
)
JELLYFISH = SHARED / "images" / "jellyfish.jpg"
BATCH_PHOTOS = ("jellyfish.jpg", "shanghai.jpg", "sky_clouds.jpg")
BATCH_SIZE = (384, 288)  # one camera's shape: the compiled steps serve every picture
BLOG_LAYERS = {"mixed2": 0.2, "mixed3": 0.8, "mixed4": 2.0, "mixed5": 4.0, "mixed6": 5.0}
BLOG = {"step": 0.025, "num_octave": 5, "octave_scale": 1.4, "iterations": 20, "border": 0}


# --- the plain reference: the canonical algorithm written as a Keras user would -------------


def plain_dream(rgb, layers, step, num_octave, octave_scale, iterations, border):
    """DeepDream, plainly: one tf.function step (retraced per octave size), float32."""
    import keras
    import numpy as np
    import tensorflow as tf

    base = keras.applications.InceptionV3(include_top=False, weights=None)
    base.load_weights(str(WEIGHTS))
    extractor = keras.Model(base.input, {name: base.get_layer(name).output for name in layers})

    @tf.function
    def gradient_ascent_step(image):
        with tf.GradientTape() as tape:
            tape.watch(image)
            features = extractor(image, training=False)
            loss = tf.zeros(())
            for name, coefficient in layers.items():
                activation = features[name]
                size = tf.cast(tf.size(activation), tf.float32)
                if border:
                    activation = activation[:, border:-border, border:-border, :]
                loss += coefficient * tf.reduce_sum(tf.square(activation)) / size
        gradient = tape.gradient(loss, image)
        gradient /= tf.maximum(tf.reduce_mean(tf.abs(gradient)), 1e-7)
        return image + step * gradient

    original = rgb.astype(np.float32)[None] / 127.5 - 1
    height, width = rgb.shape[:2]
    shapes = [
        (int(height / octave_scale**i), int(width / octave_scale**i)) for i in range(num_octave)
    ]
    shapes = shapes[::-1]
    shrunk = tf.image.resize(original, shapes[0])
    dream = tf.constant(original)
    for shape in shapes:
        dream = tf.image.resize(dream, shape)
        for _ in range(iterations):
            dream = gradient_ascent_step(dream)
        same_size = tf.image.resize(original, shape)
        dream = dream + same_size - tf.image.resize(shrunk, shape)
        shrunk = same_size
    return np.clip(np.rint((dream[0].numpy() + 1) * 127.5), 0, 255).astype(np.uint8)


# --- child processes -------------------------------------------------------------------------


def child_whole(implementation: str, image: str) -> None:
    """One whole dream in this process (imports and model build included)."""
    import numpy as np
    from PIL import Image

    if implementation == "plain":
        rgb = np.asarray(Image.open(image).convert("RGB"))
        plain_dream(rgb, BLOG_LAYERS, **BLOG)
        return
    import pydream

    precision = "bfloat16" if implementation == "bfloat16" else "float32"
    pydream.deep_dream(image, BLOG_LAYERS, weights=str(WEIGHTS), max_loss=None, precision=precision,
                       **BLOG)  # fmt: skip


def child_tiled(image: str, tile_size: int) -> None:
    """A tiled dream of a large photo (2 octaves, up to mixed5), for peak memory."""
    import pydream

    pydream.deep_dream(image, {"mixed3": 1.0, "mixed5": 1.0}, weights=str(WEIGHTS), num_octave=2,
                       iterations=2, max_loss=None, tile_size=tile_size, seed=0)  # fmt: skip


def child_backend(image: str, repeats: int, out: str) -> None:
    """On this process's Keras backend: start-up (import, model build, first step), median
    ms per blog-layer step at 299 x 299 and 536 x 800 (float32), and one step's change on
    ``image`` for the agreement with TensorFlow; written as JSON to ``out`` (the change
    beside it as .npy)."""
    import json

    start = time.perf_counter()
    import numpy as np
    from PIL import Image

    from pydream.engine.dream import DEFAULT_DREAMER, resolve_settings
    from pydream.nets import backend

    engine = DEFAULT_DREAMER.engine(resolve_settings(BLOG_LAYERS, None, {"weights": str(WEIGHTS)}))
    rgb = np.asarray(Image.open(image).convert("RGB").resize((320, 240)))
    photo = rgb.astype(np.float32)[None] / 127.5 - 1.0
    updated, _ = engine.step(photo, 0.01)
    change = backend.to_numpy(updated) - photo
    result: dict[str, float] = {"start_s": time.perf_counter() - start}
    for height, width in ((299, 299), (536, 800)):
        tensor = backend.to_tensor(np.random.default_rng(0).uniform(-1, 1, (1, height, width, 3)))
        backend.to_numpy(engine.step(tensor, 0.01)[0])  # compiles for this size
        times = []
        for _ in range(repeats):
            begin = time.perf_counter()
            backend.to_numpy(engine.step(tensor, 0.01)[0])
            times.append((time.perf_counter() - begin) * 1000)
        result[f"{width}x{height}_ms"] = statistics.median(times)
    np.save(out + ".npy", change)
    Path(out).write_text(json.dumps(result))


def backend_section(image: Path, workdir: Path, repeats: int) -> None:
    """Each installed Keras backend side by side, in a child process each."""
    import importlib.util
    import json

    import numpy as np

    print(f"\nbackends side by side (float32, blog layers, median of {repeats} steps; each in "
          "its own process):")  # fmt: skip
    changes: dict[str, np.ndarray] = {}
    for name, module in (("tensorflow", "tensorflow"), ("jax", "jax"), ("torch", "torch")):
        if importlib.util.find_spec(module) is None:
            print(f"  {name:10s} not installed")
            continue
        out = str(workdir / f"backend_{name}.json")
        env = dict(os.environ, KERAS_BACKEND=name)
        command = [sys.executable, __file__, "--child", "backend", str(image), str(repeats), out]
        if subprocess.run(command, env=env).returncode != 0:
            print(f"  {name:10s} failed")
            continue
        row = json.loads(Path(out).read_text())
        changes[name] = np.load(out + ".npy")
        agreement = ""
        if name != "tensorflow" and "tensorflow" in changes:
            a, b = (changes[key].ravel().astype(np.float64) for key in ("tensorflow", name))
            cosine = float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))
            agreement = f"  step vs TensorFlow: cosine {cosine:.7f}"
        print(f"  {name:10s} start {row['start_s']:5.1f} s   299 x 299 {row['299x299_ms']:7.1f} ms"
              f"   800 x 536 {row['800x536_ms']:7.1f} ms{agreement}")  # fmt: skip


def run_child(*arguments: str) -> tuple[float, float]:
    """Run this script as a child; return (wall seconds, peak resident memory in GB)."""
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, __file__, *arguments])
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"bench: child {' '.join(arguments)} failed")
    return seconds, usage.ru_maxrss / 1024**2


# --- in-process measurements -----------------------------------------------------------------


def matmul_rate(dtype: str, size: int = 4096, repeats: int = 5) -> float:
    """Measured GFLOP/s of a size x size matmul in ``dtype``."""
    import tensorflow as tf

    a = tf.random.uniform((size, size), dtype=tf.float32)
    a = tf.cast(a, dtype)
    matmul = tf.function(lambda x: tf.matmul(x, x))
    matmul(a).numpy()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        matmul(a).numpy()
        times.append(time.perf_counter() - start)
    return 2 * size**3 / min(times) / 1e9


def step_gflop(extractor, height: int, width: int) -> float:
    """Useful GFLOP of one step: the forward convolutions, twice (input gradient)."""
    import keras
    import numpy as np

    convolutions = [layer for layer in extractor.layers if isinstance(layer, keras.layers.Conv2D)]
    probe = keras.Model(extractor.inputs, [layer.output for layer in convolutions])
    outputs = probe([np.zeros((1, height, width, 3), np.float32)])
    total = 0
    for layer, output in zip(convolutions, outputs, strict=True):
        kernel_height, kernel_width, channels_in, channels_out = layer.kernel.shape
        pixels = int(output.shape[1] * output.shape[2])
        total += 2 * kernel_height * kernel_width * channels_in * channels_out * pixels
    return 2 * total / 1e9


def step_timings(sizes: list[tuple[int, int]], repeats: int) -> list[dict[str, float]]:
    """Median ms per step of plain, engine float32 and engine bfloat16 steps, alternating."""
    import keras
    import numpy as np
    import tensorflow as tf

    import pydream
    from pydream.engine.dream import DEFAULT_DREAMER, resolve_settings

    base = keras.applications.InceptionV3(include_top=False, weights=None)
    base.load_weights(str(WEIGHTS))
    extractor = keras.Model(
        base.inputs, {name: base.get_layer(name).output for name in BLOG_LAYERS}
    )

    @tf.function
    def plain_step(image):
        with tf.GradientTape() as tape:
            tape.watch(image)
            features = extractor(image, training=False)
            loss = tf.add_n(
                [c * tf.reduce_mean(tf.square(features[n])) for n, c in BLOG_LAYERS.items()]
            )
        gradient = tape.gradient(loss, image)
        return image + 0.01 * gradient / tf.maximum(tf.reduce_mean(tf.abs(gradient)), 1e-7)

    engines = {
        precision: DEFAULT_DREAMER.engine(
            resolve_settings(BLOG_LAYERS, None, {"weights": str(WEIGHTS), "precision": precision})
        )
        for precision in ("float32", "bfloat16")
    }
    del pydream
    results = []
    for height, width in sizes:
        image = tf.constant(
            np.random.default_rng(0).uniform(-1, 1, (1, height, width, 3)), tf.float32
        )
        runners = {
            "plain": lambda image=image: plain_step(image).numpy(),
            "float32": lambda image=image: engines["float32"].step(image, 0.01)[0].numpy(),
            "bfloat16": lambda image=image: engines["bfloat16"].step(image, 0.01)[0].numpy(),
        }
        times: dict[str, list[float]] = {name: [] for name in runners}
        for run in runners.values():
            run()
        for _ in range(repeats):
            for name, run in runners.items():
                start = time.perf_counter()
                run()
                times[name].append((time.perf_counter() - start) * 1000)
        row = {name: statistics.median(values) for name, values in times.items()}
        row["gflop"] = step_gflop(extractor, height, width)
        row["height"], row["width"] = height, width
        results.append(row)
    return results


def quality(image: Path, workdir: Path) -> None:
    """Blog-settings dreams in float32 and bfloat16, both scored by the float32 network."""
    import numpy as np
    import tensorflow as tf
    from PIL import Image

    import pydream
    from pydream.engine.dream import DEFAULT_DREAMER, resolve_settings

    scorer = DEFAULT_DREAMER.engine(
        resolve_settings(BLOG_LAYERS, None, {"weights": str(WEIGHTS), "border": 0})
    ).objective
    losses = {}
    for precision in ("float32", "bfloat16"):
        output = workdir / f"dream_{precision}.png"
        dream = pydream.deep_dream(image, BLOG_LAYERS, weights=str(WEIGHTS), max_loss=None,
                                   precision=precision, output=output, seed=0, **BLOG)  # fmt: skip
        losses[precision] = float(scorer(tf.constant(pydream.preprocess_image(dream))))
        print(f"  {precision:9s} float32-evaluated loss {losses[precision]:.3f}  ({output})")
    gap = abs(losses["bfloat16"] - losses["float32"]) / losses["float32"]
    print(f"  bfloat16 vs float32 loss: {100 * gap:.1f}% apart")
    # The measure's own noise: the same float32 dream of the photo nudged by one pixel level.
    pixels = np.asarray(Image.open(image).convert("RGB")).astype(np.int16)
    nudge = np.random.default_rng(1).integers(-1, 2, pixels.shape)
    nudged = np.clip(pixels + nudge, 0, 255).astype(np.uint8)
    dream = pydream.deep_dream(nudged, BLOG_LAYERS, weights=str(WEIGHTS), max_loss=None,
                               precision="float32", seed=0, **BLOG)  # fmt: skip
    loss = float(scorer(tf.constant(pydream.preprocess_image(dream))))
    noise = abs(loss - losses["float32"]) / losses["float32"]
    print(f"  float32 dream of the photo nudged by +-1 pixel level: {100 * noise:.1f}% from "
          "the float32 dream (the measure's own noise)")  # fmt: skip


# --- batches ---------------------------------------------------------------------------------


def batch_pictures(folder: Path, count: int = 8) -> list[Path]:
    """``count`` different 384 x 288 pictures cut from the example photos (crops, mirrors)."""
    from PIL import Image, ImageOps

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(count):
        photo = Image.open(SHARED / "images" / BATCH_PHOTOS[index % len(BATCH_PHOTOS)])
        photo = ImageOps.fit(photo.convert("RGB"), BATCH_SIZE, centering=(index / count, 0.5))
        photo = ImageOps.mirror(photo) if index % 2 else photo
        paths.append(folder / f"photo_{index}.png")
        photo.save(paths[-1])
    return paths


def pydream_command(*arguments: str) -> float:
    """Run ``pydream ARGUMENTS --weights WEIGHTS --quiet``; return its wall seconds."""
    pydream = [sys.executable, "-m", "pydream.cli"]
    return run_command([*pydream, *arguments, "--weights", str(WEIGHTS), "--quiet"])


def run_command(command: list[str]) -> float:
    start = time.perf_counter()
    if subprocess.run(command).returncode != 0:
        raise SystemExit(f"bench: {' '.join(command)} failed")
    return time.perf_counter() - start


def batch_section(workdir: Path, rounds: int) -> None:
    """Pictures per minute of one ``pydream batch`` of 8 (its automatic workers, and one
    worker) against 8 ``pydream dream``, default settings; then a rerun of the finished batch
    (every output there: nothing to dream)."""
    pictures = batch_pictures(workdir / "batch_in")
    count = len(pictures)
    times: dict[str, list[float]] = {"batch": [], "batch_1": [], "commands": [], "rerun": []}
    for round_index in range(rounds):
        out = workdir / f"batch_out_{round_index}"
        times["batch"].append(pydream_command("batch", str(workdir / "batch_in"), "-o", str(out)))
        one = str(workdir / f"batch_one_{round_index}")
        times["batch_1"].append(
            pydream_command("batch", str(workdir / "batch_in"), "-o", one, "--workers", "1")
        )
        times["rerun"].append(pydream_command("batch", str(workdir / "batch_in"), "-o", str(out)))
        separate = workdir / f"commands_{round_index}"
        separate.mkdir()
        times["commands"].append(sum(
            pydream_command("dream", str(path), "-o", str(separate / path.name))
            for path in pictures
        ))  # fmt: skip
    median = {name: statistics.median(values) for name, values in times.items()}
    width, height = BATCH_SIZE
    print(f"\npictures per minute, batch of {count} at {width} px ({width} x {height}, default "
          f"settings): one batch vs {count} commands, median of {rounds}:")  # fmt: skip
    labels = {"commands": "commands", "batch_1": "batch, 1 worker", "batch": "batch, auto"}
    for name, label in labels.items():
        runs = ", ".join(f"{value:.1f}" for value in times[name])
        print(f"  {label:16s} {median[name]:6.1f} s  ({runs})  {60 * count / median[name]:5.1f} "
              f"pictures/min  x{median['commands'] / median[name]:.2f}")  # fmt: skip
    print(f"  rerun of the finished batch (all {count} skipped): {median['rerun']:.1f} s")


# --- the phases of a cold start, against an earlier commit -----------------------------------

PHASES_BASELINE = "fe0282a"
"""The commit before networks were built once and folded in place (``--phases-baseline``)."""
PHASES = ("import", "network", "weights", "first_step", "later_step")


def child_phases(image: str, out: str) -> None:
    """Seconds of each phase of a cold start in this process, as JSON to ``out``: importing
    pydream and Keras, building the network (without loading weights), loading the weights,
    the first step (tracing included), and the median of five later steps. Default settings
    (``pydream dream``'s), the image as it is; written for any commit of pydream."""
    start = time.perf_counter()
    import importlib

    import pydream
    from pydream._quiet import import_keras

    import_keras()
    import keras
    import numpy as np
    from PIL import Image

    dream = importlib.import_module("pydream.dream")  # the old module path works everywhere
    times = {"import": time.perf_counter() - start, "weights": 0.0}
    load_weights = keras.Model.load_weights

    def timed_load_weights(self, *arguments, **keywords):  # type: ignore[no-untyped-def]
        begin = time.perf_counter()
        try:
            return load_weights(self, *arguments, **keywords)
        finally:
            times["weights"] += time.perf_counter() - begin

    keras.Model.load_weights = timed_load_weights
    begin = time.perf_counter()
    engine = dream.DEFAULT_DREAMER.engine(
        dream.resolve_settings(None, None, {"weights": str(WEIGHTS)})
    )
    times["network"] = time.perf_counter() - begin - times["weights"]
    rgb = np.asarray(Image.open(image).convert("RGB"))
    photo = rgb.astype(np.float32)[None] / 127.5 - 1.0
    steps = []
    for _ in range(6):
        begin = time.perf_counter()
        photo = np.asarray(engine.step(photo, 0.01)[0])
        steps.append(time.perf_counter() - begin)
    times["first_step"], times["later_step"] = steps[0], statistics.median(steps[1:])
    del pydream
    Path(out).write_text(json.dumps(times))


def baseline_tree(workdir: Path, ref: str) -> Path:
    """A checkout of commit ``ref`` of this repository (a detached ``git worktree``)."""
    tree = workdir / f"baseline_{ref}"
    command = ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), ref]
    if subprocess.run(command, capture_output=True).returncode != 0:
        raise SystemExit(f"bench: cannot check out {ref} (--phases-baseline takes a commit)")
    return tree


def phases_section(workdir: Path, image: Path, rounds: int, ref: str) -> None:
    """Each phase of a cold start, this code against commit ``ref``, in alternating child
    processes; medians and the ratio baseline / this code."""
    tree = baseline_tree(workdir, ref)
    results: dict[str, list[dict[str, float]]] = {"this": [], ref: []}
    try:
        for index in range(rounds):
            for name, path in (("this", ROOT), (ref, tree)):
                out = workdir / f"phases_{name}_{index}.json"
                env = dict(os.environ, PYTHONPATH=str(path))
                command = [sys.executable, __file__, "--child", "phases", str(image), str(out)]
                if subprocess.run(command, env=env, cwd=path).returncode != 0:
                    raise SystemExit(f"bench: the phases child of {name} failed")
                results[name].append(json.loads(out.read_text()))
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)])
    print(f"\ncold start by phase, default settings, {image.name}, median of {rounds} "
          f"processes each (seconds; x: {ref} / this code):")  # fmt: skip
    totals = {name: 0.0 for name in results}
    for phase in PHASES:
        medians = {
            name: statistics.median(run[phase] for run in runs) for name, runs in results.items()
        }
        for name in totals:
            totals[name] += medians[name] if phase not in ("import", "later_step") else 0.0
        print(f"  {phase:11s} {ref} {medians[ref]:6.2f}   this {medians['this']:6.2f}   "
              f"x{medians[ref] / medians['this']:.2f}")  # fmt: skip
    print(f"  after the import, to the first step done: {ref} {totals[ref]:.2f} s, this "
          f"{totals['this']:.2f} s  x{totals[ref] / totals['this']:.2f}")  # fmt: skip


# --- the report ------------------------------------------------------------------------------


def visualize_timings(repeats: int, size: int = 224) -> dict[str, float]:
    """Median ms per visualisation step (Adam, standard transforms, decorrelated colours) of
    the pixel and the Fourier parameterisation, alternating, one picture of mixed4:0."""
    import numpy as np

    from pydream.visual.parameterization import ImageParam
    from pydream.visual.request import drawing_request
    from pydream.visual.transforms import parse_transforms
    from pydream.visual.visualize import Optimisation, Scorer

    objectives = drawing_request("mixed4:0", None, None, 1).objectives
    scorer = Scorer(objectives, "inception_v3", str(WEIGHTS))
    chain = parse_transforms("standard")
    runs = {}
    for param in ("pixel", "fft"):
        image = ImageParam(size, size, param, 1.0, True)
        optimisation = Optimisation(image, chain, scorer, 0.05, 1)
        start = image.initial(1, np.random.default_rng(0), 0.1)
        runs[param] = (optimisation, start)
    times: dict[str, list[float]] = {name: [] for name in runs}
    rng = np.random.default_rng(1)
    for optimisation, start in runs.values():
        optimisation.run(start, 2, rng, False)  # compile
    for _ in range(repeats):
        for name, (optimisation, start) in runs.items():
            began = time.perf_counter()
            optimisation.run(start, 1, rng, False)
            times[name].append((time.perf_counter() - began) * 1000)
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--rounds", type=int, default=2, help="whole-process runs of each (best)")
    parser.add_argument("--repeats", type=int, default=7, help="timed steps per size")
    parser.add_argument("--skip-whole", action="store_true")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--skip-steps", action="store_true", help="no per-step timings")
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--skip-batch", action="store_true")
    parser.add_argument("--skip-backends", action="store_true")
    parser.add_argument("--skip-phases", action="store_true", help="no cold-start phases")
    parser.add_argument("--skip-visualize", action="store_true", help="no visualisation steps")
    parser.add_argument("--phases-baseline", default=PHASES_BASELINE, metavar="COMMIT",
                        help="the commit the cold-start phases are compared with")  # fmt: skip
    options = parser.parse_args()
    if options.child:
        kind, *rest = options.child
        if kind == "whole":
            child_whole(rest[0], rest[1])
        elif kind == "backend":
            child_backend(rest[0], int(rest[1]), rest[2])
        elif kind == "phases":
            child_phases(rest[0], rest[1])
        else:
            child_tiled(rest[0], int(rest[1]))
        return
    if not WEIGHTS.is_file() or not JELLYFISH.is_file():
        raise SystemExit(f"bench: needs {WEIGHTS} and {JELLYFISH} (set PYDREAM_SHARED)")

    from PIL import Image

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    workdir = Path(tempfile.mkdtemp(prefix="pydream-bench-"))
    photo = Image.open(JELLYFISH).convert("RGB")
    small = photo.resize((800, round(800 * photo.height / photo.width)), Image.Resampling.LANCZOS)
    small_path = workdir / "jellyfish_800.png"
    small.save(small_path)
    print(f"machine: {os.cpu_count()} cores; Python {sys.version.split()[0]}")

    if not options.skip_phases:
        small_320 = workdir / "jellyfish_320.png"
        photo.resize((320, round(320 * photo.height / photo.width))).save(small_320)
        phases_section(workdir, small_320, max(options.rounds, 3), options.phases_baseline)

    if not options.skip_whole:
        print(f"\nwhole process, blog settings (5 octaves x 20 steps, max_loss off), "
              f"{small.width} x {small.height} jellyfish, best of {options.rounds}:")  # fmt: skip
        seconds: dict[str, list[float]] = {"plain": [], "float32": [], "bfloat16": []}
        for _ in range(options.rounds):
            for name in seconds:
                seconds[name].append(run_child("--child", "whole", name, str(small_path))[0])
        best = {name: min(values) for name, values in seconds.items()}
        for name, value in best.items():
            ratio = best["plain"] / value
            runs = ", ".join(f"{v:.1f}" for v in seconds[name])
            print(f"  {name:9s} {value:6.1f} s  ({runs})  speed-up vs plain x{ratio:.2f}")

    if not options.skip_steps:
        print("\nper step (median ms), engine vs plain in this process:")
        f32_rate, bf16_rate = matmul_rate("float32"), matmul_rate("bfloat16")
        print(f"  matmul 4096^2: float32 {f32_rate:.0f} GFLOP/s, bfloat16 {bf16_rate:.0f} GFLOP/s")
        for row in step_timings([(299, 299), (536, 800)], options.repeats):
            gflop = row["gflop"]
            print(f"  {int(row['width'])} x {int(row['height'])} ({gflop:.1f} GFLOP/step):")
            for name, rate in (("plain", f32_rate), ("float32", f32_rate), ("bfloat16", bf16_rate)):
                achieved = gflop / (row[name] / 1000)
                print(f"    {name:9s} {row[name]:7.1f} ms  x{row['plain'] / row[name]:.2f}  "
                      f"{achieved:5.0f} GFLOP/s = {100 * achieved / rate:.0f}% of {name if name != 'plain' else 'float32'} matmul")  # fmt: skip  # noqa: E501

    if not options.skip_visualize:
        rows = visualize_timings(max(options.repeats, 9))
        print("\nvisualisation, 224 x 224, one step (median ms; Adam, standard transforms, "
              "decorrelated colours):")  # fmt: skip
        for name, value in rows.items():
            print(f"  {name:6s} {value:7.1f} ms  {1000 / value:5.1f} steps/s  "
                  f"x{value / rows['pixel']:.2f} a pixel step")  # fmt: skip

    if not options.skip_quality:
        print("\ndream quality at the blog settings (800 px):")
        quality(small_path, workdir)

    if not options.skip_memory:
        big = photo.resize((4096, 3072), Image.Resampling.BILINEAR)
        big_path = workdir / "jellyfish_4096.png"
        big.save(big_path)
        seconds_big, peak = run_child("--child", "tiled", str(big_path), "512")
        print(f"\ntiled dream of 4096 x 3072 (tile_size 512, 2 octaves x 2 steps, to mixed5): "
              f"peak {peak:.2f} GB resident, {seconds_big:.0f} s")  # fmt: skip

    if not options.skip_backends:
        backend_section(JELLYFISH, workdir, options.repeats)

    if not options.skip_batch:
        batch_section(workdir, options.rounds)


if __name__ == "__main__":
    main()

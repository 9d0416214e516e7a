"""Render the documentation's gallery: one small picture per feature, with its exact call.

Each entry of ``ENTRIES`` is data: the pydream function, its arguments, and how its output
becomes the gallery's picture. The script runs each call with the real Inception-v3 weights
(``PYDREAM_WEIGHTS_DIR``, so the calls say nothing about weights, as a user's would not) in a
work folder holding the inputs that ``prepare_inputs`` makes, and writes:

- ``docs/gallery/ID.jpg``: the picture, at most 640 pixels wide, JPEG quality 85;
- ``docs/gallery/gallery.json``: per entry its title, feature, text, the Python call and the
  command line that makes the same dream (both written from the same data as the call that
  ran), the picture's name and size; and the source of ``prepare_inputs``.

The command line shown is checked, not run: ``pydream.cli.main`` parses it with the dreaming
function replaced by a recorder, and the recorded call must equal the Python call.

Usage: ``scripts/render-gallery [--only ID ...] [--list]``. The pictures are dreams of CC BY-SA
photos and are licensed CC BY-SA (see the gallery page and ``rpackage/inst/COPYRIGHTS``).
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import json
import os
import shlex
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SHARED = Path(os.environ.get("PYDREAM_SHARED", ROOT.parent / "shared"))
GALLERY = ROOT / "docs" / "gallery"
MAX_WIDTH = 640
WIDTH = 80
"""Characters of a line of a call shown on the gallery page, at most."""
QUALITY = 85

QUICK = {"iterations": 10, "num_octave": 3, "step": 0.02, "max_loss": None}
"""Settings that keep a feature's dream to seconds on a 2-core CPU."""

ENTRIES: list[dict[str, Any]] = [
    {
        "id": "preset-jellyfish",
        "feature": "presets",
        "title": "The jellyfish preset",
        "text": "The R blog post's settings: mixed2 to mixed6, 5 octaves of 20 steps of 0.025.",
        "function": "deep_dream",
        "args": ["jellyfish.jpg"],
        "kwargs": {"preset": "jellyfish", "output": "preset-jellyfish.png"},
    },
    {
        "id": "preset-chollet",
        "feature": "presets",
        "title": "The chollet preset, on Shanghai",
        "text": "The Keras example's layers (mixed2 to mixed5), here with a larger step.",
        "function": "deep_dream",
        "args": ["shanghai.jpg"],
        "kwargs": {"preset": "chollet", "step": 0.02, "output": "preset-chollet.png"},
    },
    {
        "id": "layers-low",
        "feature": "layers",
        "title": "A low layer: mixed3",
        "text": "A low block paints strokes, eyes and small loops.",
        "function": "deep_dream",
        "args": ["jellyfish.jpg", {"mixed3": 1.0}],
        "kwargs": {**QUICK, "output": "layers-low.png"},
    },
    {
        "id": "layers-high",
        "feature": "layers",
        "title": "A higher layer: mixed6",
        "text": "A higher block grows larger, furrier structures, and fewer eyes.",
        "function": "deep_dream",
        "args": ["jellyfish.jpg", {"mixed6": 1.0}],
        "kwargs": {**QUICK, "iterations": 20, "num_octave": 4, "output": "layers-high.png"},
    },
    {
        "id": "channel",
        "feature": "channels",
        "title": "One channel: mixed4:97",
        "text": "A single channel of a block dreams one motif all over the picture.",
        "function": "deep_dream",
        "args": ["jellyfish.jpg", {"mixed4:97": 1.0}],
        "kwargs": {**QUICK, "iterations": 20, "output": "channel.png"},
    },
    {
        "id": "unguided",
        "feature": "guide",
        "title": "Unguided, for comparison",
        "text": "mixed4 and mixed5 on their own: furry eyes and dots.",
        "function": "deep_dream",
        "args": ["jellyfish.jpg", {"mixed4": 1.0, "mixed5": 1.0}],
        "kwargs": {**QUICK, "iterations": 20, "output": "unguided.png"},
    },
    {
        "id": "guide",
        "feature": "guide",
        "title": "Guided by a cloud photo",
        "text": "The same layers, each position pushed toward the feature of the cloud photo it "
        "already resembles most: softer, smoother shapes.",
        "function": "deep_dream",
        "args": ["jellyfish.jpg", {"mixed4": 1.0, "mixed5": 1.0}],
        "kwargs": {**QUICK, "iterations": 20, "guide": "clouds.jpg", "output": "guide.png"},
    },
    {
        "id": "mask",
        "feature": "mask",
        "title": "Masked: dream on the right only",
        "text": "mask.png is black on the left, white on the right, with a soft edge between.",
        "function": "deep_dream",
        "args": ["jellyfish.jpg", {"mixed3": 1.0}],
        "kwargs": {**QUICK, "iterations": 15, "mask": "mask.png", "output": "masked.png"},
    },
    {
        "id": "per-octave",
        "feature": "per-octave layers",
        "title": "One objective per octave",
        "text": "The small octave dreams shapes (mixed6), the large ones texture (mixed3).",
        "function": "deep_dream",
        "args": ["jellyfish.jpg", [{"mixed6": 2.0}, {"mixed3": 1.0}]],
        "kwargs": {**QUICK, "iterations": 15, "output": "per-octave.png"},
    },
    {
        "id": "smoothing",
        "feature": "smoothing",
        "title": "Smoother gradients",
        "text": "The jellyfish preset with a Laplacian-pyramid normalisation and a blur of "
        "1.5 pixels on each gradient: shapes rather than pixel noise.",
        "function": "deep_dream",
        "args": ["jellyfish.jpg"],
        "kwargs": {
            "preset": "jellyfish",
            "normalize": "laplacian",
            "smoothing": 1.5,
            "output": "smoothing.png",
        },
    },
    {
        "id": "gallery-layers",
        "feature": "gallery sheets",
        "title": "A contact sheet of layers",
        "text": "One small dream per layer, with the same settings and one model build.",
        "function": "dream_gallery",
        "args": ["jellyfish.jpg", ["mixed3", "mixed4", "mixed5", "mixed6", "mixed7", "mixed8"]],
        "kwargs": {
            "size": 200,
            "columns": 3,
            "photo": False,
            "num_octave": 2,
            "iterations": 15,
            "step": 0.03,
            "output": "gallery-layers.png",
        },
    },
    {
        "id": "gallery-channels",
        "feature": "gallery sheets",
        "title": "A contact sheet of channels",
        "text": "Eight channels of mixed4 (97 among them), one tile each.",
        "function": "dream_gallery",
        "args": ["jellyfish.jpg"],
        "kwargs": {
            "channels": "mixed4:96-103",
            "size": 200,
            "columns": 4,
            "photo": False,
            "num_octave": 2,
            "iterations": 30,
            "step": 0.04,
            "output": "gallery-channels.png",
        },
    },
    {
        "id": "zoom",
        "feature": "zoom",
        "title": "An endless zoom",
        "text": "Frames 0, 4 and 8 of nine: each frame is the previous dream zoomed 8% into "
        "its centre, turned one degree and dreamed again.",
        "function": "dream_zoom",
        "args": ["jellyfish.jpg", "zoom"],
        "kwargs": {
            "frames": 9,
            "zoom": 1.08,
            "rotate": 1.0,
            "layers": {"mixed4": 1.0},
            "iterations": 5,
            "num_octave": 2,
            "step": 0.02,
            "max_loss": None,
        },
        "picture": {"frames": "zoom", "show": [0, 4, 8]},
    },
    {
        "id": "video",
        "feature": "video frames",
        "title": "A video dreamed along the optical flow",
        "text": "A pan across Shanghai (the folder pan/: eight frames, 8 pixels apart), "
        "dreamed frame by frame: frames 0, 3 and 7. The dream moves with the skyline.",
        "function": "dream_video",
        "args": ["pan", "pan-dream"],
        "kwargs": {
            "layers": {"mixed4": 1.0},
            "iterations": 10,
            "num_octave": 2,
            "step": 0.02,
            "max_loss": None,
            "seed": 1,
        },
        "picture": {"frames": "pan-dream", "show": [0, 3, 7]},
    },
]
"""The gallery, in the order of the page."""


def prepare_inputs(photos: Path) -> None:
    """Write the inputs of the calls into the current folder (the photos shrunk, a mask,
    the frames of a pan)."""
    jellyfish = Image.open(photos / "jellyfish.jpg").convert("RGB")
    jellyfish.thumbnail((480, 480))  # 480 x 321
    jellyfish.save("jellyfish.jpg", quality=95)
    shanghai = Image.open(photos / "shanghai.jpg").convert("RGB").resize((480, 240))
    shanghai.save("shanghai.jpg", quality=95)
    clouds = Image.open(photos / "sky_clouds.jpg").convert("RGB")
    clouds.thumbnail((400, 400))
    clouds.save("clouds.jpg", quality=95)
    # black on the left, white on the right, a soft edge over a fifth of the width
    width, height = jellyfish.size
    ramp = np.clip((np.arange(width) - 0.4 * width) / (0.2 * width), 0, 1)
    Image.fromarray(np.uint8(np.tile(ramp, (height, 1)) * 255)).save("mask.png")
    # a pan: eight crops of 240 x 180, 8 pixels apart
    Path("pan").mkdir(exist_ok=True)
    for index in range(8):
        left = 100 + 8 * index
        shanghai.crop((left, 30, left + 240, 210)).save(f"pan/frame_{index:02d}.png")


def literal(value: Any) -> str:
    """``value`` as Python source, strings in double quotes."""
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(literal(item) for item in value) + "]"
    return repr(value)


def python_call(entry: dict[str, Any]) -> str:
    """The Python call of ``entry``, as run."""
    parts = [literal(arg) for arg in entry["args"]]
    parts += [f"{name}={literal(value)}" for name, value in entry["kwargs"].items()]
    head = f"pydream.{entry['function']}("
    one_line = head + ", ".join(parts) + ")"
    if len(one_line) <= WIDTH:
        return one_line
    lines, line = [], "    "
    for part in parts:
        if len(line) + len(part) + 2 > WIDTH and line.strip():
            lines.append(line.rstrip())
            line = "    "
        line += part + ", "
    lines.append(line.rstrip())
    return head + "\n" + "\n".join(lines) + "\n)"


def option_value(name: str, value: Any) -> str:
    """A keyword argument's value as the command line spells it."""
    if value is None:
        return "none"
    if name == "layers" and isinstance(value, dict):
        return ",".join(f"{key}={number}" for key, number in value.items())
    if name == "layers" and value and isinstance(value[0], dict):
        return ";".join(option_value(name, mapping) for mapping in value)
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    return str(value)


COMMANDS = {"deep_dream": "dream", "dream_gallery": "gallery", "dream_zoom": "zoom",
            "dream_video": "video"}  # fmt: skip


def cli_arguments(entry: dict[str, Any]) -> list[str]:
    """The ``pydream`` command's arguments that make the same dream as ``entry``'s call."""
    function, args, kwargs = entry["function"], list(entry["args"]), dict(entry["kwargs"])
    if function in ("deep_dream", "dream_gallery") and len(args) > 1:
        kwargs = {"layers": args.pop(), **kwargs}
    output = args.pop() if function in ("dream_zoom", "dream_video") else kwargs.pop("output")
    words = [COMMANDS[function], *args, "-o", output]
    for name, value in kwargs.items():
        flag = "--" + name.replace("_", "-")
        if value is True:
            words.append(flag)
        elif value is False and name == "photo":
            words.append("--no-photo")
        else:
            words += [flag, option_value(name, value)]
    return words


def cli_call(entry: dict[str, Any]) -> str:
    """The command line of ``entry``, an option and its value kept together on a line, lines
    continued with a backslash."""
    words = [shlex.quote(word) for word in cli_arguments(entry)]
    groups, index = [], 0
    while index < len(words):
        takes_value = index + 1 < len(words) and not words[index + 1].startswith("-")
        count = 2 if words[index].startswith("-") and takes_value else 1
        groups.append(" ".join(words[index : index + count]))
        index += count
    lines, line = [], "pydream"
    for group in groups:
        if len(line) + len(group) + 3 > WIDTH:
            lines.append(line + " \\")
            line = "   "
        line += " " + group
    return "\n".join([*lines, line])


def target(function: str) -> tuple[Any, str]:
    """The module whose attribute ``function`` the command line calls, and the name."""
    from pydream.engine import dream
    from pydream.motion import dreams
    from pydream.run import gallery

    modules = {"deep_dream": dream, "dream_gallery": gallery, "dream_zoom": dreams,
               "dream_video": dreams}  # fmt: skip
    return modules[function], function


def bound_call(function: Any, args: list[Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    """The arguments of a call that differ from ``function``'s defaults, by name."""
    from pydream.settings import Default

    signature = inspect.signature(function)
    bound = signature.bind(*args, **kwargs)
    named = dict(bound.arguments)
    named.update(named.pop("settings", {}))
    result = {}
    for name, value in named.items():
        parameter = signature.parameters.get(name)
        default = parameter.default if parameter is not None else inspect.Parameter.empty
        default = default.value if isinstance(default, Default) else default
        if name == "progress" or value == default:
            continue
        result[name] = [value] if name == "channels" and isinstance(value, str) else value
    return {
        name: str(value) if isinstance(value, Path) else value for name, value in result.items()
    }


def check_cli(entry: dict[str, Any]) -> None:
    """Parse the entry's command line with the dreaming function replaced by a recorder; the
    call it makes must be the Python call."""
    from pydream import cli

    module, name = target(entry["function"])
    real = getattr(module, name)
    recorded: dict[str, Any] = {}

    def recorder(*args: Any, **kwargs: Any) -> Any:
        recorded.update(bound_call(real, list(args), kwargs))
        return kwargs.get("output") or args[1]

    setattr(module, name, recorder)
    try:
        with open(os.devnull, "w") as quiet, contextlib.redirect_stderr(quiet):
            cli.main(cli_arguments(entry))
    finally:
        setattr(module, name, real)
    expected = bound_call(real, entry["args"], entry["kwargs"])
    if recorded != expected:
        raise SystemExit(f"{entry['id']}: the command line makes {recorded}, not {expected}")


def shrink(picture: Image.Image) -> Image.Image:
    picture = picture.convert("RGB")
    if picture.width > MAX_WIDTH:
        height = round(picture.height * MAX_WIDTH / picture.width)
        picture = picture.resize((MAX_WIDTH, height), Image.Resampling.LANCZOS)
    return picture


def frames_strip(entry: dict[str, Any]) -> Image.Image:
    """Chosen frames side by side (under the source frames, for a video)."""
    spec = entry["picture"]
    rows = [spec["frames"]] if "source" not in spec else [spec["source"], spec["frames"]]
    pictures = [
        [Image.open(sorted(Path(row).glob("*.png"))[i]) for i in spec["show"]] for row in rows
    ]
    width, height = pictures[0][0].size
    gap = 4
    sheet = Image.new("RGB", (len(spec["show"]) * (width + gap) - gap,
                              len(rows) * (height + gap) - gap), "white")  # fmt: skip
    for row, images in enumerate(pictures):
        for column, image in enumerate(images):
            sheet.paste(image.convert("RGB"), (column * (width + gap), row * (height + gap)))
    return sheet


def render(entry: dict[str, Any]) -> dict[str, Any]:
    """Run ``entry``'s call here and write its picture; return its gallery record."""
    import pydream

    started = time.monotonic()
    getattr(pydream, entry["function"])(*entry["args"], **entry["kwargs"])
    seconds = time.monotonic() - started
    if "picture" in entry:
        picture = shrink(frames_strip(entry))
    else:
        picture = shrink(Image.open(entry["kwargs"]["output"]))
    name = f"{entry['id']}.jpg"
    picture.save(GALLERY / name, quality=QUALITY, optimize=True)
    print(f"{entry['id']}: {seconds:.1f} s, {(GALLERY / name).stat().st_size // 1024} KB")
    return record(entry, name, picture.size)


def record(entry: dict[str, Any], name: str, size: tuple[int, int]) -> dict[str, Any]:
    return {
        "id": entry["id"], "title": entry["title"], "feature": entry["feature"],
        "text": entry["text"], "python": python_call(entry), "cli": cli_call(entry),
        "picture": name, "width": size[0], "height": size[1],
    }  # fmt: skip


@contextlib.contextmanager
def working_folder() -> Iterator[Path]:
    previous = Path.cwd()
    with tempfile.TemporaryDirectory(prefix="pydream-gallery-") as folder:
        os.chdir(folder)
        try:
            yield Path(folder)
        finally:
            os.chdir(previous)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", help="render these entries only (by id)")
    parser.add_argument("--list", action="store_true", help="print the calls, render nothing")
    options = parser.parse_args(argv)
    if options.list:
        for entry in ENTRIES:
            print(f"# {entry['id']}\n{python_call(entry)}\n{cli_call(entry)}\n")
        return 0
    weights = SHARED / "weights"
    if not list(weights.glob("inception_v3*.h5")) or not (SHARED / "images").is_dir():
        raise SystemExit(f"render-gallery: needs the weights and photos in {SHARED}")
    os.environ["PYDREAM_WEIGHTS_DIR"] = str(weights)
    GALLERY.mkdir(parents=True, exist_ok=True)
    index = GALLERY / "gallery.json"
    old = (
        {item["id"]: item for item in json.loads(index.read_text())["entries"]}
        if index.exists()
        else {}
    )
    records = []
    started = time.monotonic()
    with working_folder():
        prepare_inputs(SHARED / "images")
        for entry in ENTRIES:
            check_cli(entry)
            if options.only and entry["id"] not in options.only and entry["id"] in old:
                kept = old[entry["id"]]
                records.append(record(entry, kept["picture"], (kept["width"], kept["height"])))
                continue
            records.append(render(entry))
    document = {
        "generated_by": "scripts/render-gallery (do not edit: run it again)",
        "licence": "CC BY-SA: dreams of the CC BY-SA photos; see the gallery page",
        "inputs": inspect.getsource(prepare_inputs),
        "entries": records,
    }
    index.write_text(json.dumps(document, indent=2) + "\n")
    for path in GALLERY.glob("*.jpg"):
        if path.name not in {item["picture"] for item in records}:
            path.unlink()
    total = sum(path.stat().st_size for path in GALLERY.glob("*.jpg"))
    seconds = time.monotonic() - started
    print(f"wrote {len(records)} pictures, {total / 1e6:.2f} MB, in {seconds:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

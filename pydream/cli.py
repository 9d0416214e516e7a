"""The ``pydream`` command: ``dream``, ``gallery``, ``zoom``, ``video``, ``batch``, ``layers``,
``presets``, ``classify``.

Every failure prints one line ``pydream: error: ...`` on standard error and exits non-zero
(2 for bad settings or input, 130 for Ctrl-C); no traceback is shown. A batch reports each
picture that fails in such a line, goes on with the others, and exits 1 when any failed.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import Any

from ._version import __version__
from .settings import (
    ANIMATION_SETTINGS,
    FUNCTION_DEFAULTS,
    GROUPS,
    RUN_OPTIONS,
    SETTINGS,
    VISUAL_SETTINGS,
    VISUALIZE_SETTINGS,
    Setting,
)

EXIT_ERROR = 2
EXIT_SOME_FAILED = 1
EXIT_INTERRUPTED = 130


def parse_layer_mapping(text: str) -> dict[str, float]:
    """``"mixed3=0.8,mixed4:97,120=1"`` -> ``{"mixed3": 0.8, "mixed4:97,120": 1.0}``.

    A comma inside a channel list (after ``LAYER:``) belongs to the key.
    """
    layers: dict[str, float] = {}
    pending = ""
    for item in text.split(","):
        name, separator, value = item.strip().partition("=")
        if not separator:
            if not (pending or ":" in name) or not name.strip():
                raise argparse.ArgumentTypeError(
                    f"layer {item.strip()!r} must look like NAME=COEFFICIENT, e.g. mixed3=0.8"
                )
            pending += name.strip() + ","
            continue
        key = (pending + name).strip()
        pending = ""
        if not key:
            raise argparse.ArgumentTypeError(
                f"layer {item.strip()!r} must look like NAME=COEFFICIENT, e.g. mixed3=0.8"
            )
        try:
            layers[key] = float(value)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"coefficient of layer {key!r} must be a number, not {value!r}"
            ) from None
    if pending:
        raise argparse.ArgumentTypeError(
            f"layer {pending.rstrip(',')!r} must look like NAME=COEFFICIENT, e.g. mixed4:97=1"
        )
    return layers


def parse_layers(text: str) -> dict[str, float] | list[dict[str, float]]:
    """One mapping (``"mixed3=0.8,mixed5=4"``), or one per octave separated by ``;``
    (``"mixed3=1;mixed5=1,mixed6=2"``, smallest octave first)."""
    parts = text.split(";")
    if len(parts) == 1:
        return parse_layer_mapping(text)
    return [parse_layer_mapping(part) for part in parts]


def parse_key_list(text: str) -> list[str]:
    """``"mixed3,mixed4"`` -> ``["mixed3", "mixed4"]`` (gallery layers)."""
    keys = [part.strip() for part in text.split(",")]
    if not all(keys):
        raise argparse.ArgumentTypeError(f"must be layer names separated by commas, not {text!r}")
    return keys


def parse_weights(text: str) -> str | None:
    """``imagenet``, ``none`` (random initialisation) or a file path."""
    return None if text.strip().lower() == "none" else text


def parse_tile_size(text: str) -> int | str | None:
    """``auto``, ``none`` (never tile) or a number of pixels."""
    lowered = text.strip().lower()
    if lowered in ("auto", "none"):
        return None if lowered == "none" else "auto"
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be auto, none or a whole number of pixels, not {text!r}"
        ) from None


def parse_keyframed(convert: Callable[[str], Any]) -> Callable[[str], Any]:
    """A parser of one value (``convert(text)``) or of keyframes ``"0:1.02, 48:1.10"``
    (FRAME:VALUE pairs, frames from 0) -> ``{0: 1.02, 48: 1.1}``."""

    def parse(text: str) -> Any:
        if ":" not in text:
            return convert(text)
        keyframes: dict[int, Any] = {}
        for pair in text.split(","):
            frame, separator, value = pair.strip().partition(":")
            if not separator or not frame.strip().isdigit() or not value.strip():
                raise argparse.ArgumentTypeError(
                    f"keyframes must be FRAME:VALUE pairs separated by commas, such as "
                    f"0:1.02,48:1.10; {pair.strip()!r} is not one"
                )
            keyframes[int(frame)] = convert(value)
        return keyframes

    return parse


def parse_offset(text: str) -> tuple[float, float]:
    """``"4,0"`` -> ``(4.0, 0.0)``: pixels right and down."""
    parts = text.split(",")
    try:
        if len(parts) == 2:
            return (float(parts[0]), float(parts[1]))
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(
        f"must be two numbers X,Y (pixels a frame, right and down), such as 4,0; not {text!r}"
    )


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # one line, no usage dump
        self.exit(EXIT_ERROR, f"pydream: error: {message}\n")


def add_layers_option(command: argparse.ArgumentParser) -> None:
    """``--layers``: one layer mapping, or one per octave separated by ``;``."""
    command.add_argument(
        "--layers",
        type=parse_layers,
        default=None,
        help="what to maximise: mixed3=0.8,mixed5=4 or mixed4:97=1; one mapping per octave "
        "separated by ';', smallest first: mixed3=1;mixed5=1 (default: the chollet preset's "
        "layers, or the preset's)",
    )


def parse_number_or_none(
    convert: Callable[[str], Any], none_words: tuple[str, ...]
) -> Callable[[str], Any]:
    """A parser of ``convert(text)``, or ``None`` for one of ``none_words``."""

    def parse(text: str) -> Any:
        if text.strip().lower() in none_words:
            return None
        try:
            return convert(text)
        except ValueError:
            noun = "a whole number" if convert is int else "a number"
            raise argparse.ArgumentTypeError(f"must be {noun} or 'none', not {text!r}") from None

    return parse


def describe_default(spec: Setting) -> str:
    """A setting's default as the command line spells it."""
    if spec.kind == "flag" or (spec.kind == "switch" and spec.default is None):
        return "on" if spec.default else "off"
    if spec.kind == "offset":
        return ",".join(f"{each:g}" for each in spec.default)
    if spec.default is None:
        return "none"
    return str(spec.default)


def setting_option(spec: Setting, keyframes: bool = False) -> dict[str, Any]:
    """The ``add_argument`` keywords of a setting's option, derived from its declaration;
    with ``keyframes`` (an animation's command) a keyframed number may also be keyframes
    ``FRAME:VALUE,...``."""
    only = "" if len(spec.optimizers) > 1 else f"{spec.optimizers[0]} only; "
    described = re.sub(r"\bNone\b", "none", spec.help)  # the command line's spelling
    help_text = f"{described} ({only}default: {describe_default(spec)})".replace("%", "%%")
    option: dict[str, Any] = {"dest": spec.name, "help": help_text}
    if spec.kind == "flag":
        option["action"] = "store_true"
        return option
    if spec.kind == "choice":
        option["choices"] = list(spec.choices)
    elif spec.kind in ("number", "whole"):
        convert = int if spec.kind == "whole" else float
        option["type"] = (
            parse_number_or_none(convert, spec.none_words) if spec.allow_none else convert
        )
        if keyframes and spec.keyframes:
            option["type"] = parse_keyframed(option["type"])
            option["help"] = option["help"][:-1] + "; keyframes: FRAME:VALUE,...)"
    elif spec.kind == "offset":
        option["type"] = parse_offset
    elif spec.kind == "switch":
        option.update(nargs="?", const=spec.choices[0], choices=list(spec.choices))
    elif spec.kind == "weights":
        option["type"] = parse_weights
    elif spec.kind == "tile_size":
        option["type"] = parse_tile_size
    if spec.metavar:
        option["metavar"] = spec.metavar
    return option


def add_setting_options(
    command: argparse.ArgumentParser,
    overwrite_help: str = "allow OUTPUT to be INPUT",
    animation: str | None = None,
) -> None:
    """The options every dreaming command shares: one per setting of the schema
    (``pydream.settings``), in groups, each with its help and default; for an ``animation``
    (``"zoom"``, ``"video"``) its own settings too, and keyframes for the keyframed ones."""
    command.add_argument(
        "--preset", default=None, help="named settings (see 'pydream presets'; default: none)"
    )
    groups = {group: command.add_argument_group(f"{group} settings") for group in GROUPS}
    for spec in SETTINGS.values():
        if spec.cli and spec.kind != "layers":
            flag = "--" + spec.name.replace("_", "-")
            groups[spec.group].add_argument(flag, **setting_option(spec, bool(animation)))
    defaults = FUNCTION_DEFAULTS.get(f"dream_{animation}", {})
    for spec in ANIMATION_SETTINGS.values():
        spec = dataclasses.replace(spec, default=defaults.get(spec.name, spec.default))
        if animation in spec.animations and spec.name != "flow":
            flag = "--" + spec.name.replace("_", "-")
            groups[spec.group].add_argument(flag, **setting_option(spec, keyframes=True))
    command.add_argument(
        "--overwrite", action="store_true", default=False, help=f"{overwrite_help} (default: off)"
    )
    command.add_argument(
        "--quiet", action="store_true", default=False, help="no progress bar (default: off)"
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``pydream`` command."""
    parser = _Parser(prog="pydream", description="DeepDream pictures with Keras.")
    parser.add_argument("--version", action="version", version=f"pydream {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    dream = commands.add_parser("dream", help="dream a picture", argument_default=argparse.SUPPRESS)
    dream.add_argument("input", help="picture to dream (JPEG, PNG, TIFF, ...)")
    dream.add_argument(
        "-o",
        "--output",
        required=True,
        help="file to write, its extension sets the format (required)",
    )
    add_layers_option(dream)
    add_setting_options(dream)
    dream.add_argument(
        "--save-octaves",
        metavar="DIR",
        default=None,
        help=setting_option(RUN_OPTIONS["save_octaves"])["help"],
    )

    gallery = commands.add_parser(
        "gallery",
        help="a contact sheet: one small dream per layer or channel",
        argument_default=argparse.SUPPRESS,
    )
    gallery.add_argument("input", help="picture to dream")
    gallery.add_argument(
        "-o", "--output", required=True, help="the sheet to write, PNG, ... (required)"
    )
    gallery.add_argument(
        "--layers",
        type=parse_key_list,
        default=None,
        help="layer keys, one tile each, e.g. mixed3,mixed4,mixed5 (default: every layer "
        "'pydream layers' lists, unless --channels is given)",
    )
    gallery.add_argument(
        "--channels",
        action="append",
        default=None,
        help="channels, one tile each, e.g. mixed4:0-15 (repeatable; default: none)",
    )
    gallery.add_argument(
        "--size", type=int, default=256, help="pixels of each dream's longer side (default: 256)"
    )
    gallery.add_argument(
        "--columns", type=int, default=None, help="tiles per row (default: a near-square grid)"
    )
    gallery.add_argument(
        "--no-photo",
        dest="photo",
        action="store_false",
        default=True,
        help="leave out the tile of the picture itself (default: the photo is the first tile)",
    )
    add_setting_options(gallery)

    add_zoom_parser(commands)
    add_video_parser(commands)
    add_batch_parser(commands)

    layers = commands.add_parser("layers", help="list a model's layer names")
    layers.add_argument(
        "--model", default="inception_v3", help="model name (default: inception_v3)"
    )
    layers.add_argument(
        "--all", action="store_true", help="every layer, not only blocks (default: off)"
    )

    commands.add_parser("presets", help="list the presets and what they set")
    add_classify_parser(commands)
    add_visualize_parser(commands)
    return parser


def parse_size(text: str) -> int | tuple[int, int]:
    """``"224"`` -> 224; ``"200,300"`` -> (200, 300) (height, width)."""
    try:
        parts = [int(part) for part in text.split(",")]
    except ValueError:
        parts = []
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        return (parts[0], parts[1])
    raise argparse.ArgumentTypeError(
        f"must be pixels (224) or HEIGHT,WIDTH (200,300), not {text!r}"
    )


def parse_transforms_text(text: str) -> str | list[str] | None:
    """``standard``, ``none`` or named transforms ``pad:12,rotate:-10..10``."""
    lowered = text.strip().lower()
    if lowered in ("standard", "none"):
        return None if lowered == "none" else "standard"
    return [part.strip() for part in text.split(",") if part.strip()]


def add_visualize_parser(commands: Any) -> None:
    """``pydream visualize``: what the network sees, drawn from noise (or from a photo)."""
    command = commands.add_parser(
        "visualize",
        help="draw what layers or channels respond to, from noise (or accentuate a photo)",
        argument_default=argparse.SUPPRESS,
    )
    command.add_argument("-o", "--output", required=True, help="the picture, or the sheet of "
                         "several (required)")  # fmt: skip
    what = command.add_mutually_exclusive_group(required=True)
    what.add_argument("--layers", type=parse_key_list, help="one picture per layer: "
                      "mixed3,mixed4 (one of these three is required)")  # fmt: skip
    what.add_argument("--channels", action="append", help="one picture per channel: "
                      "mixed4:0-15, may repeat (one of these three is required)")  # fmt: skip
    what.add_argument("--objective", type=parse_layer_mapping, help="one combined objective: "
                      "mixed4:97=1,mixed5=0.5 (one of these three is required)")  # fmt: skip
    command.add_argument("--image", help="accentuate this photo instead of starting from noise "
                         "(default: none, noise)")  # fmt: skip
    command.add_argument("--columns", type=int, help="tiles per row of a sheet (default: a "
                         "near-square grid)")  # fmt: skip
    defaults = FUNCTION_DEFAULTS["visualize"]
    for spec in VISUAL_SETTINGS.values():
        flag = "--" + spec.name.replace("_", "-")
        if spec.kind == "flag" and spec.default:
            negative = f"--no-{spec.name.replace('_', '-')}"
            help_text = f"turn off: {spec.help} (default: on)"
            command.add_argument(negative, dest=spec.name, action="store_false", help=help_text)
            continue
        option = setting_option(spec)
        option["type"] = {"size": parse_size, "transforms": parse_transforms_text}.get(
            spec.kind, option.get("type")
        )
        command.add_argument(flag, **{key: value for key, value in option.items() if value})
    for name in VISUALIZE_SETTINGS:
        spec = SETTINGS[name]
        spec = dataclasses.replace(spec, default=defaults.get(name, spec.default))
        if name == "iterations":
            spec = dataclasses.replace(spec, help="Adam steps on the picture's variables")
        command.add_argument("--" + name, **setting_option(spec))
    command.add_argument(
        "--quiet", action="store_true", default=False, help="no progress bar (default: off)"
    )


def run_visualize(options: argparse.Namespace) -> None:
    """Draw what ``options`` asks and write it."""
    from .visual.visualize import visualize

    names = (*VISUAL_SETTINGS, *VISUALIZE_SETTINGS, "layers", "channels", "image", "columns")
    given = given_options(options, names)
    objective = given_options(options, ("objective",)).get("objective")
    visualize(objective, output=options.output, progress=not options.quiet, **given)
    if not options.quiet:
        print(f"wrote {options.output}", file=sys.stderr)


def add_classify_parser(commands: Any) -> None:
    """``pydream classify PHOTO [--top 5] [--weights W] [--model M]``."""
    classify = commands.add_parser("classify", help="the classes the network sees in a picture")
    classify.add_argument("input", help="picture to classify")
    classify.add_argument("--top", type=int, default=5, help="how many classes (default: 5)")
    classify.add_argument(
        "--weights",
        type=parse_weights,
        default="imagenet",
        help="imagenet or a weights file of the whole model, with its top (default: imagenet)",
    )
    classify.add_argument(
        "--model", default="inception_v3", help="model name (default: inception_v3)"
    )


def run_classify(options: argparse.Namespace) -> None:
    """Print the most probable classes: probability, class number and name, one a line."""
    from .engine.classify import classify

    found = classify(options.input, options.top, model=options.model, weights=options.weights)
    for index, name, probability in found:
        print(f"{probability:8.2%}  {index:4d}  {name}")


ANIMATION_HELP = ".gif, .webp, .mp4, or a folder of PNG frames (required)"


def add_motion_options(command: argparse.ArgumentParser, animation: str) -> None:
    """The options of the animation commands beside the dream settings."""
    add_layers_option(command)
    command.add_argument(
        "--keep-frames",
        action="store_true",
        help="keep the work folder OUT.frames afterwards (default: off)",
    )
    command.add_argument(
        "--restart",
        action="store_true",
        help="discard frames left by a run with other settings (default: off)",
    )
    add_setting_options(command, animation=animation)


def add_zoom_parser(commands: Any) -> None:
    """``pydream zoom``: dream, zoom into the centre, dream again."""
    zoom = commands.add_parser(
        "zoom",
        help="a zoom animation: dream, zoom in, dream again",
        argument_default=argparse.SUPPRESS,
    )
    zoom.add_argument("input", help="picture to dream")
    zoom.add_argument("-o", "--output", required=True, help=ANIMATION_HELP)
    zoom.add_argument("--frames", type=int, required=True, help="number of frames (required)")
    add_motion_options(zoom, "zoom")


def add_video_parser(commands: Any) -> None:
    """``pydream video``: dream a video steadily, frame after frame."""
    video = commands.add_parser(
        "video",
        help="dream a video or a folder of frames, steady from frame to frame",
        argument_default=argparse.SUPPRESS,
    )
    video.add_argument("input", help="a video file, or a folder of frames sorted by name")
    video.add_argument("-o", "--output", required=True, help=ANIMATION_HELP)
    video.add_argument(
        "--flow", choices=["dis", "farneback"], help="optical flow method (default: dis)"
    )
    video.add_argument(
        "--no-flow",
        dest="flow",
        action="store_false",
        help="blend without warping (default: warp with --flow)",
    )
    add_motion_options(video, "video")


def add_batch_parser(commands: Any) -> None:
    """``pydream batch``: dream many pictures into a folder, resuming where a run stopped."""
    batch = commands.add_parser(
        "batch",
        help="dream many pictures into a folder (a rerun skips those already there)",
        argument_default=argparse.SUPPRESS,
    )
    batch.add_argument("inputs", nargs="+", help="picture files, folders or globs")
    batch.add_argument(
        "-o",
        "--output-dir",
        required=True,
        help="folder for the dreams, named after the inputs (required)",
    )
    add_layers_option(batch)
    batch.add_argument(
        "--ray",
        nargs="?",
        const="local",
        default=None,
        metavar="ADDRESS",
        help="dream on Ray: a local runtime, or the cluster at ADDRESS (HEAD:6379) "
        "(default: no Ray)",
    )
    batch.add_argument(
        "--workers",
        default="auto",
        metavar="N",
        help="pictures dreamed at once by local worker processes (default: auto, one per "
        "core up to 4 cores, then one per 4 cores; 1 with a GPU)",
    )
    add_setting_options(batch, overwrite_help="dream again the pictures already in the folder")


SETTING_OPTIONS = tuple(name for name, spec in SETTINGS.items() if spec.cli and name != "layers")
"""The settings the command line has an option for (all but functions and --layers)."""


def given_options(options: argparse.Namespace, names: Sequence[str]) -> dict[str, Any]:
    """The options among ``names`` given on the command line (the others keep defaults)."""
    given = vars(options)
    return {name: given[name] for name in names if name in given}


def given_settings(options: argparse.Namespace) -> dict[str, Any]:
    """The dream settings given on the command line (the others are left to the preset)."""
    return given_options(options, SETTING_OPTIONS)


def check_before_the_engine(
    options: argparse.Namespace, layers: Any, settings: dict[str, Any]
) -> None:
    """Check the settings, the input picture and the output path before Keras is imported,
    so that a mistake is answered at once rather than after the engine's start-up."""
    from .media.images import check_output_path, load_image
    from .presets import resolve_settings

    resolve_settings(layers, options.preset, settings)
    picture = load_image(options.input)
    check_output_path(options.output, picture.path, options.overwrite)


def run_dream(options: argparse.Namespace) -> None:
    """Dream ``options.input`` into ``options.output``."""
    settings = given_settings(options)
    check_before_the_engine(options, options.layers, settings)
    from .engine.dream import deep_dream

    deep_dream(
        options.input,
        options.layers,
        preset=options.preset,
        output=options.output,
        save_octaves=options.save_octaves,
        overwrite=options.overwrite,
        progress=not options.quiet,
        **settings,
    )
    say_written(options)


def run_gallery(options: argparse.Namespace) -> None:
    """Dream a contact sheet of ``options.input`` into ``options.output``."""
    settings = given_settings(options)
    check_before_the_engine(options, None, settings)
    from .run.gallery import dream_gallery

    dream_gallery(
        options.input,
        options.layers,
        channels=options.channels,
        preset=options.preset,
        size=options.size,
        columns=options.columns,
        output=options.output,
        overwrite=options.overwrite,
        progress=not options.quiet,
        photo=options.photo,
        **settings,
    )
    say_written(options)


def say_written(options: argparse.Namespace) -> None:
    """``wrote OUTPUT`` on standard error, unless ``--quiet``."""
    if not options.quiet:
        print(f"wrote {options.output}", file=sys.stderr)


def run_batch(options: argparse.Namespace) -> int:
    """Dream ``options.inputs`` into ``options.output_dir``; 1 when any picture failed."""
    from .run.batch import dream_batch

    result = dream_batch(
        options.inputs,
        options.output_dir,
        options.layers,
        preset=options.preset,
        overwrite=options.overwrite,
        progress=not options.quiet,
        workers=options.workers,
        ray=options.ray,
        **given_settings(options),
    )
    if not options.quiet or not result.ok:
        print(f"pydream: {result.summary()}", file=sys.stderr)
    return 0 if result.ok else EXIT_SOME_FAILED


MOTION_OPTIONS = ("layers", "keep_frames", "restart", "overwrite")


def run_motion(options: argparse.Namespace) -> None:
    """Make a zoom animation or dream a video, as ``options.command`` says."""
    from .motion.dreams import dream_video, dream_zoom

    arguments = given_options(options, (*SETTING_OPTIONS, *MOTION_OPTIONS))
    animation = [name for name, spec in ANIMATION_SETTINGS.items()
                 if options.command in spec.animations]  # fmt: skip
    motion = given_options(options, tuple(animation))
    if options.command == "zoom":
        made = dream_zoom(
            options.input,
            options.output,
            frames=options.frames,
            preset=options.preset,
            progress=not options.quiet,
            **motion,
            **arguments,
        )
    else:
        made = dream_video(
            options.input,
            options.output,
            preset=options.preset,
            progress=not options.quiet,
            **motion,
            **arguments,
        )
    if not options.quiet:
        print(f"wrote {made}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``pydream`` console script; returns the exit code."""
    parser = build_parser()
    options = parser.parse_args(argv)
    status = 0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.showwarning = _show_one_line_warning
            if options.command == "dream":
                run_dream(options)
            elif options.command == "gallery":
                run_gallery(options)
            elif options.command in ("zoom", "video"):
                run_motion(options)
            elif options.command == "batch":
                status = run_batch(options)
            elif options.command == "classify":
                run_classify(options)
            elif options.command == "visualize":
                run_visualize(options)
            elif options.command == "layers":
                from .nets.models import list_layers

                print("\n".join(list_layers(options.model, all_layers=options.all)))
            else:
                from .presets import describe_preset, presets

                print("\n".join(describe_preset(name) for name in presets))
    except KeyboardInterrupt as interrupt:
        # An animation's interrupt says which frames it kept.
        message = str(interrupt) or "interrupted; nothing was written"
        print(f"pydream: {message}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except (ValueError, TypeError, OSError, ImportError) as error:
        message = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        print(f"pydream: error: {message}", file=sys.stderr)
        return EXIT_ERROR
    return status


def _show_one_line_warning(message: Any, category: Any = None, *_: Any, **__: Any) -> None:
    from .engine.memory import DreamNotice
    from .run.batch import BatchFailure

    kind = "warning"
    if isinstance(category, type) and issubclass(category, DreamNotice):
        kind = "note"
    elif isinstance(category, type) and issubclass(category, BatchFailure):
        kind = "error"  # one picture of a batch; the others go on
    print(f"pydream: {kind}: {message}", file=sys.stderr)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

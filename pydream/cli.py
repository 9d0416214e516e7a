"""The ``pydream`` command: ``dream``, ``layers`` and ``presets``.

Every failure prints one line ``pydream: error: ...`` on standard error and exits non-zero
(2 for bad settings or input, 130 for Ctrl-C); no traceback is shown.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence
from typing import Any

EXIT_ERROR = 2
EXIT_INTERRUPTED = 130


def parse_layers(text: str) -> dict[str, float]:
    """``"mixed3=0.8,mixed5=4"`` -> ``{"mixed3": 0.8, "mixed5": 4.0}``."""
    layers: dict[str, float] = {}
    for item in text.split(","):
        name, separator, value = item.strip().partition("=")
        if not separator or not name.strip():
            raise argparse.ArgumentTypeError(
                f"layer {item.strip()!r} must look like NAME=COEFFICIENT, e.g. mixed3=0.8"
            )
        try:
            layers[name.strip()] = float(value)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"coefficient of layer {name.strip()!r} must be a number, not {value!r}"
            ) from None
    return layers


def parse_max_loss(text: str) -> float | None:
    """A number, or ``none`` for never stopping early."""
    if text.strip().lower() in ("none", "inf", "off"):
        return None
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number or 'none', not {text!r}") from None


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


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # one line, no usage dump
        self.exit(EXIT_ERROR, f"pydream: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``pydream`` command."""
    parser = _Parser(prog="pydream", description="DeepDream pictures with Keras.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    dream = commands.add_parser("dream", help="dream a picture", argument_default=argparse.SUPPRESS)
    dream.add_argument("input", help="picture to dream (JPEG, PNG, TIFF, ...)")
    dream.add_argument(
        "-o", "--output", required=True, help="file to write (its extension sets the format)"
    )
    dream.add_argument("--preset", default=None, help="named settings (see 'pydream presets')")
    dream.add_argument("--layers", type=parse_layers, default=None, help="e.g. mixed3=0.8,mixed5=4")
    dream.add_argument("--model", help="model name (default inception_v3)")
    dream.add_argument("--step", type=float)
    dream.add_argument("--num-octave", type=int)
    dream.add_argument("--octave-scale", type=float)
    dream.add_argument("--iterations", type=int)
    dream.add_argument("--max-loss", type=parse_max_loss, help="a number, or none")
    dream.add_argument("--loss", choices=["l2", "mean"])
    dream.add_argument("--border", type=int)
    dream.add_argument("--normalize", choices=["mean_abs", "std"])
    dream.add_argument("--clip", action="store_true")
    dream.add_argument("--jitter", type=int)
    dream.add_argument("--learning-phase", type=int, choices=[0, 1])
    dream.add_argument("--weights", type=parse_weights, help="imagenet, none or a file path")
    dream.add_argument("--seed", type=int)
    dream.add_argument(
        "--tile-size", type=parse_tile_size, help="auto (default), none or pixels per tile side"
    )
    dream.add_argument(
        "--memory-budget", type=float, metavar="GB", help="memory for --tile-size auto (GB)"
    )
    dream.add_argument("--precision", choices=["float32", "bfloat16", "float16"])
    dream.add_argument(
        "--save-octaves", metavar="DIR", default=None, help="write one PNG per octave here"
    )
    dream.add_argument(
        "--overwrite", action="store_true", default=False, help="allow OUTPUT to be INPUT"
    )
    dream.add_argument("--quiet", action="store_true", default=False, help="no progress bar")

    layers = commands.add_parser("layers", help="list a model's layer names")
    layers.add_argument("--model", default="inception_v3")
    layers.add_argument("--all", action="store_true", help="every layer, not only blocks")

    commands.add_parser("presets", help="list the presets and what they set")
    return parser


SETTING_OPTIONS = (
    "model", "step", "num_octave", "octave_scale", "iterations", "loss", "border", "normalize",
    "clip", "jitter", "learning_phase", "seed", "tile_size", "memory_budget", "precision",
    "max_loss", "weights",
)  # fmt: skip


def run_dream(options: argparse.Namespace) -> None:
    """Dream ``options.input`` into ``options.output``."""
    import pydream

    given = vars(options)
    settings = {name: given[name] for name in SETTING_OPTIONS if name in given}
    pydream.deep_dream(
        options.input,
        options.layers,
        preset=options.preset,
        output=options.output,
        save_octaves=options.save_octaves,
        overwrite=options.overwrite,
        progress=not options.quiet,
        **settings,
    )
    if not options.quiet:
        print(f"wrote {options.output}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``pydream`` console script; returns the exit code."""
    parser = build_parser()
    options = parser.parse_args(argv)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.showwarning = _show_one_line_warning
            if options.command == "dream":
                run_dream(options)
            elif options.command == "layers":
                from .models import list_layers

                print("\n".join(list_layers(options.model, all_layers=options.all)))
            else:
                from .presets import describe_preset, presets

                print("\n".join(describe_preset(name) for name in presets))
    except KeyboardInterrupt:
        print("pydream: interrupted; nothing was written", file=sys.stderr)
        return EXIT_INTERRUPTED
    except (ValueError, TypeError, OSError) as error:
        message = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        print(f"pydream: error: {message}", file=sys.stderr)
        return EXIT_ERROR
    return 0


def _show_one_line_warning(message: Any, category: Any = None, *_: Any, **__: Any) -> None:
    from .memory import DreamNotice

    kind = "note" if isinstance(category, type) and issubclass(category, DreamNotice) else "warning"
    print(f"pydream: {kind}: {message}", file=sys.stderr)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

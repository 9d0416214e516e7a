"""MkDocs hook: the Python site's generated pages, made afresh at every build, never stored.

- ``index.md``: the repository's README.md;
- ``settings.md``: every setting of the schema (``pydream.settings.SETTINGS``);
- ``cli.md``: every ``pydream`` command with its options, from ``pydream.cli.build_parser()``;
- ``vignettes/NAME.md``: the Python vignettes (``vignettes/NAME.py``), their ``# %%`` cells
  as sections, with the R vignettes' pre-rendered figures where a cell makes the same picture;
- ``gallery.md``: ``docs/gallery/gallery.json`` (written by ``scripts/render-gallery``).

The pictures (``docs/gallery/*.jpg``, ``rpackage/vignettes/figures/*.jpg``) are added to the
site as they are. A mapping below that no longer fits the sources stops the build.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[1]
FIGURES = ROOT / "rpackage" / "vignettes" / "figures"
GALLERY = ROOT / "docs" / "gallery"
VIGNETTES = ("jellyfish", "shanghai", "beyond", "animations", "what-the-network-sees")

VIGNETTE_FIGURES = {
    "jellyfish": {
        "The loop with the building blocks": ["jellyfish-loop-1.jpg"],
        "The dream with the post's settings": [
            "jellyfish-octave-pictures-1.jpg",
            "jellyfish-final-1.jpg",
        ],
        "Trained and untrained": ["jellyfish-trained-untrained-1.jpg"],
    },
    "shanghai": {
        "The dream with the post's settings": [
            "shanghai-octave-pictures-1.jpg",
            "shanghai-final-1.jpg",
        ],
        "Trained weights with batch norm": ["shanghai-untrained-1.jpg"],
    },
    "beyond": {
        "A gallery of layers": ["beyond-gallery-layers-1.jpg"],
        "... and of the first channels": ["beyond-gallery-channels-1.jpg"],
        "Two channels of mixed4": ["beyond-channels-1.jpg", "beyond-channels-2.jpg"],
        "A guided dream": ["beyond-guided-1.jpg", "beyond-guided-2.jpg"],
        "A mask": ["beyond-mask-1.jpg"],
        "Per-octave layers": ["beyond-per-octave-1.jpg"],
        "Smoother dreams": ["beyond-smoother-1.jpg"],
    },
    "animations": {
        "An endless zoom": ["animations-zoom-frames-1.jpg"],
        "Colours that hold": ["animations-lock-frames-1.jpg"],
        "Keyframes": ["animations-keyframes-frames-1.jpg"],
        "The photo's own colours": ["animations-colours-side-by-side-1.jpg"],
        "The same clip dreamed": ["animations-pan-frames-1.jpg"],
        "How much it flickers": ["animations-pan-differences-1.jpg"],
    },
    "what-the-network-sees": {
        "A channel atlas": ["what-the-network-sees-atlas-1.jpg"],
        "A channel and the neuron": ["what-the-network-sees-neuron-1.jpg"],
        "A direction": ["what-the-network-sees-direction-1.jpg"],
        "Accentuation": ["what-the-network-sees-accent-1.jpg"],
        "Four pictures of one channel": ["what-the-network-sees-diversity-1.jpg"],
        "Pixels or a spectrum": ["what-the-network-sees-pixel-fourier-1.jpg"],
    },
}
"""Per vignette: the start of a cell's comment -> the R vignette's figures of that step."""

LICENCE = (
    'The pictures are DeepDream adaptations of "Jelly Fish" by RaDu GaLaN '
    "([CC BY-SA 3.0](https://creativecommons.org/licenses/by-sa/3.0/)) and of "
    '"Pudong Shanghai November 2017 panorama" by King of Hearts, Wikimedia Commons '
    "([CC BY-SA 4.0](https://creativecommons.org/licenses/by-sa/4.0/)), and are licensed "
    "under the same licences; the photos themselves are not shown."
)


def on_files(files: Files, config: Any) -> Files:
    """Add the generated pages and the pictures they show."""
    pages = {
        "index.md": home_page(),
        "settings.md": settings_page(),
        "cli.md": cli_page(),
        "gallery.md": gallery_page(),
    }
    for name in VIGNETTES:
        pages[f"vignettes/{name}.md"] = vignette_page(name)
    for path, content in pages.items():
        files.append(File.generated(config, path, content=content))
    for picture in sorted(GALLERY.glob("*.jpg")):
        files.append(File.generated(config, f"gallery/{picture.name}", abs_src_path=str(picture)))
    for picture in sorted(FIGURES.glob("*.jpg")):
        uri = f"vignettes/figures/{picture.name}"
        files.append(File.generated(config, uri, abs_src_path=str(picture)))
    return files


HOME_PICTURES = ("preset-jellyfish", "preset-chollet", "per-octave")
"""Gallery pictures shown under the home page's title."""


def home_page() -> str:
    """The README, as the home page (its module paths are code, not links), with a row of
    gallery pictures under its title."""
    title, _, rest = (ROOT / "README.md").read_text(encoding="utf-8").partition("\n")
    entries = {entry["id"]: entry for entry in gallery_entries()}
    pictures = " ".join(
        f'[![{entries[name]["title"]}](gallery/{entries[name]["picture"]}){{ width="32%" }}]'
        f"(gallery.md#{name})"
        for name in HOME_PICTURES
    )
    return f"{title}\n\n{pictures}\n{rest}"


def gallery_entries() -> list[dict[str, Any]]:
    document = json.loads((GALLERY / "gallery.json").read_text("utf-8"))
    return list(document["entries"])


def allowed_values(spec: Any) -> str:
    """What a setting accepts, in words."""
    from pydream.checks import describe_bounds

    if spec.kind == "choice":
        text = ", ".join(f"`{choice!r}`" for choice in spec.choices)
    elif spec.kind in ("number", "whole"):
        text = describe_bounds(spec.kind, spec.minimum, spec.maximum, spec.strictly_above)
    else:
        text = {
            "flag": "`True` or `False`",
            "layers": "a mapping, an objective, or a list of them",
            "weights": '`"imagenet"`, a file path or `None`',
            "tile_size": '`"auto"`, a whole number of pixels or `None`',
            "model": "a registry name or a `keras.Model`",
            "picture": "a path, a `PIL.Image` or an array",
            "mask": "a grey picture or an (H, W) array",
            "processing": '`"tf"`, `"caffe"`, `"torch"` or a function',
        }.get(spec.kind, spec.kind)
    return text + (", or `None`" if spec.allow_none and spec.kind not in ("weights",) else "")


def sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def settings_page() -> str:
    """Every setting of the schema, by group, as the schema declares it."""
    from pydream.settings import GROUPS, SETTINGS

    lines = [
        "# Settings",
        "",
        "Every setting of a dream, as declared once in `pydream/settings.py`",
        "(`pydream.settings.SETTINGS`). `deep_dream()`, `Dreamer`, `dream_gallery()`,",
        "`dream_batch()`, `dream_zoom()` and `dream_video()` take each as a keyword argument;",
        "the command line as `--name-with-dashes` (see [the command line](cli.md)), the R",
        "package as an argument of the same name. A setting you give explicitly wins over a",
        "`preset`. This page is generated from the schema each time the site is built.",
    ]
    for group in GROUPS:
        specs = [spec for spec in SETTINGS.values() if spec.group == group]
        if not specs:
            continue
        lines += ["", f"## {group.capitalize()}", ""]
        lines += ["| setting | default | values | description |", "|---|---|---|---|"]
        for spec in specs:
            only = "" if len(spec.optimizers) > 1 else f" ({spec.optimizers[0]} only)"
            flag = "--" + spec.name.replace("_", "-") if spec.cli and spec.name != "layers" else ""
            name = f"`{spec.name}`" + (f"<br>`{flag}`" if flag else "")
            lines.append(
                f"| {name} | `{spec.default!r}` | {cell(allowed_values(spec))} "
                f"| {cell(spec.help)}{only} |"
            )
    return "\n".join(lines) + "\n"


def cli_page() -> str:
    """Every subcommand of ``pydream`` with its usage and options, from the parser itself."""
    from pydream.cli import build_parser

    parser = build_parser()
    commands = next(
        action
        for action in parser._actions
        if isinstance(action, argparse._SubParsersAction)  # the parser's own structure
    )
    helps = {choice.dest: choice.help for choice in commands._choices_actions}
    lines = [
        "# Command line",
        "",
        f"`pydream`: {parser.description} Every command's options, as `pydream COMMAND",
        "--help` prints them; this page is generated from the parser",
        "(`pydream.cli.build_parser()`) each time the site is built. The settings are",
        "described once more, with the values they take, on [the settings page](settings.md).",
    ]
    for name, command in commands.choices.items():
        lines += ["", f"## pydream {name}", "", f"{sentence(helps.get(name) or '')}.", ""]
        lines += ["```text", usage(command), "```"]
        formatter = command._get_formatter()
        for group in command._action_groups:
            actions = [action for action in group._group_actions if action.dest != "help"]
            if not actions:
                continue
            lines += [
                "",
                f"**{sentence(group.title or '')}**",
                "",
                "| option | what it does |",
                "|---|---|",
            ]
            for action in actions:
                invocation = formatter._format_action_invocation(action)
                help_text = formatter._expand_help(action) if action.help else ""
                lines.append(f"| `{cell(invocation)}` | {cell(help_text)} |")
    return "\n".join(lines) + "\n"


def usage(command: argparse.ArgumentParser) -> str:
    """The command's usage lines, wrapped to fit the page (argparse reads ``COLUMNS``)."""
    previous = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "80"
    try:
        return command.format_usage().strip()
    finally:
        if previous is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = previous


def split_cells(source: str) -> tuple[str, list[tuple[str, str]]]:
    """A ``# %%`` script's docstring and its cells as (comment, code)."""
    tree = ast.parse(source)
    docstring = ast.get_docstring(tree) or ""
    body = source.split("\n# %%", 1)[1] if "\n# %%" in source else ""
    cells = []
    for chunk in ("# %%" + body).split("\n# %%"):
        lines = chunk.removeprefix("# %%").splitlines()
        comment = [lines[0].strip()]
        index = 1
        while index < len(lines) and lines[index].startswith("# "):
            comment.append(lines[index][2:].strip())
            index += 1
        code = "\n".join(lines[index:]).strip("\n")
        cells.append((" ".join(comment), code))
    return docstring, cells


def heading(comment: str) -> tuple[str, str]:
    """A cell's heading (its comment up to the first ``:`` or sentence end) and the rest."""
    match = re.match(r"(.{3,70}?)(?::\s|\.\s|$)", comment)
    if not match:
        return comment, ""
    rest = comment[match.end() :].strip()
    return match.group(1).rstrip("."), (rest[:1].upper() + rest[1:]) if rest else ""


def vignette_page(name: str) -> str:
    """``vignettes/NAME.py`` as a page: the docstring, then each cell as a section."""
    docstring, cells = split_cells((ROOT / "vignettes" / f"{name}.py").read_text("utf-8"))
    title, _, intro = docstring.partition("\n")
    figures = dict(VIGNETTE_FIGURES[name])
    lines = [
        f"# {re.split(r', in Python|:', title)[0].strip()}",
        "",
        f"The Python counterpart of the R vignette [{name}](../../r/articles/{name}.html),",
        f"from `vignettes/{name}.py`. The pictures are the R vignette's, made by the same",
        "steps in R with the real Inception-v3 weights.",
        "",
        intro.strip(),
    ]
    for comment, code in cells:
        head, rest = heading(comment)
        lines += ["", f"## {head}", ""]
        if rest:
            lines += [rest, ""]
        lines += ["```python", code, "```"]
        key = next((key for key in figures if comment.startswith(key)), None)
        for figure in figures.pop(key, []) if key else []:
            if not (FIGURES / figure).is_file():
                raise RuntimeError(f"docs/hooks.py: {FIGURES / figure} is missing")
            lines += ["", f"![{head}](figures/{figure})"]
    mapped = {figure for names in VIGNETTE_FIGURES[name].values() for figure in names}
    unused = list(figures) + [
        path.name for path in FIGURES.glob(f"{name}-*.jpg") if path.name not in mapped
    ]
    if unused:
        raise RuntimeError(f"docs/hooks.py: VIGNETTE_FIGURES[{name!r}] does not fit: {unused}")
    lines += ["", LICENCE]
    return "\n".join(lines) + "\n"


def gallery_page() -> str:
    """``docs/gallery/gallery.json`` as a page: each picture with its call."""
    document = json.loads((GALLERY / "gallery.json").read_text("utf-8"))
    lines = [
        "# Gallery",
        "",
        "One picture per feature, each with the exact Python call that made it and the",
        "command line that makes the same dream. `scripts/render-gallery` ran these calls with",
        "the real Inception-v3 weights (`PYDREAM_WEIGHTS_DIR` pointing at the weights file, so",
        'that the default `weights="imagenet"` finds it) in a folder prepared by:',
        "",
        "```python",
        document["inputs"].rstrip(),
        "```",
        "",
        LICENCE
        + ' The guide of the guided dream is "White Clouds" by CHUTTERSNAP (Unsplash License).',
    ]
    feature = None
    for entry in document["entries"]:
        if entry["feature"] != feature:
            feature = entry["feature"]
            lines += ["", f"## {feature.capitalize()}"]
        lines += ["", f"### {entry['title']} {{#{entry['id']}}}", "", entry["text"], ""]
        lines.append(
            f'![{entry["title"]}](gallery/{entry["picture"]}){{ width="{entry["width"]}" '
            f'height="{entry["height"]}" }}'
        )
        lines += ["", "```python", entry["python"], "```", "", "```sh", entry["cli"], "```"]
    return "\n".join(lines) + "\n"

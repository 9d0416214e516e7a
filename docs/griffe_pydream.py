"""A Griffe extension: ``deep_dream`` as Python sees it at run time, for the API reference.

``pydream.engine.dream`` gives ``deep_dream`` its signature and the settings part of its
docstring when it is imported, from the schema (``pydream/settings.py``): the source says
``**settings`` and ``{settings}``. mkdocstrings reads the source without importing it (which
would import Keras), so this extension does the same two things the module does, with the
same functions of ``pydream.settings``: every setting becomes a keyword-only parameter with
its default, and ``{settings}`` becomes one ``Args`` entry per setting (in place of the
entry for ``**settings``).
"""

from __future__ import annotations

import textwrap
from typing import Any

import griffe

from pydream.settings import Default, settings_docs, settings_parameters

TARGET = "pydream.engine.dream.deep_dream"


class DeepDreamFromTheSchema(griffe.Extension):
    """Fill in ``deep_dream``'s schema-built signature and settings docs."""

    def on_function_instance(self, *, func: griffe.Function, **kwargs: Any) -> None:
        if func.path != TARGET:
            return
        own = {parameter.name: parameter for parameter in func.parameters}
        head = [own[name] for name in ("image", "layers", "preset")]
        run_options = [
            name
            for name, parameter in own.items()
            if parameter.kind is griffe.ParameterKind.keyword_only and name != "preset"
        ]
        rest = []
        for parameter in settings_parameters("deep_dream", run_options=run_options):
            if parameter.name in own:
                rest.append(own[parameter.name])
                continue
            default = parameter.default
            value = default.value if isinstance(default, Default) else default
            rest.append(
                griffe.Parameter(
                    parameter.name, kind=griffe.ParameterKind.keyword_only, default=repr(value)
                )
            )
        func.parameters = griffe.Parameters(*head, *rest)
        if func.docstring is not None:
            func.docstring.value = _with_settings(func.docstring.value)


def _with_settings(text: str) -> str:
    """``text`` with its ``{settings}`` line replaced by one ``Args`` entry per setting, in
    place of the entry ``**settings:`` (the signature has the settings themselves)."""
    lines = text.splitlines()
    entry = next(line for line in lines if line.lstrip().startswith("**settings:"))
    indent = entry[: len(entry) - len(entry.lstrip())]
    kept = [line for line in lines if line is not entry]
    text = "\n".join(
        settings_docs(indent=indent) if line.strip() == "{settings}" else line for line in kept
    )
    # as at run time, the placeholder's own indent no longer holds the rest to the right
    first, _, rest = text.partition("\n")
    return first + "\n" + textwrap.dedent(rest)

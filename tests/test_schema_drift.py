"""Every place that spells a setting agrees with the schema (pydream.settings.SETTINGS).

For every setting: ``pydream.deep_dream``'s and ``pydream.gradient_ascent``'s signatures,
the command line's options (``dream``, ``gallery``, ``zoom``, ``video``, ``batch``) and the R
package's functions and checks (reached with Rscript) have the schema's default, kind,
bounds and choices, except where the schema declares another default on purpose
(``FUNCTION_DEFAULTS``, ``r_default``). The generated R file must be fresh.

The R tests skip when R or the R package is missing, and fail instead when ``CI`` is
``"true"``.
"""

from __future__ import annotations

import argparse
import importlib.util
import inspect
import math
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

import pydream
from pydream import objectives
from pydream.cli import build_parser, describe_default
from pydream.settings import (
    ANIMATION_SETTINGS,
    ANIMATIONS,
    FUNCTION_DEFAULTS,
    RUN_OPTIONS,
    SETTINGS,
    Default,
    Setting,
    call_arguments,
)

REPO = Path(__file__).resolve().parents[1]
COMMANDS = ("dream", "gallery", "zoom", "video", "batch")

# Drift the schema does not declare yet, each with why; a strict xfail, so that the entry
# must go once the drift is gone.
KNOWN_DRIFT: dict[tuple[str, str], str] = {}


def _declared_default(function: str, spec: Setting) -> Any:
    return FUNCTION_DEFAULTS.get(function, {}).get(spec.name, spec.default)


def _case(function: str, name: str) -> Any:
    reason = KNOWN_DRIFT.get((function, name))
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(function, name, marks=marks, id=f"{function}-{name}")


def _kind_accepts(spec: Setting, value: Any) -> bool:
    """Whether a default is of the type its kind says."""
    if value is None:
        return spec.allow_none or spec.kind in ("layers", "path", "function")
    expected: dict[str, tuple[type, ...]] = {
        "number": (int, float),
        "whole": (int,),
        "choice": (str,),
        "flag": (bool,),
        "tile_size": (str, int),
        "weights": (str,),
        "model": (str,),
    }
    types = expected.get(spec.kind)
    ok = types is None or isinstance(value, types)
    if spec.kind == "choice":
        ok = ok and value in spec.choices
    if spec.kind in ("number", "whole") and ok:
        ok = (spec.minimum is None or value >= spec.minimum) and (
            spec.maximum is None or value <= spec.maximum
        )
    return ok


# --- the schema and Python's signatures --------------------------------------------------------


@pytest.mark.parametrize("name", list(SETTINGS) + list(RUN_OPTIONS))
def test_schema_default_is_of_its_kind(name: str) -> None:
    spec = SETTINGS.get(name) or RUN_OPTIONS[name]
    assert _kind_accepts(spec, spec.default), (name, spec.kind, spec.default)


@pytest.mark.parametrize(
    ("function", "name"),
    [_case("deep_dream", spec.name) for spec in call_arguments()],
)
def test_deep_dream_signature_has_the_schema_default(function: str, name: str) -> None:
    parameters = inspect.signature(pydream.deep_dream).parameters
    assert name in parameters, f"deep_dream has no argument {name}"
    spec = SETTINGS.get(name) or RUN_OPTIONS[name]
    default = parameters[name].default
    if name in SETTINGS and name != "layers":  # layers: the positional objective
        assert isinstance(default, Default), f"{name}'s default is not wrapped in Default"
    if isinstance(default, Default):
        default = default.value
    assert default == _declared_default(function, spec)
    assert type(default) is type(_declared_default(function, spec))


def test_deep_dream_signature_order_is_the_schemas() -> None:
    present = [n for n in inspect.signature(pydream.deep_dream).parameters if n != "preset"]
    expected = ["image"] + [spec.name for spec in call_arguments()]
    assert present == [name for name in expected if name in present]


def _gradient_ascent_settings() -> list[str]:
    names = inspect.signature(pydream.gradient_ascent).parameters
    return [name for name in names if name in SETTINGS]


@pytest.mark.parametrize(
    ("function", "name"),
    [_case("gradient_ascent", name) for name in _gradient_ascent_settings()],
)
def test_gradient_ascent_signature_has_the_schema_default(function: str, name: str) -> None:
    parameter = inspect.signature(pydream.gradient_ascent).parameters[name]
    if parameter.default is inspect.Parameter.empty:
        return  # a required argument of the building block (iterations, step)
    assert parameter.default == _declared_default(function, SETTINGS[name])


# --- the command line ------------------------------------------------------------------------


def _options(command: str) -> dict[str, argparse.Action]:
    parser = build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {action.dest: action for action in subparsers.choices[command]._actions}


CLI_SETTINGS = [name for name, spec in SETTINGS.items() if spec.cli and spec.kind != "layers"]


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("name", CLI_SETTINGS)
def test_command_line_option_follows_the_schema(command: str, name: str) -> None:
    spec = SETTINGS[name]
    action = _options(command).get(name)
    assert action is not None, f"pydream {command} has no option for {name}"
    assert "--" + name.replace("_", "-") in action.option_strings
    assert f"default: {describe_default(spec)}" in (action.help or "")
    if spec.kind == "flag":
        assert action.nargs == 0 and action.const is True
    elif spec.kind == "choice":
        assert list(action.choices or ()) == list(spec.choices)
    elif spec.kind in ("number", "whole"):
        parse = action.type
        assert callable(parse)
        value = parse("3")
        assert value == 3 and isinstance(value, int if spec.kind == "whole" else float)
        if spec.kind == "whole":
            with pytest.raises((ValueError, argparse.ArgumentTypeError)):
                parse("2.5")
        if spec.allow_none:
            assert parse("none") is None


# --- the generated R file ----------------------------------------------------------------------


def test_generated_r_settings_are_fresh(capsys: pytest.CaptureFixture[str]) -> None:
    """``scripts/generate-r --check``: its Python script, run in this process, where Keras is
    loaded already (a process of its own would spend seconds loading it again)."""
    spec = importlib.util.spec_from_file_location("generate_r", REPO / "scripts" / "generate_r.py")
    assert spec is not None and spec.loader is not None
    generate_r = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate_r)
    assert generate_r.main(["--check"]) == 0, capsys.readouterr().err


# --- R ---------------------------------------------------------------------------------------


def _r_string(value: object) -> str:
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _run_r(library: Path, code: str) -> list[str]:
    """Run R code with the package attached (no Python needed); its output lines."""
    script = library.parent / f"{library.name}-script.R"
    script.write_text(
        f".libPaths(c({_r_string(library)}, .libPaths()))\nlibrary(deepdream)\n{code}\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        ["Rscript", "--vanilla", str(script)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "DEEPDREAM_PYTHON": "/nonexistent/python"},
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


FORMALS_R = r"""
row <- function(...) cat(..., sep = "\t", fill = FALSE)
for (f in c("deep_dream", "gradient_ascent", "dream_zoom", "dream_video")) {
  fs <- formals(get(f))
  for (n in names(fs)) {
    if (identical(fs[[n]], quote(expr = ))) {
      row(f, n, "language", "<required>")
    } else {
      v <- fs[[n]]
      if (is.language(v)) {
        row(f, n, "language", paste0("<call>", deparse(v)))
      } else if (is.null(v)) {
        row(f, n, "NULL", "NULL")
      } else {
        row(f, n, typeof(v), format(v, digits = 17, scientific = FALSE))
      }
    }
    cat("\n")
  }
}
"""


@pytest.fixture(scope="module")
def r_formals(r_library: Path) -> dict[str, list[tuple[str, str, str]]]:
    rows: dict[str, list[tuple[str, str, str]]] = {
        name: [] for name in ("deep_dream", "gradient_ascent", "dream_zoom", "dream_video")
    }
    for line in _run_r(r_library, FORMALS_R):
        function, name, kind, value = line.split("\t")
        rows[function].append((name, kind, value))
    return rows


R_TYPES = {"number": "double", "whole": "integer", "choice": "character", "flag": "logical"}


def _check_r_formal(spec: Setting, default: Any, kind: str, value: str) -> None:
    if spec.r_default is not None and default is spec.default:
        assert (kind, value) == ("language", "<call>" + spec.r_default)
    elif default is None:
        assert (kind, value) == ("NULL", "NULL")
    elif spec.kind in R_TYPES:
        assert kind == R_TYPES[spec.kind]
        if spec.kind == "flag":
            assert value == ("TRUE" if default else "FALSE")
        elif spec.kind in ("number", "whole"):
            assert math.isclose(float(value), float(default), rel_tol=0, abs_tol=1e-12)
        else:
            assert value == default
    else:
        assert value == str(default)


def test_r_deep_dream_formals_are_the_schemas(r_formals: dict[str, Any]) -> None:
    rows = r_formals["deep_dream"]
    names = [name for name, _, _ in rows]
    expected = ["image", "layers", "preset"] + [
        spec.name for spec in call_arguments() if spec.name != "layers"
    ]
    assert names == expected
    for name, kind, value in rows:
        spec = SETTINGS.get(name) or RUN_OPTIONS.get(name)
        if spec is not None:
            _check_r_formal(spec, _declared_default("deep_dream", spec), kind, value)


def test_r_gradient_ascent_formals_are_pythons(r_formals: dict[str, Any]) -> None:
    rows = r_formals["gradient_ascent"]
    python = inspect.signature(pydream.gradient_ascent).parameters
    assert [name for name, _, _ in rows] == list(python)
    for name, kind, value in rows:
        if python[name].default is inspect.Parameter.empty:
            assert value == "<required>", name
        elif name in SETTINGS:
            _check_r_formal(SETTINGS[name], python[name].default, kind, value)


def _probes(spec: Setting) -> list[tuple[str, bool]]:
    """R values for a setting and whether R must accept them: each bound and just past it."""
    probes: list[tuple[str, bool]] = []
    step = 1 if spec.kind == "whole" else 1e-6
    if spec.kind in ("number", "whole"):
        if spec.minimum is not None:
            probes += [(repr(float(spec.minimum)), True), (repr(spec.minimum - step), False)]
        if spec.strictly_above is not None:
            probes += [(repr(float(spec.strictly_above)), False)]
            probes += [(repr(spec.strictly_above + step), True)]
        if spec.maximum is not None:
            probes += [(repr(float(spec.maximum)), True), (repr(spec.maximum + step), False)]
        probes += [("NA", False), ('"3"', False)]
    elif spec.kind == "choice":
        probes += [(_r_string(choice), True) for choice in spec.choices]
        probes += [('"no-such-choice"', False)]
    elif spec.kind == "flag":
        probes += [("TRUE", True), ("FALSE", True), ("NA", False)]
    if spec.kind in ("number", "whole", "choice", "flag"):
        probes.append(("NULL", spec.allow_none))
    return probes


PROBE_CASES = [
    (name, value, accepted) for name, spec in SETTINGS.items() for value, accepted in _probes(spec)
]


@pytest.fixture(scope="module")
def r_probe_results(r_library: Path) -> dict[tuple[str, str], str]:
    lines = []
    for number, (name, value, _) in enumerate(PROBE_CASES):
        spec = SETTINGS[name]
        optimizer = "" if name == "optimizer" else f', optimizer = "{spec.optimizers[0]}"'
        lines.append(
            f"r <- tryCatch({{deepdream:::check_dream_settings(list({name} = {value}{optimizer}));"
            f' "accepted"}}, error = function(e) paste("rejected:", conditionMessage(e)))'
        )
        lines.append(f'cat("PROBE", {number}L, gsub("\\\\s+", " ", r), sep = "\\t"); cat("\\n")')
    results = {}
    for line in _run_r(r_library, "\n".join(lines)):
        if not line.startswith("PROBE\t"):
            continue
        _, index, outcome = line.split("\t", 2)
        name, value, _accepted = PROBE_CASES[int(index)]
        results[(name, value)] = outcome
    return results


@pytest.mark.parametrize(("name", "value", "accepted"), PROBE_CASES)
def test_r_checks_the_schemas_bounds(
    r_probe_results: dict[tuple[str, str], str], name: str, value: str, accepted: bool
) -> None:
    outcome = r_probe_results[(name, value)]
    if accepted:
        assert outcome == "accepted", f"R rejects {name} = {value}: {outcome}"
    else:
        assert outcome.startswith("rejected:"), f"R accepts {name} = {value}"
        assert f"`{name}`" in outcome


def test_r_layer_key_grammar_is_the_engines(r_library: Path) -> None:
    keys = ["mixed4", "mixed4:97", "mixed4: 0 - 15 ,97", "predictions:207", "mixed4:",
            "mixed4:a", "mixed4:3-1", f"mixed4:{objectives.MAX_INDEX}",
            f"mixed4:{objectives.MAX_INDEX + 1}", ":3", "mixed4:1,,2", "mixed4:-3",
            # pydream.objectives_beyond's keys (class names are checked by the engine only:
            # these are all known names)
            "mixed4:97@3,5", "mixed4 : 97 @ 3 , 5", "mixed4:97@c", "mixed4:97@3,c",
            "mixed4:97@c,4", "mixed4:97@3", "mixed4:97@", "mixed4:97@x,3", "mixed4:strong10",
            "mixed4: weak 3", "mixed4:avg1", "mixed4:strong0", "mixed4:avg00", "mixed4:strong",
            "mixed4:medium3", "mixed4:~3,7", "mixed4:~ 3-5", "mixed4:~", "mixed4:~a",
            "mixed4:~3-1", "mixed4:diversity", "mixed4:diversity2", "mixed4:direction#0123",
            "mixed4:cosine#0123", "predictions:tabby", "predictions: tabby cat , 207",
            "predictions:Tabby_Cat", "mixed4:tabby", "mixed4:\u00e9", "mixed4:@",
            f"predictions:tabby,{objectives.MAX_INDEX + 1}"]  # fmt: skip
    code = "\n".join(
        f"r <- tryCatch(deepdream:::parse_layer_key({_r_string(key)})$layer, "
        f'error = function(e) paste("<error>", conditionMessage(e))); cat(r, "\\n", sep = "")'
        for key in keys
    )
    r_layers = _run_r(r_library, code)
    for key, r_layer in zip(keys, r_layers, strict=True):
        try:
            python_layer = objectives.term_from_key(key).layer
        except (TypeError, ValueError) as error:
            python_layer = "<error>"
            if "chooses no channel" in str(error):  # the same words
                assert "chooses no channel: give a count from 1" in r_layer, key
        assert r_layer.split(" ", 1)[0] == python_layer, key


# --- the animation settings ---------------------------------------------------------------------


def _animation_cases() -> list[Any]:
    return [
        pytest.param(animation, spec.name, id=f"{animation}-{spec.name}")
        for animation in ANIMATIONS
        for spec in ANIMATION_SETTINGS.values()
        if animation in spec.animations
    ]


@pytest.mark.parametrize(("animation", "name"), _animation_cases())
def test_animation_signatures_have_the_schemas_defaults(animation: str, name: str) -> None:
    spec = ANIMATION_SETTINGS[name]
    parameter = inspect.signature(getattr(pydream, f"dream_{animation}")).parameters[name]
    given = parameter.default.value if isinstance(parameter.default, Default) else parameter.default
    declared = FUNCTION_DEFAULTS.get(f"dream_{animation}", {}).get(name, spec.default)
    assert spec.check(given) == (None if declared is None else spec.check(declared))


def _r_spelling(spec: Setting, default: Any) -> str:
    """How an R formal prints the declared default (``r_default`` where declared)."""
    if spec.r_default is not None and default is spec.default:
        return spec.r_default
    if default is None:
        return "NULL"
    if spec.kind == "offset":
        return "c(" + ", ".join(f"{each:g}" for each in default) + ")"
    return f"{default:g}" if isinstance(default, float) else str(default)


@pytest.mark.parametrize(("animation", "name"), _animation_cases())
def test_r_animation_formals_are_the_schemas(
    r_formals: dict[str, Any], animation: str, name: str
) -> None:
    spec = ANIMATION_SETTINGS[name]
    rows = {row[0]: row for row in r_formals[f"dream_{animation}"]}
    assert name in rows, f"R's dream_{animation}() has no argument {name}"
    _, _, value = rows[name]
    declared = FUNCTION_DEFAULTS.get(f"dream_{animation}", {}).get(name, spec.default)
    if spec.kind == "number" and declared is not None:
        assert math.isclose(float(value), declared, rel_tol=0, abs_tol=1e-12)
    else:
        assert value.removeprefix("<call>") == _r_spelling(spec, declared)

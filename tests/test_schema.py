"""The settings schema: declarations, what derives from them (engine key, command-line
options), the optimiser rule and the renamed L-BFGS noise."""

from __future__ import annotations

import argparse
import dataclasses
import warnings

import numpy as np
import pytest
from PIL import Image

from pydream import cli
from pydream.errors import DeprecatedSettingWarning, SettingError
from pydream.presets import resolve_settings
from pydream.settings import (
    ANIMATION_SETTINGS,
    ANIMATIONS,
    FUNCTION_DEFAULTS,
    GROUPS,
    KINDS,
    RUN_OPTIONS,
    SETTINGS,
    Default,
    DreamSettings,
    call_arguments,
)

LAYERS = {"mixed3": 1.0}


def test_every_setting_is_declared_completely():
    fields = [field.name for field in dataclasses.fields(DreamSettings)]
    assert list(SETTINGS) == fields
    for name, spec in {**SETTINGS, **RUN_OPTIONS, **ANIMATION_SETTINGS}.items():
        assert spec.name == name
        assert spec.kind in KINDS, name
        assert spec.group in GROUPS, name
        assert len(spec.help) > 10, name
        assert spec.engine in ("", "value", "presence"), name
        assert set(spec.optimizers) <= {"ascent", "lbfgs"}, name
        if spec.kind == "choice":
            assert spec.default in spec.choices or spec.allow_none, name
        assert set(spec.animations) <= set(ANIMATIONS), name
        assert not spec.animations or name in ANIMATION_SETTINGS, name
    for function, defaults in FUNCTION_DEFAULTS.items():
        assert set(defaults) <= set(SETTINGS) | set(ANIMATION_SETTINGS), function
    assert not set(SETTINGS) & set(ANIMATION_SETTINGS)  # one name, one meaning


def test_animation_defaults_pass_their_own_checks():
    for name, spec in ANIMATION_SETTINGS.items():
        if spec.default is not None:
            assert spec.check(spec.default) == spec.default, name


def test_each_default_passes_its_own_check():
    for name, spec in SETTINGS.items():
        if name != "layers":
            assert spec.check(spec.default) == spec.default, name


@pytest.mark.parametrize(
    ("name", "bad"),
    [
        ("border", 1_000_001),
        ("jitter", 1_000_001),
        ("lbfgs_evaluations", 1_000_001),
        ("memory_budget", 1e7),
        ("memory_budget", 0.0),
        ("seed", 2**32),
        ("iterations", 2**31),
        ("lap_levels", 13),
        ("smoothing", 100.5),
        ("lbfgs_noise", 256.0),
        ("num_octave", 0),
        ("loss", "l3"),
        ("clip", 1),
    ],
)
def test_bounds_come_from_the_declaration(name, bad):
    with pytest.raises(SettingError) as caught:
        DreamSettings(layers=LAYERS, **{name: bad})
    assert caught.value.setting == name
    assert caught.value.allowed
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, TypeError)


def test_the_engine_key_follows_the_declared_engine_settings():
    base = DreamSettings(layers=LAYERS)
    engine_settings = [name for name, spec in SETTINGS.items() if spec.engine]
    assert {"layers", "model", "precision", "normalize", "guide"} <= set(engine_settings)
    assert "step" not in engine_settings and "iterations" not in engine_settings
    assert DreamSettings(layers=LAYERS, step=0.5).engine_key() == base.engine_key()
    assert DreamSettings(layers=LAYERS, iterations=3).engine_key() == base.engine_key()
    assert DreamSettings(layers=LAYERS, border=0).engine_key() != base.engine_key()
    assert DreamSettings(layers=LAYERS, normalize="std").engine_key() != base.engine_key()
    guided = DreamSettings(layers=LAYERS, guide=np.zeros((8, 8, 3), np.uint8))
    assert guided.engine_key() != base.engine_key()


def test_deep_dream_order_places_run_options_after_their_settings():
    names = [spec.name for spec in call_arguments()]
    assert names.index("save_octaves") == names.index("precision") + 1
    assert names[names.index("save_octaves") : names.index("save_octaves") + 4] == [
        "save_octaves",
        "output",
        "progress",
        "callback",
    ]
    assert names.index("overwrite") == names.index("lbfgs_evaluations") + 1
    # a new setting comes last, so that R's positions hold
    assert names[-2:] == ["lbfgs_noise", "original_colors"]


def _commands() -> dict[str, argparse.ArgumentParser]:
    parser = cli.build_parser()
    (sub,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def test_every_option_of_every_command_has_help_with_its_default():
    missing = []
    for name, command in _commands().items():
        for action in command._actions:
            if not action.option_strings or isinstance(action, argparse._HelpAction):
                continue
            text = action.help or ""
            if "default" not in text and "required)" not in text:
                missing.append(f"{name} {action.option_strings[0]}")
    assert not missing


def test_every_dreaming_command_has_an_option_per_setting():
    for name in ("dream", "gallery", "zoom", "video", "batch"):
        options = {action.dest: action for action in _commands()[name]._actions}
        for setting, spec in SETTINGS.items():
            if spec.cli and setting != "layers":
                assert setting in options, (name, setting)
                if spec.kind == "choice":
                    assert list(options[setting].choices) == list(spec.choices)


@pytest.mark.parametrize(
    "explicit",
    [
        {"normalize": "laplacian"},
        {"step": 0.02},
        {"smoothing": 1.0},
        {"lap_levels": 3},
        {"clip": True},
        {"tile_size": 512},
    ],
)
def test_a_setting_the_optimizer_ignores_is_an_error_when_given(explicit):
    name = next(iter(explicit))
    with pytest.raises(SettingError, match=f"{name} applies to optimizer='ascent' only") as caught:
        resolve_settings(LAYERS, None, {"optimizer": "lbfgs", **explicit})
    assert caught.value.setting == name


def test_settings_of_lbfgs_are_errors_with_ascent_and_inert_values_are_fine():
    with pytest.raises(SettingError, match="lbfgs_evaluations applies to optimizer='lbfgs'"):
        resolve_settings(LAYERS, None, {"lbfgs_evaluations": 3})
    with pytest.raises(SettingError, match="lbfgs_noise applies to optimizer='lbfgs'"):
        resolve_settings(LAYERS, None, {"lbfgs_noise": 3.0})
    settings = resolve_settings(LAYERS, None, {"optimizer": "lbfgs", "tile_size": "auto"})
    assert settings.tile_size == "auto"
    resolve_settings(LAYERS, None, {"optimizer": "lbfgs", "tile_size": None})


def test_what_a_preset_sets_or_a_default_is_not_an_error():
    # the tutorial preset sets normalize and clip; choosing L-BFGS over it is allowed
    settings = resolve_settings(None, "tutorial", {"optimizer": "lbfgs"})
    assert settings.optimizer == "lbfgs" and settings.normalize == "std"
    resolve_settings(LAYERS, None, {"optimizer": "lbfgs", "step": Default(0.01)})


def test_jitter_with_lbfgs_moves_to_lbfgs_noise_with_a_warning():
    with pytest.warns(DeprecatedSettingWarning, match="lbfgs_noise"):
        settings = resolve_settings(LAYERS, None, {"optimizer": "lbfgs", "jitter": 5})
    assert settings.lbfgs_noise == 5.0 and settings.jitter == 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        acid = resolve_settings(None, "acid", {})
    assert acid.lbfgs_noise == 5.0 and acid.jitter == 0


def test_the_command_line_refuses_an_ignored_setting_in_one_line(tmp_path, capsys):
    photo = tmp_path / "photo.png"
    Image.fromarray(np.full((64, 64, 3), 120, np.uint8)).save(photo)
    out = tmp_path / "out.png"
    status = cli.main(
        ["dream", str(photo), "-o", str(out), "--optimizer", "lbfgs", "--normalize", "laplacian"]
    )
    error = capsys.readouterr().err
    assert status == 2
    assert error.count("\n") == 1
    assert error.startswith("pydream: error: normalize applies to optimizer='ascent' only")
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["photo.png"]


@pytest.mark.parametrize("word", ["none", "inf", "off", "None"])
def test_max_loss_keeps_its_command_line_words_for_never(word):
    options = cli.build_parser().parse_args(
        ["dream", "in.png", "-o", "out.png", "--max-loss", word]
    )
    assert options.max_loss is None

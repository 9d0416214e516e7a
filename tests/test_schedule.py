"""Keyframes of an animation's settings: values at each frame, the forms they are given in,
and the one-line errors of bad ones (no Keras needed)."""

from __future__ import annotations

import argparse
import json

import numpy as np
import pytest

from pydream.cli import parse_keyframed, parse_offset
from pydream.errors import SettingError
from pydream.motion.schedule import (
    Track,
    animation_schedule,
    is_keyframes,
    is_per_frame,
    keyframe_track,
    per_frame_track,
    read_schedule,
)
from pydream.settings import KEYFRAMED, Default, DreamSettings

ZOOM = {"zoom": Default(1.05), "rotate": Default(0.0), "translate": Default((0.0, 0.0))}


def values(track: Track, frames: int, interpolation: str = "linear") -> list:
    return [track.at(index, interpolation) for index in range(frames)]


def test_numbers_move_linearly_or_smoothly_and_hold_outside_the_keyframes():
    track = keyframe_track("zoom", {2: 1.0, 6: 2.0}, 10)
    assert values(track, 10) == pytest.approx([1, 1, 1, 1.25, 1.5, 1.75, 2, 2, 2, 2])
    smooth = [1 + t * t * (3 - 2 * t) for t in (0.25, 0.5, 0.75)]
    assert values(track, 10, "smooth")[3:6] == pytest.approx(smooth)
    assert values(track, 10, "smooth")[3] == pytest.approx(1.15625)


def test_whole_numbers_round_layers_switch_and_offsets_move_per_axis():
    iterations = keyframe_track("iterations", {0: 1, 3: 2}, 5)
    assert values(iterations, 5) == [1, 1, 2, 2, 2]  # 1.33 -> 1, 1.67 -> 2
    layers = keyframe_track("layers", {0: {"mixed3": 1}, 3: {"mixed5": 2}}, 5)
    assert [dict(each) for each in values(layers, 5)] == [{"mixed3": 1.0}] * 3 + [
        {"mixed5": 2.0}
    ] * 2
    translate = keyframe_track("translate", {0: (0, 0), 4: (4, -8)}, 5)
    assert values(translate, 5)[1] == pytest.approx((1.0, -2.0))
    max_loss = keyframe_track("max_loss", {0: None, 2: 5.0}, 4)
    assert values(max_loss, 4) == [None, None, 5.0, 5.0]  # None does not interpolate


def test_the_forms_of_keyframes_and_of_lists():
    assert is_keyframes({0: 1.0, "48": 1.1}) and is_keyframes({"0": {"mixed3": 1}})
    assert not is_keyframes({"mixed3": 1.0}) and not is_keyframes({}) and not is_keyframes(1.05)
    assert is_per_frame("zoom", [1.0, 1.1]) and is_per_frame("step", np.array([0.01, 0.02]))
    assert not is_per_frame("zoom", 1.05) and not is_per_frame("zoom", np.float64(1.05))
    assert not is_per_frame("layers", [{"mixed3": 1}])  # a list of layers is per octave
    assert not is_per_frame("translate", (4, 0)) and is_per_frame("translate", [(4, 0), (2, 0)])
    assert values(per_frame_track("step", [0.01, 0.02, 0.03], 3), 4) == [0.01, 0.02, 0.03, 0.03]


@pytest.mark.parametrize(
    ("name", "given", "message"),
    [
        ("zoom", {48: 1.1, 10: 1.02}, "zoom keyframes must be in increasing frame order: frame "
         "10 comes after frame 48"),
        ("zoom", {0: 1.0, 60: 1.1}, r"zoom keyframe at frame 60 is past the last frame \(59\) "
         "of 60 frames"),
        ("zoom", {-1: 1.0}, "zoom keyframes are frame numbers from 0, not -1"),
        ("zoom", {0: 0.5}, "zoom must be from 1 to 4, not 0.5"),
        ("step", {0: "fast"}, "step must be a number"),
        ("layers", {0: {"mixed3": "lots"}}, "mixed3"),
    ],
)  # fmt: skip
def test_bad_keyframes_are_one_line_errors(name, given, message):
    with pytest.raises(SettingError, match=message) as error:
        keyframe_track(name, given, 60)
    assert "\n" not in str(error.value)


def test_a_list_of_the_wrong_length_says_the_number_of_frames():
    with pytest.raises(SettingError, match="zoom has 59 values but the animation has 60 frames"):
        per_frame_track("zoom", [1.05] * 59, 60)


def test_schedule_files_and_objects_become_keyframes_by_setting(tmp_path):
    file = tmp_path / "schedule.json"
    file.write_text(json.dumps({"0": {"zoom": 1.02, "layers": {"mixed3": 1}}, "48": {"zoom": 1.1}}))
    assert read_schedule(file) == {"zoom": {"0": 1.02, "48": 1.1}, "layers": {"0": {"mixed3": 1}}}
    plan, settings = animation_schedule(ZOOM, {"step": 0.02}, file, 60, "smooth")
    assert set(plan.tracks) == {"zoom", "layers"} and settings["layers"] == {"mixed3": 1.0}
    assert plan.constants == {"rotate": 0.0, "translate": (0.0, 0.0)}
    assert plan.describe()["tracks"]["zoom"] == {"frames": [0, 48], "values": [1.02, 1.1]}
    base = DreamSettings(**{**settings, "weights": None})
    assert plan.settings_at(base, 10).step == 0.02
    assert plan.value("zoom", 24) == pytest.approx(1.06)


def test_bad_schedules_are_one_line_errors(tmp_path):
    cases = [
        ({"0": {"model": "vgg16"}}, "schedule: model cannot change from frame to frame"),
        ({"0": {"zom": 1.1}}, r"zom cannot change from frame to frame \(not a setting\)"),
        ({"zoom": 1.1}, "schedule must be an object of frame -> settings"),
        ({"0": 1.1}, "schedule frame 0 must map setting names to values"),
    ]
    for schedule, message in cases:
        with pytest.raises(SettingError, match=message):
            animation_schedule(ZOOM, {}, schedule, 10, "linear")
    with pytest.raises(SettingError, match="zoom is given both as an argument and in schedule"):
        animation_schedule({**ZOOM, "zoom": 1.1}, {}, {"0": {"zoom": 1.2}}, 10, "linear")
    broken = tmp_path / "broken.json"
    broken.write_text("{0: ")
    with pytest.raises(SettingError, match=r"schedule file .*broken\.json is not JSON"):
        animation_schedule(ZOOM, {}, broken, 10, "linear")
    with pytest.raises(FileNotFoundError, match="schedule file not found"):
        animation_schedule(ZOOM, {}, tmp_path / "missing.json", 10, "linear")


def test_translate_takes_two_numbers():
    with pytest.raises(SettingError, match=r"translate must be two numbers \(x, y pixels a "
                       r"frame\), not 4$"):  # fmt: skip
        animation_schedule({**ZOOM, "translate": 4}, {}, None, 10, "linear")


def test_the_command_line_spells_keyframes_frame_colon_value():
    parse = parse_keyframed(float)
    assert parse("1.05") == 1.05
    assert parse("0:1.02, 48:1.10") == {0: 1.02, 48: 1.1}
    for bad in ("0:1.02,48", "a:1", "0:"):
        with pytest.raises(argparse.ArgumentTypeError, match="FRAME:VALUE pairs"):
            parse(bad)
    assert parse_offset("4,-2") == (4.0, -2.0)
    with pytest.raises(argparse.ArgumentTypeError, match="two numbers X,Y"):
        parse_offset("4")


def test_the_schema_declares_what_may_be_keyframed():
    assert {"zoom", "rotate", "translate", "blend", "step", "iterations", "layers"} <= set(
        KEYFRAMED
    )
    assert not {"model", "weights", "seed", "fps", "loop"} & set(KEYFRAMED)

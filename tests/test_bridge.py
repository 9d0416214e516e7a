"""The R package's Python bridge: what it tells R about a dream before running it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BRIDGE = (
    Path(__file__).resolve().parents[1] / "rpackage" / "inst" / "python" / "deepdream_bridge.py"
)


@pytest.fixture(scope="module")
def bridge():
    spec = importlib.util.spec_from_file_location("deepdream_bridge", BRIDGE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_step_plan_resolves_defaults_presets_and_explicit_arguments(bridge):
    assert bridge.step_plan({}) == {"num_octave": 3, "iterations": 20}
    assert bridge.step_plan({"preset": "jellyfish"}) == {"num_octave": 5, "iterations": 20}
    assert bridge.step_plan({"preset": "tutorial", "iterations": 7}) == {
        "num_octave": 1,
        "iterations": 7,
    }
    plan = bridge.step_plan({"layers": {"mixed3": 1.0}, "num_octave": 2, "output": "x.png"})
    assert plan == {"num_octave": 2, "iterations": 20}


def test_step_plan_of_invalid_arguments_is_one_step(bridge):
    assert bridge.step_plan({"preset": "nope"}) == {"num_octave": 1, "iterations": 1}
    assert bridge.step_plan({"iterations": -1}) == {"num_octave": 1, "iterations": 1}


def test_tiling_notes_travel_apart_from_warnings(bridge, tiny_models, photo):
    result = bridge.call(
        "deep_dream",
        [str(photo)],
        {"layers": {"double": 1.0}, "model": "tiny", "weights": None, "iterations": 1,
         "memory_budget": 0.0017},
    )  # fmt: skip
    assert result["ok"] and result["warnings"] == []
    assert len(result["notes"]) == 1 and "dreaming in tiles of at most" in result["notes"][0]
    tiny = {"layers": {"double": 1.0}, "model": "tiny", "weights": None, "memory_budget": 1e-6}
    failed = bridge.call("deep_dream", [str(photo)], tiny)
    assert not failed["ok"] and failed["type"] == "MemoryBudgetError"
    assert "memory budget" in failed["message"] and failed["notes"] == []


def test_an_animation_stopped_from_r_keeps_its_frames_and_says_so(bridge, tiny_models, photo):
    pytest.importorskip("cv2", reason="the video extra (OpenCV) is not installed")
    pytest.importorskip("imageio_ffmpeg", reason="the video extra is not installed")
    seen = []

    def r_function(index, frame):  # stands in for the R frame runner
        seen.append((index, None if frame is None else tuple(frame["shape"])))
        return index == 1

    output = photo.parent / "zoom.gif"
    settings = {"frames": 3, "layers": {"square": 1.0}, "model": "tiny", "weights": None,
                "iterations": 1, "num_octave": 1, "seed": 0}  # fmt: skip
    stopped = bridge.call(
        "zoom", [str(photo), str(output)],
        {**settings, "callback": bridge.r_frame_callback(r_function, True)},
    )  # fmt: skip
    assert not stopped["ok"] and stopped["type"] == "AnimationStopped"
    assert stopped["message"] == (
        f"interrupted; 2 of 3 frames are kept in {output}.frames: run the same command again "
        "to go on"
    )
    assert seen == [(0, (90, 120, 3)), (1, (90, 120, 3))]
    resumed = bridge.call(
        "zoom", [str(photo), str(output)],
        {**settings, "callback": bridge.r_frame_callback(r_function, False)},
    )  # fmt: skip
    assert resumed["ok"] and resumed["value"] == str(output)
    assert seen[2:] == [(2, None)]
    assert bridge.video_frame_count(str(photo.parent / "missing")) is None

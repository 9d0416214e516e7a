"""Artists' controls of animations on a tiny model: translate, keyframes and schedules (exact
frames before a switch, bit-identical resume, refused reruns), colour lock, loops, original
colours, and their command line."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageSequence

pytest.importorskip("cv2", reason="the video extra (OpenCV) is not installed")
pytest.importorskip("imageio_ffmpeg", reason="the video extra is not installed")

import pydream
from pydream.cli import main
from pydream.engine.colors import to_ycbcr

from .conftest import IMAGES, LONG_TESTS, REAL_WEIGHTS, needs_images, needs_real_weights
from .test_motion import TINY, TINY_CLI, CountingDreams, leftovers, read_folder, scene


@pytest.fixture
def picture() -> np.ndarray:
    return scene(40, 56)


def phase_shift(before: np.ndarray, after: np.ndarray) -> tuple[float, float]:
    """(x, y) pixels ``after`` is moved from ``before``, by phase correlation of grey."""
    import cv2

    grey = [np.float64(frame).mean(axis=2) for frame in (before, after)]
    (x, y), _ = cv2.phaseCorrelate(grey[0], grey[1])
    return float(x), float(y)


def channel_means(rgb: np.ndarray) -> np.ndarray:
    return rgb.reshape(-1, 3).astype(np.float64).mean(axis=0)


def test_translate_moves_each_frame_by_its_pixels(tiny_models, tmp_path):
    still = scene(64, 96)
    out = pydream.dream_zoom(still, tmp_path / "pan", frames=4, zoom=1.0, translate=(4, 0), **TINY)
    frames = read_folder(out)
    for before, after in itertools.pairwise(frames):
        x, y = phase_shift(before, after)
        assert x == pytest.approx(4, abs=0.5) and y == pytest.approx(0, abs=0.5)


def test_a_layer_switch_at_frame_k_keeps_the_frames_before_it_bit_for_bit(
    tiny_models, picture, tmp_path
):
    first = {"square:0": 1.0}
    settings = {**TINY, "layers": {0: first, 3: {"square:1": 1.0}}}
    switched = read_folder(pydream.dream_zoom(picture, tmp_path / "a", frames=5, **settings))
    plain = read_folder(
        pydream.dream_zoom(picture, tmp_path / "b", frames=5, **{**TINY, "layers": first})
    )
    for index in range(3):
        np.testing.assert_array_equal(switched[index], plain[index])
    for index in (3, 4):
        assert np.abs(switched[index].astype(int) - plain[index]).mean() > 0.5


def test_keyframed_frames_use_their_interpolated_values(
    tiny_models, picture, tmp_path, monkeypatch
):
    dreams = CountingDreams(monkeypatch)
    pydream.dream_zoom(
        picture,
        tmp_path / "k",
        frames=5,
        zoom={0: 1.0, 4: 1.2},
        iterations=[1, 2, 3, 4, 5],
        interpolation="smooth",
        **{key: value for key, value in TINY.items() if key != "iterations"},
    )
    assert [settings.iterations for settings in dreams.settings] == [1, 2, 3, 4, 5]
    assert dreams.settings[0].seed != dreams.settings[1].seed  # each frame its own seed


def test_a_keyframed_run_resumes_bit_identically_and_refuses_other_keyframes(
    tiny_models, picture, tmp_path, monkeypatch
):
    keyframes = {"zoom": {0: 1.0, 5: 1.2}, "rotate": {0: 0, 5: 6}, "step": {0: 0.02, 5: 0.08}}
    settings = {**TINY, **keyframes, "keep_frames": True}
    whole = read_folder(pydream.dream_zoom(picture, tmp_path / "whole", frames=6, **settings))
    counting = CountingDreams(monkeypatch, stop=4)
    with pytest.raises(KeyboardInterrupt, match="3 of 6 frames are kept"):
        pydream.dream_zoom(picture, tmp_path / "broken", frames=6, **settings)
    monkeypatch.setattr(pydream.engine.dream.DEFAULT_DREAMER, "dream", counting.original)
    resumed = read_folder(pydream.dream_zoom(picture, tmp_path / "broken", frames=6, **settings))
    for one, other in zip(whole, resumed, strict=True):
        np.testing.assert_array_equal(one, other)
    other = {**settings, "zoom": {0: 1.0, 5: 1.3}}
    with pytest.raises(ValueError, match="holds frames dreamed with another schedule"):
        pydream.dream_zoom(picture, tmp_path / "broken", frames=6, **other)
    manifest = json.loads((tmp_path / "broken.frames" / "manifest.json").read_text())
    assert manifest["schedule"]["tracks"]["rotate"] == {"frames": [0, 5], "values": [0.0, 6.0]}


def test_color_lock_holds_a_zoom_to_its_first_frame(tiny_models, tmp_path):
    bright = {**TINY, "step": 0.04, "iterations": 2}  # each frame darkens the picture
    start = scene(40, 56) // 2
    drift = {}
    for lock in (False, True, "histogram"):
        frames = read_folder(
            pydream.dream_zoom(
                start, tmp_path / f"z{lock}", frames=8, zoom=1.05, color_lock=lock, **bright
            )
        )
        drift[lock] = np.abs(channel_means(frames[-1]) - channel_means(frames[0])).max()
    assert drift[False] > 10, drift
    assert drift[True] <= 1.0 and drift["histogram"] <= 1.0, drift


def test_color_lock_holds_each_video_frame_to_its_source(tiny_models, tmp_path):
    folder = tmp_path / "clip"
    folder.mkdir()
    sources = [np.roll(scene(40, 56) // 2, 3 * index, axis=1) for index in range(3)]
    for index, frame in enumerate(sources):
        Image.fromarray(frame).save(folder / f"f{index}.png")
    bright = {**TINY, "step": 0.3}
    out = pydream.dream_video(folder, tmp_path / "v", color_lock=True, **bright)
    for dream, source in zip(read_folder(out), sources, strict=True):
        assert np.abs(channel_means(dream) - channel_means(source)).max() <= 1.0


def test_pingpong_runs_forward_then_back(tiny_models, picture, tmp_path):
    gif = pydream.dream_zoom(
        picture, tmp_path / "z.gif", frames=4, loop="pingpong", keep_frames=True, **TINY
    )
    kept = read_folder(tmp_path / "z.gif.frames")
    with Image.open(gif) as animation:
        shown = [np.asarray(frame.convert("RGB")) for frame in ImageSequence.Iterator(animation)]
    assert len(shown) == 6  # 0 1 2 3 2 1
    folder = read_folder(
        pydream.dream_zoom(picture, tmp_path / "f", frames=4, loop="pingpong", **TINY)
    )
    order = [0, 1, 2, 3, 2, 1]
    for frame, index in zip(folder, order, strict=True):
        np.testing.assert_array_equal(frame, kept[index])


def test_a_seamless_zoom_cross_fades_its_extra_frames_into_its_first(
    tiny_models, picture, tmp_path
):
    out = pydream.dream_zoom(
        picture, tmp_path / "s", frames=8, loop="seamless", keep_frames=True, **TINY
    )
    shown, dreamed = read_folder(out), read_folder(tmp_path / "s.frames")
    assert len(shown) == 8 and len(dreamed) == 10  # a quarter more: 2
    for j in range(2):
        weight = (j + 1) / 3
        mixed = (1 - weight) * dreamed[8 + j].astype(float) + weight * dreamed[j]
        np.testing.assert_array_equal(shown[j], np.clip(np.rint(mixed), 0, 255).astype(np.uint8))
    for j in range(2, 8):
        np.testing.assert_array_equal(shown[j], dreamed[j])


def test_original_colors_apply_to_every_frame_of_a_zoom(tiny_models, picture, tmp_path):
    frames = read_folder(
        pydream.dream_zoom(picture, tmp_path / "o", frames=2, original_colors=True, **TINY)
    )
    chroma = np.abs(to_ycbcr(frames[0])[..., 1:] - to_ycbcr(picture)[..., 1:]).mean()
    assert chroma <= 1.0


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        (
            {"zoom": {4: 1.02, 3: 1.1}},
            ValueError,
            "zoom keyframes must be in increasing frame order: frame 3 comes after frame 4",
        ),
        (
            {"zoom": {0: 1.02, 12: 1.1}},
            ValueError,
            r"zoom keyframe at frame 12 is past the last "
            r"frame \(5\) of 6 frames",
        ),
        ({"rotate": [0, 1, 2]}, ValueError, "rotate has 3 values but the animation has 6 frames"),
        ({"translate": 4}, TypeError, r"translate must be two numbers \(x, y pixels a frame\)"),
        (
            {"loop": "spiral"},
            ValueError,
            "loop must be one of 'pingpong', 'seamless', not 'spiral'",
        ),
        ({"color_lock": "sideways"}, ValueError, "color_lock must be True, False or one of"),
        ({"interpolation": "cubic"}, ValueError, "interpolation must be one of 'linear', 'smooth'"),
        ({"layers": {0: {"square": 1}, 2: {"nowhere": 1}}}, ValueError, "nowhere"),
        ({"schedule": {"0": {"fps": 3}}}, ValueError, "fps cannot change from frame to frame"),
    ],
)
def test_bad_animation_controls_fail_first_and_leave_nothing(
    tiny_models, picture, tmp_path, arguments, error, message
):
    with pytest.raises(error, match=message) as raised:
        pydream.dream_zoom(picture, tmp_path / "z.gif", frames=6, **{**TINY, **arguments})
    assert "\n" not in str(raised.value)
    assert leftovers(tmp_path) == []


def test_a_video_knows_its_frame_count_for_lists_and_refuses_seamless(tiny_models, tmp_path):
    folder = tmp_path / "clip"
    folder.mkdir()
    for index in range(3):
        Image.fromarray(scene(40, 56)).save(folder / f"f{index}.png")
    with pytest.raises(ValueError, match="blend has 2 values but the animation has 3 frames"):
        pydream.dream_video(folder, tmp_path / "v.gif", blend=[0.5, 0.5], **TINY)
    with pytest.raises(ValueError, match="loop='seamless' closes a zoom"):
        pydream.dream_video(folder, tmp_path / "v.gif", loop="seamless", **TINY)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["clip"]


def test_the_command_line_gives_the_frames_of_the_python_call(tiny_models, picture, tmp_path):
    photo = tmp_path / "photo.png"
    Image.fromarray(picture).save(photo)
    schedule = tmp_path / "schedule.json"
    schedule.write_text(json.dumps({"0": {"step": 0.02}, "3": {"step": 0.08}}))
    code = main(
        [
            "zoom",
            str(photo),
            "-o",
            str(tmp_path / "cli"),
            "--frames",
            "4",
            "--zoom",
            "0:1.0, 3:1.2",
            "--translate",
            "2,1",
            "--color-lock",
            "--schedule",
            str(schedule),
            "--interpolation",
            "smooth",
            "--quiet",
            *[part for part in TINY_CLI if part not in ("--step", "0.05")],
        ]
    )
    assert code == 0
    python = pydream.dream_zoom(
        photo,
        tmp_path / "py",
        frames=4,
        zoom={0: 1.0, 3: 1.2},
        translate=(2, 1),
        color_lock=True,
        schedule=schedule,
        interpolation="smooth",
        **{key: value for key, value in TINY.items() if key != "step"},
    )
    for one, other in zip(read_folder(tmp_path / "cli"), read_folder(Path(python)), strict=True):
        np.testing.assert_array_equal(one, other)


# --- real weights ---------------------------------------------------------------------------

REAL = {"num_octave": 2, "iterations": 5, "step": 0.02, "max_loss": None, "seed": 0}


def jellyfish_square(size: int) -> np.ndarray:
    """The jellyfish photo's middle, ``size`` x ``size`` pixels."""
    with Image.open(IMAGES / "jellyfish.jpg") as photo:
        side = min(photo.size)
        left, top = (photo.width - side) // 2, (photo.height - side) // 2
        square = photo.convert("RGB").crop((left, top, left + side, top + side))
        return np.asarray(square.resize((size, size), Image.Resampling.LANCZOS))


@needs_real_weights
@needs_images
@pytest.mark.real_weights
@pytest.mark.slow
def test_a_long_zoom_drifts_in_colour_and_the_lock_holds_it(tmp_path):
    # 60 frames at 256 pixels with LONG_TESTS; 10 frames at 128 pixels by default
    frames, size = (60, 256) if LONG_TESTS else (10, 128)
    settings = {**REAL, "weights": str(REAL_WEIGHTS), "frames": frames, "zoom": 1.05}
    start = jellyfish_square(size)
    drift = {}
    for lock in (False, True):
        out = pydream.dream_zoom(start, tmp_path / f"lock_{lock}", color_lock=lock, **settings)
        shown = read_folder(out)
        drift[lock] = channel_means(shown[-1]) - channel_means(shown[0])
        Image.fromarray(np.concatenate([shown[0], shown[-1]], axis=1)).save(
            tmp_path / f"first_last_{lock}.png"
        )
    print(
        f"\nzoom of {frames} frames at {size} px: last frame's mean drift from frame 0 "
        f"(R, G, B) without lock {np.round(drift[False], 2)}, with {np.round(drift[True], 2)}"
    )
    assert np.abs(drift[True]).max() <= 3.0
    assert np.abs(drift[False]).max() > np.abs(drift[True]).max()


@needs_real_weights
@needs_images
@pytest.mark.real_weights
def test_translate_pans_a_real_dream_by_its_pixels(tmp_path):
    settings = {**REAL, "weights": str(REAL_WEIGHTS), "zoom": 1.0, "translate": (4, 0)}
    shown = read_folder(
        pydream.dream_zoom(jellyfish_square(160), tmp_path / "pan", frames=3, **settings)
    )
    shifts = [phase_shift(a, b) for a, b in itertools.pairwise(shown)]
    print(f"\nphase correlation shifts between frames: {shifts}")
    for x, y in shifts:
        assert x == pytest.approx(4, abs=0.5) and y == pytest.approx(0, abs=0.5)

"""Optical flow and warping against exact cases: integer shifts, edges, appearing content."""

from __future__ import annotations

import numpy as np
import pytest

cv2 = pytest.importorskip("cv2", reason="the video extra (OpenCV) is not installed")

from pydream.motion.flow import (  # noqa: E402
    carry_dream,
    check_flow_method,
    occlusion_mask,
    optical_flow,
    outside_mask,
    warp,
    zoom_frame,
)


def texture(height: int, width: int, seed: int = 0) -> np.ndarray:
    """Smooth random texture, uint8 (H, W, 3): every region distinct, good for flow."""
    rng = np.random.default_rng(seed)
    noise = rng.random((height, width, 3)).astype(np.float32)
    smooth = cv2.GaussianBlur(noise, (0, 0), 2.0)
    smooth = (smooth - smooth.min()) / (smooth.max() - smooth.min())
    return np.rint(smooth * 255).astype(np.uint8)


def constant_flow(height: int, width: int, dx: float, dy: float) -> np.ndarray:
    flow = np.zeros((height, width, 2), np.float32)
    flow[..., 0], flow[..., 1] = dx, dy
    return flow


@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_an_integer_flow_moves_pixels_exactly(dtype):
    image = texture(30, 40).astype(dtype)
    warped = warp(image, constant_flow(30, 40, 3, -2))  # warped[y, x] = image[y - 2, x + 3]
    assert warped.dtype == dtype
    np.testing.assert_array_equal(warped[2:, :-3], image[:-2, 3:])
    np.testing.assert_array_equal(warp(image, constant_flow(30, 40, 0, 0)), image)


def test_outside_mask_marks_what_comes_from_beyond_the_frame():
    mask = outside_mask(constant_flow(30, 40, 3, -2))
    assert mask[:, -3:].all() and mask[:2].all()
    assert not mask[2:, :-3].any()
    assert not outside_mask(constant_flow(30, 40, 0.4, -0.4)).any()  # half a pixel is inside


@pytest.mark.parametrize("method", ["dis", "farneback"])
def test_estimated_flow_of_a_pan_is_the_shift(method):
    scene = texture(120, 200)
    previous, frame = scene[:, 20:180], scene[:, 24:184]  # the camera pans 4 px right
    backward = optical_flow(frame, previous, method)  # frame[y, x] = previous[y, x + 4]
    inner = backward[10:-10, 10:-10]
    assert inner.shape[-1] == 2 and backward.dtype == np.float32
    assert np.median(inner[..., 0]) == pytest.approx(4.0, abs=0.05)
    assert np.median(inner[..., 1]) == pytest.approx(0.0, abs=0.05)
    assert np.abs(inner[..., 0] - 4.0).mean() < 0.2


def test_occlusion_where_content_appears_at_the_edge():
    scene = texture(120, 200)
    previous, frame = scene[:, 20:180], scene[:, 24:184]
    exact = occlusion_mask(constant_flow(120, 160, 4, 0), constant_flow(120, 160, -4, 0))
    assert exact[:, -4:].all() and not exact[:, :-4].any()
    estimated = occlusion_mask(optical_flow(frame, previous), optical_flow(previous, frame))
    assert estimated[:, -4:].mean() > 0.95
    assert estimated[:, :-8].mean() < 0.01


def test_flows_that_disagree_are_occluded():
    backward = constant_flow(20, 20, 2, 0)
    forward = constant_flow(20, 20, -2, 0)
    forward[5:10, 5:10] = (3, 3)  # the previous frame's content there went elsewhere
    mask = occlusion_mask(backward, forward)
    assert mask[5:10, 3:8].all()  # pixels whose backward flow lands in the bad block
    assert not mask[12:, :-2].any()


def test_carry_dream_blends_warps_and_takes_new_content_from_the_frame():
    scene = texture(120, 200)
    previous, frame = scene[:, 20:180].copy(), scene[:, 24:184].copy()
    frame[50:70, 60:80] = (250, 20, 20)  # an object appears where the flow sees none
    dream = texture(120, 160, seed=1)
    start, fresh = carry_dream(dream, previous, frame, 0.6)
    assert fresh[50:70, 60:80].all() and fresh[:, -4:].all() and fresh.mean() < 0.05
    np.testing.assert_array_equal(start[50:70, 60:80], frame[50:70, 60:80])
    np.testing.assert_array_equal(start[:, -4:], frame[:, -4:])
    expected = np.rint(0.6 * warp(dream, constant_flow(120, 160, 4, 0)) + 0.4 * frame)
    away = np.s_[10:40, 10:140]  # far from the object and the edges
    assert np.abs(start[away].astype(float) - expected[away]).max() <= 2


def test_carry_dream_without_flow_and_with_blend_zero():
    rng = np.random.default_rng(0)
    dream, previous, frame = (rng.integers(0, 256, (16, 16, 3), dtype=np.uint8) for _ in range(3))
    blended, fresh = carry_dream(dream, previous, frame, 0.6, None)
    np.testing.assert_array_equal(blended, np.rint(0.6 * dream + 0.4 * frame.astype(float)))
    assert not fresh.any()
    alone, fresh = carry_dream(dream, previous, frame, 0.0)
    np.testing.assert_array_equal(alone, frame)
    assert fresh.all()


def test_a_scene_cut_is_all_new():
    first, second = texture(60, 80, seed=1), texture(60, 80, seed=2)
    start, fresh = carry_dream(texture(60, 80, seed=3), first, second, 0.6)
    assert fresh.mean() > 0.9
    np.testing.assert_array_equal(start[fresh], second[fresh])
    with pytest.raises(ValueError, match="flow must be one of 'dis', 'farneback'"):
        check_flow_method("lucas-kanade")


def test_zoom_frame_exact_cases():
    image = texture(41, 41)
    np.testing.assert_array_equal(zoom_frame(image, 1.0, 0.0), image)
    np.testing.assert_array_equal(zoom_frame(image, 1.0, 90.0), np.rot90(image, 1))
    np.testing.assert_array_equal(zoom_frame(image, 1.0, -90.0), np.rot90(image, -1))
    ramp = np.repeat(np.repeat((4 * np.arange(41, dtype=np.uint8))[None, :, None], 41, 0), 3, 2)
    zoomed = zoom_frame(ramp, 2.0).astype(int)  # x -> 20 + (x - 20) / 2: value 80 + 2 (x - 20)
    assert zoomed.shape == ramp.shape
    assert np.abs(zoomed[:, :, 0] - (80 + 2 * (np.arange(41) - 20))[None, :]).max() <= 1

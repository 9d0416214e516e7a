"""Optical flow and warping with OpenCV: carry a dream from one frame to the next, zoom in.

Flows are float32 arrays (H, W, 2) in pixels, ``(dx, dy)`` per pixel, in OpenCV's
convention: ``flow = optical_flow(source, target)`` gives ``source[y, x] ≈ target[y + dy,
x + dx]``. So the flow from a new frame to the previous one says, for every pixel of the new
frame, where it was before, and ``warp(previous, flow)`` lines the previous picture up with
the new frame.

Needs OpenCV (``pip install 'pydream-keras[video]'``); ``pydream.motion`` imports this module
only when an animation is made.
"""

from __future__ import annotations

from typing import NamedTuple

import cv2
import numpy as np

FLOW_METHODS = ("dis", "farneback")

CONSISTENCY_RATIO = 0.01
"""Forward-backward check: a pixel is occluded when ``|b + f|² > CONSISTENCY_RATIO *
(|b|² + |f|²) + CONSISTENCY_SLACK`` (``b`` the backward flow, ``f`` the forward flow where
``b`` points), as in Ruder et al., "Artistic style transfer for videos" (2016)."""
CONSISTENCY_SLACK = 0.5
"""Pixels²: the disagreement always allowed (flows are never exact)."""
COLOUR_THRESHOLD = 30.0
"""0..255 levels: where the warped previous frame differs from the new one by more than
this (mean over RGB), the content is new (an object appeared, a scene cut) and counts as
occluded even when the flows agree."""
EDGE_TOLERANCE = 0.5
"""Pixels: a flow may point this far outside the previous frame and still count as inside."""


def check_flow_method(method: str) -> str:
    """``method`` if it names a flow method (``"dis"``, ``"farneback"``), else a ValueError."""
    if method not in FLOW_METHODS:
        raise ValueError(
            f"flow must be one of {', '.join(map(repr, FLOW_METHODS))}, True or False, "
            f"not {method!r}"
        )
    return method


def _gray(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(np.ascontiguousarray(rgb, dtype=np.uint8), cv2.COLOR_RGB2GRAY)


def optical_flow(source: np.ndarray, target: np.ndarray, method: str = "dis") -> np.ndarray:
    """Dense optical flow from ``source`` to ``target``.

    Args:
        source, target: uint8 RGB pictures (H, W, 3) of one size.
        method: ``"dis"`` (OpenCV's DIS, medium preset: fast, and robust on flat areas such
            as sky) or ``"farneback"`` (Farnebäck's polynomial expansion; it can lose the
            motion over large flat areas).

    Returns:
        float32 (H, W, 2): ``(dx, dy)`` in pixels with ``source[y, x] ≈ target[y + dy, x + dx]``.
    """
    check_flow_method(method)
    if source.shape != target.shape:
        raise ValueError(f"frames differ in size: {source.shape} and {target.shape}")
    first, second = _gray(source), _gray(target)
    if method == "dis":
        dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
        flow = dis.calc(first, second, None)
    else:
        flow = cv2.calcOpticalFlowFarneback(first, second, None, 0.5, 4, 15, 3, 5, 1.2, 0)
    return np.asarray(flow, dtype=np.float32)


def _sample_maps(flow: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    height, width = flow.shape[:2]
    rows, columns = np.mgrid[0:height, 0:width].astype(np.float32)
    return columns + flow[..., 0], rows + flow[..., 1]


def warp(image: np.ndarray, flow: np.ndarray) -> np.ndarray:
    """Sample ``image`` along ``flow``: ``warped[y, x] = image[y + dy, x + dx]`` (bilinear).

    Args:
        image: (H, W) or (H, W, C) array, uint8 or float32.
        flow: float32 (H, W, 2), ``(dx, dy)`` in pixels.

    Returns:
        An array like ``image``; points outside it take the nearest edge pixel. An integer
        flow moves pixels exactly.
    """
    if image.shape[:2] != flow.shape[:2]:
        raise ValueError(f"image {image.shape[:2]} and flow {flow.shape[:2]} differ in size")
    map_x, map_y = _sample_maps(flow)
    return cv2.remap(image, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def outside_mask(flow: np.ndarray) -> np.ndarray:
    """bool (H, W): where ``flow`` points outside the frame (content new at the edges)."""
    height, width = flow.shape[:2]
    map_x, map_y = _sample_maps(flow)
    low = -EDGE_TOLERANCE
    return (
        (map_x < low)
        | (map_x > width - 1 + EDGE_TOLERANCE)
        | (map_y < low)
        | (map_y > height - 1 + EDGE_TOLERANCE)
    )


def occlusion_mask(backward: np.ndarray, forward: np.ndarray) -> np.ndarray:
    """Pixels of the new frame that the previous frame did not show.

    Args:
        backward: flow (H, W, 2) from the new frame to the previous one.
        forward: flow (H, W, 2) from the previous frame to the new one.

    Returns:
        bool (H, W): true where the two flows disagree (see ``CONSISTENCY_RATIO``) or the
        backward flow leaves the frame.
    """
    forward_here = warp(forward, backward)
    disagreement = np.square(backward + forward_here).sum(axis=2)
    allowed = (
        CONSISTENCY_RATIO * (np.square(backward).sum(axis=2) + np.square(forward_here).sum(axis=2))
        + CONSISTENCY_SLACK
    )
    return (disagreement > allowed) | outside_mask(backward)


class Carried(NamedTuple):
    """A video frame's start and where it comes from the new frame alone.

    Attributes:
        start: uint8 (H, W, 3), the picture the frame's dream starts from.
        fresh: bool (H, W), true where ``start`` is the new frame itself (content the
            previous frame did not show).
    """

    start: np.ndarray
    fresh: np.ndarray


def new_content(
    previous_frame: np.ndarray, frame: np.ndarray, method: str = "dis"
) -> tuple[np.ndarray, np.ndarray]:
    """The flow from ``frame`` back to ``previous_frame``, and where ``frame`` shows something new.

    New: the forward and backward flows disagree or leave the frame (``occlusion_mask``),
    or the previous frame moved along the flow differs from ``frame`` by more than
    ``COLOUR_THRESHOLD`` levels (an object that appeared, a scene cut).

    Returns:
        The backward flow, float32 (H, W, 2), and the mask of new content, bool (H, W).
    """
    backward = optical_flow(frame, previous_frame, method)
    forward = optical_flow(previous_frame, frame, method)
    moved = warp(previous_frame, backward).astype(np.float32)
    changed = np.abs(moved - frame.astype(np.float32)).mean(axis=2) > COLOUR_THRESHOLD
    return backward, occlusion_mask(backward, forward) | changed


def carry_dream(
    previous_dream: np.ndarray,
    previous_frame: np.ndarray,
    frame: np.ndarray,
    blend: float,
    method: str | None = "dis",
) -> Carried:
    """The picture a video frame's dream starts from.

    ``start = blend * warped_previous_dream + (1 - blend) * frame``, the previous dream
    warped along the flow from ``frame`` to ``previous_frame``; where ``frame`` shows
    something new (``new_content``) the start is ``frame`` itself.

    Args:
        previous_dream: uint8 (H, W, 3), the dream of the previous frame.
        previous_frame, frame: uint8 (H, W, 3), the source frames.
        blend: 0..1, the share of the previous dream (0: ``frame`` alone).
        method: a flow method (see ``optical_flow``), or ``None`` to blend without warping
            (nothing counts as new).

    Returns:
        The start, uint8 (H, W, 3), and the mask of its pixels taken from ``frame``.
    """
    everywhere = np.ones(frame.shape[:2], dtype=bool)
    if not blend:
        return Carried(frame.copy(), everywhere)
    new = frame.astype(np.float32)
    if method is None:
        carried = previous_dream.astype(np.float32)
        fresh = ~everywhere
    else:
        backward, fresh = new_content(previous_frame, frame, method)
        carried = warp(previous_dream, backward).astype(np.float32)
    start = blend * carried + (1.0 - blend) * new
    start[fresh] = new[fresh]
    return Carried(np.clip(np.rint(start), 0, 255).astype(np.uint8), fresh)


def zoom_frame(
    rgb: np.ndarray, zoom: float, degrees: float = 0.0, translate: tuple[float, float] = (0.0, 0.0)
) -> np.ndarray:
    """Zoom into the centre of a picture by ``zoom``, turn it ``degrees`` anticlockwise and
    move it by ``translate``.

    Args:
        rgb: uint8 (H, W, 3).
        zoom: magnification, >= 1 (1.05: the middle 1/1.05 of each side fills the frame).
        degrees: rotation about the centre, anticlockwise (negative: clockwise).
        translate: ``(x, y)`` pixels the picture's content moves, right and down, after the
            zoom and the turn.

    Returns:
        uint8 (H, W, 3), bicubic; what the move uncovers at the edges mirrors the picture.
    """
    height, width = rgb.shape[:2]
    shift_x, shift_y = float(translate[0]), float(translate[1])
    if zoom == 1 and degrees == 0 and shift_x == 0 and shift_y == 0:
        return rgb.copy()
    centre = ((width - 1) / 2.0, (height - 1) / 2.0)
    matrix = cv2.getRotationMatrix2D(centre, float(degrees), float(zoom))
    matrix[:, 2] += (shift_x, shift_y)
    return cv2.warpAffine(
        np.ascontiguousarray(rgb),
        matrix,
        (width, height),
        flags=cv2.INTER_CUBIC,
        borderMode=cv2.BORDER_REFLECT_101,
    )

"""Animations, in Python: the counterpart of animations.Rmd.

Run it as a script (each ``# %%`` cell can also be run on its own in an editor):

    python vignettes/animations.py [OUTPUT_FOLDER]

The animations and pictures are written to OUTPUT_FOLDER (default
``out/vignettes/python/animations``); the flicker of the Shanghai pan is printed. The
photos ("Jelly Fish" by RaDu GaLaN, CC BY-SA 3.0; "Pudong Shanghai November 2017 panorama"
by King of Hearts, CC BY-SA 4.0) and the dreams and clips made from them are CC BY-SA: keep
them out of the repository. ``PYDREAM_WEIGHTS`` names a weights file to use instead of
Keras' ImageNet download. Needs the video extra: ``pip install 'pydream-keras[video]'``.
"""

# %% Set-up
import itertools
import os
import sys
from pathlib import Path

import numpy as np
from PIL import Image

import pydream

out = Path(sys.argv[1] if len(sys.argv) > 1 else "out/vignettes/python/animations")
out.mkdir(parents=True, exist_ok=True)
weights = os.environ.get("PYDREAM_WEIGHTS", "imagenet")


def shrink(path: str, size: tuple[int, int]) -> np.ndarray:
    """A small copy of a photo (uint8, ``size`` = (height, width)): halved, averaging 2 x 2
    pixels, while it is more than twice the size wanted, then resized bilinearly the rest of
    the way (as the R vignette does)."""
    x = pydream.preprocess_image(path)[0]
    while x.shape[0] >= 2 * size[0] and x.shape[1] >= 2 * size[1]:
        x = x[: x.shape[0] // 2 * 2, : x.shape[1] // 2 * 2]
        x = (x[0::2, 0::2] + x[1::2, 0::2] + x[0::2, 1::2] + x[1::2, 1::2]) / 4
    return pydream.deprocess_image(pydream.resize_img(x[np.newaxis], size))


def side_by_side(frames: list[np.ndarray], path: Path) -> None:
    """Write frames next to each other, 4 pixels apart, as one PNG."""
    gap = np.full((frames[0].shape[0], 4, 3), 255, np.uint8)
    row = [part for frame in frames for part in (frame, gap)][:-1]
    Image.fromarray(np.concatenate(row, axis=1)).save(path)


def read_frames(folder: Path) -> list[np.ndarray]:
    return [np.asarray(Image.open(path).convert("RGB")) for path in sorted(folder.glob("*.png"))]


# %% An endless zoom into the jellyfish: 24 frames of 400 x 268, 5% closer and half a degree
# turned each frame; the callback keeps frames 1, 8, 16 and 24 (frame indices from 0 here)
jellyfish = shrink(pydream.example_image("jellyfish"), (268, 400))
kept: dict[int, np.ndarray] = {}


def keep_some(index: int, frame: np.ndarray) -> None:
    if index + 1 in (1, 8, 16, 24):
        kept[index + 1] = frame


gif = pydream.dream_zoom(
    jellyfish, out / "jellyfish-zoom.gif", frames=24, zoom=1.05, rotate=0.5,
    layers={"mixed3": 1.0, "mixed5": 1.5}, weights=weights, num_octave=2, iterations=3,
    step=0.01, max_loss=None, seed=1, callback=keep_some, progress=True,
)  # fmt: skip
side_by_side([kept[index] for index in sorted(kept)], out / "zoom_frames.png")
print(f"{gif} ({gif.stat().st_size} bytes)")

# %% Colours that hold: 60 frames of a 256-pixel copy, as they come and with color_lock=True
# (every frame given frame 0's mean and spread of red, green and blue); the drift of each
# channel's mean from frame 0 to frame 59, in levels
small = shrink(pydream.example_image("jellyfish"), (172, 256))
lock_settings = {
    "frames": 60, "zoom": 1.05, "layers": {"mixed3": 1.0, "mixed5": 1.5}, "weights": weights,
    "num_octave": 2, "iterations": 3, "step": 0.01, "max_loss": None, "seed": 1,
}  # fmt: skip
for name, lock in (("drifting", False), ("locked", True)):
    frames = read_frames(pydream.dream_zoom(small, out / name, color_lock=lock, **lock_settings))
    drift = frames[59].reshape(-1, 3).mean(0) - frames[0].reshape(-1, 3).mean(0)
    print(f"{name}: red, green, blue moved {np.round(drift, 1)} levels by frame 59")
    side_by_side([frames[index] for index in (0, 20, 40, 59)], out / f"{name}_frames.png")

# %% Keyframes: zoom from 1 to 1.06 a frame, a pan right then down, a turn that speeds up,
# and mixed3 switching to mixed5 at frame 24, eased in and out, colours locked
keyframed = pydream.dream_zoom(
    small, out / "keyframed", frames=48, zoom={0: 1.0, 47: 1.06},
    translate={0: (0, 0), 16: (3, 0), 32: (0, 3)}, rotate={0: 0.0, 47: 2.0},
    layers={0: {"mixed3": 1.0}, 24: {"mixed5": 1.5}}, interpolation="smooth", color_lock=True,
    weights=weights, num_octave=2, iterations=3, step=0.01, max_loss=None, seed=1,
)  # fmt: skip
frames = read_frames(keyframed)
side_by_side([frames[index] for index in (0, 12, 24, 36, 47)], out / "keyframed_frames.png")

# %% The photo's own colours: the jellyfish dreamed plainly and with original_colors=True
colour_settings = {
    "layers": {"mixed3": 1.0, "mixed5": 1.5}, "weights": weights, "num_octave": 3,
    "iterations": 20, "step": 0.02, "max_loss": None, "seed": 1,
}  # fmt: skip
plain = pydream.deep_dream(jellyfish, **colour_settings)
kept_colours = pydream.deep_dream(jellyfish, original_colors=True, **colour_settings)
side_by_side([plain, kept_colours], out / "original_colors.png")

# %% A slow pan across Shanghai: 16 crops of 320 x 240 from a 560 x 280 copy, 4 px apart
shanghai = shrink(pydream.example_image("shanghai"), (280, 560))
SHIFT = 4
clip = out / "shanghai-pan"
clip.mkdir(exist_ok=True)
for index in range(16):
    left = 100 + SHIFT * index
    Image.fromarray(shanghai[20:260, left : left + 320]).save(clip / f"pan_{index:02d}.png")

# %% The same clip dreamed each frame alone (blend=0), with the defaults (blend 0.6 along the
# optical flow) and blended without the flow
settings = {
    "layers": {"mixed3": 1.0, "mixed5": 1.5}, "weights": weights, "num_octave": 2,
    "iterations": 6, "step": 0.02, "max_loss": None, "seed": 0, "progress": True,
}  # fmt: skip
runs = {
    "each frame alone (blend=0)": pydream.dream_video(clip, out / "pan-alone", blend=0, **settings),
    "defaults (blend=0.6, flow)": pydream.dream_video(clip, out / "pan-steady", **settings),
    "blend without flow (flow=False)": pydream.dream_video(
        clip, out / "pan-no-flow", flow=False, **settings
    ),
}
frames = {name: read_frames(folder) for name, folder in runs.items()}
side_by_side(
    [frames[name][index] for name in frames for index in (0, 7, 15)], out / "pan_frames.png"
)


# %% How much it flickers: the mean absolute change between consecutive frames, the pan
# undone, in grey levels; and how far the last frame is from its source (the strength)
def flicker(sequence: list[np.ndarray]) -> float:
    changes = [
        np.abs(after[:, :-SHIFT].astype(float) - before[:, SHIFT:]).mean()
        for before, after in itertools.pairwise(sequence)
    ]
    return float(np.mean(changes))


sources = read_frames(clip)
alone = flicker(frames["each frame alone (blend=0)"])
for name, sequence in frames.items():
    strength = np.abs(sequence[-1].astype(float) - sources[-1]).mean()
    print(
        f"{name:34s} flicker {flicker(sequence):5.2f} ({flicker(sequence) / alone:.2f} of "
        f"alone), strength {strength:.2f}"
    )
print(f"{'the clip itself':34s} flicker {flicker(sources):5.2f}")

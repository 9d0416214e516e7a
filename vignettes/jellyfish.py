"""Dreaming of jellyfish, in Python: the counterpart of jellyfish.Rmd.

Run it as a script (each ``# %%`` cell can also be run on its own in an editor):

    python vignettes/jellyfish.py [OUTPUT_FOLDER]

The pictures are written to OUTPUT_FOLDER (default ``out/vignettes/python/jellyfish``).
The photo ("Jelly Fish" by RaDu GaLaN, CC BY-SA 3.0) and the dreams made from it are
CC BY-SA: keep them out of the repository. ``PYDREAM_WEIGHTS`` names a weights file to use
instead of Keras' ImageNet download; ``PYDREAM_IMAGES`` a folder holding the photo.
"""

# %% Set-up
import os
import sys
from pathlib import Path

import numpy as np

import pydream

out = Path(sys.argv[1] if len(sys.argv) > 1 else "out/vignettes/python/jellyfish")
out.mkdir(parents=True, exist_ok=True)
weights = os.environ.get("PYDREAM_WEIGHTS", "imagenet")

# %% The photo, as the network sees it: (1, H, W, 3), values from -1 to 1
img_path = pydream.example_image("jellyfish")
x = pydream.preprocess_image(img_path)
print(x.shape, x.min(), x.max())
pydream.save_img(pydream.deprocess_image(x), out / "photo.png")

# %% Which layers dream. InceptionV3's blocks are mixed0..mixed10: the post's mixed11,
# mixed27, mixed37 and mixed47 do not exist, and asking for one lists the valid names.
print(pydream.list_layers())
try:
    pydream.deep_dream(img_path, layers={"mixed2": 0.2, "mixed11": 1.0}, weights=weights)
except ValueError as error:
    print(f"ValueError: {error}")

LContrib = {"mixed2": 0.2, "mixed3": 0.8, "mixed4": 2.0, "mixed5": 4.0, "mixed6": 5.0}

# %% Octaves: the sizes the dream works at, smallest first
print(pydream.octave_shapes(x.shape[1:3], num_octave=5, octave_scale=1.4))

# %% The loop with the building blocks, on a copy reduced to a third of the size
third = (round(x.shape[1] / 3), round(x.shape[2] / 3))
original = pydream.resize_img(x, third)
shapes = pydream.octave_shapes(third, num_octave=3, octave_scale=1.4)
shrunk = pydream.resize_img(original, shapes[0])
img = original
for shape in shapes:
    img = pydream.resize_img(img, shape)
    img = pydream.gradient_ascent(
        img, iterations=20, step=0.025, max_loss=10.0, layers=LContrib, border=0, weights=weights
    )
    upscaled_shrunk = pydream.resize_img(shrunk, shape)
    same_size_original = pydream.resize_img(original, shape)
    lost_detail = same_size_original - upscaled_shrunk
    img = img + lost_detail
    shrunk = same_size_original
pydream.save_img(pydream.deprocess_image(img), out / "loop_third_size.png")

# %% The dream with the post's settings (the "jellyfish" preset holds the same ones)
dream = pydream.deep_dream(
    img_path,
    layers=LContrib,
    weights=weights,
    step=0.025,
    num_octave=5,
    octave_scale=1.4,
    iterations=20,
    max_loss=10.0,
    border=0,
    save_octaves=out / "octaves",
    progress=True,
)
pydream.save_img(dream, out / "dream.png")
print(sorted(path.name for path in (out / "octaves").glob("*.png")))

# %% Trained and untrained, on the reduced photo: learning_phase=1 makes batch norm use the
# picture's own statistics (the weights do not change); weights=None is a random network.
# max_loss=None: the post's limit of 10 would stop the learning_phase=1 dream before its
# first step (its loss starts above 10).
small = pydream.deprocess_image(original)
settings = dict(
    layers=LContrib, step=0.025, num_octave=3, octave_scale=1.4, iterations=20, max_loss=None,
    border=0,
)  # fmt: skip
for name, extra in {
    "trained_learning_phase_0": dict(weights=weights, learning_phase=0),
    "trained_learning_phase_1": dict(weights=weights, learning_phase=1),
    "untrained": dict(weights=None),
}.items():
    picture = pydream.deep_dream(small, **settings, **extra)
    pydream.save_img(picture, out / f"{name}.png")
    print(name, "mean change from the photo:", np.abs(picture.astype(int) - small).mean())
print(f"pictures in {out}")

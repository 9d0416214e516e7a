"""Dreaming of Shanghai, in Python: the counterpart of shanghai.Rmd.

    python vignettes/shanghai.py [OUTPUT_FOLDER]

The pictures are written to OUTPUT_FOLDER (default ``out/vignettes/python/shanghai``).
The photo ("Pudong Shanghai November 2017 panorama" by King of Hearts, Wikimedia Commons,
CC BY-SA 4.0) and the dreams made from it are CC BY-SA: keep them out of the repository.
``PYDREAM_WEIGHTS`` names a weights file to use instead of Keras' ImageNet download.
"""

# %% Set-up
import os
import sys
from pathlib import Path

import pydream

out = Path(sys.argv[1] if len(sys.argv) > 1 else "out/vignettes/python/shanghai")
out.mkdir(parents=True, exist_ok=True)
weights = os.environ.get("PYDREAM_WEIGHTS", "imagenet")

img_path = pydream.example_image("shanghai")
LContrib = {"mixed2": 0.2, "mixed3": 0.8, "mixed4": 2.0, "mixed5": 4.0, "mixed6": 5.0}

# %% The octave sizes of this wide photo, smallest first
photo = pydream.deprocess_image(pydream.preprocess_image(img_path))
print(pydream.octave_shapes(photo.shape[:2], num_octave=5, octave_scale=1.4))

# %% The dream with the post's settings: the "jellyfish" preset
dream = pydream.deep_dream(
    img_path,
    layers=LContrib,
    preset="jellyfish",
    weights=weights,
    save_octaves=out / "octaves",
    progress=True,
)
pydream.save_img(dream, out / "dream.png")

# %% Trained weights with batch norm on the picture's own statistics, and a random network
# (max_loss=None: with learning_phase=1 the loss starts above the post's limit of 10)
batch_stats = pydream.deep_dream(
    img_path, layers=LContrib, preset="jellyfish", weights=weights, learning_phase=1, max_loss=None
)
pydream.save_img(batch_stats, out / "trained_learning_phase_1.png")
untrained = pydream.deep_dream(
    img_path, layers=LContrib, preset="jellyfish", weights=None, max_loss=None
)
pydream.save_img(untrained, out / "untrained.png")
print(f"pictures in {out}")

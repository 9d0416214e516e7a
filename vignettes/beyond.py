"""Beyond the blog, in Python: the counterpart of beyond.Rmd.

Run it as a script (each ``# %%`` cell can also be run on its own in an editor):

    python vignettes/beyond.py [OUTPUT_FOLDER]

The pictures are written to OUTPUT_FOLDER (default ``out/vignettes/python/beyond``). The
photos ("Jelly Fish" by RaDu GaLaN, CC BY-SA 3.0; the Shanghai skyline, CC BY-SA 4.0) and
the dreams made from them are CC BY-SA: keep them out of the repository. ``PYDREAM_WEIGHTS``
names a weights file to use instead of Keras' ImageNet download; ``PYDREAM_IMAGES`` a folder
holding the photos (and ``sky_clouds.jpg`` for the guided dream).
"""

# %% Set-up
import os
import sys
from pathlib import Path

import numpy as np
from PIL import Image

import pydream

out = Path(sys.argv[1] if len(sys.argv) > 1 else "out/vignettes/python/beyond")
out.mkdir(parents=True, exist_ok=True)
weights = os.environ.get("PYDREAM_WEIGHTS", "imagenet")
images = os.environ.get("PYDREAM_IMAGES", "")

# %% A smaller copy of the photo keeps every dream below quick (800 pixels wide)
photo = Image.open(pydream.example_image("jellyfish")).convert("RGB")
photo.thumbnail((800, 800))
photo.save(out / "jellyfish_800.png")
jellyfish = np.asarray(photo)

# %% A gallery of layers: what each block dreams on its own, before choosing
pydream.dream_gallery(
    jellyfish, ["mixed2", "mixed3", "mixed4", "mixed5", "mixed6", "mixed7", "mixed8", "mixed9"],
    size=256, columns=4, photo=False, weights=weights, output=out / "gallery_layers.png",
)  # fmt: skip

# %% ... and of the first channels of one block
pydream.dream_gallery(
    jellyfish, channels="mixed4:0-11", size=256, columns=4, photo=False, weights=weights,
    output=out / "gallery_channels.png",
)  # fmt: skip

# %% Two channels of mixed4, dreamed in full
for channel in (1, 7):
    pydream.deep_dream(
        jellyfish, {f"mixed4:{channel}": 1.0}, weights=weights, iterations=30,
        max_loss=None, output=out / f"channel_{channel}.png",
    )  # fmt: skip

# %% A class: the logit of ImageNet class 107 (jellyfish). It needs the network's
# classification top, which the offline weights file does not have: it then says so.
try:
    pydream.deep_dream(
        jellyfish, {"predictions:107": 1.0}, weights=weights, output=out / "class_107.png"
    )
except ValueError as error:
    print(f"ValueError: {error}")

# %% A guided dream: every position is pulled toward the cloud feature it resembles most
guide = Path(images) / "sky_clouds.jpg" if images else None
if guide is not None and guide.is_file():
    pydream.deep_dream(
        jellyfish, {"mixed4": 1.0, "mixed5": 1.0}, guide=guide, weights=weights,
        iterations=30, max_loss=None, output=out / "guided_clouds.png",
    )  # fmt: skip
    pydream.deep_dream(
        jellyfish, {"mixed4": 1.0, "mixed5": 1.0}, weights=weights,
        iterations=30, max_loss=None, output=out / "unguided.png",
    )  # fmt: skip

# %% A mask: dream only on the right, with a soft edge in the middle
height, width = jellyfish.shape[:2]
ramp = np.clip((np.arange(width) - 0.4 * width) / (0.2 * width), 0, 1)
mask = np.tile(ramp, (height, 1))
pydream.save_img((mask * 255).astype(np.uint8), out / "mask.png")
pydream.deep_dream(
    jellyfish, preset="jellyfish", mask=mask, weights=weights, output=out / "masked.png"
)

# %% Per-octave layers: the coarse octaves dream shapes (mixed6), the fine ones texture
# (mixed3); the list runs from the smallest octave to the largest
schedule = [{"mixed6": 2.0}, {"mixed6": 2.0}, {"mixed5": 1.0}, {"mixed3": 1.0}]
pydream.deep_dream(
    jellyfish, schedule, num_octave=4, iterations=20, step=0.02, max_loss=None,
    weights=weights, output=out / "per_octave.png",
)  # fmt: skip

# %% Smoother dreams, side by side at the blog's settings (the jellyfish preset)
smoother = {
    "mean_abs": {},
    "laplacian": {"normalize": "laplacian"},
    "smoothing": {"smoothing": 1.5},
    "continuity": {"continuity": 1000.0},
}
for name, settings in smoother.items():
    pydream.deep_dream(
        jellyfish, preset="jellyfish", max_loss=None, seed=1, weights=weights,
        output=out / f"smoother_{name}.png", **settings,
    )  # fmt: skip

# %% Any Keras model: a network of your own, with its preprocessing named (a randomly
# initialised VGG16 here, so the dream is only coloured noise). `step` is in the network's
# input units: with "caffe" preprocessing those are pixel levels, so steps are larger.
import keras  # noqa: E402

network = keras.applications.VGG16(include_top=False, weights=None)
print(pydream.list_layers(network)[:5])
pydream.deep_dream(
    jellyfish, {"block3_conv3": 1.0}, model=network, preprocess="caffe", num_octave=1,
    iterations=5, step=2.0, output=out / "vgg16_random.png",
)  # fmt: skip
print(f"wrote the pictures to {out}")

"""What the network sees, in Python: the counterpart of what-the-network-sees.Rmd.

Run it as a script (each ``# %%`` cell can also be run on its own in an editor):

    python vignettes/what-the-network-sees.py [OUTPUT_FOLDER]

The pictures are written to OUTPUT_FOLDER (default
``out/vignettes/python/what-the-network-sees``). Pictures drawn from noise come from the
network alone; the accentuated photo ("Jelly Fish" by RaDu GaLaN, CC BY-SA 3.0) is an
adaptation of it under the same licence: keep it out of the repository. ``PYDREAM_WEIGHTS``
names a weights file to use instead of Keras' ImageNet download; ``PYDREAM_IMAGES`` a folder
holding the photo.
"""

# %% Set-up
import os
import sys
from pathlib import Path

import numpy as np

import pydream
from pydream import objectives

out = Path(sys.argv[1] if len(sys.argv) > 1 else "out/vignettes/python/what-the-network-sees")
out.mkdir(parents=True, exist_ok=True)
weights = os.environ.get("PYDREAM_WEIGHTS", "imagenet")

# %% A channel atlas: mixed4's channels 0 to 7, one picture each, drawn together and
# written as one labelled sheet
pydream.visualize(
    channels="mixed4:0-7", size=160, seed=1, columns=4, weights=weights,
    output=out / "atlas.png",
)  # fmt: skip

# %% A channel and the neuron at its centre: the pattern everywhere, or once in the middle
pydream.visualize(
    [objectives.channel("mixed4", 97), objectives.neuron("mixed4", 97)], size=224, seed=1,
    weights=weights, output=out / "channel_neuron.png",
)  # fmt: skip

# %% A direction: more of channel 97, less of channel 120 (mixed4 has 768 channels); by
# its dot product, then by its cosine alone
toward = np.zeros(768)
toward[[97, 120]] = [1.0, -1.0]
pydream.visualize(
    [objectives.direction("mixed4", toward), objectives.direction("mixed4", toward, True)],
    size=224, seed=1, weights=weights, output=out / "directions.png",
)  # fmt: skip

# %% A class by name needs the network's classification top; a weights file without it
# says so in one line
try:
    pydream.visualize("predictions:jellyfish", weights=weights, output=out / "jellyfish.png")
except ValueError as error:
    print(f"{type(error).__name__}: {error}")

# %% Accentuation: the jellyfish photo pulled toward what mixed4 sees, held to the photo
photo = pydream.example_image("jellyfish")
pydream.visualize(
    "mixed4", image=photo, size=320, iterations=128, photo_weight=10.0, seed=1,
    weights=weights, output=out / "accented.png",
)  # fmt: skip

# %% Four pictures of one channel, made to differ by a diversity term
pydream.visualize(
    objectives.channel("mixed4", 97) + objectives.diversity("mixed4", 100.0), count=4,
    size=160, seed=1, columns=4, weights=weights, output=out / "facets.png",
)  # fmt: skip

# %% Pixels or a spectrum: the same channel on plain pixels, then with the defaults
pydream.visualize(
    "mixed4:97", size=224, seed=1, param="pixel", decorrelate=False, transforms=None,
    weights=weights, output=out / "pixel.png",
)  # fmt: skip
pydream.visualize("mixed4:97", size=224, seed=1, weights=weights, output=out / "fourier.png")
print(f"wrote the pictures to {out}")

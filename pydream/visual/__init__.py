"""Feature visualisation: pictures optimised from noise to show what a unit of the network
responds to (parameterisations, robustness transforms, the optimisation). Needs Keras."""

from .._quiet import import_keras

import_keras()  # the parameterisations and transforms are written in keras.ops

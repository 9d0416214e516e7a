"""The networks: the model registry and weights, batch-norm folding and precision, and the
one place that knows Keras' backends (TensorFlow, JAX, PyTorch)."""

from .._quiet import import_keras

import_keras()  # the networks need Keras: import it once, without the backend's log lines

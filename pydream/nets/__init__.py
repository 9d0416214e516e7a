"""The networks: the model registry and weights, batch-norm folding and precision, and the
one place that knows Keras' backends (TensorFlow, JAX, PyTorch)."""

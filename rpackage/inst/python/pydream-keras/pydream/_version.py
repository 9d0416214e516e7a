"""The version of pydream and of the R package deepdream that carries it."""

__version__ = "0.1.0"

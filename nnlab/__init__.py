"""nnlab: learn and watch neural networks from a terminal."""

__version__ = "0.1.0"

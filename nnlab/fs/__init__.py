"""nnlab.fs."""

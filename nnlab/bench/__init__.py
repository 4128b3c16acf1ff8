"""nnlab.bench."""

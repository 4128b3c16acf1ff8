"""nnlab.run."""

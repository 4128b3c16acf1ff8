"""nnlab.ui.train."""

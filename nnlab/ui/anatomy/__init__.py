"""nnlab.ui.anatomy."""

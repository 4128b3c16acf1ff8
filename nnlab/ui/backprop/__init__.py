"""nnlab.ui.backprop."""

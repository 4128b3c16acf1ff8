"""nnlab.ui.shared."""

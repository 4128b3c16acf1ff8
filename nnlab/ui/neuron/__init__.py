"""nnlab.ui.neuron."""

"""Neuron mode: one neuron and its activation, the compare view, losses and softmax."""

"""The math of the neuron and backprop screens: numpy / plain floats, never textual."""

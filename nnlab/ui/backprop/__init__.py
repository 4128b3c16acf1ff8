"""Backprop mode: the stepper, its network diagram, the edit form and the passes chart."""

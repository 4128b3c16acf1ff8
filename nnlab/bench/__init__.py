"""Measurements side by side in one run (`nnlab bench startup|train|dashboard|sweep`, `make gpu-check`)."""

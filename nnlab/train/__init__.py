"""Torch-side training: data, model, engine, checkpoints, metrics. Never imports textual."""

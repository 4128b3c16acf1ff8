"""The errors a run can meet before or while it trains; each message names what to fix.

Torch-free, so the CLI, the UI and the engine catch the same classes without importing torch.
"""

from __future__ import annotations


class ConfigError(ValueError):
    """A value out of range; the message names the field and the allowed range."""


class DataError(Exception):
    """A dataset problem; the message names the file and how to fix it."""


class CheckpointError(Exception):
    """A checkpoint that cannot be used; the message says why and what to do."""


class DeviceError(Exception):
    """The requested device does not exist here."""

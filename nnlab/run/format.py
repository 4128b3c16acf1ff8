"""Lines in the PyTorch quickstart's own words, shared by the headless printer and the dashboard log."""

from __future__ import annotations


def loss_line(loss: float, seen: int, size: int) -> str:
    """The tutorial's progress line: ``loss: {loss:>7f}  [{current:>5d}/{size:>5d}]``."""
    return f"loss: {loss:>7f}  [{seen:>5d}/{size:>5d}]"

"""Fixtures of the run-directory tests: a runs root in tmp."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def root(tmp_path) -> Path:
    """An empty runs root."""
    path = tmp_path / "runs"
    path.mkdir()
    return path

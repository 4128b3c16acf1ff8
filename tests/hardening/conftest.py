"""Fixtures of the hardening suite: a tiny FashionMNIST-format data set on disk."""

from __future__ import annotations

import gzip
import struct
import sys
from pathlib import Path

import pytest

from nnlab.train.data import FILES

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))  # tmux_helpers


def _idx_images(n: int, seed: int) -> bytes:
    import random

    rng = random.Random(seed)
    return struct.pack(">HBBIII", 0, 8, 3, n, 28, 28) + bytes(rng.randrange(256) for _ in range(n * 784))


def _idx_labels(n: int) -> bytes:
    return struct.pack(">HBBI", 0, 8, 1, n) + bytes(i % 10 for i in range(n))


@pytest.fixture(scope="session")
def tiny_set(tmp_path_factory):
    """The four idx files (256 training, 64 test images) for the headless command's --data-dir."""
    directory = tmp_path_factory.mktemp("tiny-fashion")
    blobs = {
        "train_images": _idx_images(256, 1),
        "train_labels": _idx_labels(256),
        "test_images": _idx_images(64, 2),
        "test_labels": _idx_labels(64),
    }
    for role, blob in blobs.items():
        (directory / f"{FILES[role]}.gz").write_bytes(gzip.compress(blob))
    return directory

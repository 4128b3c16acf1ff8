"""Shared helpers for the engine tests: tiny data, event collection, small idx files."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

from nnlab.run.config import TrainConfig
from nnlab.train import data as data_mod

# threads=1: the machine the tests run on is shared; 2 threads there can be 10x slower than 1
SMALL = TrainConfig(epochs=2, batch_size=32, lr=0.05, hidden=(32,), seed=3, threads=1, device="cpu")


def tiny(n_train: int = 256, n_test: int = 64, seed: int = 0):
    return data_mod.synthetic(n_train, n_test, seed)


def kinds(events) -> list[str]:
    return [e.KIND for e in events]


def idx_images(n: int, value: int = 7, rows: int = 28) -> bytes:
    return struct.pack(">HBBIII", 0, 8, 3, n, rows, 28) + bytes([value]) * (n * rows * 28)


def idx_labels(n: int, labels=None) -> bytes:
    labels = labels if labels is not None else [i % 10 for i in range(n)]
    return struct.pack(">HBBI", 0, 8, 1, n) + bytes(labels)


def write_set(directory: Path, n_train: int = 20, n_test: int = 10, gz: bool = True, **override) -> Path:
    """Write the four files (optionally one of them replaced by ``override[role]`` bytes)."""
    directory.mkdir(parents=True, exist_ok=True)
    blobs = {
        "train_images": idx_images(n_train),
        "train_labels": idx_labels(n_train),
        "test_images": idx_images(n_test),
        "test_labels": idx_labels(n_test),
    }
    blobs.update(override)
    for role, blob in blobs.items():
        name = data_mod.FILES[role]
        if gz:
            (directory / f"{name}.gz").write_bytes(gzip.compress(blob))
        else:
            (directory / name).write_bytes(blob)
    return directory

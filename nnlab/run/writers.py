"""Metric files other tools read: the live event log (JSONL) and the per-epoch table (CSV).

JSONL: one line per event, flushed as it happens so ``tail -f`` shows a live run; NaN and
infinities are written as ``null`` (strict JSON). CSV: one row per epoch, rewritten atomically
at each epoch end so the file on disk is always complete.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

from nnlab.fs import atomic
from nnlab.run.dataset import CLASSES
from nnlab.run.events import EpochEnd, Event


class JsonlWriter:
    """One JSON object per line per event, flushed at once."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._handle = open(self.path, "w", encoding="utf-8")

    def __call__(self, event: Event) -> None:
        self._handle.write(event.to_json() + "\n")
        self._handle.flush()

    def close(self) -> None:
        self._handle.close()


CSV_COLUMNS = ["epoch", "train_loss", "test_loss", "test_accuracy", "seconds", "samples_per_s",
               *[f"accuracy_{name}" for name in CLASSES]]


class CsvWriter:
    """One row per epoch; the whole file is rewritten atomically at each epoch end."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.rows: list[list] = []
        self._write()

    def __call__(self, event: Event) -> None:
        if isinstance(event, EpochEnd):
            self.rows.append([event.epoch, event.train_loss, event.test_loss, event.test_accuracy,
                              round(event.seconds, 4), round(event.samples_per_s, 1),
                              *event.per_class_accuracy])
            self._write()

    def _write(self) -> None:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for row in self.rows:
            writer.writerow(["" if isinstance(v, float) and not math.isfinite(v) else v for v in row])
        atomic.write_text(self.path, buffer.getvalue())

    def close(self) -> None:
        pass

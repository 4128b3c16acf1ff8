"""Metric files other tools read: the live event log (JSONL) and the per-epoch table (CSV).

JSONL: one line per event, flushed as it happens so ``tail -f`` shows a live run; NaN and
infinities are written as ``null`` (strict JSON). CSV: one row per epoch, rewritten atomically
at each epoch end so the file on disk is always complete.
"""

from __future__ import annotations

import contextlib
import csv
import io
import math
import os
import stat
from pathlib import Path

from nnlab.fs import atomic
from nnlab.run.dataset import CLASSES
from nnlab.run.events import EpochEnd, Event


class JsonlWriter:
    """One JSON object per line per event, flushed at once."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        atomic.refuse_special(self.path)
        if self.path.is_symlink():  # never written through: a new file takes the link's place
            self.path.unlink()
        # O_NONBLOCK: a FIFO put at the name after the check fails at once (no reader) or is
        # refused below, never a blocking open() that signals cannot end (issue 19 case 11).
        fd = os.open(
            self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666
        )
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise atomic.NotRegularFile(self.path)
        os.set_blocking(fd, True)
        self._handle = open(fd, "w", encoding="utf-8")
        self.failed = False  # a write failed: the file is incomplete from there on

    def __call__(self, event: Event) -> None:
        try:
            self._handle.write(event.to_json() + "\n")
            self._handle.flush()
        except OSError:
            self.failed = True
            raise

    def close(self) -> None:
        """Close; a buffer that cannot be flushed any more (a full disk) is dropped, never raised."""
        try:
            self._handle.close()
        except OSError:
            self.failed = True
            with contextlib.suppress(OSError, ValueError):  # the buffered close closes the fd anyway
                os.close(self._handle.fileno())


CSV_COLUMNS = [
    "epoch",
    "train_loss",
    "test_loss",
    "test_accuracy",
    "seconds",
    "samples_per_s",
    *[f"accuracy_{name}" for name in CLASSES],
]


class CsvWriter:
    """One row per epoch; the whole file is rewritten atomically at each epoch end."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.rows: list[list] = []
        self._write()

    def __call__(self, event: Event) -> None:
        if isinstance(event, EpochEnd):
            self.rows.append(
                [
                    event.epoch,
                    event.train_loss,
                    event.test_loss,
                    event.test_accuracy,
                    round(event.seconds, 4),
                    round(event.samples_per_s, 1),
                    *event.per_class_accuracy,
                ]
            )
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

"""Helpers of the run-directory tests: one event of each kind, child processes."""

from __future__ import annotations

import math
import subprocess
import sys
import textwrap
from pathlib import Path

from nnlab.run.events import (
    BatchProgress,
    Diverged,
    EpochEnd,
    Failed,
    Finished,
    Paused,
    Resumed,
    Saved,
    SaveFailed,
    Started,
)

REPO = Path(__file__).resolve().parents[2]


def started(start_epoch: int = 0) -> Started:
    return Started(
        config={"epochs": 2},
        device="cpu",
        parameters=669_706,
        train_size=64,
        test_size=32,
        data_source="sample",
        start_epoch=start_epoch,
    )


def batch(epoch: int = 1, number: int = 1, loss: float = 2.3) -> BatchProgress:
    return BatchProgress(
        epoch=epoch,
        batch=number,
        batches=10,
        samples_seen=64 * number,
        running_loss=loss,
        samples_per_s=1234.5,
        elapsed_s=0.01 * number,
        loss=loss,
    )


def epoch_end(epoch: int = 1, accuracy: float = 0.5) -> EpochEnd:
    return EpochEnd(
        epoch=epoch,
        train_loss=1.5,
        test_loss=1.6,
        test_accuracy=accuracy,
        per_class_accuracy=tuple(0.1 * i for i in range(10)),
        confusion=tuple(tuple(i * j for j in range(10)) for i in range(10)),
        seconds=1.25,
        samples_per_s=999.0,
        sample_predictions=(1, 2, 3),
        eval_seconds=0.25,
    )


def one_of_each() -> list:
    return [
        started(),
        batch(),
        Paused(epoch=1, batch=1),
        Resumed(),
        batch(1, 2, math.nan),
        epoch_end(),
        SaveFailed(path="/x/checkpoint.pt", message="disk full", action="continue"),
        Diverged(epoch=2, batch=3, loss=math.inf, message="loss is inf"),
        Finished(epochs=2, stopped=True, test_accuracy=None, seconds=2.5, reason="diverged"),
        Failed(message="boom", detail="Traceback ..."),
        Saved(path="/x/checkpoint.pt", epoch=1, batch=3),
    ]


def run_child(code: str, *args: str, timeout: float = 20) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh Python (the repo on sys.path); its stdout/stderr captured."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args], cwd=REPO, capture_output=True, text=True, timeout=timeout
    )


def spawn_child(code: str, *args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )

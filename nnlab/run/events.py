"""Small frozen dataclasses the training engine emits; the UI and the CLI only forward them.

No torch types here: plain floats, ints, tuples and strings, so events can be posted across
threads, written to JSONL and compared in tests.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Event:
    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["event"] = self.KIND  # type: ignore[attr-defined]
        return data

    def to_json(self) -> str:
        """One strict-JSON line (NaN and infinities become null)."""
        return json.dumps(finite(self.to_dict()), ensure_ascii=False, allow_nan=False)


def finite(value):
    """NaN/inf → None, recursively (strict JSON has no NaN)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    return value


@dataclass(frozen=True)
class Started(Event):
    KIND = "started"
    config: dict  # TrainConfig as a plain dict
    device: str  # e.g. "cpu" or "NVIDIA H200"
    parameters: int  # 669,706 for the tutorial model
    train_size: int
    test_size: int
    data_source: str  # where the data came from (path, or "sample")
    start_epoch: int = 0  # > 0 when resumed
    threads: int = 0  # torch intra-op threads used by the run
    step_mode: str = "eager"  # "eager" or "cuda-graph"
    note: str = ""  # e.g. why CUDA graph capture fell back to eager


@dataclass(frozen=True)
class BatchProgress(Event):
    KIND = "batch"
    epoch: int  # 1-based
    batch: int  # 1-based, within the epoch
    batches: int  # batches per epoch
    samples_seen: int  # within the epoch
    running_loss: float  # mean loss since the last progress event
    samples_per_s: float
    elapsed_s: float  # since the run started
    loss: float = float("nan")  # the loss of this very batch (what the tutorial prints)
    lr: float = float("nan")  # the lr this batch trained with (a schedule changes it); nan in old logs


@dataclass(frozen=True)
class EpochEnd(Event):
    KIND = "epoch"
    epoch: int
    train_loss: float
    test_loss: float
    test_accuracy: float  # 0..1
    per_class_accuracy: tuple[float, ...]
    confusion: tuple[tuple[int, ...], ...]  # [true][predicted]
    seconds: float
    samples_per_s: float
    sample_predictions: tuple[int, ...] = field(default=())  # predictions for the fixed preview images
    eval_seconds: float = 0.0  # part of `seconds` spent on the test set


@dataclass(frozen=True)
class Paused(Event):
    KIND = "paused"
    epoch: int
    batch: int


@dataclass(frozen=True)
class Resumed(Event):
    KIND = "resumed"


@dataclass(frozen=True)
class Saved(Event):
    KIND = "saved"
    path: str  # the checkpoint written (atomically) on request
    epoch: int  # epochs completed in it
    batch: int  # batches of the next epoch already trained (0 at an epoch end)


@dataclass(frozen=True)
class Diverged(Event):
    KIND = "diverged"
    epoch: int
    batch: int
    loss: float  # nan or inf
    message: str


@dataclass(frozen=True)
class SaveFailed(Event):
    KIND = "save_failed"
    path: str  # the checkpoint that could not be written (the old one is intact)
    message: str  # translated: what happened and what the run does now
    action: str = "stop"  # what the run does now: stop | pause | continue


@dataclass(frozen=True)
class Finished(Event):
    KIND = "finished"
    epochs: int
    stopped: bool  # True when stopped early by the user or a signal
    test_accuracy: float | None
    seconds: float
    reason: str = "completed"  # completed | stopped | diverged | failed | early-stopped (patience ran out:
    # stopped is False, the run ended as it was asked to)


@dataclass(frozen=True)
class Failed(Event):
    KIND = "failed"
    message: str
    detail: str = ""  # traceback text for unexpected errors

"""Evaluation (test loss the tutorial's way, accuracy, confusion matrix) and metric files.

JSONL: one line per event, flushed as it happens so ``tail -f`` shows a live run; NaN and
infinities are written as ``null`` (strict JSON). CSV: one row per epoch, rewritten atomically
at each epoch end so the file on disk is always complete.
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F

from nnlab.train import atomic
from nnlab.train.data import CLASSES
from nnlab.train.events import EpochEnd, Event


@dataclass(frozen=True)
class Evaluation:
    loss: float                              # mean over test batches of the batch-mean loss (the tutorial's)
    accuracy: float                          # 0..1
    confusion: tuple[tuple[int, ...], ...]   # [true][predicted]
    per_class_accuracy: tuple[float, ...]
    predictions: tuple[int, ...]             # for test images 0..preview_count-1


def confusion_matrix(labels: torch.Tensor, predictions: torch.Tensor, classes: int = 10) -> torch.Tensor:
    """[true][predicted] counts, on the tensors' device (no host sync)."""
    return torch.bincount(labels * classes + predictions, minlength=classes * classes).view(classes, classes)


def per_class_accuracy(confusion) -> tuple[float, ...]:
    """Recall of each class: correct / images of that class (NaN for a class with no images)."""
    rows = [list(map(int, row)) for row in confusion]
    return tuple(row[i] / sum(row) if sum(row) else math.nan for i, row in enumerate(rows))


@torch.no_grad()
def evaluate(model, x: torch.Tensor, y: torch.Tensor, batch_size: int, preview_count: int = 16) -> Evaluation:
    """The tutorial's ``test()``: average of per-batch mean losses and the share correct, computed
    in large chunks on the device with one host read at the end."""
    was_training = model.training
    model.eval()
    n = int(y.shape[0])
    widest = max(m.out_features for m in model.modules() if isinstance(m, torch.nn.Linear))
    chunk = max(batch_size, ((1 << 22) // max(widest, 1)) // batch_size * batch_size)
    losses, preds = [], []
    for start in range(0, n, chunk):
        logits = model(x[start:start + chunk])
        losses.append(F.cross_entropy(logits, y[start:start + chunk], reduction="none"))
        preds.append(logits.argmax(1))
    loss_all, pred_all = torch.cat(losses), torch.cat(preds)
    full = n // batch_size
    batch_means = [loss_all[:full * batch_size].view(full, batch_size).mean(1)] if full else []
    if n % batch_size:
        batch_means.append(loss_all[full * batch_size:].mean().view(1))
    test_loss = torch.cat(batch_means).mean()
    correct = (pred_all == y).sum()
    confusion = confusion_matrix(y, pred_all)
    if was_training:
        model.train()
    loss_v, correct_v, conf = test_loss.item(), int(correct.item()), confusion.cpu().tolist()
    return Evaluation(
        loss=loss_v, accuracy=correct_v / n if n else math.nan,
        confusion=tuple(tuple(row) for row in conf), per_class_accuracy=per_class_accuracy(conf),
        predictions=tuple(pred_all[:preview_count].cpu().tolist()))


def _finite(value):
    """NaN/inf → None, recursively (strict JSON has no NaN)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def event_json(event: Event) -> str:
    return json.dumps(_finite(event.to_dict()), ensure_ascii=False, allow_nan=False)


class JsonlWriter:
    """One JSON object per line per event, flushed at once."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._handle = open(self.path, "w", encoding="utf-8")

    def __call__(self, event: Event) -> None:
        self._handle.write(event_json(event) + "\n")
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

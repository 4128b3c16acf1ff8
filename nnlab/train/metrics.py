"""Evaluation: the test loss the tutorial's way, accuracy, the confusion matrix, per-class recall."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from nnlab.run.dataset import PREVIEW_COUNT
from nnlab.run.events import EpochEnd


@dataclass(frozen=True)
class Evaluation:
    loss: float  # mean over test batches of the batch-mean loss (the tutorial's)
    accuracy: float  # 0..1
    confusion: tuple[tuple[int, ...], ...]  # [true][predicted]
    per_class_accuracy: tuple[float, ...]
    predictions: tuple[int, ...]  # for test images 0..preview_count-1


def confusion_matrix(labels: torch.Tensor, predictions: torch.Tensor, classes: int = 10) -> torch.Tensor:
    """[true][predicted] counts, on the tensors' device (no host sync)."""
    return torch.bincount(labels * classes + predictions, minlength=classes * classes).view(classes, classes)


def per_class_accuracy(confusion) -> tuple[float, ...]:
    """Recall of each class: correct / images of that class (NaN for a class with no images)."""
    rows = [list(map(int, row)) for row in confusion]
    return tuple(row[i] / sum(row) if sum(row) else math.nan for i, row in enumerate(rows))


@torch.no_grad()
def evaluate(
    model, x: torch.Tensor, y: torch.Tensor, batch_size: int, preview_count: int = PREVIEW_COUNT
) -> Evaluation:
    """The tutorial's ``test()``: average of per-batch mean losses and the share correct, computed
    in large chunks on the device with one host read at the end."""
    was_training = model.training
    model.eval()
    n = int(y.shape[0])
    widest = max(m.out_features for m in model.modules() if isinstance(m, torch.nn.Linear))
    chunk = max(batch_size, ((1 << 22) // max(widest, 1)) // batch_size * batch_size)
    losses, preds = [], []
    for start in range(0, n, chunk):
        logits = model(x[start : start + chunk])
        losses.append(F.cross_entropy(logits, y[start : start + chunk], reduction="none"))
        preds.append(logits.argmax(1))
    loss_all, pred_all = torch.cat(losses), torch.cat(preds)
    full = n // batch_size
    batch_means = [loss_all[: full * batch_size].view(full, batch_size).mean(1)] if full else []
    if n % batch_size:
        batch_means.append(loss_all[full * batch_size :].mean().view(1))
    test_loss = torch.cat(batch_means).mean()
    correct = (pred_all == y).sum()
    confusion = confusion_matrix(y, pred_all)
    if was_training:
        model.train()
    loss_v, correct_v, conf = test_loss.item(), int(correct.item()), confusion.cpu().tolist()
    return Evaluation(
        loss=loss_v,
        accuracy=correct_v / n if n else math.nan,
        confusion=tuple(tuple(row) for row in conf),
        per_class_accuracy=per_class_accuracy(conf),
        predictions=tuple(pred_all[:preview_count].cpu().tolist()),
    )


def epoch_result(
    epoch: int, train_loss: float, ev: Evaluation, seconds: float, train_s: float, trained: int
) -> tuple[EpochEnd, dict]:
    """The EpochEnd event of a tested epoch and the row a checkpoint's history keeps of it (one
    run or one sweep member: both record an epoch the same way)."""
    event = EpochEnd(
        epoch=epoch,
        train_loss=train_loss,
        test_loss=ev.loss,
        test_accuracy=ev.accuracy,
        per_class_accuracy=ev.per_class_accuracy,
        confusion=ev.confusion,
        seconds=seconds,
        samples_per_s=trained / max(train_s, 1e-9),
        sample_predictions=ev.predictions,
        eval_seconds=seconds - train_s,
    )
    row = {
        "epoch": epoch,
        "train_loss": train_loss,
        "test_loss": ev.loss,
        "test_accuracy": ev.accuracy,
        "seconds": seconds,
        "samples_per_s": event.samples_per_s,
    }
    return event, row

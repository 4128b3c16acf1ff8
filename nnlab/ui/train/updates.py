"""View updates: what the Train session asks the screen's pages to show, as plain frozen data.

The session turns engine events into these; the screen hands each one to every page and each
page applies the ones about its own widgets (``match update: case Progress(): ...``). No Textual.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nnlab.run.events import EpochEnd
from nnlab.ui.train.state import ProgressState, RunRecord


@dataclass(frozen=True)
class Progress:
    """The progress bars and figures (Live)."""

    state: ProgressState
    batch_size: int | None = None  # None: keep the one shown


@dataclass(frozen=True)
class ResetLive:
    """A new run or a clear: empty charts, matrix, bars and predictions (and the log unless kept)."""

    keep_log: bool = False


@dataclass(frozen=True)
class NewSeries:
    """The live charts follow a new run: its label, and whether the tutorial's figures are drawn beside it."""

    label: str
    reference: bool


@dataclass(frozen=True)
class LossPoints:
    """Running losses at fractional epochs (Live loss chart)."""

    xs: list[float]
    ys: list[float]
    every: int = 0  # batches each point is the mean of (0: unknown)


@dataclass(frozen=True)
class Gpu:
    """The GPU's figures (``nnlab.train.device.gpu_figures``) and its utilisation history (Live, CUDA runs)."""

    figures: dict
    util_history: tuple[float, ...] = ()  # percent, one a second
    speed_history: tuple[float, ...] = ()  # samples/s at the same moments


@dataclass(frozen=True)
class EpochResult:
    """An epoch's test results (Live: epoch chart and log; Insight: matrix, per-class bars, predictions)."""

    event: EpochEnd


@dataclass(frozen=True)
class LogLine:
    text: str


@dataclass(frozen=True)
class LogEpoch:
    """The tutorial's "Epoch N" header."""

    epoch: int


@dataclass(frozen=True)
class LogLoss:
    """The tutorial's loss line (``nnlab.run.format.loss_line``)."""

    loss: float
    seen: int
    size: int


@dataclass(frozen=True)
class Images:
    """The fixed preview test images and their true labels (Insight)."""

    images: Any  # N x 28 x 28, 0..255 (a tensor or arrays)
    labels: Any


@dataclass(frozen=True)
class RunDone:
    """A run ended: its row in the Runs table."""

    record: RunRecord


@dataclass(frozen=True)
class Compare:
    """The runs marked on the Runs page, overlaid (empty: clear the charts)."""

    records: tuple[RunRecord, ...]


Update = (
    Progress
    | ResetLive
    | NewSeries
    | LossPoints
    | Gpu
    | EpochResult
    | LogLine
    | LogEpoch
    | LogLoss
    | Images
    | RunDone
    | Compare
)

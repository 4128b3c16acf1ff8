"""What the Train screen keeps of its runs, as plain data (no Textual): run records, progress state."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class RunRecord:
    """What the dashboard keeps of a run (plain values; the weights are not kept)."""

    run_id: int
    config: dict
    device: str = ""
    status: str = "running"                                   # finished | stopped | failed | detached
    loss_x: list[float] = field(default_factory=list)         # fractional epochs
    loss_y: list[float] = field(default_factory=list)         # running loss
    epochs: list[int] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)       # percent, per epoch
    test_loss: list[float] = field(default_factory=list)
    seconds: float = 0.0
    events: list[dict] = field(default_factory=list)          # every event, for export
    run_dir: str = ""                                         # the run directory's id (unique across sessions)

    @property
    def label(self) -> str:
        return f"#{self.run_id}"

    @property
    def final_accuracy(self) -> float | None:
        return self.accuracy[-1] if self.accuracy else None


@dataclass(frozen=True)
class ProgressState:
    """Everything the view shows; the screen builds a new one from the engine's events."""

    status: str = "idle"            # idle | loading | running | paused | stopping | finished | stopped | failed
    epoch: int = 0                  # 1-based current epoch (0 before the first batch)
    epochs: int = 0
    batch: int = 0                  # batches done in the current epoch
    batches: int = 0                # batches per epoch
    start_epoch: int = 0            # epochs already done when resumed
    start_batch: int = 0            # batches of the next epoch already done (a mid-epoch checkpoint)
    elapsed_s: float = 0.0          # this run's compute time: pauses left out
    samples_per_s: float = 0.0
    running_loss: float | None = None
    device: str = ""
    gpu: str = ""                   # "GPU 1.2/80.0 GB · 37 %" or ""

    @property
    def run_fraction(self) -> float:
        todo = (self.epochs - self.start_epoch) * self.batches - self.start_batch
        if todo <= 0:
            return 0.0
        done = (max(self.epoch, self.start_epoch + 1) - 1 - self.start_epoch) * self.batches + self.batch
        done -= self.start_batch    # this run's own batches: its elapsed time is theirs
        return min(1.0, max(0.0, done / todo))

    @property
    def epoch_fraction(self) -> float:
        return min(1.0, self.batch / self.batches) if self.batches else 0.0

    def eta_run_s(self) -> float | None:
        f = self.run_fraction
        if f <= 0 or self.elapsed_s <= 0 or self.status not in ("running", "paused"):
            return None
        return self.elapsed_s * (1 - f) / f  # includes the test passes, unlike a batch-rate ETA

    def eta_epoch_s(self, batch_size: int) -> float | None:
        if self.samples_per_s <= 0 or not self.batches or self.status not in ("running", "paused"):
            return None
        return (self.batches - self.batch) * batch_size / self.samples_per_s

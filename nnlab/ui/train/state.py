"""What the Train screen keeps of its runs, as plain data (no Textual): run records, progress state.

``record_from_events`` rebuilds a ``RunRecord`` from a run directory's decoded events (a run of
another session, for the Runs page's overlay); ``load_record`` reads them (``EventLog``) — call it
on a worker, a long log takes a while."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class RunRecord:
    """What the dashboard keeps of a run (plain values; the weights are not kept)."""

    run_id: int
    config: dict
    device: str = ""
    status: str = "running"  # finished | stopped | failed | detached
    loss_x: list[float] = field(default_factory=list)  # fractional epochs
    loss_y: list[float] = field(default_factory=list)  # running loss
    epochs: list[int] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)  # percent, per epoch
    test_loss: list[float] = field(default_factory=list)
    seconds: float = 0.0
    events: list[dict] = field(default_factory=list)  # every event, for export
    run_dir: str = ""  # the run directory's id (unique across sessions)

    @property
    def label(self) -> str:
        return f"#{self.run_id}" if self.run_id > 0 else (self.run_dir or "?")

    @property
    def key(self) -> str:
        """Its row on the Runs page: the run directory's id, else this session's number."""
        return self.run_dir or f"#{self.run_id}"

    @property
    def final_accuracy(self) -> float | None:
        return self.accuracy[-1] if self.accuracy else None


@dataclass(frozen=True)
class ProgressState:
    """Everything the view shows; the screen builds a new one from the engine's events."""

    status: str = "idle"  # idle | loading | running | paused | stopping | finished | stopped | failed
    epoch: int = 0  # 1-based current epoch (0 before the first batch)
    epochs: int = 0
    batch: int = 0  # batches done in the current epoch
    batches: int = 0  # batches per epoch
    start_epoch: int = 0  # epochs already done when resumed
    start_batch: int = 0  # batches of the next epoch already done (a mid-epoch checkpoint)
    elapsed_s: float = 0.0  # this run's compute time: pauses left out
    samples_per_s: float = 0.0
    running_loss: float | None = None
    lr: float | None = None  # the lr the last reported batch trained with (a schedule changes it)
    device: str = ""
    gpu: str = ""  # "GPU 1.2/80.0 GB · 37 %" or ""

    @property
    def run_fraction(self) -> float:
        todo = (self.epochs - self.start_epoch) * self.batches - self.start_batch
        if todo <= 0:
            return 0.0
        done = (max(self.epoch, self.start_epoch + 1) - 1 - self.start_epoch) * self.batches + self.batch
        done -= self.start_batch  # this run's own batches: its elapsed time is theirs
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


def record_from_events(run_dir: str, config: dict, events, status: str = "") -> RunRecord:
    """A record of a run read back from its log (decoded events): the loss points, the epoch results."""
    from nnlab.run.events import BatchProgress, EpochEnd, Finished, Started

    rec = RunRecord(0, dict(config), status=status or "running", run_dir=run_dir)
    for ev in events:
        if isinstance(ev, BatchProgress):
            rec.loss_x.append(ev.epoch - 1 + ev.batch / ev.batches if ev.batches else float(ev.epoch))
            rec.loss_y.append(ev.running_loss)
        elif isinstance(ev, EpochEnd):
            if ev.epoch in rec.epochs:  # a resumed run repeats nothing, but a restarted epoch replaces
                i = rec.epochs.index(ev.epoch)
                del rec.epochs[i:], rec.accuracy[i:], rec.test_loss[i:]
            rec.epochs.append(ev.epoch)
            rec.accuracy.append(ev.test_accuracy * 100)
            rec.test_loss.append(ev.test_loss)
        elif isinstance(ev, Started):
            rec.device = ev.device
            if ev.config:
                rec.config = dict(ev.config)
        elif isinstance(ev, Finished):
            rec.seconds = ev.seconds
    return rec


def load_record(path, status: str = "") -> RunRecord:
    """The record of the run directory at ``path`` from its events.jsonl (reads the whole log)."""
    from nnlab.run.reader import EventLog
    from nnlab.run.rundir import RunDir

    rd = RunDir.open(path)
    return record_from_events(rd.id, rd.config, EventLog(rd.events_path, decode=True).read_new(), status)

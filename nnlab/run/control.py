"""Control: thread-safe steering of one run (pause, resume, stop, step one batch, snapshots).

Torch-free: the engine calls ``_publish`` with its model between two optimizer steps; whoever
steers (the app, a control socket, a test) calls the public methods from any thread.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from nnlab.run.config import TrainConfig


@dataclass(frozen=True)
class Snapshot:
    config: TrainConfig
    state_dict: dict  # CPU tensors, a copy: safe to read while training goes on
    epoch: int  # completed epochs when taken
    batch: int  # batches completed in the epoch in progress
    version: int  # increases with every new snapshot


class Control:
    """Thread-safe steering of a run. The UI thread calls pause/resume/stop/step; the engine
    checks them between batches, so a stop or pause takes effect within one batch.

    ``snapshot()`` returns ``(config, state_dict)`` — a CPU copy of the weights made by the
    engine between two optimizer steps (at the start, each epoch end, every pause, after every
    single step and on request), or None before the first one. ``request_snapshot()`` asks for
    a fresh copy at the next batch boundary; ``snapshot_info()`` adds epoch, batch and version.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._paused = False
        self._stopped = False
        self._steps = 0
        self._snapshot: Snapshot | None = None
        self.snapshot_requested = False
        self.save_requested = False

    # --- called by the UI -----------------------------------------------------------------
    def pause(self) -> None:
        with self._cond:
            self._paused = True
            self._cond.notify_all()

    def resume(self) -> None:
        with self._cond:
            self._paused = False
            self._steps = 0
            self._cond.notify_all()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()

    def step(self) -> bool:
        """Run exactly one batch, then stay paused. Ignored (returns False) unless paused."""
        with self._cond:
            if not self._paused or self._stopped:
                return False
            self._steps += 1
            self._cond.notify_all()
            return True

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def stopped(self) -> bool:
        return self._stopped

    def snapshot(self) -> tuple[TrainConfig, dict] | None:
        snap = self._snapshot
        return None if snap is None else (snap.config, snap.state_dict)

    def snapshot_info(self) -> Snapshot | None:
        return self._snapshot

    def request_snapshot(self) -> None:
        self.snapshot_requested = True

    def request_save(self) -> None:
        """Write the checkpoint of the true current state at the next batch boundary (at once
        while paused): mid-epoch, exact to the batch. The run emits ``Saved`` when it is on disk."""
        with self._cond:
            self.save_requested = True
            self._cond.notify_all()

    # --- called by the engine -------------------------------------------------------------
    def _publish(self, config: TrainConfig, model, epoch: int, batch: int) -> None:
        state = {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}
        version = 1 if self._snapshot is None else self._snapshot.version + 1
        self._snapshot = Snapshot(config, state, epoch, batch, version)  # one reference swap: atomic
        self.snapshot_requested = False

    def _next_action(self, timeout: float = 0.2) -> str:
        """While paused: wait for "step", "run" (resumed), "stop" or "save" (then wait again)."""
        with self._cond:
            while True:
                if self._stopped:
                    return "stop"
                if self.save_requested:
                    self.save_requested = False
                    return "save"
                if not self._paused:
                    return "run"
                if self._steps:
                    self._steps -= 1
                    return "step"
                self._cond.wait(timeout)

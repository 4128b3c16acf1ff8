"""Control: thread-safe steering of one run (pause, resume, stop, step one batch, snapshots).

Torch-free: the engine calls ``_publish`` with its model between two optimizer steps; whoever
steers (the app, a control socket, a test) calls the public methods from any thread.
"""

from __future__ import annotations

import threading
import time
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

    The UI's turn: ``hold_for_ui()`` (a person pressed a key) asks the engine not to start another
    batch until ``release_ui()`` (the screen showing that key has been drawn) or ``UI_HOLD_MAX_S``.
    On a 2-core CPU the dashboard's torch threads take both cores, and the screen update a key
    asks for (a page switch: ~10-25 ms of CPU) otherwise runs 1.5-2x slower for sharing them.
    Fair by construction: after a turn of T seconds the next one starts no sooner than T later,
    so a held-down key leaves training at least half the time.
    """

    UI_HOLD_MAX_S = 0.1

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self.ui_hold_until = 0.0  # monotonic deadline of the UI's turn; 0.0: none asked for
        self._ui_next_turn = 0.0  # no turn before this (fairness)
        self.ui_turns = 0  # turns taken, and the time training waited in them (for the bench)
        self.ui_wait_s = 0.0
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

    def hold_for_ui(self, max_s: float | None = None) -> None:
        """A key needs the screen redrawn: the engine waits at the next batch boundary until
        ``release_ui()`` or ``max_s`` (``UI_HOLD_MAX_S``) has passed. Any thread; no lock (one float)."""
        self.ui_hold_until = time.monotonic() + (self.UI_HOLD_MAX_S if max_s is None else max_s)

    def release_ui(self) -> None:
        if self.ui_hold_until:
            with self._cond:
                self.ui_hold_until = 0.0
                self._cond.notify_all()

    # --- called by the engine -------------------------------------------------------------
    def _ui_turn(self) -> None:
        """Between two batches, while ``ui_hold_until`` is set: wait for the UI's release, the
        deadline or a stop. A turn asked for too soon after the last one is skipped."""
        start = time.monotonic()
        with self._cond:
            if start < self._ui_next_turn:
                self.ui_hold_until = 0.0
                return
            while not self._stopped:
                left = self.ui_hold_until - time.monotonic()
                if left <= 0 or not self.ui_hold_until:
                    break
                self._cond.wait(left)
            self.ui_hold_until = 0.0
        end = time.monotonic()
        self._ui_next_turn = end + (end - start)
        self.ui_turns += 1
        self.ui_wait_s += end - start

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

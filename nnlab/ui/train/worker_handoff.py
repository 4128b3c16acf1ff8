"""RunHandoff: TrainRun's overlapped hand-off of a run to a background process (``d``, ``b``, SIGHUP).

A mixin of ``TrainRun`` (``nnlab.ui.train.worker``). ``detach()`` hands the run to a background
process, overlapped (``nnlab.run.handoff``): the child is started first, in a new session, and does
its slow start-up (torch, the data) while this run trains on; once it says "ready" the engine stops
at the next batch boundary and writes the exact checkpoint (the stop-save), its final event is kept
out of the log, the control socket and the log close (a dup of the lock fd keeps the lock), and
the child gets "go" with the lock; when it says "took" the dup is closed: the lock is never free
in between and the log has one writer at a time. ``RunDetached`` tells the screen. Training
stands still only for the save, the child's checkpoint load and its first step.
A child that dies or is not ready within ``handoff_ready_s`` leaves this run training (one
``Notice``); a run that ends first lets the child go (it exits quietly); a stop asked for while
the child starts up (``x``, the app quitting or hung up right after ``d``) waits for the
hand-off and is carried out only if the hand-off fails.
"""

from __future__ import annotations

import os
import threading

from nnlab.i18n import t
from nnlab.ui.messages import Notice, RunEvent


class RunHandoff:
    """The hand-off's commands (UI thread), its own thread, and the hand-over as the worker closes."""

    @property
    def can_detach(self) -> bool:
        return self.active and self.run_dir is not None and bool(self.save_path) and self.detach_argv is not None

    def detach(self) -> bool:
        """Hand the run to a background process (see the module docstring); False when it cannot
        (no run directory or no checkpoint to continue from). Returns at once: the child starts
        on a thread of its own while this run trains on."""
        if not self.can_detach or self._detach is not None:
            return self._detach is not None
        argv = list(self.detach_argv(self))
        with self._lock:
            if self._closing:
                return False
            self._detach = argv
            self._handoff_ready = False
        threading.Thread(target=self._hand_off, args=(argv,), name=f"train-handoff-{self.run_id}", daemon=True).start()
        return True

    detach_to_background = detach  # what the app's quit dialog and SIGHUP call

    @property
    def detaching(self) -> bool:
        return self._detach is not None

    # closing the run directory (on the worker): the hand-over itself ------------------------
    def _close_run_dir(self, error: str | None) -> int | None:
        """Close the socket and the log; with the hand-off's child ready (and the engine's
        stop-save on disk) hand it the run first. The child's pid, or None."""
        server, writer, self.server = self.server, self.writer, None
        with self._lock:
            self._closing = True
            ready = self._detach is not None and self._handoff_ready and self._held_final is not None
            handoff = self._handoff if ready and error is None else None
            pending, self._handoff = self._handoff, None
            self._detach = None if handoff is None else self._detach
        if pending is not None and handoff is None:
            pending.abort()  # the run ended before the child was ready: it exits quietly
        if server is not None:
            server.close()  # before the child binds its own socket
        if writer is None:
            return None
        if handoff is None:
            final, self._held_final = self._held_final, None
            if final is not None:  # kept back for a hand-off that did not happen: the log ends here
                writer(final)
                self.target.post_message(RunEvent(self.run_id, final, self.paused_s))
            self.writer = None
            writer.close()
            return None
        lock = os.dup(writer.lock_fd)  # the same open file: the lock stays held while the log closes
        try:
            self.writer = None
            writer.close()  # never unlocks
            took = "gone" if not handoff.go(lock) else handoff.wait_took()
            if took == "gone":  # the child died before taking over: this run ends here, cleanly
                self._end_here(lock, handoff.exit_code())
                return None
        finally:
            os.close(lock)
        self.detached_pid = handoff.pid
        return handoff.pid

    def _end_here(self, lock_fd: int, code: int | None) -> None:
        """The hand-off failed after the stop-save: write the final event this run kept back
        (the run is stopped at its exact checkpoint) and say so."""
        self.target.post_message(Notice(t("dash.detach.lost", code="?" if code is None else code), "error"))
        final, self._held_final = self._held_final, None
        if final is None:
            return
        try:
            writer = self.run_dir.writer(lock_fd=os.dup(lock_fd))
        except Exception:  # noqa: BLE001 - the checkpoint is on disk whatever the log says
            writer = None
        if writer is not None:
            writer(final)
            writer.close()
        self.target.post_message(RunEvent(self.run_id, final, self.paused_s))

    # the hand-off (its own thread) -------------------------------------------------------------
    def _hand_off(self, argv: list[str]) -> None:
        """Start the child, wait for its "ready" while the run trains, then ask the engine to
        stop (the worker hands over in ``_close_run_dir``). A failure leaves the run training."""
        from nnlab.run.handoff import READY_S, Handoff

        handoff = Handoff(argv, self.run_dir.output_log)
        try:
            handoff.start()
        except OSError as why:
            self._handoff_failed(t("dash.detach.failed", why=why.strerror or why))
            return
        with self._lock:
            if self._detach is None or self._closing:  # the run ended while the child was being started
                handoff.abort()
                return
            self._handoff = handoff
        timeout = self.handoff_ready_s if self.handoff_ready_s is not None else READY_S
        why = handoff.wait_ready(timeout, give_up=lambda: self._detach is None or self._closing)
        if why == "aborted":
            handoff.abort()  # the run ended first: the child exits quietly
            return
        if why is not None:
            handoff.abort(terminate=why == "timeout")
            code = handoff.exit_code() if why == "gone" else None
            if why == "timeout":
                text = t("dash.detach.not_ready", seconds=f"{timeout:g}")
            else:
                text = t("dash.detach.died", code="?" if code is None else code)
            self._handoff_failed(text, handoff)
            return
        with self._lock:
            if self._detach is None or self._handoff is not handoff or self._closing:
                handoff.abort()  # the run ended in between: the child exits quietly
                return
            self._handoff_ready = True
            self._stop_deferred = False
        self.stop()  # the engine stops at the next batch boundary and saves: the worker hands over

    def _handoff_failed(self, text: str, handoff=None) -> None:
        with self._lock:
            if handoff is not None and self._handoff is not handoff:
                return
            self._detach, self._handoff, self._handoff_ready = None, None, False
            deferred, self._stop_deferred = self._stop_deferred, False
        self.target.post_message(Notice(text, "warning"))
        if deferred:
            self.stop()  # asked for during the hand-off: carried out now

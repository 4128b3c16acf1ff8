"""TrainRun: one training run on a Textual thread worker; the engine's events become messages.

The engine calls ``emit`` on the worker thread for every event. Progress events are merged:
at most one ``RunProgress`` message per ``interval`` (0.2 s → ≤ 5 UI updates a second; the
issue allows 10, but on a busy 2-core machine each screen update is CPU the training loses) carries
every BatchProgress since the last one, so the loss chart still gets every point. Any other
event is posted at once (after the pending progress). The worker never touches a widget.

Run directories (issue 14): with ``run_dir`` (a ``RunDir``) every event is also appended to the
run's events.jsonl through its ``RunWriter`` (the writer lock is held for the run's life) and a
``ControlServer`` serves the run's control socket, so ``nnlab ctl`` / ``nnlab watch`` from any
terminal of its owner steer it. ``request_save()`` asks the engine for the true current state
(it emits ``Saved``). ``detach()`` hands the run to a background process, overlapped, without
stopping training for the child's start-up: the ``RunHandoff`` mixin (``worker_handoff``), whose
docstring tells the steps.

``TrainRun`` is also what the app's quit/SIGHUP/SIGTERM path sees as ``app.active_run``:
``active``, ``stop()`` and ``detach_to_background()``. Stop is checked by the engine at every batch, and by ``emit`` too
(textual #3966: a thread worker that never looks at its stop flag keeps the app from exiting).
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

from nnlab.i18n import t
from nnlab.run.dataset import PREVIEW_COUNT
from nnlab.run.events import BatchProgress, EpochEnd, Event, Failed, Finished, Paused, Started
from nnlab.run.gc_pause import collections_paused
from nnlab.ui.messages import Notice, RunData, RunDetached, RunEnded, RunEvent, RunProgress
from nnlab.ui.train.worker_handoff import RunHandoff

__all__ = ["RunData", "RunEnded", "RunEvent", "RunProgress", "TrainRun", "describe_error", "progress_every_for"]


class TrainRun(RunHandoff):
    """One run. ``start(node)`` launches the worker; keys call pause/resume/step/stop."""

    def __init__(
        self,
        run_id: int,
        config,
        data_factory: Callable[[], Any],
        target,
        *,
        save_path: str | None = None,
        resume_path: str | None = None,
        preview_count: int = PREVIEW_COUNT,
        progress_every: int | None = None,
        interval: float = 0.2,
        clock: Callable[[], float] = time.monotonic,
        run_dir=None,
        detach_argv: Callable[[TrainRun], list[str]] | None = None,
        handoff_ready_s: float | None = None,
    ) -> None:
        self.run_id = run_id
        self.config = config
        self.data_factory = data_factory
        self.target = target  # the screen: post_message is thread-safe
        self.save_path = save_path
        self.resume_path = resume_path
        self.preview_count = preview_count
        self.progress_every = progress_every
        self.interval = interval
        self.clock = clock  # time.monotonic; tests pass a fake one
        self.active = True
        self.data = None
        self.device = ""
        self.control = None  # the engine's Control, made on the worker
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._want_pause = False
        self._pending: list[BatchProgress] = []
        self._last_post = 0.0
        self._last_gpu = 0.0
        self._gpu: dict | None = None
        self.worker = None
        self.on_gpu = False
        self.epoch = 0
        self.paused_s = 0.0  # time spent paused (the engine's elapsed_s counts it)
        self._paused_at: float | None = None  # clock() at the last Paused, until the next event
        self.run_dir = run_dir  # the RunDir its events and checkpoint go to (None: none)
        self.writer = None  # its RunWriter, on the worker
        self.server = None  # its ControlServer, on the worker
        self.detach_argv = detach_argv  # builds the background child's command (the screen's)
        self._detach: list[str] | None = None  # set by detach(): the child's argv (None: no hand-off)
        self.detached_pid: int | None = None
        self.handoff_ready_s = handoff_ready_s  # None: nnlab.run.handoff.READY_S
        self._handoff = None  # the Handoff under way (nnlab.run.handoff)
        self._handoff_ready = False  # the child said "ready": the stop that follows is the hand-off's
        self._stop_deferred = False  # a stop asked for while the child starts up
        self._held_final: Finished | None = None  # the parent's Finished, kept out of the log
        self._closing = False  # the worker is closing the run directory: too late to hand over

    # commands (UI thread) ------------------------------------------------------------------
    def start(self, node):
        self.worker = node.run_worker(
            self._work,
            thread=True,
            exit_on_error=False,
            name=f"train-run-{self.run_id}",
            group="train",
            exclusive=False,
        )
        return self.worker

    def stop(self) -> None:
        """Ask the run to stop at the next batch boundary (the engine saves if saving is on).
        While a hand-off's child starts up, the stop waits: the hand-off goes on if the child
        becomes ready, and the run stops here only if it does not."""
        with self._lock:
            if self._detach is not None and not self._handoff_ready:
                self._stop_deferred = True
                return
        self._stop.set()
        with self._lock:
            if self.control is not None:
                self.control.stop()

    def request_save(self) -> bool:
        """Ask the engine to write the true current state at the next batch boundary (at once
        while paused); ``Saved`` follows. False before the engine runs."""
        with self._lock:
            if self.control is None or not self.save_path:
                return False
            self.control.request_save()
            return True

    @property
    def stopping(self) -> bool:
        return self._stop.is_set() or self._stop_deferred

    def pause(self) -> None:
        with self._lock:
            self._want_pause = True
            if self.control is not None:
                self.control.pause()

    def resume(self) -> None:
        with self._lock:
            self._want_pause = False
            if self.control is not None:
                self.control.resume()

    def step(self) -> bool:
        with self._lock:
            if self.control is None or not self.control.paused:
                return False
            self.control.step()
            return True

    def hold_for_ui(self) -> bool:
        """A key asks for a screen update: training waits at its next batch boundary until
        ``release_ui()`` (``Control``: at most 0.1 s, and never more than half the time). On the
        CPU only, where torch's threads and the UI share the cores; False where nothing was held."""
        control = self.control
        if control is None or self.on_gpu or control.paused or control.stopped:
            return False
        control.hold_for_ui()
        return True

    def release_ui(self) -> None:
        control = self.control
        if control is not None:
            control.release_ui()

    @property
    def paused(self) -> bool:
        with self._lock:
            return bool(self.control is not None and self.control.paused) or (self.control is None and self._want_pause)

    def snapshot_info(self):
        """The engine's latest consistent CPU copy of the weights (``Snapshot``: state_dict, epoch,
        batch), made between two steps: at the start, each epoch end, a pause, a single step, a stop."""
        with self._lock:
            control = self.control
        return control.snapshot_info() if control is not None else None

    # the worker ---------------------------------------------------------------------------
    def _work(self) -> None:
        error: str | None = None
        try:
            with collections_paused():  # torch is imported here, on the worker thread
                from nnlab.run.control import Control
                from nnlab.train import engine

            control = Control()
            self._open_run_dir(control)
            with self._lock:
                self.control = control
                if self._want_pause:
                    control.pause()
                if self._stop.is_set():
                    control.stop()
            if not self._stop.is_set():
                from nnlab.train import memory

                memory.check_fits(self.config, 60_000, 10_000)  # refuse what cannot fit, before loading data
                with collections_paused():  # torchvision is imported and the files are read here
                    self.data = self.data_factory()
                self.target.post_message(RunData(self.run_id, self.data))
                if self.progress_every is None:
                    self.progress_every = progress_every_for(int(self.data.train_y.shape[0]), self.config.batch_size)
                engine.run(
                    self.config,
                    self.data,
                    self._emit,
                    control,
                    ui_threads=True,
                    save_path=self.save_path,
                    resume_path=self.resume_path,
                    preview_count=self.preview_count,
                    progress_every=self.progress_every,
                    save_errors="pause",
                )  # a failed save pauses: p continues, x stops
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - every failure becomes a notification, never a crash
            error = describe_error(exc)
            self._flush()
            failed = Failed(error)
            if self.writer is not None:
                self.writer(failed)
            with self._lock:
                self._detach = None
            self.target.post_message(RunEvent(self.run_id, failed))
        finally:
            self._flush()
            pid = self._close_run_dir(error)
            self.active = False
            if pid is not None:
                self.target.post_message(RunDetached(self.run_id, str(self.run_dir.path), pid))
            self.target.post_message(RunEnded(self.run_id, error))

    # the run directory (on the worker; RunHandoff._close_run_dir closes it) -------------
    def _open_run_dir(self, control) -> None:
        rd = self.run_dir
        if rd is None:
            return
        from nnlab.run.rundir import RunDirError

        def log_failed(error: OSError) -> None:  # the event log could not be appended (disk full)
            self.target.post_message(
                Notice(
                    t("runs.append_failed", path=error.filename or rd.events_path, why=error.strerror or error), "error"
                )
            )

        try:
            self.writer = rd.writer(on_error=log_failed)
        except (RunDirError, OSError) as why:
            self.target.post_message(Notice(t("dash.rundir.no_log", path=rd.path, why=why), "warning"))
            self.run_dir = None
            return
        from nnlab.run.control_server import ControlServer

        def status() -> dict:
            return {
                "state": "paused" if control.paused else self.writer.state,
                "epoch": self.epoch,
                "epochs": self.config.epochs,
            }

        try:
            self.server = ControlServer(rd, control, on_save=control.request_save, on_status=status).start()
        except (RunDirError, OSError) as why:
            self.target.post_message(
                Notice(t("runs.cli.no_steering", run=rd.id, why=getattr(why, "strerror", None) or why), "warning")
            )

    # the engine's events (on the worker) -------------------------------------------------
    def _emit(self, event: Event) -> None:
        if self._detach is not None and isinstance(event, Finished):
            with self._lock:
                handing_over = self._handoff_ready and event.reason == "stopped"
                if not handing_over:
                    self._detach = None  # it ended on its own first: nothing to hand over
            if handing_over:
                self._held_final = event  # the background run goes on: its log has no end here
                return
        if self.writer is not None:
            self.writer(event)
        if self._stop.is_set() and self.control is not None and not self.control.stopped:
            self.control.stop()  # belt and braces: the stop flag is honoured at the next batch
        if self._paused_at is not None:  # whatever follows a Paused ends the pause (resume, step, stop)
            self.paused_s += self.clock() - self._paused_at
            self._paused_at = None
        if isinstance(event, BatchProgress):  # merged: at most one RunProgress per interval
            self._pending.append(event)
            now = self.clock()
            if now - self._last_post >= self.interval:
                self._flush(now)
            return
        self._flush()
        match event:
            case Started(device=device):
                self.device = device
                self.on_gpu = device.lower() != "cpu"
            case EpochEnd(epoch=epoch):
                self.epoch = epoch
            case Paused():
                self._paused_at = self.clock()
        self.target.post_message(RunEvent(self.run_id, event, self.paused_s))

    def _flush(self, now: float | None = None) -> None:
        now = self.clock() if now is None else now
        if self.on_gpu and now - self._last_gpu >= 1.0:
            self._last_gpu = now
            from nnlab.train.device import gpu_figures  # on the worker thread: torch is loaded

            self._gpu = gpu_figures(self.device_spec())
        if self._pending:
            batch, self._pending = tuple(self._pending), []
            self.target.post_message(RunProgress(self.run_id, batch, self._gpu, self.paused_s))
        self._last_post = now

    def device_spec(self) -> str:
        dev = getattr(self.config, "device", "auto")
        return "cuda" if dev == "auto" else dev


def progress_every_for(train_size: int, batch_size: int) -> int:
    """Batches between progress events: ~50+ loss points per epoch, and always a divisor of
    100 so the tutorial's lines (batches 1, 101, 201, ...) are among them."""
    batches = max(1, -(-train_size // batch_size))
    return max(d for d in (1, 2, 4, 5, 10, 20, 25, 50, 100) if d <= max(1, batches // 50))


def describe_error(exc: BaseException) -> str:
    """One clear sentence for a person: data, checkpoint, CUDA memory, or the exception itself."""
    name = type(exc).__name__
    text = str(exc).strip()
    if "out of memory" in text.lower() and "cuda" in (text.lower() + name.lower()):
        return t("dash.error.cuda_oom", detail=text.splitlines()[0] if text else name)
    if name in ("DataError", "CheckpointError", "ConfigError"):
        return text or name
    where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    at = f" ({where.filename.rsplit('/', 1)[-1]}:{where.lineno})" if where else ""
    return t("dash.error.unexpected", name=name, detail=(text.splitlines()[0] if text else "") + at)

"""TrainRun: one training run on a Textual thread worker; the engine's events become messages.

The engine calls ``emit`` on the worker thread for every event. Progress events are merged:
at most one ``RunProgress`` message per ``interval`` (0.2 s → ≤ 5 UI updates a second; the
issue allows 10, but on a busy 2-core machine each screen update is CPU the training loses) carries
every BatchProgress since the last one, so the loss chart still gets every point. Any other
event is posted at once (after the pending progress). The worker never touches a widget.

``TrainRun`` is also what the app's quit/SIGHUP/SIGTERM path sees as ``app.active_run``:
``active`` and ``stop()``. Stop is checked by the engine at every batch, and by ``emit`` too
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
from nnlab.run.events import BatchProgress, EpochEnd, Event, Failed, Paused, Started
from nnlab.run.gc_pause import collections_paused
from nnlab.ui.messages import RunData, RunEnded, RunEvent, RunProgress

__all__ = ["RunData", "RunEnded", "RunEvent", "RunProgress", "TrainRun", "describe_error", "progress_every_for"]


class TrainRun:
    """One run. ``start(node)`` launches the worker; keys call pause/resume/step/stop."""

    def __init__(self, run_id: int, config, data_factory: Callable[[], Any], target, *,
                 save_path: str | None = None, resume_path: str | None = None,
                 preview_count: int = PREVIEW_COUNT, progress_every: int | None = None, interval: float = 0.2,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.run_id = run_id
        self.config = config
        self.data_factory = data_factory
        self.target = target                  # the screen: post_message is thread-safe
        self.save_path = save_path
        self.resume_path = resume_path
        self.preview_count = preview_count
        self.progress_every = progress_every
        self.interval = interval
        self.clock = clock                    # time.monotonic; tests pass a fake one
        self.active = True
        self.data = None
        self.device = ""
        self.control = None                   # the engine's Control, made on the worker
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
        self.paused_s = 0.0                   # time spent paused (the engine's elapsed_s counts it)
        self._paused_at: float | None = None  # clock() at the last Paused, until the next event

    # commands (UI thread) ------------------------------------------------------------------
    def start(self, node):
        self.worker = node.run_worker(self._work, thread=True, exit_on_error=False,
                                      name=f"train-run-{self.run_id}", group="train", exclusive=False)
        return self.worker

    def stop(self) -> None:
        """Ask the run to stop at the next batch boundary (the engine saves if saving is on)."""
        self._stop.set()
        with self._lock:
            if self.control is not None:
                self.control.stop()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

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
                engine.run(self.config, self.data, self._emit, control, ui_threads=True,
                           save_path=self.save_path, resume_path=self.resume_path,
                           preview_count=self.preview_count, progress_every=self.progress_every,
                           save_errors="pause")  # a failed save pauses: p continues, x stops
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - every failure becomes a notification, never a crash
            error = describe_error(exc)
            self._flush()
            self.target.post_message(RunEvent(self.run_id, Failed(error)))
        finally:
            self._flush()
            self.active = False
            self.target.post_message(RunEnded(self.run_id, error))

    def _emit(self, event: Event) -> None:
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

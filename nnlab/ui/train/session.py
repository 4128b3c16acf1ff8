"""TrainSession: the Train screen's run logic — start and steer runs, turn their events into view updates.

Widget-free and Textual-free: it holds the runs (records, ids, the current run, its progress
state) and talks to the screen only through ``TrainView`` below: plain ``Update`` values for the
pages (``nnlab.ui.train.updates``) plus a few requests only a screen can serve (notify, switch
page, ask a question, start a worker). Files are a composed ``RunFiles``. Runs on the UI thread;
the run itself is a ``TrainRun`` on a thread worker, built by the ``make_run`` the screen passes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from typing import Any, Protocol

from nnlab.i18n import t
from nnlab.run.config import PRESETS, ConfigError, TrainConfig
from nnlab.run.events import (
    BatchProgress,
    Diverged,
    EpochEnd,
    Event,
    Failed,
    Finished,
    Paused,
    Resumed,
    Saved,
    SaveFailed,
    Started,
)
from nnlab.ui.train import updates as up
from nnlab.ui.train.run_files import RunFiles
from nnlab.ui.train.state import ProgressState, RunRecord

LOG_EVERY = 100  # batches between loss lines, as in the tutorial
GPU_HISTORY = 60  # GPU utilisation samples kept for the Live page's history (one a second)


class TrainView(Protocol):
    """What the session needs from the screen (the screen implements it; tests fake it)."""

    def show(self, update: up.Update) -> None: ...  # to every page
    def notify(
        self, message: str, *, title: str = "", severity: str = "information", timeout: float | None = None
    ) -> None: ...
    def show_page(self, page: str) -> None: ...
    def form_config(self, show: bool = True) -> TrainConfig | None: ...
    def set_form_config(self, config: TrainConfig) -> None: ...
    def may_write(self, paths, written: set[str], proceed: Callable[[], None], force: bool) -> bool: ...
    def in_background(self, job: Callable[[], tuple[str, str]]) -> None: ...  # job's (text, severity) is notified
    def ask_resume(self, directory: str, suggestion: str | None, answer: Callable[[dict | None], None]) -> None: ...
    def start_run(self, run) -> None: ...
    def watch_run(self, run_dir: str) -> None: ...  # become a viewer of a run directory
    def form_sweep(self) -> tuple: ...  # (the Setup page's sweep Plan or None, why it is refused or None)
    def watch_sweep(self, path: str) -> None: ...  # show the Sweep page of a sweep directory
    def set_active_run(self, run) -> None: ...  # what quit/SIGHUP see (app.active_run)
    def release_run(self, run) -> None: ...  # clears it if it is still ``run``
    def read_checkpoint(self, path: str, done: Callable[[dict | None, str | None], None]) -> None: ...
    def alert(self, title: str, body: str) -> None: ...  # bell + desktop notification if looked away
    def predict(self, key, job: Callable[[], list[int]]) -> None: ...  # job on a worker; on_predicted(key, ...)
    def show_pair(self, true: int, predicted: int, epoch: int, indices: list[int], data, predictions) -> None: ...


def is_tutorial(config: TrainConfig) -> bool:
    """The tutorial's model and optimisation (device, seed and epoch count aside)."""
    base = PRESETS["tutorial"]
    return config.with_(device=base.device, seed=base.seed, epochs=base.epochs, preset=base.preset) == base


def gpu_text(gpu: dict | None) -> str:
    if not gpu:
        return ""
    text = t("dash.gpu.memory", used=f"{gpu['used_gb']:.1f}", total=f"{gpu['total_gb']:.1f}")
    if gpu.get("util") is not None:
        text += " · " + t("dash.gpu.util", util=gpu["util"])
    return text


class TrainSession:
    def __init__(self, view: TrainView, options: dict, make_run: Callable[..., Any]) -> None:
        self.view = view
        self.options = options
        self.make_run = make_run  # (run_id, config, data_factory, save_path=, resume_path=)
        self.files = RunFiles(options, view)
        self.run = None  # the current or last run
        self.record: RunRecord | None = None
        self.records: dict[int, RunRecord] = {}
        self.next_id = 1
        self.state = ProgressState()
        self.data = None  # the data set of the last run (reused by the next)
        self.train_size = 0
        self._logged_epoch = 0
        self._images_for = None
        self.pending_resume: str | None = options.get("resume_path")  # `--resume F`: what `s` does first
        self._resume_at: tuple[int, int] | None = None  # (epochs done, batch) of the next resume
        self.paused_s = 0.0  # the current run's paused time
        self.gpu: dict | None = None  # the last GPU figures (CUDA runs)
        self.gpu_util: list[float] = []  # their utilisation history (percent)
        self.gpu_speed: list[float] = []  # samples/s when each came
        self.predictions: tuple | None = None  # (key, predictions of the whole test set)
        self._wanted_pair: tuple | None = None  # the cell asked for while predicting
        self._copy_on_save = False  # `w` asked for a save: copy it when Saved comes

    @property
    def active(self) -> bool:
        return self.run is not None and self.run.active

    def log(self, text: str) -> None:
        self.view.show(up.LogLine(text))

    def show(self, **changes) -> None:
        self.state = replace(self.state, **changes)
        self.view.show(up.Progress(self.state, self.run.config.batch_size if self.run else None))

    # data ----------------------------------------------------------------------------------
    def data_factory(self):
        factory = self.options.get("data_factory")
        if factory is not None:
            return factory
        if self.data is not None:
            cached = self.data
            return lambda: cached
        data_dir = self.options.get("data_dir")

        def load():
            from nnlab.train.data import load as load_data

            return load_data(data_dir)

        return load

    def describe_data_source(self) -> tuple[str, bool]:
        """Called on a worker thread (locating the files imports torch and reads headers)."""
        if self.options.get("data_factory") is not None:
            return t("dash.data.injected"), True
        try:
            from nnlab.train.data import DataError, locate

            try:
                where = locate(self.options.get("data_dir"))
            except DataError as error:
                return t("dash.data.missing", why=error), False
        except Exception as error:  # noqa: BLE001 - shown, never raised
            return t("dash.data.missing", why=error), False
        if where.kind == "download":
            return t("dash.data.download", path=where.path), True
        key = "dash.data.sample" if where.is_sample else "dash.data.found"
        return t(key, path=where.path, train=f"{where.train_size:,}", test=f"{where.test_size:,}"), True

    # commands (keys) -------------------------------------------------------------------------
    def start(self, config: TrainConfig | None = None, resume_path: str | None = None, confirmed: bool = False) -> None:
        view = self.view
        if self.active:
            view.notify(t("dash.already_running"), severity="warning")
            return
        form_sweep = getattr(view, "form_sweep", None)  # a viewer (nnlab watch) starts nothing: it has none
        if config is None and resume_path is None and form_sweep is not None:
            found, refused = form_sweep()
            if refused is not None:
                view.show_page("setup")
                view.notify(refused, severity="error", timeout=10)
                return
            if found is not None:
                self.start_sweep(found)
                return
        if config is None and resume_path is None and self.pending_resume:
            path, self.pending_resume = self.pending_resume, None  # `nnlab train --resume F`, then `s`
            self.log(t("dash.log.reading", path=path))
            view.read_checkpoint(path, self._checkpoint_read)
            return
        config = config or view.form_config()
        if config is None:
            view.show_page("setup")
            view.notify(t("dash.setup.invalid"), severity="error")
            return
        try:
            config.validate()
        except ConfigError as error:
            view.show_page("setup")
            view.notify(str(error), severity="error")
            return
        if not confirmed and not self.files.may_write_save_file(
            resume_path, lambda: self.start(config, resume_path, confirmed=True)
        ):
            return
        run_id, self.next_id = self.next_id, self.next_id + 1
        run_dir = self.files.create_run_dir(config)
        self.record = RunRecord(run_id, config.to_dict(), run_dir=run_dir.id if run_dir else "")
        self.paused_s, self.gpu, self.gpu_util, self.gpu_speed = 0.0, None, [], []
        if resume_path is None:
            self._resume_at = None
        self.reset_live(keep_log=True)
        view.show(up.NewSeries(f"#{run_id}", reference=is_tutorial(config)))
        self.run = self.make_run(
            run_id,
            config,
            self.data_factory(),
            save_path=self.files.autosave_path(run_id, run_dir),
            resume_path=resume_path,
            run_dir=run_dir,
        )
        view.set_active_run(self.run)
        self.show(status="loading", epochs=config.epochs, lr=None)
        self.log(t("dash.log.starting", run=run_id, preset=config.preset, device=config.device))
        if run_dir is not None:
            self.log(t("dash.log.run_dir", run=run_dir.id, path=run_dir.path))
        view.show_page("live")
        view.start_run(self.run)

    def start_sweep(self, found) -> None:
        """`s` with a sweep on the Setup page: the headless sweep starts as a background process
        (``nnlab.ui.train.sweep_launch``; the UI never waits for it) and this app shows its Sweep page."""
        base = self.view.form_config(show=False)
        launch = self.options.get("sweep_launcher")
        if launch is None:
            from nnlab.ui.train.sweep_launch import launch
        try:
            launched = launch(base, found, self.options.get("runs_dir"), self.options.get("data_dir"))
        except OSError as error:
            text = t("lab.sweep.launch_failed", why=error.strerror or error)
            self.view.notify(text, severity="error", timeout=12)
            self.log(text)
            return
        text = t("lab.sweep.started", id=launched.path.name, members=len(found.members), pid=launched.pid)
        self.log(text + " " + str(launched.path))
        self.view.notify(text, timeout=8)
        self.options["sweep_launch"] = launched  # the Sweep page says it if the process ends before it began
        self.view.watch_sweep(str(launched.path))

    def attach(self, run, label: str) -> None:
        """A viewer (``nnlab watch``): follow ``run`` — a run another process trains, whose events
        come from its run directory's log through ``on_progress`` / ``on_event`` as a worker's would."""
        self.record = RunRecord(run.run_id, run.config.to_dict(), run_dir=label)
        self.next_id = max(self.next_id, run.run_id + 1)
        self.paused_s, self.gpu, self.gpu_util, self.gpu_speed = 0.0, None, [], []
        self._resume_at = None
        self.reset_live(keep_log=True)
        self.view.show(up.NewSeries(label, reference=is_tutorial(run.config)))
        self.run = run
        self.state = ProgressState()
        self.show(status="loading", epochs=run.config.epochs)

    def toggle_pause(self) -> None:
        if not self.active:
            self.view.notify(t("dash.no_run"), severity="warning")
        elif self.run.paused:
            self.run.resume()
        else:
            self.run.pause()  # the engine's Paused event (between two batches) updates the status

    def stop(self) -> None:
        if not self.active:
            self.view.notify(t("dash.no_run"), severity="warning")
            return
        self.run.stop()
        self.show(status="stopping")

    def step(self) -> None:
        if not self.active:
            self.view.notify(t("dash.no_run"), severity="warning")
        elif not self.run.step():
            self.view.notify(t("dash.step.not_paused"), severity="warning")

    def clear(self) -> None:
        if self.active:
            self.view.notify(t("dash.clear.running"), severity="warning")
            return
        self.reset_live()
        self.state = ProgressState()
        self.show()
        self.view.notify(t("dash.cleared"), timeout=2)

    def reset_live(self, keep_log: bool = False) -> None:
        self.view.show(up.ResetLive(keep_log))
        self._logged_epoch = 0

    def save_checkpoint(self) -> None:
        """`w`: the TRUE current state. While a run is active the engine is asked to write it
        (at the next batch boundary, at once while paused) and its ``Saved`` event triggers the
        copy; after a run, its last checkpoint is copied."""
        run = self.run
        if run is not None and run.active and getattr(run, "request_save", None) is not None:
            if run.request_save():
                self._copy_on_save = True
                self.view.notify(t("dash.save.asked"), timeout=3)
                return
        self.files.save_copy(run)

    def detach(self) -> None:
        """`d`: hand the running training to a background process; this app then watches it."""
        run = self.run
        if not self.active:
            self.view.notify(t("dash.no_run"), severity="warning")
        elif not getattr(run, "can_detach", False):
            self.view.notify(t("dash.detach.cannot"), severity="warning", timeout=8)
        elif run.detach():
            self.show(status="stopping")
            self.log(t("dash.detach.asked"))

    def export(self) -> None:
        """The current (or last) run's events as JSONL and its epochs as CSV."""
        self.files.export(self.record)

    # resume ------------------------------------------------------------------------------------
    def ask_resume(self) -> None:
        if self.active:
            self.view.notify(t("dash.already_running"), severity="warning")
            return
        self.view.ask_resume(str(self.files.runs_dir()), self.options.get("resume_path"), self.resume_answer)

    def _checkpoint_read(self, info: dict | None, error: str | None) -> None:
        if info is None:
            self.view.notify(t("dash.resume.unreadable", why=error), severity="error", timeout=12)
            self.log(t("dash.resume.unreadable", why=error))
            return
        self.resume_answer(info)

    def resume_answer(self, answer: dict | None) -> None:
        """The prompt's (or ``--resume``'s) checkpoint: resume from it, up to the larger of Setup's
        Epochs and the checkpoint's own (one more epoch at least), as ``dash.resume.help`` says."""
        if not answer:
            return
        if answer.get("batch") is None:  # the prompt says the epoch only: read the batch off the UI thread
            self.view.read_checkpoint(answer["path"], self._checkpoint_read)
            return
        saved: TrainConfig = answer["config"]
        done = int(answer["epoch"])
        batch = int(answer["batch"])
        wanted = self.view.form_config(show=False)
        epochs = max(saved.epochs, wanted.epochs if wanted else 0)
        if epochs <= done:
            epochs = done + 1  # one more epoch at least, else there is nothing to resume
        device = wanted.device if wanted else saved.device
        config = saved.with_(epochs=epochs, device=device)
        self.view.set_form_config(config)
        self._resume_at = (done, batch)
        if batch:
            self.log(t("dash.log.resuming_mid", path=answer["path"], epoch=done + 1, batch=batch, epochs=epochs))
        else:
            self.log(t("dash.log.resuming", path=answer["path"], epoch=done, epochs=epochs))
        self.start(config=config, resume_path=answer["path"])

    # anatomy -----------------------------------------------------------------------------------
    def anatomy_source(self) -> dict:
        """What the Anatomy view inspects: config, consistent weights, initial weights, data, epoch."""
        run = self.run
        config = run.config if run else (self.view.form_config(show=False) or PRESETS["tutorial"])
        info = run.snapshot_info() if run else None
        return {
            "config": config,
            "state_dict": info.state_dict if info else None,
            "initial_state_dict": self.initial_weights(run),
            "data": self.data if self.data is not None else (run.data if run else None),
            "epoch": info.epoch if info else 0,
        }

    def initial_weights(self, run) -> dict | None:
        """The run's weights before its first step: rebuilt exactly as the engine builds them
        (the seed, on the CPU, the global RNG forked). None for resumed runs and before a run."""
        if run is None or run.resume_path:
            return None
        if getattr(run, "_initial", None) is None:
            from nnlab.train.model import initial_state

            run._initial = initial_state(run.config)
        return run._initial

    # confusion-matrix cells (Insight) ------------------------------------------------------------
    def pair_images(self, true: int, predicted: int) -> None:
        """Enter on a cell: the test images of class ``true`` predicted as ``predicted``, by the
        weights of the run's latest snapshot (every test image predicted once per snapshot, on a worker)."""
        run = self.run
        info = run.snapshot_info() if run is not None else None
        data = self.data if self.data is not None else getattr(run, "data", None)
        if info is None or data is None:
            self.view.notify(t("dash.pair.no_weights"), severity="warning")
            return
        key = (run.run_id, info.version)
        if self.predictions is not None and self.predictions[0] == key:
            self._show_pair(true, predicted, info.epoch, data, self.predictions[1])
            return
        self._wanted_pair = (true, predicted, info.epoch, data)
        config, state = run.config, info.state_dict

        def job() -> list[int]:
            from nnlab.train.predictions import predict_test_set  # torch: on the worker thread

            return predict_test_set(config, state, data.test_x)

        self.view.notify(t("dash.pair.working"), timeout=2)
        self.view.predict(key, job)

    def on_predicted(self, key, predictions, error: str | None) -> None:
        wanted, self._wanted_pair = self._wanted_pair, None
        if predictions is None:
            self.view.notify(t("dash.pair.failed", why=error), severity="error")
            return
        self.predictions = (key, list(predictions))
        if wanted is not None:
            true, predicted, epoch, data = wanted
            self._show_pair(true, predicted, epoch, data, self.predictions[1])

    def _show_pair(self, true: int, predicted: int, epoch: int, data, predictions) -> None:
        labels = data.test_y.tolist() if hasattr(data.test_y, "tolist") else list(data.test_y)
        indices = [i for i, (y, p) in enumerate(zip(labels, predictions)) if y == true and p == predicted]
        self.view.show_pair(true, predicted, epoch, indices, data, predictions)

    # what the worker posts ---------------------------------------------------------------------
    def _mine(self, run_id: int) -> bool:
        return self.run is not None and run_id == self.run.run_id and self.record is not None

    def on_data(self, run_id: int, data) -> None:
        if not self._mine(run_id):
            return
        if self.options.get("data_factory") is None:
            self.data = data
        self.train_size = len(data.train_y)
        if self._images_for is not data:
            self._images_for = data
            n = self.run.preview_count
            self.view.show(up.Images(data.test_x[:n], data.test_y[:n]))

    def on_progress(
        self, run_id: int, batches: tuple[BatchProgress, ...], gpu: dict | None, paused_s: float = 0.0
    ) -> None:
        if not self._mine(run_id) or not batches:
            return
        self.paused_s = paused_s
        rec = self.record
        xs = [b.epoch - 1 + b.batch / b.batches for b in batches]
        ys = [b.running_loss for b in batches]
        rec.loss_x.extend(xs)
        rec.loss_y.extend(ys)
        rec.events.extend(batches)
        self.view.show(up.LossPoints(xs, ys, getattr(self.run, "progress_every", None) or 0))
        for b in batches:
            if b.epoch != self._logged_epoch:
                self._logged_epoch = b.epoch
                self.view.show(up.LogEpoch(b.epoch))
            if (b.batch - 1) % LOG_EVERY == 0:  # the tutorial prints batches 0, 100, 200, ... (0-based)
                loss = b.loss if math.isfinite(b.loss) else b.running_loss
                self.view.show(up.LogLoss(loss, b.samples_seen, self.train_size))
        last = batches[-1]
        status = "stopping" if self.run.stopping else ("paused" if self.state.status == "paused" else "running")
        self.show(
            status=status,
            epoch=last.epoch,
            batch=last.batch,
            batches=last.batches,
            elapsed_s=max(0.0, last.elapsed_s - paused_s),
            samples_per_s=last.samples_per_s,
            running_loss=last.running_loss,
            lr=last.lr if math.isfinite(last.lr) else self.state.lr,  # nan: a log written before lr was
            gpu=gpu_text(gpu),
        )
        if gpu is not None and gpu is not self.gpu:  # new figures (the worker reads them once a second)
            self.gpu = gpu
            if gpu.get("util") is not None:
                self.gpu_util = [*self.gpu_util[-(GPU_HISTORY - 1) :], float(gpu["util"])]
            self.gpu_speed = [*self.gpu_speed[-(GPU_HISTORY - 1) :], float(last.samples_per_s)]
            self.view.show(up.Gpu(gpu, tuple(self.gpu_util), tuple(self.gpu_speed)))

    def on_event(self, run_id: int, event: Event, paused_s: float = 0.0) -> None:
        """One engine event of the current run: recorded, then dispatched on its type."""
        if not self._mine(run_id):
            return
        self.paused_s = paused_s
        self.record.events.append(event)
        match event:
            case Started():
                self._started(event)
            case EpochEnd():
                self._epoch_end(event)
            case Paused():
                self._paused(event)
            case Resumed():
                self._resumed(event)
            case SaveFailed():
                self._save_failed(event)
            case Saved():
                self._saved(event)
            case Diverged():
                self._diverged(event)
            case Failed():
                self._failed(event)
            case Finished():
                self._finished(event)

    def _started(self, ev: Started) -> None:
        self.record.device = ev.device
        self.train_size = ev.train_size
        at = self._resume_at if self.run.resume_path else None
        start_batch = at[1] if at and at[0] == ev.start_epoch else 0
        self.show(
            status="running",
            device=ev.device,
            start_epoch=ev.start_epoch,
            start_batch=start_batch,
            epoch=ev.start_epoch + (1 if start_batch else 0),
            batch=start_batch,
            epochs=int(ev.config.get("epochs", self.state.epochs)),
        )
        self.log(t("dash.log.device", device=ev.device))
        self.log(
            t(
                "dash.log.started",
                params=f"{ev.parameters:,}",
                train=f"{ev.train_size:,}",
                test=f"{ev.test_size:,}",
                source=ev.data_source,
            )
        )
        self.log(settings_line(ev.config))  # what the engine really trains with (issue 13 item 12)
        if start_batch:
            self.log(t("dash.log.resumed_mid", epoch=ev.start_epoch + 1, batch=start_batch))
        elif ev.start_epoch:
            self.log(t("dash.log.resumed_at", epoch=ev.start_epoch))

    def _epoch_end(self, ev: EpochEnd) -> None:
        rec = self.record
        rec.epochs.append(ev.epoch)
        rec.accuracy.append(ev.test_accuracy * 100)
        rec.test_loss.append(ev.test_loss)
        self.view.show(up.EpochResult(ev))
        self.show(epoch=ev.epoch, batch=self.state.batches, samples_per_s=ev.samples_per_s)

    def _paused(self, ev: Paused) -> None:
        self.show(status="paused", epoch=ev.epoch, batch=ev.batch)  # the batches done, not the last report
        self.log(t("dash.log.paused", epoch=ev.epoch, batch=ev.batch))

    def _resumed(self, ev: Resumed) -> None:
        self.show(status="stopping" if self.run.stopping else "running")
        self.log(t("dash.log.resumed"))

    def _saved(self, ev: Saved) -> None:
        self.log(t("dash.log.saved", path=ev.path, epoch=ev.epoch + (1 if ev.batch else 0), batch=ev.batch))
        if self._copy_on_save:
            self._copy_on_save = False
            self.files.copy_saved(ev.path)

    def on_detached(self, run_id: int, run_dir: str, pid: int) -> None:
        """The background process took the run over: say so, then watch its directory."""
        if self.run is None or run_id != self.run.run_id:
            return
        self.log(t("dash.detach.done", pid=pid, path=run_dir))
        self.view.notify(t("dash.detach.done", pid=pid, path=run_dir), timeout=10)
        self.view.watch_run(run_dir)

    def _save_failed(self, ev: SaveFailed) -> None:
        self.view.notify(ev.message, title=t("safe.save_failed.title"), severity="error", timeout=20)
        self.log(ev.message)

    def _diverged(self, ev: Diverged) -> None:
        self.record.status = "failed"
        self.show(epoch=ev.epoch, batch=ev.batch)  # the bar shows the batch that diverged
        message = self.diverged_message(ev)
        self.view.notify(message, title=t("dash.diverged.title"), severity="error", timeout=10)
        self.log(message)
        self.view.alert(t("dash.diverged.title"), message)

    def diverged_message(self, ev: Diverged) -> str:
        """What diverged and what is on disk: the engine's own text claims a kept checkpoint even
        when none was written (it saves at epoch ends and stops only)."""
        lr = float(self.run.config.lr)
        text = t(
            "dash.diverged.what", loss=ev.loss, epoch=ev.epoch, batch=ev.batch, lr=f"{lr:g}", smaller=f"{lr / 10:g}"
        )
        wrote = bool(self.run.save_path) and any(isinstance(e, EpochEnd) for e in self.record.events)
        if wrote:
            return text + " " + t("dash.diverged.kept", path=self.run.save_path)
        if self.run.resume_path:
            return text + " " + t("dash.diverged.from", path=self.run.resume_path)
        return text + " " + t("dash.diverged.none")

    def _failed(self, ev: Failed) -> None:
        self.record.status = "failed"
        self.show(status="failed")
        self.view.notify(ev.message, title=t("dash.failed.title"), severity="error", timeout=12)
        self.log(t("dash.log.failed", why=ev.message))
        self.view.alert(t("dash.failed.title"), ev.message)

    def _finished(self, ev: Finished) -> None:
        rec = self.record
        if rec.status != "failed":
            rec.status = "stopped" if ev.stopped else "finished"
        rec.seconds = max(0.0, ev.seconds - self.paused_s)  # compute time: pauses left out
        self.show(status=rec.status, elapsed_s=rec.seconds)
        self.log(t("dash.log.done") if rec.status == "finished" else t("dash.log.stopped", epochs=ev.epochs))
        if rec.status == "finished":
            acc = "–" if ev.test_accuracy is None else f"{ev.test_accuracy * 100:.1f}%"
            self.view.alert(
                t("dash.alert.finished.title"), t("dash.alert.finished", run=rec.run_id, accuracy=acc, epochs=ev.epochs)
            )

    def on_ended(self, run_id: int, error: str | None) -> None:
        if self.run is None or run_id != self.run.run_id:
            return
        self.view.release_run(self.run)
        if getattr(self.run, "detached_pid", None) is not None:
            if self.record is not None:
                self.record.status = "detached"
            self.show(status="detached")
            return  # the run goes on in the background: not a row of this session
        rec = self.record
        if rec is not None and rec.run_id not in self.records:
            if error is not None:
                rec.status = "failed"
                self.show(status="failed")
            elif rec.status == "running":
                rec.status = "stopped"
                self.show(status="stopped")
            self.records[rec.run_id] = rec
            self.view.show(up.RunDone(rec))

    # runs page -----------------------------------------------------------------------------
    def compare(self, run_ids: tuple[int, ...]) -> None:
        self.view.show(up.Compare(tuple(self.records[i] for i in run_ids if i in self.records)))


def settings_line(config: dict) -> str:
    """The effective settings of a run as the engine received them (its Started event), so a
    value typed but lost (a key burst, a field left invalid) cannot pass unnoticed."""
    hidden = "-".join(str(h) for h in config.get("hidden", ()))
    return t(
        "dash.log.settings",
        epochs=config.get("epochs"),
        batch=config.get("batch_size"),
        lr=f"{config.get('lr', 0):g}",
        optimizer=config.get("optimizer"),
        hidden=hidden,
        activation=config.get("activation"),
        seed=config.get("seed"),
    )

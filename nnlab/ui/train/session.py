"""TrainSession: the Train screen's run logic — start and steer runs, turn their events into view updates.

Widget-free and Textual-free: it holds the runs (records, ids, the current run, its progress
state) and talks to the screen only through ``TrainView`` below: plain ``Update`` values for the
pages (``nnlab.ui.train.updates``) plus a few requests only a screen can serve (notify, switch
page, ask a question, start a worker). Files are a composed ``RunFiles``. Runs on the UI thread;
the run itself is a ``TrainRun`` on a thread worker, built by the ``make_run`` the screen passes.
What the worker posts is handled by the ``RunEvents`` mixin (``session_events``); Anatomy's
source and the confusion-matrix cells by ``RunInspection`` (``session_inspect``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, Protocol

from nnlab.i18n import t
from nnlab.run.config import PRESETS, ConfigError, TrainConfig
from nnlab.ui.train import updates as up
from nnlab.ui.train.run_files import RunFiles
from nnlab.ui.train.session_events import GPU_HISTORY, LOG_EVERY, RunEvents, gpu_text, settings_line
from nnlab.ui.train.session_inspect import RunInspection
from nnlab.ui.train.state import ProgressState, RunRecord

__all__ = ["GPU_HISTORY", "LOG_EVERY", "TrainSession", "TrainView", "gpu_text", "is_tutorial", "settings_line"]


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


class TrainSession(RunEvents, RunInspection):
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

    # runs page -----------------------------------------------------------------------------
    def compare(self, run_ids: tuple[int, ...]) -> None:
        self.view.show(up.Compare(tuple(self.records[i] for i in run_ids if i in self.records)))

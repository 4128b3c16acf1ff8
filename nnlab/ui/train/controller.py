"""RunController: the Train screen's run logic — start/steer runs and apply their messages to widgets.

Kept apart from the screen's layout so each stays small. Runs on the UI thread only; the run
itself is a ``TrainRun`` on a thread worker.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING


from nnlab.i18n import t
from nnlab.run.config import PRESETS, ConfigError, TrainConfig
from nnlab.ui.train.run_files import RunFiles
from nnlab.ui.train.worker import RunData, RunEnded, RunEvent, RunProgress, TrainRun
from nnlab.ui.train.class_accuracy import ClassAccuracy
from nnlab.ui.train.confusion_matrix import ConfusionMatrix
from nnlab.ui.train.epoch_chart import EpochChart
from nnlab.ui.shared.image_grid import ImageGrid
from nnlab.ui.train.log_pane import LogPane
from nnlab.ui.train.loss_chart import LossChart
from nnlab.ui.train.run_progress import ProgressState, RunProgressView
from nnlab.ui.train.runs_table import RunRecord, RunsTable
from nnlab.ui.train.setup_form import SetupForm

if TYPE_CHECKING:
    from nnlab.ui.train.screen import TrainScreen

LOG_EVERY = 100  # batches between loss lines, as in the tutorial


def is_tutorial(config: TrainConfig) -> bool:
    """The tutorial's model and optimisation (device, seed and epoch count aside)."""
    base = PRESETS["tutorial"]
    return config.with_(device=base.device, seed=base.seed, epochs=base.epochs, preset=base.preset) == base


class RunController(RunFiles):
    def __init__(self, screen: "TrainScreen") -> None:
        self.screen = screen
        self.run: TrainRun | None = None          # the current or last run
        self.record: RunRecord | None = None
        self.records: dict[int, RunRecord] = {}
        self.next_id = 1
        self.state = ProgressState()
        self.data = None                          # the data set of the last run (reused by the next)
        self.train_size = 0
        self._logged_epoch = 0
        self._images_for = None
        self.written: set[str] = set()            # files this session exported: replaced without asking
        self._widgets: dict[str, object] = {}     # q(): the screen's widgets by selector

    # helpers -------------------------------------------------------------------------------
    @property
    def app(self):
        return self.screen.app

    def q(self, selector, kind):
        """The screen's widget ``selector`` (an id); remembered, as progress asks several times a second."""
        widget = self._widgets.get(selector)
        if widget is None or not widget.is_attached:
            widget = self._widgets[selector] = self.screen.query_one(selector, kind)
        return widget

    def log(self, text: str) -> None:
        self.q("#log", LogPane).say(text)

    @property
    def active(self) -> bool:
        return self.run is not None and self.run.active

    def show(self, **changes) -> None:
        self.state = replace(self.state, **changes)
        batch_size = self.run.config.batch_size if self.run else None
        self.q("#progress", RunProgressView).show(self.state, batch_size)

    # data ----------------------------------------------------------------------------------
    def data_factory(self):
        factory = self.app.options.get("data_factory")
        if factory is not None:
            return factory
        if self.data is not None:
            cached = self.data
            return lambda: cached
        data_dir = self.app.options.get("data_dir")

        def load():
            from nnlab.train.data import load as load_data

            return load_data(data_dir)

        return load

    def describe_data_source(self) -> tuple[str, bool]:
        """Called on a worker thread (locating the files imports torch and reads headers)."""
        if self.app.options.get("data_factory") is not None:
            return t("dash.data.injected"), True
        try:
            from nnlab.train.data import DataError, locate

            try:
                where = locate(self.app.options.get("data_dir"))
            except DataError as error:
                return t("dash.data.missing", why=error), False
        except Exception as error:  # noqa: BLE001 - shown, never raised
            return t("dash.data.missing", why=error), False
        if where.kind == "download":
            return t("dash.data.download", path=where.path), True
        key = "dash.data.sample" if where.is_sample else "dash.data.found"
        return t(key, path=where.path, train=f"{where.train_size:,}", test=f"{where.test_size:,}"), True

    # commands ------------------------------------------------------------------------------
    def start(self, config: TrainConfig | None = None, resume_path: str | None = None,
              confirmed: bool = False) -> None:
        if self.active:
            self.screen.notify(t("dash.already_running"), severity="warning")
            return
        form = self.q("#form", SetupForm)
        config = config or form.config()
        if config is None:
            self.screen.show_page("setup")
            self.screen.notify(t("dash.setup.invalid"), severity="error")
            return
        try:
            config.validate()
        except ConfigError as error:
            self.screen.show_page("setup")
            self.screen.notify(str(error), severity="error")
            return
        if not confirmed and not self._may_write_save_file(config, resume_path):
            return
        run_id, self.next_id = self.next_id, self.next_id + 1
        self.record = RunRecord(run_id, config.to_dict())
        self.reset_live(keep_log=True)
        self.q("#epoch-chart", EpochChart).set_series(f"#{run_id}", [], [], [], reference=is_tutorial(config))
        self.q("#loss-chart", LossChart).set_series(f"#{run_id}", [], [])
        self.run = TrainRun(run_id, config, self.data_factory(), self.screen,
                            save_path=self.autosave_path(run_id), resume_path=resume_path)
        self.app.active_run = self.run
        self.show(status="loading", epochs=config.epochs)
        self.log(t("dash.log.starting", run=run_id, preset=config.preset, device=config.device))
        self.screen.show_page("live")
        self.run.start(self.screen)

    def toggle_pause(self) -> None:
        if not self.active:
            self.screen.notify(t("dash.no_run"), severity="warning")
        elif self.run.paused:
            self.run.resume()
        else:
            self.run.pause()  # the engine's Paused event (between two batches) updates the status

    def stop(self) -> None:
        if not self.active:
            self.screen.notify(t("dash.no_run"), severity="warning")
            return
        self.run.stop()
        self.show(status="stopping")

    def step(self) -> None:
        if not self.active:
            self.screen.notify(t("dash.no_run"), severity="warning")
        elif not self.run.step():
            self.screen.notify(t("dash.step.not_paused"), severity="warning")

    def clear(self) -> None:
        if self.active:
            self.screen.notify(t("dash.clear.running"), severity="warning")
            return
        self.reset_live()
        self.state = ProgressState()
        self.show()
        self.screen.notify(t("dash.cleared"), timeout=2)

    def reset_live(self, keep_log: bool = False) -> None:
        self.q("#loss-chart", LossChart).clear()
        self.q("#epoch-chart", EpochChart).clear()
        self.q("#confusion", ConfusionMatrix).set_matrix(())
        self.q("#class-acc", ClassAccuracy).set_accuracy(())
        self.q("#images", ImageGrid).clear_predictions()
        if not keep_log:
            self.q("#log", LogPane).clear()
        self._logged_epoch = 0

    # resume ------------------------------------------------------------------------------------
    def ask_resume(self) -> None:
        if self.active:
            self.screen.notify(t("dash.already_running"), severity="warning")
            return
        from nnlab.ui.train.resume_prompt import ResumePrompt

        self.app.push_screen(ResumePrompt(str(self.runs_dir()), self.app.options.get("resume_path")),
                             self._resume_answer)

    def _resume_answer(self, answer: dict | None) -> None:
        if not answer:
            return
        form = self.q("#form", SetupForm)
        saved: TrainConfig = answer["config"]
        done = int(answer["epoch"])
        wanted = form.config(show=False)
        epochs = max(saved.epochs, wanted.epochs if wanted else 0)
        if epochs <= done:
            epochs = done + 1  # one more epoch at least, else there is nothing to resume
        device = wanted.device if wanted else saved.device
        config = saved.with_(epochs=epochs, device=device)
        form.set_config(config)
        self.log(t("dash.log.resuming", path=answer["path"], epoch=done, epochs=epochs))
        self.start(config=config, resume_path=answer["path"])

    # anatomy -----------------------------------------------------------------------------------
    def anatomy_source(self) -> dict:
        run = self.run
        config = run.config if run else (self.q("#form", SetupForm).config(show=False) or PRESETS["tutorial"])
        info = run.snapshot_info() if run else None
        return {"config": config, "state_dict": info.state_dict if info else None,
                "initial_state_dict": self.initial_weights(run),
                "data": self.data if self.data is not None else (run.data if run else None),
                "epoch": info.epoch if info else 0}

    def initial_weights(self, run) -> dict | None:
        """The run's weights before its first step: rebuilt exactly as the engine builds them
        (the seed, on the CPU, the global RNG forked). None for resumed runs and before a run."""
        if run is None or run.resume_path:
            return None
        if getattr(run, "_initial", None) is None:
            from nnlab.train.model import initial_state

            run._initial = initial_state(run.config)
        return run._initial

    # messages from the worker ----------------------------------------------------------------
    def _mine(self, run_id: int) -> bool:
        return self.run is not None and run_id == self.run.run_id and self.record is not None

    def on_data(self, message: RunData) -> None:
        if not self._mine(message.run_id):
            return
        data = message.data
        if self.app.options.get("data_factory") is None:
            self.data = data
        self.train_size = int(data.train_y.shape[0])
        if self._images_for is not data:
            self._images_for = data
            n = self.run.preview_count
            self.q("#images", ImageGrid).set_images(data.test_x[:n].numpy(), data.test_y[:n].tolist())

    def on_progress(self, message: RunProgress) -> None:
        if not self._mine(message.run_id) or not message.batches:
            return
        rec = self.record
        xs = [b.epoch - 1 + b.batch / b.batches for b in message.batches]
        ys = [b.running_loss for b in message.batches]
        rec.loss_x.extend(xs)
        rec.loss_y.extend(ys)
        rec.events.extend(message.batches)
        self.q("#loss-chart", LossChart).add_points(xs, ys)
        for b in message.batches:
            if b.epoch != self._logged_epoch:
                self._logged_epoch, self._last_logged_batch = b.epoch, 0
                self.q("#log", LogPane).epoch_header(b.epoch)
            if (b.batch - 1) % LOG_EVERY == 0:  # the tutorial prints batches 0, 100, 200, ... (0-based)
                loss = b.loss if math.isfinite(getattr(b, "loss", math.nan)) else b.running_loss
                self.q("#log", LogPane).loss_line(loss, b.samples_seen, self.train_size)
        last = message.batches[-1]
        status = "stopping" if self.run.stopping else ("paused" if self.state.status == "paused" else "running")
        self.show(status=status, epoch=last.epoch, batch=last.batch, batches=last.batches,
                  elapsed_s=last.elapsed_s, samples_per_s=last.samples_per_s, running_loss=last.running_loss,
                  gpu=gpu_text(message.gpu))

    def on_event(self, message: RunEvent) -> None:
        if not self._mine(message.run_id):
            return
        ev, rec = message.event, self.record
        rec.events.append(ev)
        kind = ev.KIND
        if kind == "started":
            rec.device = ev.device
            self.train_size = ev.train_size
            self.show(status="running", device=ev.device, start_epoch=ev.start_epoch,
                      epoch=ev.start_epoch, batch=0, epochs=int(ev.config.get("epochs", self.state.epochs)))
            self.log(t("dash.log.device", device=ev.device))
            self.log(t("dash.log.started", params=f"{ev.parameters:,}", train=f"{ev.train_size:,}",
                       test=f"{ev.test_size:,}", source=ev.data_source))
            if ev.start_epoch:
                self.log(t("dash.log.resumed_at", epoch=ev.start_epoch))
        elif kind == "epoch":
            rec.epochs.append(ev.epoch)
            rec.accuracy.append(ev.test_accuracy * 100)
            rec.test_loss.append(ev.test_loss)
            self.q("#epoch-chart", EpochChart).add_epoch(ev.epoch, ev.test_accuracy * 100, ev.test_loss)
            self.q("#confusion", ConfusionMatrix).set_matrix(ev.confusion, ev.epoch)
            self.q("#class-acc", ClassAccuracy).set_accuracy(ev.per_class_accuracy)
            if ev.sample_predictions:
                self.q("#images", ImageGrid).set_predictions(ev.sample_predictions)
            self.q("#log", LogPane).test_line(ev.test_accuracy, ev.test_loss)
            self.show(epoch=ev.epoch, batch=self.state.batches, samples_per_s=ev.samples_per_s)
        elif kind == "paused":
            self.show(status="paused")
            self.log(t("dash.log.paused", epoch=ev.epoch, batch=ev.batch))
        elif kind == "resumed":
            self.show(status="stopping" if self.run.stopping else "running")
            self.log(t("dash.log.resumed"))
        elif kind == "save_failed":
            self.screen.notify(ev.message, title=t("safe.save_failed.title"), severity="error", timeout=20)
            self.log(ev.message)
        elif kind == "diverged":
            rec.status = "failed"
            self.screen.notify(ev.message, title=t("dash.diverged.title"), severity="error", timeout=10)
            self.log(ev.message)
        elif kind == "failed":
            rec.status = "failed"
            self.show(status="failed")
            self.screen.notify(ev.message, title=t("dash.failed.title"), severity="error", timeout=12)
            self.log(t("dash.log.failed", why=ev.message))
        elif kind == "finished":
            if rec.status != "failed":
                rec.status = "stopped" if ev.stopped else "finished"
            rec.seconds = ev.seconds
            self.show(status=rec.status, elapsed_s=ev.seconds)
            self.log(t("dash.log.done") if rec.status == "finished" else t("dash.log.stopped", epochs=ev.epochs))

    def on_ended(self, message: RunEnded) -> None:
        if self.run is None or message.run_id != self.run.run_id:
            return
        if self.app.active_run is self.run:
            self.app.active_run = None
        rec = self.record
        if rec is not None and rec.run_id not in self.records:
            if message.error is not None:
                rec.status = "failed"
                self.show(status="failed")
            elif rec.status == "running":
                rec.status = "stopped"
                self.show(status="stopped")
            self.records[rec.run_id] = rec
            self.q("#runs-table", RunsTable).add_record(rec)

    # runs page -----------------------------------------------------------------------------
    def compare(self, run_ids: tuple[int, ...]) -> None:
        recs = [self.records[i] for i in run_ids if i in self.records]
        loss, epochs = self.screen.query_one("#compare-loss", LossChart), self.screen.query_one("#compare-epochs", EpochChart)
        if not recs:
            loss.clear()
            epochs.clear()
            return
        a, rest = recs[0], recs[1:]
        loss.set_series(a.label, a.loss_x, a.loss_y, [(r.label, r.loss_x, r.loss_y) for r in rest])
        epochs.set_series(a.label, a.epochs, a.accuracy, a.test_loss,
                          [(r.label, r.epochs, r.accuracy) for r in rest], reference=False)


def gpu_text(gpu: dict | None) -> str:
    if not gpu:
        return ""
    text = t("dash.gpu.memory", used=f"{gpu['used_gb']:.1f}", total=f"{gpu['total_gb']:.1f}")
    if gpu.get("util") is not None:
        text += " · " + t("dash.gpu.util", util=gpu["util"])
    return text

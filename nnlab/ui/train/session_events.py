"""RunEvents: the TrainSession's half that turns what a run's worker posts into view updates.

A mixin of ``TrainSession`` (``nnlab.ui.train.session``): data, batch progress, engine events
(started, epoch end, paused, resumed, saved, diverged, failed, finished), the hand-off and the end
of a run, recorded on the current ``RunRecord`` and shown through the session's ``TrainView``.
Widget-free; runs on the UI thread.
"""

from __future__ import annotations

import math

from nnlab.i18n import t
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

LOG_EVERY = 100  # batches between loss lines, as in the tutorial
GPU_HISTORY = 60  # GPU utilisation samples kept for the Live page's history (one a second)


def gpu_text(gpu: dict | None) -> str:
    if not gpu:
        return ""
    text = t("dash.gpu.memory", used=f"{gpu['used_gb']:.1f}", total=f"{gpu['total_gb']:.1f}")
    if gpu.get("util") is not None:
        text += " · " + t("dash.gpu.util", util=gpu["util"])
    return text


class RunEvents:
    """What the worker posts (the session's ``on_*`` methods), dispatched and shown; mixed into ``TrainSession``."""

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

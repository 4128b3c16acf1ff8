"""The Trainer behind ``engine.run``: setup, resume, the epoch loop, pauses, saving."""

from __future__ import annotations

import math
import time

import torch

from nnlab.i18n import t
from nnlab.fs import atomic
from nnlab.train import checkpoint as ckpt
from nnlab.run.config import TrainConfig
from nnlab.train.data import FashionData
from nnlab.run.control import Control
from nnlab.train.device import choose_threads, device_label, resolve_device
from nnlab.run.events import (BatchProgress, Diverged, EpochEnd, Finished, Paused, Resumed, SaveFailed, Started)
from nnlab.train.metrics import evaluate
from nnlab.train.model import count_parameters, fresh_model, make_optimizer
from nnlab.train.step import Stepper


class _Diverged(Exception):
    def __init__(self, batch: int, loss: float):
        self.batch, self.loss = batch, loss


class _SaveStop(Exception):
    """A checkpoint could not be written and the policy says stop."""


SAVE_ERRORS = ("stop", "continue", "pause")


class Trainer:
    def __init__(self, config: TrainConfig, data: FashionData, emit, control: Control, *, ui_threads: bool,
                 save_path, resume_path, preview_count: int, progress_every: int, static_step: bool,
                 save_errors: str = "stop"):
        config.validate(train_size=data.train_size)
        self.config, self.data, self.emit, self.control = config, data, emit, control
        self.save_path, self.preview_count, self.progress_every = save_path, preview_count, progress_every
        self.save_errors = save_errors if save_errors in SAVE_ERRORS else "stop"
        if save_path:
            atomic.clean_strays(save_path)  # temp files of writers killed in earlier runs
        self.t0 = time.perf_counter()
        self.device = resolve_device(config.device)
        self.threads = config.threads or choose_threads(self.device, ui_threads)
        torch.set_num_threads(self.threads)

        self.model = fresh_model(config).to(self.device)
        self.optimizer = make_optimizer(config, self.model.parameters(), self.device)
        self.generator = torch.Generator(device=self.device)
        self.generator.manual_seed(config.seed)

        self.history: list[dict] = []
        self.start_epoch, self.start_batch, self.start_loss_sum = 0, 0, 0.0
        self.note = ""
        self.resume_state = None
        if resume_path:
            self._resume(resume_path)

        n = data.train_size
        # The dataset, resident on the device: uint8 goes over (4x less to copy), float32 ÷ 255
        # there — the same arithmetic as ToTensor, so the inputs are bit-identical to the tutorial's.
        self.train_x = data.train_x.to(self.device).reshape(n, -1).float().div_(255)
        self.train_y = data.train_y.to(self.device)
        self.test_x = data.test_x.to(self.device).reshape(data.test_size, -1).float().div_(255)
        self.test_y = data.test_y.to(self.device)
        self.stepper = Stepper(self.model, self.optimizer, self.train_x, self.train_y, config.batch_size,
                               static=static_step)
        # On the CPU reading a loss costs nothing (no device to wait for): check every batch, so a
        # NaN stops the run right after the step that made it. On CUDA a read waits for the GPU:
        # losses are checked at each progress read (the batch is still named exactly).
        self.check_each_batch = self.device.type != "cuda"
        if self.device.type == "cuda":
            self.stepper.capture()
            self.note = "; ".join(x for x in (self.note, self.stepper.note) if x)

    # --- resume ----------------------------------------------------------------------------
    def _resume(self, path) -> None:
        data = ckpt.load(path)
        saved = data["config_obj"]
        if saved.optimizer != self.config.optimizer:
            raise ckpt.CheckpointError(t("train.ckpt.optimizer_kind", path=path, saved=saved.optimizer,
                                         wanted=self.config.optimizer))
        own_groups = [{k: v for k, v in g.items() if k != "params"} for g in self.optimizer.param_groups]
        ckpt.apply(data, self.model, self.optimizer)
        for group, own in zip(self.optimizer.param_groups, own_groups):
            group.update(own)  # this run's lr and flags win; the checkpoint supplies the state
        if self.device.type == "cuda" and self.config.optimizer == "adam":
            for state in self.optimizer.state.values():
                if torch.is_tensor(state.get("step")):
                    state["step"] = state["step"].to(self.device)
        extra = data.get("extra", {})
        self.history = list(data["history"])
        self.start_epoch = int(data["epoch"])
        self.start_batch = int(extra.get("batch", 0))
        self.start_loss_sum = float(extra.get("epoch_loss_sum", 0.0))
        state = extra.get("shuffle_state")
        if torch.is_tensor(state):
            try:
                self.generator.set_state(state)
            except (RuntimeError, ValueError):
                self.note = t("train.resume.reshuffled")
                self.generator.manual_seed(self.config.seed + self.start_epoch)

    # --- helpers ---------------------------------------------------------------------------
    def _read(self, epoch: int, upto: int) -> None:
        """Read the losses of batches [self.read_from, upto] (one host sync) into the window and
        the epoch sum; raises _Diverged naming the first non-finite one."""
        if upto < self.read_from:
            return
        values = self.stepper.losses[self.read_from:upto + 1].tolist()
        for i, value in enumerate(values):
            if not math.isfinite(value):
                raise _Diverged(self.read_from + i + 1, value)
        self.read_from = upto + 1
        self.loss_sum += sum(values)
        self.window.extend(values)

    def _weights_finite(self) -> bool:
        return all(bool(torch.isfinite(p).all()) for p in self.model.parameters())

    def _save(self, epoch: int, batch: int, shuffle_state) -> None:
        if not self.save_path:
            return
        if not self._weights_finite():
            raise _Diverged(max(batch, 1), math.nan)
        try:
            ckpt.save(self.save_path, self.model, self.optimizer, epoch=epoch, config=self.config,
                      history=self.history, extra={"batch": batch, "shuffle_state": shuffle_state,
                                                   "epoch_loss_sum": self.loss_sum, "device": self.device.type})
        except OSError as error:  # disk full, permissions, I/O: the previous file is intact
            action = "stop" if self.control.stopped else self.save_errors
            self.emit(SaveFailed(path=str(self.save_path), action=action, message=t(
                f"safe.save_failed.{action}", why=error.strerror or str(error), path=self.save_path)))
            if action == "stop":
                raise _SaveStop from None
            if action == "pause":
                self.control.pause()

    def _publish(self, epoch: int, batch: int) -> None:
        self.control._publish(self.config, self.model, epoch, batch)

    def _pause(self, epoch: int, b: int) -> str:
        """Paused before batch ``b`` (0-based): returns "step", "run" or "stop"."""
        self._read(epoch, b - 1)
        self._publish(epoch - 1, b)
        self.emit(Paused(epoch=epoch, batch=b))
        since = time.perf_counter()
        action = self.control._next_action()
        self.paused_s += time.perf_counter() - since
        if action == "run":
            self.emit(Resumed())
        return action

    # --- the loop --------------------------------------------------------------------------
    def train(self) -> Finished:
        cfg, stepper, control = self.config, self.stepper, self.control
        n, batches = self.data.train_size, stepper.batches
        self.emit(Started(config=cfg.to_dict(), device=device_label(self.device),
                          parameters=count_parameters(self.model), train_size=n, test_size=self.data.test_size,
                          data_source=self.data.source, start_epoch=self.start_epoch, threads=self.threads,
                          step_mode=stepper.mode, note=self.note))
        self._publish(self.start_epoch, self.start_batch)
        self.model.train()
        last_accuracy = self.history[-1]["test_accuracy"] if self.history else None
        epoch = self.start_epoch
        reason = "completed"
        try:
            for epoch in range(self.start_epoch + 1, cfg.epochs + 1):
                epoch_state = self.generator.get_state()
                perm = torch.randperm(n, generator=self.generator, device=self.device)
                first = self.start_batch if epoch == self.start_epoch + 1 else 0
                stepper.begin_epoch(perm, first)
                self.read_from, self.loss_sum = first, (self.start_loss_sum if first else 0.0)
                self.window = []
                self.paused_s = 0.0
                epoch_t0 = mark_t = time.perf_counter()
                mark_b = first
                b = first
                stepped = False
                while b < batches:
                    if control.stopped:
                        break
                    if control.paused:
                        action = self._pause(epoch, b)
                        if action == "stop":
                            break
                        stepped = action == "step"
                        if stepped:
                            mark_t, mark_b = time.perf_counter(), b
                    stepper.step(b)
                    report = b % self.progress_every == 0 or stepped
                    if report or self.check_each_batch:
                        self._read(epoch, b)
                    if report:
                        values, self.window = self.window, []
                        now = time.perf_counter()
                        window = max(now - mark_t, 1e-9)
                        seen = min((b + 1) * cfg.batch_size, n)
                        self.emit(BatchProgress(
                            epoch=epoch, batch=b + 1, batches=batches, samples_seen=seen,
                            running_loss=sum(values) / len(values) if values else math.nan,
                            samples_per_s=(seen - min(mark_b * cfg.batch_size, n)) / window,
                            elapsed_s=now - self.t0, loss=values[-1] if values else math.nan))
                        mark_t, mark_b = now, b + 1
                    if stepped or control.snapshot_requested:
                        self._publish(epoch - 1, b + 1)
                    stepped = False
                    b += 1
                if b < batches:  # stopped mid-epoch
                    self._read(epoch, b - 1)
                    self._save(epoch - 1, b, epoch_state)
                    self._publish(epoch - 1, b)
                    reason = "stopped"
                    epoch -= 1
                    break
                self._read(epoch, batches - 1)
                train_s = time.perf_counter() - epoch_t0 - self.paused_s
                train_loss = self.loss_sum / batches
                ev = evaluate(self.model, self.test_x, self.test_y, cfg.batch_size, self.preview_count)
                seconds = time.perf_counter() - epoch_t0 - self.paused_s
                trained = n - min(first * cfg.batch_size, n)
                last_accuracy = ev.accuracy
                event = EpochEnd(epoch=epoch, train_loss=train_loss, test_loss=ev.loss, test_accuracy=ev.accuracy,
                                 per_class_accuracy=ev.per_class_accuracy, confusion=ev.confusion, seconds=seconds,
                                 samples_per_s=trained / max(train_s, 1e-9), sample_predictions=ev.predictions,
                                 eval_seconds=seconds - train_s)
                self.history.append({"epoch": epoch, "train_loss": train_loss, "test_loss": ev.loss,
                                     "test_accuracy": ev.accuracy, "seconds": seconds,
                                     "samples_per_s": event.samples_per_s})
                self.loss_sum = 0.0
                self._save(epoch, 0, self.generator.get_state())
                self._publish(epoch, 0)
                self.emit(event)
                if control.stopped:
                    reason = "stopped" if epoch < cfg.epochs else "completed"
                    break
        except _SaveStop:
            finished = Finished(epochs=max(epoch - 1, 0), stopped=True, test_accuracy=last_accuracy,
                                seconds=time.perf_counter() - self.t0, reason="failed")
            self.emit(finished)
            return finished
        except _Diverged as bad:
            lr = cfg.lr
            self.emit(Diverged(epoch=epoch, batch=bad.batch, loss=bad.loss,
                               message=t("train.diverged", epoch=epoch, batch=bad.batch, loss=bad.loss, lr=f"{lr:g}",
                                         smaller=f"{lr / 10:g}")))
            finished = Finished(epochs=epoch - 1, stopped=True, test_accuracy=last_accuracy,
                                seconds=time.perf_counter() - self.t0, reason="diverged")
            self.emit(finished)
            return finished
        finished = Finished(epochs=epoch, stopped=reason == "stopped", test_accuracy=last_accuracy,
                            seconds=time.perf_counter() - self.t0, reason=reason)
        self.emit(finished)
        return finished

"""The Trainer behind ``engine.run``: setup, resume, the epoch loop, pauses, saving."""

from __future__ import annotations

import errno
import math
import os
import time

import torch

from nnlab.fs import atomic
from nnlab.i18n import t
from nnlab.run.config import TrainConfig
from nnlab.run.control import Control
from nnlab.run.events import BatchProgress, Diverged, Finished, Paused, Resumed, Saved, SaveFailed, Started
from nnlab.run.schedule import lr_at
from nnlab.train import checkpoint as ckpt
from nnlab.train.data import FashionData
from nnlab.train.device import choose_threads, device_label, resolve_device
from nnlab.train.metrics import epoch_result, evaluate
from nnlab.train.model import count_parameters, fresh_model, make_optimizer
from nnlab.train.step import Stepper


class _Diverged(Exception):
    def __init__(self, batch: int, loss: float):
        self.batch, self.loss = batch, loss


class _SaveStop(Exception):
    """A checkpoint could not be written and the policy says stop."""


class _FloatLr:
    """The optimizer as a checkpoint sees it: a device-tensor lr (a scheduled run on CUDA) is
    written as the float it holds, so the file keeps the schema every checkpoint has."""

    def __init__(self, optimizer):
        self.optimizer = optimizer

    def state_dict(self) -> dict:
        data = self.optimizer.state_dict()
        data["param_groups"] = [
            {**g, "lr": float(g["lr"])} if torch.is_tensor(g["lr"]) else g for g in data["param_groups"]
        ]
        return data


def patience_out(history: list[dict], patience: int) -> bool:
    """Early stopping: True when the last ``patience`` epochs brought no test loss lower than the
    best before them (a tie is not better; a NaN loss never is). Read from the history alone, so a
    resumed run counts the epochs of its earlier sessions too."""
    if patience <= 0 or len(history) <= patience:
        return False
    losses = [h.get("test_loss") for h in history]
    best_at, best = None, math.inf
    for i, loss in enumerate(losses):
        if isinstance(loss, (int, float)) and math.isfinite(loss) and loss < best:
            best_at, best = i, loss
    if best_at is None:
        return True
    return len(losses) - 1 - best_at >= patience


SAVE_ERRORS = ("stop", "continue", "pause")
SPACE_ERRORS = (errno.ENOSPC, errno.EDQUOT)  # the disk (or the quota) is full: freeing space is the fix


class Trainer:
    def __init__(
        self,
        config: TrainConfig,
        data: FashionData,
        emit,
        control: Control,
        *,
        ui_threads: bool,
        save_path,
        resume_path,
        preview_count: int,
        progress_every: int,
        static_step: bool,
        save_errors: str = "stop",
    ):
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
        self.lr = math.nan  # the lr the optimizer holds now (a schedule changes it per batch or epoch)
        if resume_path:
            self._resume(resume_path)

        n = data.train_size
        # The dataset, resident on the device: uint8 goes over (4x less to copy), float32 ÷ 255
        # there — the same arithmetic as ToTensor, so the inputs are bit-identical to the tutorial's.
        self.train_x = data.train_x.to(self.device).reshape(n, -1).float().div_(255)
        self.train_y = data.train_y.to(self.device)
        self.test_x = data.test_x.to(self.device).reshape(data.test_size, -1).float().div_(255)
        self.test_y = data.test_y.to(self.device)
        self.stepper = Stepper(
            self.model, self.optimizer, self.train_x, self.train_y, config.batch_size, static=static_step
        )
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
            raise ckpt.CheckpointError(
                t("train.ckpt.optimizer_kind", path=path, saved=saved.optimizer, wanted=self.config.optimizer)
            )
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
        values = self.stepper.losses[self.read_from : upto + 1].tolist()
        for i, value in enumerate(values):
            if not math.isfinite(value):
                raise _Diverged(self.read_from + i + 1, value)
        self.read_from = upto + 1
        self.loss_sum += sum(values)
        self.window.extend(values)

    def _weights_finite(self) -> bool:
        return all(bool(torch.isfinite(p).all()) for p in self.model.parameters())

    def _save(self, epoch: int, batch: int, shuffle_state) -> bool:
        """Write the checkpoint (epochs done, batches of the next one, its shuffle state); True when
        it is on disk. A failure follows the run's save-error policy."""
        if not self.save_path:
            return False
        if not self._weights_finite():
            raise _Diverged(max(batch, 1), math.nan)
        try:
            ckpt.save(
                self.save_path,
                self.model,
                _FloatLr(self.optimizer),
                epoch=epoch,
                config=self.config,
                history=self.history,
                extra={
                    "batch": batch,
                    "shuffle_state": shuffle_state,
                    "epoch_loss_sum": self.loss_sum,
                    "device": self.device.type,
                },
            )
        except OSError as error:  # disk full, permissions, I/O: the previous file is intact
            action = "stop" if self.control.stopped else self.save_errors
            self.emit(
                SaveFailed(
                    path=str(self.save_path),
                    action=action,
                    message=t(
                        f"safe.save_failed.{action}",
                        why=error.strerror or str(error),
                        path=self.save_path,
                        previous=self._previous(),
                        fix=t("safe.fix.space" if error.errno in SPACE_ERRORS else "safe.fix.other"),
                    ),
                )
            )
            if action == "stop":
                raise _SaveStop from None
            if action == "pause":
                self.control.pause()
            return False
        return True

    def _save_now(self, epoch: int, b: int) -> None:
        """A save asked for mid-run (``control.request_save``): the true state before batch ``b``
        (0-based) of epoch ``epoch``, exact to the batch, then ``Saved``."""
        self._read(epoch, b - 1)
        if self._save(epoch - 1, b, self.epoch_state):
            self.emit(Saved(path=str(self.save_path), epoch=epoch - 1, batch=b))

    def _kept(self) -> str:
        """For the divergence message: the checkpoint left on disk, if this run (or the one it
        resumed) ever wrote one; nothing is claimed for a run that does not save."""
        if not self.save_path:
            return ""
        if os.path.isfile(os.path.expanduser(str(self.save_path))):
            return t("train.diverged.kept", path=self.save_path)
        return t("train.diverged.none")

    def _previous(self) -> str:
        """What the failed save left on disk, said truthfully: an earlier checkpoint, or none."""
        key = "safe.previous.kept" if os.path.isfile(os.path.expanduser(str(self.save_path))) else "safe.previous.none"
        return t(key, path=self.save_path)

    def _publish(self, epoch: int, batch: int) -> None:
        self.control._publish(self.config, self.model, epoch, batch)

    def _pause(self, epoch: int, b: int) -> str:
        """Paused before batch ``b`` (0-based): returns "step", "run" or "stop"."""
        self._read(epoch, b - 1)
        self._publish(epoch - 1, b)
        self.emit(Paused(epoch=epoch, batch=b))
        since = time.perf_counter()
        action = self.control._next_action()
        while action == "save":  # saved while paused: the state the pause holds, then wait again
            self._save_now(epoch, b)
            action = self.control._next_action()
        self.paused_s += time.perf_counter() - since
        if action == "run":
            self.emit(Resumed())
        return action

    # --- the loop --------------------------------------------------------------------------
    def train(self) -> Finished:
        """Every epoch from the start point to ``config.epochs``; Finished says how it ended."""
        cfg = self.config
        self.emit(
            Started(
                config=cfg.to_dict(),
                device=device_label(self.device),
                parameters=count_parameters(self.model),
                train_size=self.data.train_size,
                test_size=self.data.test_size,
                data_source=self.data.source,
                start_epoch=self.start_epoch,
                threads=self.threads,
                step_mode=self.stepper.mode,
                note=self.note,
            )
        )
        self._publish(self.start_epoch, self.start_batch)
        self.model.train()
        self.last_accuracy = self.history[-1]["test_accuracy"] if self.history else None
        epoch = self.start_epoch
        try:
            for epoch in range(self.start_epoch + 1, cfg.epochs + 1):
                first = self.start_batch if epoch == self.start_epoch + 1 else 0
                if not self._epoch(epoch, first):
                    return self._finish(epoch - 1, "stopped")
                if self.control.stopped:
                    return self._finish(epoch, "stopped" if epoch < cfg.epochs else "completed")
                if epoch < cfg.epochs and patience_out(self.history, cfg.early_stop):
                    return self._finish(epoch, "early-stopped")
        except _SaveStop:
            return self._finish(max(epoch - 1, 0), "failed")
        except _Diverged as bad:
            lr = self.lr if math.isfinite(self.lr) else cfg.lr
            self.emit(
                Diverged(
                    epoch=epoch,
                    batch=bad.batch,
                    loss=bad.loss,
                    message=t(
                        "train.diverged",
                        epoch=epoch,
                        batch=bad.batch,
                        loss=bad.loss,
                        lr=f"{lr:g}",
                        smaller=f"{lr / 10:g}",
                        kept=self._kept(),
                    ),
                )
            )
            return self._finish(epoch - 1, "diverged")
        return self._finish(epoch, "completed")

    def _finish(self, epochs: int, reason: str) -> Finished:
        finished = Finished(
            epochs=epochs,
            stopped=reason not in ("completed", "early-stopped"),
            test_accuracy=self.last_accuracy,
            seconds=time.perf_counter() - self.t0,
            reason=reason,
        )
        self.emit(finished)
        return finished

    def _epoch(self, epoch: int, first: int) -> bool:
        """Train epoch ``epoch`` from batch ``first``, then test it. False when stopped mid-epoch
        (the checkpoint then holds the exact batch reached)."""
        self.epoch_state = epoch_state = self.generator.get_state()  # regenerates this epoch's order
        perm = torch.randperm(self.data.train_size, generator=self.generator, device=self.device)
        self.stepper.begin_epoch(perm, first)
        self.read_from, self.loss_sum = first, (self.start_loss_sum if first else 0.0)
        self.window = []
        self.paused_s = 0.0
        epoch_t0 = time.perf_counter()
        b = self._batches(epoch, first)
        if b < self.stepper.batches:  # stopped mid-epoch
            self._read(epoch, b - 1)
            self._save(epoch - 1, b, epoch_state)
            self._publish(epoch - 1, b)
            return False
        self._end_epoch(epoch, first, epoch_t0)
        return True

    def _batches(self, epoch: int, first: int) -> int:
        """Step batches ``first``.. until the epoch ends or a stop; returns the batch reached.
        Pauses (and single steps) happen between two batches; progress every ``progress_every``."""
        control, stepper, batches = self.control, self.stepper, self.stepper.batches
        mark = (time.perf_counter(), first)  # when and where the current speed window began
        b, stepped = first, False
        while b < batches:
            if control.stopped:
                break
            if control.save_requested:
                control.save_requested = False
                self._save_now(epoch, b)
            if control.ui_hold_until:  # a key is being drawn: let the UI have the cores (Control)
                control._ui_turn()
            if control.paused:
                action = self._pause(epoch, b)
                if action == "stop":
                    break
                stepped = action == "step"
                if stepped:
                    mark = (time.perf_counter(), b)
            if self.config.scheduled:
                self._set_lr(lr_at(self.config, epoch, b, batches))
            stepper.step(b)
            report = b % self.progress_every == 0 or stepped
            if report or self.check_each_batch:
                self._read(epoch, b)
            if report:
                mark = self._progress(epoch, b, mark)
            if stepped or control.snapshot_requested:
                # On CUDA losses are read only at progress points: read up to this batch first, so
                # a snapshot never publishes the weights of a step that diverged.
                self._read(epoch, b)
                self._publish(epoch - 1, b + 1)
            stepped = False
            b += 1
        return b

    def _set_lr(self, lr: float) -> None:
        if lr != self.lr:  # on CUDA a change is one tiny fill of the tensor the graph reads
            self.stepper.set_lr(lr)
            self.lr = lr

    def _progress(self, epoch: int, b: int, mark: tuple[float, int]) -> tuple[float, int]:
        """Emit BatchProgress for batch ``b`` (0-based) with the speed since ``mark``; the new mark."""
        n, size = self.data.train_size, self.config.batch_size
        values, self.window = self.window, []
        now = time.perf_counter()
        seen = min((b + 1) * size, n)
        self.emit(
            BatchProgress(
                epoch=epoch,
                batch=b + 1,
                batches=self.stepper.batches,
                samples_seen=seen,
                running_loss=sum(values) / len(values) if values else math.nan,
                samples_per_s=(seen - min(mark[1] * size, n)) / max(now - mark[0], 1e-9),
                elapsed_s=now - self.t0,
                loss=values[-1] if values else math.nan,
                lr=self.lr if self.config.scheduled else self.config.lr,
            )
        )
        return now, b + 1

    def _end_epoch(self, epoch: int, first: int, epoch_t0: float) -> None:
        """Test the epoch's model, record it, save, publish, and emit EpochEnd."""
        cfg, n, batches = self.config, self.data.train_size, self.stepper.batches
        self._read(epoch, batches - 1)
        train_s = time.perf_counter() - epoch_t0 - self.paused_s
        train_loss = self.loss_sum / batches
        ev = evaluate(self.model, self.test_x, self.test_y, cfg.batch_size, self.preview_count)
        seconds = time.perf_counter() - epoch_t0 - self.paused_s
        trained = n - min(first * cfg.batch_size, n)
        self.last_accuracy = ev.accuracy
        event, row = epoch_result(epoch, train_loss, ev, seconds, train_s, trained)
        self.history.append(row)
        self.loss_sum = 0.0
        self._save(epoch, 0, self.generator.get_state())
        self._publish(epoch, 0)
        self.emit(event)

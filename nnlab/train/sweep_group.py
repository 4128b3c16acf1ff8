"""The batched loop of a sweep group: K members stepped together, epoch by epoch, their events emitted."""

from __future__ import annotations

import math
import time

import torch

from nnlab.i18n import t
from nnlab.run.config import TrainConfig
from nnlab.run.control import Control
from nnlab.run.errors import ConfigError
from nnlab.run.events import BatchProgress, Paused, Resumed, Started
from nnlab.run.schedule import lr_at
from nnlab.run.sweep import GROUP_FIELDS, group_key
from nnlab.train.device import choose_threads, device_label, resolve_device
from nnlab.train.metrics import epoch_result, evaluate
from nnlab.train.model import parameters_for
from nnlab.train.sweep_fit import check_group_fits, choose_impl
from nnlab.train.sweep_graph import GroupStepper
from nnlab.train.sweep_members import Emit, GroupMembers, GroupResult, Member
from nnlab.train.sweep_step import BatchedMLP, order_members
from nnlab.train.trainer import patience_out


class GroupTrainer(GroupMembers):
    def __init__(
        self,
        configs: list[TrainConfig],
        data,
        emit: Emit,
        control: Control,
        *,
        impl: str,
        progress_every: int,
        preview_count: int,
        static_step: bool,
        ui_threads: bool,
        save_paths: dict[int, str] | None = None,
    ):
        if not configs:
            raise ConfigError(t("sweep.empty_group"))
        first = configs[0]
        key = group_key(first)
        for c in configs:
            c.validate(train_size=data.train_size)
            if group_key(c) != key:
                raise ConfigError(t("sweep.mixed_group", setting=_first_difference(first, c)))
        self.t0 = time.perf_counter()
        self.device = resolve_device(first.device)
        check_group_fits(configs, data.train_size, data.test_size, self.device)
        self.data, self.emit, self.control = data, emit, control
        self.save_paths = dict(save_paths or {})
        self.epoch_state = None
        self.progress_every, self.preview_count = progress_every, preview_count
        self.threads = first.threads or choose_threads(self.device, ui_threads)
        torch.set_num_threads(self.threads)
        self.impl = impl if impl != "auto" else choose_impl(self.device)
        order = order_members(configs)  # each optimizer kind one contiguous slice of the stack
        self.members = [Member(i, configs[i]) for i in order]  # the stack's order
        self.mlp = BatchedMLP([configs[i] for i in order], self.device, self.impl)
        self.generator = torch.Generator(device=self.device)
        self.generator.manual_seed(first.seed)
        n = data.train_size
        self.train_x = data.train_x.to(self.device).reshape(n, -1).float().div_(255)
        self.train_y = data.train_y.to(self.device)
        self.test_x = data.test_x.to(self.device).reshape(data.test_size, -1).float().div_(255)
        self.test_y = data.test_y.to(self.device)
        self.batch_size, self.epochs = first.batch_size, first.epochs
        self.stepper = GroupStepper(self.mlp, self.train_x, self.train_y, self.batch_size, static=static_step)
        self.check_each_batch = self.device.type != "cuda"
        self.note = ""
        if self.device.type == "cuda":
            self.stepper.capture()
            self.note = self.stepper.note
        self.good_states: dict[int, dict] = {}  # CUDA: each member's weights at the last epoch end
        self._keep_good_states()
        self.result = GroupResult(finished=[None] * len(configs), impl=self.impl)  # type: ignore[list-item]

    def _keep_good_states(self) -> None:
        """Where losses are read late (CUDA), a diverged member's weights are already NaN when it
        is found: keep a CPU copy of every member's at each epoch end instead."""
        if not self.check_each_batch:
            self.good_states = {m.index: self.mlp.member_state(pos) for pos, m in enumerate(self.members)}

    # --- the loop -------------------------------------------------------------------------
    def train(self) -> GroupResult:
        started = {}
        for member in self.members:
            started[member.index] = Started(
                config=member.config.to_dict(),
                device=device_label(self.device),
                parameters=parameters_for(member.config.hidden),
                train_size=self.data.train_size,
                test_size=self.data.test_size,
                data_source=self.data.source,
                threads=self.threads,
                step_mode=self.stepper.mode,
                note="; ".join(
                    x for x in (t("sweep.note.batched", k=len(self.members), impl=self.impl), self.note) if x
                ),
            )
        for index in sorted(started):
            self.emit(index, started[index])
        self.result.step_mode = self.stepper.mode
        epoch = 0
        for epoch in range(1, self.epochs + 1):
            if not self.members:
                break
            if not self._epoch(epoch):
                for member in list(self.members):
                    self._finish(member, epoch - 1, "stopped")
                break
            if self.control.stopped:
                for member in list(self.members):
                    self._finish(member, epoch, "stopped" if epoch < self.epochs else "completed")
                break
        else:
            for member in self.members:
                self._finish(member, self.epochs, "completed")
        for pos, member in enumerate(self.members):
            self.result.states[member.index] = self.mlp.member_state(pos)
        return self.result

    def _epoch(self, epoch: int) -> bool:
        self.epoch_state = self.generator.get_state()  # regenerates this epoch's order (a checkpoint)
        perm = torch.randperm(self.data.train_size, generator=self.generator, device=self.device)
        self.stepper.begin_epoch(perm)
        self.read_from = 0
        for member in self.members:
            member.loss_sum, member.window = 0.0, []
        self.paused_s = 0.0
        epoch_t0 = time.perf_counter()
        b = self._batches(epoch)
        if not self.members:
            return True
        if b < self.stepper.batches:
            self._read(epoch, b - 1)
            for pos in range(len(self.members)):
                self._save(pos, epoch - 1, b, self.epoch_state)
            return False
        self._end_epoch(epoch, epoch_t0)
        return True

    def _stops(self) -> list[int]:
        wanted = getattr(self.control, "member_stops", None)
        return [pos for pos, m in enumerate(self.members) if wanted and m.index in wanted()]

    def _batches(self, epoch: int) -> int:
        control, stepper = self.control, self.stepper
        mark = (time.perf_counter(), 0)
        b, stepped = 0, False
        while b < stepper.batches and self.members:
            if control.stopped:
                break
            if control.paused:
                action = self._pause(epoch, b)
                if action == "stop":
                    break
                stepped = action == "step"
                if stepped:
                    mark = (time.perf_counter(), b)
            if stops := self._stops():
                self._read(epoch, b - 1)
                for pos in stops:
                    self._save(pos, epoch - 1, b, self.epoch_state)
                    self._finish(self.members[pos], epoch - 1, "stopped")
                self._drop(stops)
                if not self.members:
                    break
            self._schedule(epoch, b)
            if self.check_each_batch and not stepper.captured:
                stepper.forward_backward(b)
                self._check_before_update(epoch, b)
                if not self.members:
                    break
                stepper.update(b)
            else:
                stepper.step(b)
            report = b % self.progress_every == 0 or stepped
            if report or self.check_each_batch:
                self._read(epoch, b)
            if report and self.members:
                mark = self._progress(epoch, b, mark)
            stepped = False
            b += 1
        return b

    def _schedule(self, epoch: int, b: int) -> None:
        """Each scheduled member's lr for batch ``b``, written into its slice when it changes."""
        for pos, member in enumerate(self.members):
            if member.config.scheduled:
                lr = lr_at(member.config, epoch, b, self.stepper.batches)
                if lr != member.lr:
                    self.mlp.set_lr(pos, lr)
                    member.lr = lr

    def _pause(self, epoch: int, b: int) -> str:
        self._read(epoch, b - 1)
        for member in self.members:
            self.emit(member.index, Paused(epoch=epoch, batch=b))
        since = time.perf_counter()
        action = self.control._next_action()
        self.paused_s += time.perf_counter() - since
        if action == "run":
            for member in self.members:
                self.emit(member.index, Resumed())
        return action

    def _progress(self, epoch: int, b: int, mark: tuple[float, int]) -> tuple[float, int]:
        n, size = self.data.train_size, self.batch_size
        now = time.perf_counter()
        seen = min((b + 1) * size, n)
        speed = (seen - min(mark[1] * size, n)) / max(now - mark[0], 1e-9)  # per member
        for member in self.members:
            values, member.window = member.window, []
            self.emit(
                member.index,
                BatchProgress(
                    epoch=epoch,
                    batch=b + 1,
                    batches=self.stepper.batches,
                    samples_seen=seen,
                    running_loss=sum(values) / len(values) if values else math.nan,
                    samples_per_s=speed,
                    elapsed_s=now - self.t0,
                    loss=values[-1] if values else math.nan,
                    lr=member.lr,
                ),
            )
        return now, b + 1

    def _end_epoch(self, epoch: int, epoch_t0: float) -> None:
        batches, n = self.stepper.batches, self.data.train_size
        self._read(epoch, batches - 1)
        train_s = time.perf_counter() - epoch_t0 - self.paused_s
        evaluations = [
            evaluate(self.mlp.member_module(pos), self.test_x, self.test_y, self.batch_size, self.preview_count)
            for pos in range(len(self.members))
        ]
        seconds = time.perf_counter() - epoch_t0 - self.paused_s
        patience_gone = []
        for pos, (member, ev) in enumerate(zip(self.members, evaluations)):
            member.last_accuracy = ev.accuracy
            event, row = epoch_result(epoch, member.loss_sum / batches, ev, seconds, train_s, n)
            member.history.append(row)
            member.loss_sum = 0.0
            self._save(pos, epoch, 0, self.generator.get_state())
            self.emit(member.index, event)
            if epoch < self.epochs and patience_out(member.history, member.config.early_stop):
                patience_gone.append(pos)
        for pos in patience_gone:
            self._finish(self.members[pos], epoch, "early-stopped")
        self._drop(patience_gone)
        self._keep_good_states()


def _first_difference(a: TrainConfig, b: TrainConfig) -> str:
    return next(name for name in GROUP_FIELDS if getattr(a, name) != getattr(b, name))

"""Train a group of sweep members together: one batched step for K models, events per member.

``train_group(configs, data, emit, control)`` trains members that share batch size, seed (the
data order), architecture, epochs, device and threads (``nnlab.run.sweep.groups`` forms such
groups) and returns one ``Finished`` per member, in the order given. ``emit(member, event)``
receives the events an independent ``engine.run`` of that member would emit (Started,
BatchProgress, EpochEnd, Paused/Resumed, Diverged, Finished), with the same losses: bit-identical
on the CPU with the ``"bmm"`` forward (tests/train/test_sweep.py), so each member can later write
its own run directory.

A member whose loss becomes NaN/inf is stopped alone: on the CPU each batch's losses are read
before the optimizer step (a read costs nothing there), so the member leaves the stack with the
weights that made its last finite loss (``GroupResult.states``); the others go on. On CUDA the
losses are read at progress points (a read waits for the GPU) and the member's kept weights are
its last epoch end's. ``control`` (a ``SweepControl``, or a plain ``Control``) pauses, steps and
stops the whole group; ``control.stop_member(i)`` stops one member at the next batch.

Each member's lr schedule (``nnlab.run.schedule.lr_at``) is applied per batch through
``BatchedMLP.set_lr`` (only when its value changes); a member whose patience runs out
(``early_stop``) finishes "early-stopped" at that epoch end and leaves the stack alone.

``save_paths`` (member → file): each member's checkpoint, the file an independent run writes
(``sweep_save``), at every epoch end, and mid-epoch (exact to the batch) when the group or the
member is stopped; a diverged member keeps its last epoch end's. A failed write emits SaveFailed
(action "continue") for that member and training goes on.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import torch

from nnlab.i18n import t
from nnlab.run.config import TrainConfig
from nnlab.run.control import Control
from nnlab.run.dataset import PREVIEW_COUNT
from nnlab.run.errors import ConfigError
from nnlab.run.events import (
    BatchProgress,
    Diverged,
    Event,
    Failed,
    Finished,
    Paused,
    Resumed,
    SaveFailed,
    Started,
)
from nnlab.run.schedule import lr_at
from nnlab.run.sweep import GROUP_FIELDS, group_key
from nnlab.train import checkpoint as ckpt
from nnlab.train.device import choose_threads, device_label, resolve_device
from nnlab.train.memory import available_bytes
from nnlab.train.metrics import epoch_result, evaluate
from nnlab.train.model import INPUTS, OUTPUTS, estimate_bytes, parameters_for
from nnlab.train.sweep_graph import GroupStepper
from nnlab.train.sweep_save import member_checkpoint
from nnlab.train.sweep_step import BatchedMLP, order_members
from nnlab.train.trainer import patience_out

Emit = Callable[[int, Event], None]


@dataclass
class GroupResult:
    finished: list[Finished]  # one per member, in the order given
    states: dict[int, dict] = field(default_factory=dict)  # member → its final (or last good) weights, CPU
    impl: str = "bmm"
    step_mode: str = "eager"


# --- memory --------------------------------------------------------------------------------
def group_bytes(configs: list[TrainConfig], train_size: int, test_size: int) -> int:
    """Estimated bytes of one batched group: each member's weights, gradients, optimizer state and
    batch activations (``model.estimate_bytes`` without data), plus the dataset and one evaluation
    chunk once (members are evaluated one after the other)."""
    first = configs[0]
    widest = max([INPUTS, *first.hidden, OUTPUTS])
    eval_chunk = 4 * 2 * max(first.batch_size, (1 << 24) // widest) * widest
    dataset = 4 * (train_size + test_size) * (INPUTS + 2)
    per_member = sum(estimate_bytes(c, 0, 0) - eval_chunk for c in configs)
    return dataset + eval_chunk + per_member


def check_group_fits(configs: list[TrainConfig], train_size: int, test_size: int, device=None) -> int:
    """The estimate, or ConfigError naming the member count, the estimate and what is free."""
    device = resolve_device(configs[0].device) if device is None else device
    need = group_bytes(configs, train_size or 60_000, test_size or 10_000)
    have = available_bytes(device)
    if have is not None and need > have:
        raise ConfigError(
            t(
                "sweep.too_big",
                members=len(configs),
                need=f"{need / 2**30:.2f}",
                have=f"{have / 2**30:.2f}",
                device=getattr(device, "type", str(device)),
            )
        )
    return need


def choose_impl(device: torch.device) -> str:
    """The forward measured faster (and bit-identical) on the CPU, and used for CUDA graphs too
    until a GPU measurement says otherwise: ``nnlab bench sweep --impl both`` compares them."""
    return "bmm"


# --- the loop ------------------------------------------------------------------------------
class _Member:
    """The host-side bookkeeping of one member, exactly as ``Trainer`` keeps it for a run."""

    def __init__(self, index: int, config: TrainConfig):
        self.index, self.config = index, config
        self.loss_sum, self.window = 0.0, []
        self.last_accuracy = None
        self.history: list[dict] = []  # as Trainer keeps it: one record per epoch, for the checkpoint
        self.lr = config.lr  # the lr its slice of the stack holds now


class GroupTrainer:
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
        self.members = [_Member(i, configs[i]) for i in order]  # the stack's order
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

    # --- members leaving ------------------------------------------------------------------
    def _finish(self, member: _Member, epochs: int, reason: str) -> None:
        finished = Finished(
            epochs=epochs,
            stopped=reason not in ("completed", "early-stopped"),
            test_accuracy=member.last_accuracy,
            seconds=time.perf_counter() - self.t0,
            reason=reason,
        )
        self.result.finished[member.index] = finished
        self.emit(member.index, finished)

    def _drop(self, leaving: list[int], diverged: bool = False) -> None:
        """Take the members at stack positions ``leaving`` out of the stack, keeping their weights
        (a diverged member's last good ones: before the bad step on the CPU, else its epoch end's)."""
        if not leaving:
            return
        for pos in leaving:
            index = self.members[pos].index
            late = diverged and not self.check_each_batch
            self.result.states[index] = self.good_states[index] if late else self.mlp.member_state(pos)
        keep = [i for i in range(len(self.members)) if i not in set(leaving)]
        self.members = [self.members[i] for i in keep]
        if keep:
            self.mlp.keep(keep)
            self.stepper.members_changed(keep)

    def _diverge(self, pos: int, epoch: int, batch: int, loss: float) -> None:
        member = self.members[pos]
        lr = member.config.lr
        self.emit(
            member.index,
            Diverged(
                epoch=epoch,
                batch=batch,
                loss=loss,
                message=t(
                    "train.diverged", epoch=epoch, batch=batch, loss=loss, lr=f"{lr:g}", smaller=f"{lr / 10:g}", kept=""
                ),
            ),
        )
        self._finish(member, epoch - 1, "diverged")

    # --- reading losses -------------------------------------------------------------------
    def _read(self, epoch: int, upto: int) -> None:
        """Losses of batches [read_from, upto] into each member's window and sum (as Trainer does);
        a member with a non-finite one is reported at that batch and leaves the stack."""
        if upto < self.read_from or not self.members:
            return
        rows = self.stepper.losses[self.read_from : upto + 1].tolist()  # [batches read][K]
        bad = []
        for pos, member in enumerate(self.members):
            values = [row[pos] for row in rows]
            wrong = next((i for i, v in enumerate(values) if not math.isfinite(v)), None)
            if wrong is not None:
                self._diverge(pos, epoch, self.read_from + wrong + 1, values[wrong])
                bad.append(pos)
                continue
            member.loss_sum += sum(values)
            member.window.extend(values)
        self.read_from = upto + 1
        self._drop(bad, diverged=True)

    def _check_before_update(self, epoch: int, b: int) -> None:
        """CPU: the step's losses, read before its update; members gone bad leave with the
        weights that made their last finite loss."""
        values = self.stepper.pending.tolist()
        bad = [pos for pos, v in enumerate(values) if not math.isfinite(v)]
        for pos in bad:
            self._diverge(pos, epoch, b + 1, values[pos])
        self._drop(bad, diverged=True)

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

    def _save(self, pos: int, epoch: int, batch: int, shuffle_state) -> None:
        """Member ``pos``'s checkpoint: ``epoch`` epochs done, ``batch`` batches of the next."""
        member = self.members[pos]
        path = self.save_paths.get(member.index)
        if not path or not self.mlp.finite(pos):
            return
        module, optimizer = member_checkpoint(self.mlp, pos, member.config)
        try:
            ckpt.save(
                path,
                module,
                optimizer,
                epoch=epoch,
                config=member.config,
                history=member.history,
                extra={
                    "batch": batch,
                    "shuffle_state": shuffle_state,
                    "epoch_loss_sum": member.loss_sum if batch else 0.0,
                    "device": self.device.type,
                },
            )
        except OSError as error:
            self.emit(
                member.index,
                SaveFailed(
                    path=str(path),
                    action="continue",
                    message=t(
                        "safe.save_failed.continue",
                        why=error.strerror or str(error),
                        path=path,
                        previous=t("safe.previous.kept", path=path),
                        fix=t("safe.fix.other"),
                    ),
                ),
            )

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


def train_group(
    configs: list[TrainConfig],
    data,
    emit: Emit,
    control: Control | None = None,
    *,
    impl: str = "auto",
    progress_every: int = 100,
    preview_count: int = PREVIEW_COUNT,
    static_step: bool = False,
    ui_threads: bool = False,
    save_paths: dict[int, str] | None = None,
) -> GroupResult:
    """Train ``configs`` as one batched group; see the module docstring. A setup error (a mixed
    group, a group too big for memory, a bad device) raises ConfigError/DeviceError before any
    work; an error while training is emitted as ``Failed`` to every member still training."""
    control = control or Control()
    old_threads = torch.get_num_threads()
    try:
        trainer = GroupTrainer(
            configs,
            data,
            emit,
            control,
            impl=impl,
            progress_every=max(1, int(progress_every)),
            preview_count=preview_count,
            static_step=static_step,
            ui_threads=ui_threads,
            save_paths=save_paths,
        )
    except BaseException:
        torch.set_num_threads(old_threads)
        raise
    try:
        return trainer.train()
    except Exception as error:  # noqa: BLE001 - reported to every member, never a silent hang
        import traceback

        detail = traceback.format_exc()
        for member in trainer.members:
            emit(member.index, Failed(message=f"{type(error).__name__}: {error}", detail=detail))
            if trainer.result.finished[member.index] is None:
                trainer.result.finished[member.index] = Finished(
                    epochs=0,
                    stopped=True,
                    test_accuracy=None,
                    seconds=time.perf_counter() - trainer.t0,
                    reason="failed",
                )
        return trainer.result
    finally:
        torch.set_num_threads(old_threads)

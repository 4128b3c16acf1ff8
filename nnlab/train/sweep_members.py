"""A group's members: their bookkeeping, the group's result, and each member leaving the stack or saving."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from nnlab.i18n import t
from nnlab.run.config import TrainConfig
from nnlab.run.events import Diverged, Event, Finished, SaveFailed
from nnlab.train import checkpoint as ckpt
from nnlab.train.sweep_save import member_checkpoint

Emit = Callable[[int, Event], None]


@dataclass
class GroupResult:
    finished: list[Finished]  # one per member, in the order given
    states: dict[int, dict] = field(default_factory=dict)  # member → its final (or last good) weights, CPU
    impl: str = "bmm"
    step_mode: str = "eager"


class Member:
    """The host-side bookkeeping of one member, exactly as ``Trainer`` keeps it for a run."""

    def __init__(self, index: int, config: TrainConfig):
        self.index, self.config = index, config
        self.loss_sum, self.window = 0.0, []
        self.last_accuracy = None
        self.history: list[dict] = []  # as Trainer keeps it: one record per epoch, for the checkpoint
        self.lr = config.lr  # the lr its slice of the stack holds now


class GroupMembers:
    """GroupTrainer's part that takes members out of the stack (finished, stopped, diverged),
    reads their losses and saves their checkpoints; GroupTrainer sets the attributes it uses
    (members, mlp, stepper, result, good_states, check_each_batch, read_from, save_paths, …)."""

    # --- members leaving ------------------------------------------------------------------
    def _finish(self, member: Member, epochs: int, reason: str) -> None:
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

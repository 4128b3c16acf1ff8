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

Where the parts live: the memory estimate and check in ``sweep_fit``, the loop in ``sweep_group``
(``GroupTrainer``), the members' bookkeeping, leaving and saving in ``sweep_members``.
"""

from __future__ import annotations

import time

import torch

from nnlab.run.config import TrainConfig
from nnlab.run.control import Control
from nnlab.run.dataset import PREVIEW_COUNT
from nnlab.run.events import Failed, Finished

# The memory check lives in sweep_fit; the loop in sweep_group: their names are this module's API too.
from nnlab.train.sweep_fit import check_group_fits, choose_impl, group_bytes  # noqa: F401
from nnlab.train.sweep_group import GroupTrainer
from nnlab.train.sweep_members import Emit, GroupResult


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

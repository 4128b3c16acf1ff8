"""``engine.run``: one training run from Started to Finished, the entry point every caller uses.

The epoch loop itself is ``nnlab.train.trainer.Trainer``; steering is ``nnlab.run.control.Control``.
``run(config, data, emit, control)`` trains and returns the ``Finished`` event (also emitted;
on an error ``Failed`` is emitted instead and the returned ``Finished`` has reason "failed").
Events in order: Started, then per batch group BatchProgress (every ``progress_every`` batches:
the batches the tutorial prints), EpochEnd per epoch, Paused/Resumed around pauses, Diverged
when the loss becomes NaN/inf, and finally Finished or Failed.

The data lives on the device as float32 (÷255 once, exactly ToTensor's arithmetic); each epoch
is shuffled by a device ``randperm`` from a seeded generator; the loss of every batch is written
into a device buffer and read (one host sync) only every ``progress_every`` batches, at a pause,
a stop and the epoch end. On CUDA the full-batch step is one CUDA graph (see ``step.py``).

Python's full garbage collection holds the GIL while it walks every tracked object, and torch
leaves hundreds of thousands: one pass stops the training thread and, in the app, the UI
(README, "How it stays light"). ``run`` therefore freezes the objects that exist when training
starts (``gc.freeze``: collections skip them); when it returns it unfreezes them, collects what
the run left behind once, and freezes the survivors again.

Other threads steer it through ``Control`` (pause, resume, stop, step one batch while paused)
and read a consistent copy of the weights with ``control.snapshot()``.
"""

from __future__ import annotations

import gc
import time
import traceback
from collections.abc import Callable

import torch

from nnlab.run.config import TrainConfig
from nnlab.run.control import Control
from nnlab.run.dataset import PREVIEW_COUNT
from nnlab.run.errors import CheckpointError, ConfigError, DataError, DeviceError
from nnlab.run.events import Event, Failed, Finished
from nnlab.train import memory
from nnlab.train.data import FashionData
from nnlab.train.device import device_scope, resolve_device
from nnlab.train.trainer import Trainer


def run(
    config: TrainConfig,
    data: FashionData,
    emit: Callable[[Event], None],
    control: Control | None = None,
    *,
    ui_threads: bool = False,
    save_path: str | None = None,
    resume_path: str | None = None,
    preview_count: int = PREVIEW_COUNT,
    progress_every: int = 100,
    static_step: bool = False,
    save_errors: str = "stop",
) -> Finished:
    """Train; see the module docstring. ``static_step`` runs the CUDA-graph body eagerly (tests).

    ``save_errors``: what a checkpoint that cannot be written (disk full, I/O error) does to the
    run: "stop" (Finished reason "failed"), "continue" (try again at the next epoch end) or
    "pause" (wait for resume/stop). Each failure emits SaveFailed; the previous file is intact."""
    control = control or Control()
    started = time.perf_counter()
    old_threads = torch.get_num_threads()
    trainer = None
    oom_detail = None
    frozen = False
    try:
        # On cuda:N everything (allocations, streams, capture, syncs) runs with N current, so no
        # context is created on GPU 0 for a run on another GPU.
        with device_scope(resolve_device(config.device)):
            trainer = Trainer(
                config,
                data,
                emit,
                control,
                ui_threads=ui_threads,
                save_path=save_path,
                resume_path=resume_path,
                preview_count=preview_count,
                progress_every=max(1, int(progress_every)),
                static_step=static_step,
                save_errors=save_errors,
            )
            gc.freeze()  # see the module docstring: no full collection of torch's objects mid-run
            frozen = True
            return trainer.train()
    except (CheckpointError, ConfigError, DataError, DeviceError) as error:
        emit(Failed(message=str(error)))
    except Exception as error:  # noqa: BLE001 - e.g. out of memory: reported, never a silent hang
        if memory.is_oom(error):
            oom_detail = traceback.format_exc()  # released below, once the traceback is gone
        else:
            emit(Failed(message=f"{type(error).__name__}: {error}", detail=traceback.format_exc()))
    finally:
        torch.set_num_threads(old_threads)
        if frozen:
            # What the run left behind is collected once, here, and what survives (torch, the
            # UI, the data a viewer keeps) is frozen again: left unfrozen, every later full
            # collection walks it all with the GIL held (0.4-0.5 s stalls of an idle dashboard).
            gc.unfreeze()
            gc.collect()
            gc.freeze()
    if oom_detail is not None:
        device = str(trainer.device) if trainer is not None else config.device
        trainer = None  # drop the model, optimizer and device data so the cache can be emptied
        memory.release()
        emit(Failed(message=memory.oom_message(config, device), detail=oom_detail))
    return Finished(epochs=0, stopped=True, test_accuracy=None, seconds=time.perf_counter() - started, reason="failed")

"""The training loop: the tutorial's model and optimizer on device-resident data, emitting events.

``run(config, data, emit, control)`` trains and returns the ``Finished`` event (also emitted;
on an error ``Failed`` is emitted instead and the returned ``Finished`` has reason "failed").
Events in order: Started, then per batch group BatchProgress (every ``progress_every`` batches:
the batches the tutorial prints), EpochEnd per epoch, Paused/Resumed around pauses, Diverged
when the loss becomes NaN/inf, and finally Finished or Failed.

The data lives on the device as float32 (÷255 once, exactly ToTensor's arithmetic); each epoch
is shuffled by a device ``randperm`` from a seeded generator; the loss of every batch is written
into a device buffer and read (one host sync) only every ``progress_every`` batches, at a pause,
a stop and the epoch end. On CUDA the full-batch step is one CUDA graph (see ``step.py``).

Python's full (generation 2) garbage collection holds the GIL while it walks every tracked
object; after importing torch and torchvision there are about 350,000, and one pass took
160-215 ms on the 2-core CPU this was built on, stopping the training thread and, in the app,
the UI (the slowest key presses measured were these pauses). ``run`` therefore freezes the objects
that exist when training starts (``gc.freeze``: collections skip them) and unfreezes them when
it returns, so what a run leaves behind can still be collected.

Other threads steer it through ``Control`` (pause, resume, stop, step one batch while paused)
and read a consistent copy of the weights with ``control.snapshot()``.
"""

from __future__ import annotations

import gc
import os
import threading
import time
import traceback
from dataclasses import dataclass
from typing import Callable

import torch

from nnlab.i18n import t
from nnlab.train import checkpoint as ckpt
from nnlab.train.config import ConfigError, TrainConfig
from nnlab.train.data import DataError, FashionData
from nnlab.train.events import Event, Failed, Finished


class DeviceError(Exception):
    """The requested device does not exist here."""


@dataclass(frozen=True)
class Snapshot:
    config: TrainConfig
    state_dict: dict             # CPU tensors, a copy: safe to read while training goes on
    epoch: int                   # completed epochs when taken
    batch: int                   # batches completed in the epoch in progress
    version: int                 # increases with every new snapshot


class Control:
    """Thread-safe steering of a run. The UI thread calls pause/resume/stop/step; the engine
    checks them between batches, so a stop or pause takes effect within one batch.

    ``snapshot()`` returns ``(config, state_dict)`` — a CPU copy of the weights made by the
    engine between two optimizer steps (at the start, each epoch end, every pause, after every
    single step and on request), or None before the first one. ``request_snapshot()`` asks for
    a fresh copy at the next batch boundary; ``snapshot_info()`` adds epoch, batch and version.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._paused = False
        self._stopped = False
        self._steps = 0
        self._snapshot: Snapshot | None = None
        self.snapshot_requested = False

    # --- called by the UI -----------------------------------------------------------------
    def pause(self) -> None:
        with self._cond:
            self._paused = True
            self._cond.notify_all()

    def resume(self) -> None:
        with self._cond:
            self._paused = False
            self._steps = 0
            self._cond.notify_all()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()

    def step(self) -> bool:
        """Run exactly one batch, then stay paused. Ignored (returns False) unless paused."""
        with self._cond:
            if not self._paused or self._stopped:
                return False
            self._steps += 1
            self._cond.notify_all()
            return True

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def stopped(self) -> bool:
        return self._stopped

    def snapshot(self) -> tuple[TrainConfig, dict] | None:
        snap = self._snapshot
        return None if snap is None else (snap.config, snap.state_dict)

    def snapshot_info(self) -> Snapshot | None:
        return self._snapshot

    def request_snapshot(self) -> None:
        self.snapshot_requested = True

    # --- called by the engine -------------------------------------------------------------
    def _publish(self, config: TrainConfig, model, epoch: int, batch: int) -> None:
        state = {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}
        version = 1 if self._snapshot is None else self._snapshot.version + 1
        self._snapshot = Snapshot(config, state, epoch, batch, version)  # one reference swap: atomic
        self.snapshot_requested = False

    def _next_action(self, timeout: float = 0.2) -> str:
        """While paused: wait for "step", "run" (resumed) or "stop"."""
        with self._cond:
            while True:
                if self._stopped:
                    return "stop"
                if not self._paused:
                    return "run"
                if self._steps:
                    self._steps -= 1
                    return "step"
                self._cond.wait(timeout)


def resolve_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name.startswith("cuda"):
        if not torch.cuda.is_available():
            raise DeviceError(t("train.device.no_cuda", device=name))
        index = int(name.split(":")[1]) if ":" in name else 0
        if index >= torch.cuda.device_count():
            raise DeviceError(t("train.device.no_index", device=name, count=torch.cuda.device_count()))
        return torch.device("cuda", index)
    return torch.device(name)


def device_label(device: torch.device) -> str:
    return torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def choose_threads(device: torch.device, ui_threads: bool) -> int:
    """torch intra-op threads when the config says 0 (auto). Measured on the idle 2-core CPU this
    was built on (README, "Training engine"): a batch-64 step took 2.4 ms on 2 threads against
    4.2 ms on 1, so all cores. Beside a UI (``ui_threads``) one core is left to it only where
    there are more than two: on 2 cores the dashboard trained at 18.5-20.6k samples/s on one
    thread against 24-33k on both, and keys still answered with a p95 of 41-59 ms once full
    garbage collections were kept out of the run (``nnlab bench dashboard``, README). On a
    machine that other processes keep busy, 2 threads fell to ~10x slower than 1 (a fork-join
    region waits for its descheduled thread): pass ``threads=1`` there. The count is fixed for a
    run because it changes float summation order, and a seed must reproduce a run exactly. On
    CUDA the host only launches kernels (graph replays): one thread is enough."""
    cores = usable_cores()
    omp = os.environ.get("OMP_NUM_THREADS", "")
    if omp.isdigit() and int(omp) > 0:  # the standard way to ask for fewer threads: respected
        cores = min(cores, int(omp))
    if device.type == "cuda":
        return 1
    return cores - 1 if ui_threads and cores > 2 else cores


def make_optimizer(config: TrainConfig, params, device: torch.device):
    if config.optimizer == "sgd":
        return torch.optim.SGD(params, lr=config.lr)
    if config.optimizer == "momentum":
        return torch.optim.SGD(params, lr=config.lr, momentum=0.9)
    if config.optimizer == "adam":
        return torch.optim.Adam(params, lr=config.lr, capturable=device.type == "cuda")
    raise ConfigError(t("train.config.bad", name="optimizer", value=config.optimizer, allowed="sgd|momentum|adam"))


def run(config: TrainConfig, data: FashionData, emit: Callable[[Event], None], control: Control | None = None, *,
        ui_threads: bool = False, save_path: str | None = None, resume_path: str | None = None,
        preview_count: int = 16, progress_every: int = 100, static_step: bool = False,
        save_errors: str = "stop") -> Finished:
    """Train; see the module docstring. ``static_step`` runs the CUDA-graph body eagerly (tests).

    ``save_errors``: what a checkpoint that cannot be written (disk full, I/O error) does to the
    run: "stop" (Finished reason "failed"), "continue" (try again at the next epoch end) or
    "pause" (wait for resume/stop). Each failure emits SaveFailed; the previous file is intact."""
    from nnlab.train.loop import Trainer

    control = control or Control()
    started = time.perf_counter()
    old_threads = torch.get_num_threads()
    trainer = None
    oom_detail = None
    frozen = False
    try:
        trainer = Trainer(config, data, emit, control, ui_threads=ui_threads, save_path=save_path,
                          resume_path=resume_path, preview_count=preview_count,
                          progress_every=max(1, int(progress_every)), static_step=static_step,
                          save_errors=save_errors)
        gc.freeze()  # see the module docstring: no full collection of torch's objects mid-run
        frozen = True
        return trainer.train()
    except (ckpt.CheckpointError, ConfigError, DataError, DeviceError) as error:
        emit(Failed(message=str(error)))
    except Exception as error:  # noqa: BLE001 - e.g. out of memory: reported, never a silent hang
        from nnlab.train import memory

        if memory.is_oom(error):
            oom_detail = traceback.format_exc()  # released below, once the traceback is gone
        else:
            emit(Failed(message=f"{type(error).__name__}: {error}", detail=traceback.format_exc()))
    finally:
        torch.set_num_threads(old_threads)
        if frozen:
            gc.unfreeze()  # what the run left behind is collectable again
    if oom_detail is not None:
        from nnlab.train import memory

        device = str(trainer.device) if trainer is not None else config.device
        trainer = None  # drop the model, optimizer and device data so the cache can be emptied
        memory.release()
        emit(Failed(message=memory.oom_message(config, device), detail=oom_detail))
    return Finished(epochs=0, stopped=True, test_accuracy=None, seconds=time.perf_counter() - started,
                    reason="failed")

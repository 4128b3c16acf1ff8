"""RemoteRun: a run that another process trains, seen through its run directory and steered by its socket.

What the Train session needs of a run (``run_id``, ``config``, ``active``, ``paused``, ``stopping``,
``pause/resume/step/stop``, ``request_save``, ``snapshot_info``), so the viewer reuses the
dashboard's session unchanged: every key becomes one control request (``send(op)``, which the
screen runs on a worker), and what the run did comes back only through its event log
(``seen(event)``), as for every other viewer. No Textual, no torch.
"""

from __future__ import annotations

from collections.abc import Callable

from nnlab.run.dataset import PREVIEW_COUNT
from nnlab.run.events import BatchProgress, Event, Failed, Finished, Paused, Resumed, Saved, Started


class RemoteRun:
    def __init__(self, run_id: int, config, run_dir, send: Callable[[str], None]) -> None:
        self.run_id = run_id
        self.config = config
        self.run_dir = run_dir
        self.send = send
        self.save_path = str(run_dir.checkpoint_path)
        self.resume_path = None
        self.preview_count = PREVIEW_COUNT
        self.progress_every: int | None = None
        self.data = None
        self.state = "running"  # run_state() of the directory, as last read
        self.ended = False  # a final event was read
        self._paused = False
        self._stopping = False
        self._last_batch: tuple[int, int] | None = None

    # what the session reads --------------------------------------------------------------
    @property
    def active(self) -> bool:
        return not self.ended and self.state == "running"

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def stopping(self) -> bool:
        return self._stopping and self.active

    def snapshot_info(self):
        return None  # the weights live in the other process; the checkpoint is on disk

    # keys: one control request each -------------------------------------------------------
    def pause(self) -> None:
        self.send("pause")

    def resume(self) -> None:
        self.send("resume")

    def step(self) -> bool:
        if not self._paused:
            return False
        self.send("step")
        return True

    def stop(self) -> None:
        self._stopping = True
        self.send("stop")

    def request_save(self) -> bool:
        self.send("save")
        return True

    # what the log says -------------------------------------------------------------------
    def seen(self, event: Event) -> None:
        match event:
            case Started():
                self.ended, self._paused, self._stopping = False, False, False
            case BatchProgress(epoch=epoch, batch=batch):
                if self.progress_every is None and self._last_batch and self._last_batch[0] == epoch:
                    self.progress_every = max(1, batch - self._last_batch[1])
                self._last_batch = (epoch, batch)
            case Paused():
                self._paused = True
            case Resumed():
                self._paused = False
            case Finished() | Failed():
                self.ended, self._paused = True, False
            case Saved():
                pass

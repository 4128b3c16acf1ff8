"""Every message a UI worker posts to its screen, in one module, each written once as a dataclass.

Textual's ``Message.__init__`` ends in ``__post_init__``, so a dataclass subclass gets the message
set up by the generated ``__init__``. ``eq=False`` keeps messages compared by identity, as Textual
expects. None of them bubble: each is handled by the screen that started the worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message

from nnlab.run.config import TrainConfig
from nnlab.run.events import BatchProgress, Event

message = dataclass(eq=False)  # the one decorator every message below shares


class Posted(Message, bubble=False):
    """A message a worker posts to one screen: it does not bubble to the app. (A ``bubble = False``
    in a class body is overwritten by ``Message.__init_subclass__``: the class keyword is what counts.)"""

    def __init_subclass__(cls, bubble: bool | None = False, **kwargs) -> None:
        super().__init_subclass__(bubble=bubble, **kwargs)


# the Train screen ------------------------------------------------------------------------------
@message
class RunProgress(Posted):
    """BatchProgress events merged since the last message, plus GPU figures when on a GPU."""

    run_id: int
    batches: tuple[BatchProgress, ...]
    gpu: dict | None
    paused_s: float = 0.0  # the run's time spent paused so far (the events' elapsed_s include it)


@message
class RunEvent(Posted):
    """Any other engine event (Started, EpochEnd, Paused, Resumed, Diverged, Finished, Failed)."""

    run_id: int
    event: Event
    paused_s: float = 0.0  # as RunProgress.paused_s, when the event was emitted


@message
class RunData(Posted):
    """The data set the run uses (loaded on the worker), so the screen can show test images."""

    run_id: int
    data: Any


@message
class RunEnded(Posted):
    """The worker returned: ``error`` is a translated message when it failed."""

    run_id: int
    error: str | None


@message
class Probed(Posted):
    """What the machine offers: devices (label, value) and where the data would come from."""

    devices: list[tuple[str, str]]
    data_text: str
    data_ok: bool


@message
class Summary(Posted):
    """The Setup page's model summary, built on a worker (torch)."""

    config: TrainConfig
    text: str
    parameters: int | None


@message
class CheckpointRead(Posted):
    """A checkpoint read on a worker for a resume: ``info`` ({"path", "config", "epoch", "batch"}) or ``error``."""

    path: str
    info: dict | None
    error: str | None
    done: Any  # the session's callback: done(info, error)


@message
class Predicted(Posted):
    """Predictions for the whole test set, made on a worker from a snapshot of the run's weights."""

    run_id: int
    key: Any  # what they were made from (run id, epoch, batch)
    predictions: Any  # list[int], one per test image; None when they could not be made
    error: str | None = None


@message
class Notice(Posted):
    """A notification from a worker thread (posted, never called across threads)."""

    text: str
    severity: str = "information"


# the Anatomy screen ----------------------------------------------------------------------------
@message
class AnatomyDone(Posted):
    """A walk-through request ended: ``outcome`` is a ``Walked`` or a ``WalkFailed``."""

    generation: int
    outcome: Any


# the resume prompt ---------------------------------------------------------------------------
@message
class ResumeChecked(Posted):
    """A checkpoint read and validated off the UI thread: ``answer`` for the prompt, or ``error``."""

    path: str
    answer: dict | None
    error: str | None


@message
class RunDetached(Posted):
    """The run was handed to a background process (pid) that continues it in ``run_dir``."""

    run_id: int
    run_dir: str
    pid: int


# the watch screen ------------------------------------------------------------------------------
@message
class WatchRead(Posted):
    """What one poll of a watched run directory found (read on a worker)."""

    events: list  # decoded events, in order
    problems: list  # new one-line problems (corrupt line, unknown version, ...)
    state: str | None  # run_state() when it was checked this time, else None
    gone: bool = False  # the run directory no longer exists
    first: bool = False  # the first read: the whole history


@message
class Steered(Posted):
    """A control request's outcome: ``error`` is one line when the run could not be steered."""

    op: str
    error: str | None

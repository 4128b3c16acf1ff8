"""Helpers for the hardening Pilot tests: tiny data, raw key presses, waiting, what the UI shows."""

from __future__ import annotations

import time

from nnlab.run.config import TrainConfig
from nnlab.train.data import synthetic

QUICK = TrainConfig(epochs=3, batch_size=32, lr=1e-3, optimizer="adam", hidden=(32,), seed=3, preset="fast")
LONG = QUICK.with_(epochs=1000)  # runs until stopped


def options(tmp_path, config=QUICK, factory=None, n_train=512, **more) -> dict:
    data = synthetic(n_train, 128)
    return {"config": config, "data_factory": factory or (lambda: data), "runs_dir": str(tmp_path / "runs"), **more}


async def key(app, pilot, name: str) -> None:
    """A key exactly as the terminal driver delivers it (Pilot.press waits for an idle app, which
    never comes while a run trains)."""
    from textual import events

    event = events.Key(name, name if len(name) == 1 else None)
    event.set_sender(app)
    app._driver.send_message(event)
    await pilot.pause(0.05)


async def until(pilot, condition, timeout: float = 30.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


async def start_run(app, pilot) -> None:
    """Wait for the Train screen to be ready, press s, wait for the worker to exist."""
    await until(
        pilot, lambda: "Linear" in str(app.screen.query_one("#summary-text").render()), what="the model summary"
    )
    app.set_focus(None)
    await key(app, pilot, "s")
    await until(pilot, lambda: app.screen.runs.run is not None, what="the run to start")


async def run_ended(app, pilot, timeout: float = 30.0) -> None:
    """The worker returned and the screen has applied every message it posted (RunEnded is last)."""
    await until(
        pilot,
        lambda: app.screen.runs.run is not None and not app.screen.runs.run.active and app.active_run is None,
        timeout,
        "the run to end",
    )


async def resize(app, pilot, width: int, height: int, settle: float = 0.15) -> None:
    """A terminal resize as the driver reports it, then a fixed pause (Pilot.resize_terminal waits
    for an idle app, which a training dashboard never is)."""
    from textual.drivers.headless_driver import HeadlessDriver
    from textual.events import Resize
    from textual.geometry import Size

    size = Size(width, height)
    if isinstance(app._driver, HeadlessDriver):
        app._driver._size = size
    app.post_message(Resize(size, size))
    await pilot.pause(settle)


def notes(app) -> str:
    """Every notification shown so far (title and text)."""
    return "\n".join(f"{n.title or ''}: {n.message}" for n in app._notifications)


def log_text(app) -> str:
    return "\n".join(app.screen.query_one("#log").lines)


def status(app) -> str:
    return app.screen.runs.state.status

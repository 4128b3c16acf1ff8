"""Detach (issue 14 Deliver 4): a run handed to the background mid-epoch ends bit-identical
(CPU, same seed) to an uninterrupted one; and two viewers steer one run."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest

from nnlab.run.config import TrainConfig
from nnlab.run.rundir import RunDir
from nnlab.ui.app import NNLabApp
from nnlab.ui.watch.screen import WatchScreen

SAMPLE = str(Path(__file__).resolve().parents[2] / "nnlab" / "assets" / "fashion-mnist-sample")
CONFIG = TrainConfig(
    epochs=2, batch_size=64, lr=1e-2, optimizer="sgd", hidden=(32,), seed=7, preset="fast", device="cpu", threads=1
)


async def wait_for(pilot, condition, timeout: float = 60.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def wait(condition, timeout: float = 120.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def status(rd: RunDir) -> dict:
    return rd.status() or {}


def kill_child(rd: RunDir) -> None:
    pid = status(rd).get("pid")
    if isinstance(pid, int) and pid != os.getpid() and status(rd).get("state") == "running":
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass


@pytest.mark.slow
async def test_a_run_detached_mid_epoch_ends_bit_identical_to_an_uninterrupted_one(tmp_path):
    import torch

    from nnlab.train import checkpoint, data, engine

    reference = tmp_path / "reference.pt"
    engine.run(CONFIG, data.load(SAMPLE), lambda event: None, save_path=str(reference))

    runs = tmp_path / "runs"
    app = NNLabApp(mode="train", options={"config": CONFIG, "data_dir": SAMPLE, "runs_dir": str(runs), "notify": False})
    rd = None
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            screen = app.screen
            await wait_for(pilot, lambda: screen.setup_page.form.config(show=False) is not None, what="the form")
            screen.runs.start(config=CONFIG)
            await wait_for(
                pilot, lambda: screen.runs.state.batch >= 20 and screen.runs.state.epoch == 1, what="mid epoch 1"
            )
            rd = screen.runs.run.run_dir
            # The hand-off is overlapped: the run trains on while the child starts up (seconds),
            # and this tiny run would finish first. Paused, it waits mid-epoch for the hand-off.
            await pilot.press("p")
            await pilot.press("d")
            await wait_for(pilot, lambda: isinstance(app.screen, WatchScreen), what="the viewer after d")
            # the child already trains when the viewer opens: let it draw its first full frame
            # before the test leaves the app (a teardown mid-mount raises inside Textual)
            await wait_for(pilot, lambda: app.screen.first_full_frame_at is not None, what="the viewer's frame")
            pid = screen.runs.run.detached_pid
            assert pid is not None and pid != os.getpid()
        wait(lambda: status(rd).get("state") == "completed", what="the background run's end")
        events = [json.loads(x) for x in rd.events_path.read_text().splitlines()[1:]]
        kinds = [e["event"] for e in events]
        assert kinds.count("started") == 2 and kinds.count("finished") == 1 and kinds[-1] == "finished"
        assert kinds.count("epoch") == 2  # epoch 1 ended once, in the child: no epoch lost or doubled
        ours, theirs = checkpoint.load(rd.checkpoint_path), checkpoint.load(reference)
        assert ours["epoch"] == theirs["epoch"] == 2
        model, ref = ours["model"], theirs["model"]
        assert model.keys() == ref.keys() and all(torch.equal(model[k], ref[k]) for k in ref)
    finally:
        if rd is not None:
            kill_child(rd)

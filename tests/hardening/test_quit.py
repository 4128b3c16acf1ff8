"""Case 10: quitting (q then y, or ``app.exit()``) while training on the CPU ends the process
within 2 s: the worker checks its stop flag every batch and the stop's checkpoint is written."""

from __future__ import annotations

import time

import pytest
from _pty import SAMPLE, PtyApp
from _ui import LONG, options, start_run, until

from nnlab.train import checkpoint


@pytest.mark.slow
def test_q_y_while_training_the_tutorial_model_on_the_sample_exits_within_2_s(tmp_path):
    """The installed command in a real pty, the tutorial's 784-512-512-10 model on the shipped
    sample, saving to ck.pt: from 'y' to the process being gone."""
    app = PtyApp(["train", "--data-dir", SAMPLE, "--epochs", "1000", "--save", "ck.pt"], cwd=tmp_path)
    path = tmp_path / "ck.pt"
    try:
        app.wait_for("Setup", 60)
        deadline = time.monotonic() + 60
        while not path.exists() and time.monotonic() < deadline:
            app.send("s")  # until the form is ready and the run starts (then: "already running")
            time.sleep(1.0)
        assert path.exists(), app.text()[-1500:]  # at least one epoch done: mid-run now
        app.send("q")
        app.wait_for("Stop the run and quit?", 10)
        started = time.monotonic()
        app.send("y")
        code = app.wait(10)
        took = time.monotonic() - started
        assert code == 0 and took < 2.0, f"exit {code} after {took:.2f} s"
        assert app.session_processes() == []
        data = checkpoint.load(path)
        assert data["extra"]["batch"] > 0 or data["epoch"] >= 1
    finally:
        app.kill()


async def test_app_exit_called_directly_stops_the_worker_within_2_s(tmp_path):
    from nnlab.ui.app import NNLabApp

    path = tmp_path / "ck.pt"
    app = NNLabApp(mode="train", options=options(tmp_path, config=LONG, save_path=str(path), n_train=2048))
    async with app.run_test(size=(100, 30)) as pilot:
        await start_run(app, pilot)
        await until(pilot, lambda: path.exists(), what="the first epoch's checkpoint")
        run = app.active_run
        started = time.monotonic()
        app.exit()  # no question, no stop(): the app itself must stop the run
        await pilot.pause(0.1)
    while run.active and time.monotonic() - started < 5:
        time.sleep(0.02)
    took = time.monotonic() - started
    assert not run.active and took < 2.0, f"the worker was still running after {took:.2f} s"
    assert run.worker.is_finished
    saved = checkpoint.load(path)
    assert saved["extra"]["batch"] > 0 or saved["epoch"] >= 1

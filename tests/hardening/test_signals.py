"""Cases 2-4: SIGTERM, SIGHUP (a dropped SSH link) and SIGINT / Ctrl+C stop a run cleanly.

(Headless runs no longer stop on SIGHUP, issue 14: tests/run/test_headless_rundir.py.)

The handlers only set a flag; the run stops at the next batch boundary and the engine, not the
handler, writes the checkpoint; the exit code says which signal ended it (143, 129, 130)."""

from __future__ import annotations

import contextlib
import inspect
import os
import signal
import threading
import time
from pathlib import Path

import pytest
from _pty import SAMPLE, PtyApp
from _ui import LONG, key, options, start_run, until

from nnlab.commands import headless
from nnlab.fs import atomic
from nnlab.train import checkpoint


def spy_writes(monkeypatch) -> list[dict]:
    """Record every atomic write: the thread it ran on and the functions on the stack."""
    writes: list[dict] = []
    real = atomic.atomic_open

    def atomic_open(path, *args, **kwargs):
        writes.append(
            {
                "path": str(path),
                "thread": threading.current_thread(),
                "stack": [frame.function for frame in inspect.stack()],
            }
        )
        return real(path, *args, **kwargs)

    monkeypatch.setattr(atomic, "atomic_open", atomic_open)
    return writes


def signal_at_batch(monkeypatch, signum: int, epoch: int, batch: int) -> None:
    """Send ``signum`` to this process when the headless printer shows that batch."""
    real = headless.Printer.__call__

    def call(self, event):
        real(self, event)
        if event.KIND == "batch" and (event.epoch, event.batch) == (epoch, batch):
            os.kill(os.getpid(), signum)

    monkeypatch.setattr(headless.Printer, "__call__", call)


@pytest.fixture(autouse=True)
def _runs_in_tmp(tmp_path, monkeypatch):
    """Every headless run makes a run directory: under tmp, not the working directory."""
    monkeypatch.setenv("NNLAB_RUNS_DIR", str(tmp_path / "runs"))


def headless_args(tiny_set, path) -> list[str]:
    return [
        "train",
        "--headless",
        "--data-dir",
        str(tiny_set),
        "--epochs",
        "1000",
        "--hidden",
        "32",
        "--batch-size",
        "32",
        "--save",
        str(path),
        "--progress-every",
        "1",
    ]


def test_headless_sigterm_saves_at_the_next_batch_and_exits_143(tmp_path, tiny_set, monkeypatch, capsys):
    from nnlab.cli import main

    writes = spy_writes(monkeypatch)
    signal_at_batch(monkeypatch, signal.SIGTERM, epoch=3, batch=2)
    path = tmp_path / "ck.pt"
    code = main(headless_args(tiny_set, path))
    err = capsys.readouterr().err
    assert code == 143 and "SIGTERM" in err and "Traceback" not in err
    saved = checkpoint.load(path)
    assert (saved["epoch"], saved["extra"]["batch"]) == (2, 2)  # epoch 3 stopped after its 2nd batch
    assert writes and not any("on_signal" in w["stack"] for w in writes)  # the handler wrote nothing
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL  # the handler is removed after the run


def test_headless_sigint_stops_and_a_second_one_during_the_save_is_ignored(tmp_path, tiny_set, monkeypatch, capsys):
    from nnlab.cli import main

    signal_at_batch(monkeypatch, signal.SIGINT, epoch=2, batch=3)
    real_save = checkpoint.save
    state = {"second_sent": False}

    def save(*args, **kwargs):
        if kwargs.get("extra", {}).get("batch"):  # the stop's save (mid-epoch): interrupt it again
            state["second_sent"] = True
            os.kill(os.getpid(), signal.SIGINT)
        return real_save(*args, **kwargs)

    monkeypatch.setattr(checkpoint, "save", save)
    path = tmp_path / "ck.pt"
    code = main(headless_args(tiny_set, path))
    err = capsys.readouterr().err
    assert state["second_sent"] and code == 130 and "Traceback" not in err
    saved = checkpoint.load(path)
    assert (saved["epoch"], saved["extra"]["batch"]) == (1, 3)  # the stop's checkpoint was completed
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


async def test_app_sigterm_stops_the_run_saves_on_the_worker_and_exits_143(tmp_path, monkeypatch):
    from nnlab.ui.app import NNLabApp

    writes = spy_writes(monkeypatch)
    path = tmp_path / "ck.pt"
    app = NNLabApp(mode="train", options=options(tmp_path, config=LONG, save_path=str(path), n_train=2048))
    async with app.run_test(size=(100, 30)) as pilot:
        await start_run(app, pilot)
        await until(pilot, lambda: path.exists(), what="the first epoch's checkpoint")
        run = app.active_run
        if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
            pytest.fail("the app installed no SIGTERM handler: sending one would kill the test process")
        before = sum(w["path"] == str(path) for w in writes)
        os.kill(os.getpid(), signal.SIGTERM)
        await until(pilot, lambda: app.return_code is not None, what="the app to exit")
    deadline = time.monotonic() + 10
    while run.active and time.monotonic() < deadline:
        time.sleep(0.05)
    assert app.return_code == 143 and not run.active
    saved = checkpoint.load(path)
    # written when the run stopped (under load the signal can land during epoch 1's test pass:
    # the stop is then at epoch 1, batch 0, the same state as that epoch's checkpoint)
    assert sum(w["path"] == str(path) for w in writes) > before
    assert saved["extra"]["batch"] > 0 or saved["epoch"] >= 1
    assert all(w["thread"] is not threading.main_thread() for w in writes if w["path"] == str(path))


async def test_ctrl_c_asks_a_second_one_is_ignored_and_y_stops_cleanly(tmp_path):
    from nnlab.ui.app import NNLabApp
    from nnlab.ui.shared.confirm_quit import ConfirmQuit

    path = tmp_path / "ck.pt"
    app = NNLabApp(mode="train", options=options(tmp_path, config=LONG, save_path=str(path), n_train=2048))
    async with app.run_test(size=(100, 30)) as pilot:
        await start_run(app, pilot)
        await until(pilot, lambda: path.exists(), what="the first epoch's checkpoint")
        await key(app, pilot, "ctrl+c")
        await until(pilot, lambda: isinstance(app.screen, ConfirmQuit), what="the quit question")
        await key(app, pilot, "ctrl+c")  # a second Ctrl+C while asking: one question, still running
        if signal.getsignal(signal.SIGINT) in (signal.SIG_DFL, signal.default_int_handler, None):
            pytest.fail("the app installed no SIGINT handler")
        os.kill(os.getpid(), signal.SIGINT)  # an external SIGINT too
        await pilot.pause(0.3)
        assert sum(isinstance(s, ConfirmQuit) for s in app.screen_stack) == 1
        assert app.return_code is None and app.active_run.active
        run = app.active_run
        await key(app, pilot, "y")
        await until(pilot, lambda: app.return_code is not None, what="the app to exit")
        app._on_signal(signal.SIGTERM)  # a signal during shutdown changes nothing
    deadline = time.monotonic() + 10
    while run.active and time.monotonic() < deadline:
        time.sleep(0.05)
    assert app.return_code == 0 and not run.active
    checkpoint.load(path)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


async def test_external_sigint_without_a_run_quits(tmp_path):
    from nnlab.ui.app import NNLabApp

    app = NNLabApp(mode="train", options=options(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.2)
        if signal.getsignal(signal.SIGINT) in (signal.SIG_DFL, signal.default_int_handler, None):
            pytest.fail("the app installed no SIGINT handler")
        os.kill(os.getpid(), signal.SIGINT)
        await until(pilot, lambda: app.return_code is not None, timeout=5, what="the app to quit")
    assert app.return_code == 0


@pytest.mark.slow
def test_ssh_drop_hands_the_run_to_the_background_and_nothing_is_lost(tmp_path):
    """The installed `nnlab train` on the shipped sample, in a real pty that is then closed (the
    SSH drop): the app saves at the batch reached, hands the run to a background process in its
    own session (issue 14: SIGHUP no longer ends a run) and exits 129, leaving nothing in the
    terminal's session; the run goes on in its run directory, and stops cleanly when asked."""
    import json

    app = PtyApp(
        [
            "train",
            "--data-dir",
            SAMPLE,
            "--epochs",
            "1000",
            "--hidden",
            "64",
            "--save",
            "ck.pt",
            "--runs-dir",
            str(tmp_path / "runs"),
        ],
        cwd=tmp_path,
    )
    child = None
    try:
        app.wait_for("Setup", 60)
        path = tmp_path / "ck.pt"
        deadline = time.monotonic() + 60
        while not path.exists() and time.monotonic() < deadline:
            app.send("s")  # until the form is ready and the run starts
            time.sleep(1.0)
        assert path.exists(), app.text()[-1500:]
        before = checkpoint.load(path)
        before_at = (before["epoch"], before["extra"]["batch"])
        app.close_master()
        code = app.wait(30)
        assert code == 128 + signal.SIGHUP, f"exit {code}"
        assert app.session_processes() == []  # nothing left in the terminal's session
        saved = checkpoint.load(path)
        assert (saved["epoch"], saved["extra"]["batch"]) > before_at  # the hand-off saved the batch reached
        assert "Traceback" not in app.text()
        (run,) = [d for d in (tmp_path / "runs").iterdir() if d.is_dir()]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # the background process owns the run and trains on
            status = json.loads((run / "status.json").read_text())
            if status["state"] == "running" and status["pid"] != app.pid:
                child = status["pid"]
                break
            time.sleep(0.5)
        assert child is not None, "no background process took the run over"
        grown = (run / "events.jsonl").stat().st_size
        deadline = time.monotonic() + 60
        while (run / "events.jsonl").stat().st_size == grown and time.monotonic() < deadline:
            time.sleep(0.5)
        assert (run / "events.jsonl").stat().st_size > grown  # it really trains
    finally:
        app.kill()
        if child is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGTERM)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and Path(f"/proc/{child}").exists():
                time.sleep(0.2)
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGKILL)

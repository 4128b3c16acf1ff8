"""Case 6: disk full / I/O error while saving or exporting (``os.replace`` raising ENOSPC).

The previous file stays byte-identical, no temp file is left, the error is shown, and the run
stops or continues as the person chose: ``--on-save-error stop|continue`` headless; in the app
the run pauses and p continues, x stops."""

from __future__ import annotations

import errno
import os

import pytest
from _ui import QUICK, key, notes, options, run_ended, start_run, status, until

from nnlab.fs import atomic
from nnlab.run.config import TrainConfig
from nnlab.run.control import Control
from nnlab.train import checkpoint, engine
from nnlab.train.data import synthetic

CONFIG = TrainConfig(epochs=3, batch_size=32, lr=0.05, hidden=(32,), seed=3, device="cpu")


def fail_replace(monkeypatch, name: str, times: int = 1, skip: int = 0) -> dict:
    """``os.replace`` onto a file called ``name`` fails with ENOSPC ``times`` times, after ``skip``
    writes that work."""
    real = os.replace
    state = {"left": times, "failed": 0, "skip": skip}

    def replace(src, dst, *args, **kwargs):
        if os.path.basename(os.fspath(dst)) == name and state["skip"] > 0:
            state["skip"] -= 1
        elif os.path.basename(os.fspath(dst)) == name and state["left"] > 0:
            state["left"] -= 1
            state["failed"] += 1
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(atomic.os, "replace", replace)
    return state


def run_until_epoch_1_saved(tmp_path, monkeypatch, **kw):
    """Epoch 1's checkpoint is written; the save at the end of epoch 2 fails."""
    path = tmp_path / "ck.pt"
    good = {}
    events = []

    def emit(event):
        events.append(event)
        if event.KIND == "epoch" and event.epoch == 1:
            good["bytes"] = path.read_bytes()
            fail_replace(monkeypatch, "ck.pt")

    finished = engine.run(CONFIG, synthetic(256, 64), emit, save_path=str(path), **kw)
    return path, good["bytes"], events, finished


def no_temp_files(directory) -> bool:
    return not [p for p in directory.iterdir() if p.name.endswith(".tmp")]


def test_save_error_stops_the_run_by_default_and_keeps_the_previous_file(tmp_path, monkeypatch):
    path, good, events, finished = run_until_epoch_1_saved(tmp_path, monkeypatch)
    failed = [e for e in events if e.KIND == "save_failed"]
    assert len(failed) == 1 and failed[0].action == "stop" and "No space left on device" in failed[0].message
    assert finished.reason == "failed" and [e.KIND for e in events][-1] == "finished"
    assert path.read_bytes() == good and no_temp_files(tmp_path)


def test_save_error_message_is_true_about_what_is_on_disk(tmp_path, monkeypatch):
    """Issue 19 case 13: "the previous file is unchanged ... Free some space" only where there is a
    previous file and space is the problem."""
    _, _, events, _ = run_until_epoch_1_saved(tmp_path, monkeypatch)
    message = next(e for e in events if e.KIND == "save_failed").message
    assert "previous file" in message and "unchanged" in message and "Free some space" in message

    first = tmp_path / "first.pt"
    real = os.replace

    def io_error(src, dst, *args, **kwargs):
        if os.path.basename(os.fspath(dst)) == "first.pt":
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(atomic.os, "replace", io_error)
    events = []
    engine.run(CONFIG, synthetic(256, 64), events.append, save_path=str(first))
    message = next(e for e in events if e.KIND == "save_failed").message
    assert "no checkpoint has been written" in message and "unchanged" not in message
    assert "Free some space" not in message and "Fix the cause" in message and not first.exists()


def test_save_error_with_continue_keeps_training_and_saves_again_later(tmp_path, monkeypatch):
    path, good, events, finished = run_until_epoch_1_saved(tmp_path, monkeypatch, save_errors="continue")
    assert [e.action for e in events if e.KIND == "save_failed"] == ["continue"]
    assert finished.reason == "completed" and finished.epochs == 3
    assert checkpoint.load(path)["epoch"] == 3 and no_temp_files(tmp_path)


def test_save_error_with_pause_waits_for_the_person(tmp_path, monkeypatch):
    control = Control()
    path = tmp_path / "ck.pt"
    events = []

    def emit(event):
        events.append(event)
        if event.KIND == "epoch" and event.epoch == 1:
            fail_replace(monkeypatch, "ck.pt")
        if event.KIND == "paused":
            control.stop()  # the person chose x

    finished = engine.run(CONFIG, synthetic(256, 64), emit, control, save_path=str(path), save_errors="pause")
    kinds = [e.KIND for e in events]
    assert kinds.index("save_failed") < kinds.index("paused")
    assert finished.reason == "stopped" and checkpoint.load(path)["epoch"] == 2  # the stop's save worked


@pytest.mark.parametrize("choice, code", [(None, 1), ("continue", 0)])
def test_headless_save_error_is_reported_and_the_flag_decides(tmp_path, tiny_set, monkeypatch, capsys, choice, code):
    from nnlab.cli import main

    fail_replace(monkeypatch, "ck.pt", times=1)  # the first save (end of epoch 1) fails
    args = [
        "train",
        "--headless",
        "--data-dir",
        str(tiny_set),
        "--epochs",
        "2",
        "--hidden",
        "32",
        "--save",
        str(tmp_path / "ck.pt"),
    ]
    if choice:
        args += ["--on-save-error", choice]
    assert main(args) == code
    err = capsys.readouterr().err
    assert "No space left on device" in err and "Traceback" not in err
    if choice == "continue":
        assert checkpoint.load(tmp_path / "ck.pt")["epoch"] == 2
    else:
        assert not (tmp_path / "ck.pt").exists()
    assert no_temp_files(tmp_path)


def test_headless_csv_export_error_keeps_the_previous_csv(tmp_path, tiny_set, monkeypatch, capsys):
    from nnlab.cli import main

    csv = tmp_path / "m.csv"
    fail_replace(monkeypatch, "m.csv", skip=1)  # the header is written; the row of epoch 1 is not
    args = [
        "train",
        "--headless",
        "--data-dir",
        str(tiny_set),
        "--epochs",
        "3",
        "--hidden",
        "32",
        "--csv",
        str(csv),
        "--on-save-error",
        "continue",
    ]
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "m.csv" in err and "No space left on device" in err and "Traceback" not in err
    assert len(csv.read_text().splitlines()) == 4  # header + 3 epochs: the later writes worked


def test_headless_unwritable_csv_at_start_is_one_line_before_training(tmp_path, tiny_set, monkeypatch, capsys):
    from nnlab.cli import main

    fail_replace(monkeypatch, "m.csv")  # the very first write (the header) fails
    code = main(
        [
            "train",
            "--headless",
            "--data-dir",
            str(tiny_set),
            "--epochs",
            "1",
            "--hidden",
            "32",
            "--csv",
            str(tmp_path / "m.csv"),
        ]
    )
    captured = capsys.readouterr()
    assert code == 1 and "No space left on device" in captured.err and "Traceback" not in captured.err
    assert "Epoch 1" not in captured.out and no_temp_files(tmp_path)


async def test_dashboard_pauses_on_a_save_error_and_p_continues(tmp_path, monkeypatch):
    from nnlab.ui.app import NNLabApp

    path = tmp_path / "ck.pt"
    app = NNLabApp(mode="train", options=options(tmp_path, config=QUICK.with_(epochs=4), save_path=str(path)))
    async with app.run_test(size=(100, 30)) as pilot:
        real = os.replace
        calls = {"n": 0}

        def replace(src, dst, *a, **k):  # the 2nd checkpoint write (end of epoch 2) fails
            if os.path.basename(os.fspath(dst)) == "ck.pt":
                calls["n"] += 1
                if calls["n"] == 2:
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return real(src, dst, *a, **k)

        monkeypatch.setattr(atomic.os, "replace", replace)
        await start_run(app, pilot)
        await until(pilot, lambda: status(app) == "paused", what="the run to pause after the failed save")
        await until(pilot, lambda: "No space left on device" in notes(app), timeout=5, what="the error shown")
        assert checkpoint.load(path)["epoch"] == 1
        app.set_focus(None)
        await key(app, pilot, "p")
        await run_ended(app, pilot)
        assert status(app) == "finished" and checkpoint.load(path)["epoch"] == 4
        assert no_temp_files(tmp_path)


async def test_dashboard_export_error_keeps_the_old_files_and_the_run(tmp_path, monkeypatch):
    from nnlab.ui.app import NNLabApp

    jsonl, csv = tmp_path / "m.jsonl", tmp_path / "m.csv"
    app = NNLabApp(mode="train", options=options(tmp_path, metrics_path=str(jsonl), csv_path=str(csv), force=True))
    async with app.run_test(size=(100, 30)) as pilot:
        await start_run(app, pilot)
        await run_ended(app, pilot)
        app.screen.runs.export()  # a first export works
        await until(pilot, lambda: jsonl.exists() and csv.exists(), what="the first export")
        before = jsonl.read_bytes(), csv.read_bytes()
        app.screen.runs.record.events.append(app.screen.runs.record.events[-1])  # something new to write
        fail_replace(monkeypatch, "m.jsonl")
        app.screen.runs.export()
        await until(pilot, lambda: "No space left on device" in notes(app), what="the error")
        assert (jsonl.read_bytes(), csv.read_bytes()) == before and no_temp_files(tmp_path)
        assert status(app) == "finished"

"""Issue 19 cases 3-4 and Deliver 1: a key never kills the app, and a dying UI never orphans a run."""

from __future__ import annotations

import os

from _ui import LONG, key, options, start_run, until


async def test_f12_in_a_directory_that_cannot_be_written_says_so_and_the_app_goes_on(tmp_path, monkeypatch):
    """Case 4: F12 where the screenshot cannot be written was a PermissionError crash."""
    from nnlab.ui.app import NNLabApp

    locked = tmp_path / "locked"
    locked.mkdir()
    monkeypatch.chdir(locked)
    app = NNLabApp(mode="neuron")

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(locked / "nnlab.svg"))

    monkeypatch.setattr(app, "save_screenshot", refuse)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f12")
        await pilot.pause(0.2)
        notes = [n.message for n in app._notifications]
        assert any("cannot be written" in n and "Permission denied" in n for n in notes), notes
        assert app.is_running and app.return_code is None
    assert os.listdir(locked) == []


async def test_an_uncaught_ui_error_stops_the_run_before_the_app_exits(tmp_path):
    """Deliver 1: an exception no handler caught ends the app; the run it had is asked to stop
    first, so its worker returns (app.run() can then return and the process end: no orphan)."""
    import time

    import pytest

    from nnlab.ui.app import NNLabApp

    app = NNLabApp(mode="train", options=options(tmp_path, config=LONG))
    with pytest.raises(ZeroDivisionError):  # run_test re-raises what ended the app
        async with app.run_test(size=(100, 30)) as pilot:
            await start_run(app, pilot)
            run = app.screen.runs.run
            await until(pilot, lambda: run.active and app.active_run is run, what="the run to train")
            app.call_later(lambda: 1 / 0)  # a bug in some handler
            await pilot.pause(0.5)
    assert run.control is not None and run.control.stopped
    deadline = time.monotonic() + 15
    while run.active and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not run.active  # the training thread has ended


async def test_keys_in_a_burst_never_crash_the_train_screen(tmp_path):
    """Every Train key pressed with no run, in one burst: warnings, never an exception."""
    from nnlab.ui.app import NNLabApp

    app = NNLabApp(mode="train", options=options(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.3)
        app.set_focus(None)
        for name in "pxnwecmla[]":
            await key(app, pilot, name)
        await pilot.pause(0.3)
        assert app.is_running and app.return_code is None

"""Quit with "keep training in background": the app stays open, saying so, until the background
process has taken the run over (seconds: it imports torch and reads the data while the run trains
on here), then exits naming the `nnlab watch` command; if the hand-off fails it stays."""

from __future__ import annotations

from nnlab.i18n import t
from nnlab.train.data import synthetic
from nnlab.ui.app import NNLabApp
from nnlab.ui.messages import Notice


class FakeRun:
    """What the app asks of a run it may hand to the background (TrainRun's surface)."""

    def __init__(self) -> None:
        self.active = True
        self.can_detach = True
        self.detaching = False
        self.stopped = False

    def detach(self) -> bool:
        self.detaching = True
        return True

    def stop(self) -> None:
        self.stopped = True


def _app():
    return NNLabApp(mode="train", options={"data_factory": lambda: synthetic(), "runs_dir": "/nonexistent"})


async def _quit_with_background(app, pilot, run) -> None:
    app.active_run = run
    await pilot.press("q")
    await pilot.pause(0.1)
    await pilot.press("b")
    await pilot.pause(0.1)


async def test_the_app_stays_until_the_run_is_taken_over_then_quits_with_the_watch_command(capsys):
    app = _app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.2)
        screen = app.screen
        run = FakeRun()
        await _quit_with_background(app, pilot, run)
        assert run.detaching and not run.stopped
        assert app.exit_after_handoff and app.is_running and app._exit is False  # still open
        assert any(t("dash.quit.handing_over") in str(n.message) for n in app._notifications)
        screen.watch_run("/runs/20261202-010000-abcd")  # the background process took it over
        await pilot.pause(0.1)
    assert app.return_code == 0
    assert "nnlab watch /runs/20261202-010000-abcd" in capsys.readouterr().err


async def test_a_failed_hand_off_keeps_the_app_open_and_training():
    app = _app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.2)
        screen = app.screen
        run = FakeRun()
        await _quit_with_background(app, pilot, run)
        run.detaching = False  # the child died: the run trains on here, and a notice says why
        screen.post_message(Notice("the background process exited", "warning"))
        await pilot.pause(0.2)
        assert not app.exit_after_handoff and app._exit is False and not run.stopped
        screen.watch_run("/runs/x")  # a later, ordinary detach (d) opens the viewer, not an exit
        await pilot.pause(0.2)
        assert app._exit is False

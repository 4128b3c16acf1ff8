"""The UI's turn while training (issue 13 item 16): a key holds the run between two batches until
the screen it asked for is drawn (NNLabApp.on_event/on_key -> ActiveRun.hold_for_ui/release_ui).
Pilot's press is fine here: these tests check what is called when, not how fast."""

from __future__ import annotations

from nnlab.run.control import Control
from nnlab.train.data import synthetic
from nnlab.ui.app import NNLabApp
from nnlab.ui.train.worker import TrainRun


class FakeRun:
    """An active run that records the app's holds and releases (and what the screen showed then)."""

    active = True

    def __init__(self, app, grant: bool = True) -> None:
        self.app, self.grant = app, grant
        self.calls: list[tuple[str, str | None, int]] = []

    def _seen(self) -> tuple[str | None, int]:
        screen = self.app.screen
        pages = screen.query_one("#pages")
        page = screen.query_one(f"#{pages.active}")
        return pages.active, page.region.height  # 0 until the compositor has placed the page

    def hold_for_ui(self) -> bool:
        self.calls.append(("hold", *self._seen()))
        return self.grant

    def release_ui(self) -> None:
        self.calls.append(("release", *self._seen()))

    def stop(self) -> None:
        self.active = False


def _app():
    return NNLabApp(mode="train", options={"data_factory": lambda: synthetic(), "runs_dir": "/nonexistent"})


async def _press_with(keys: tuple[str, ...], grant: bool = True, in_field: bool = False):
    """Press ``keys`` on the Train screen with a FakeRun as the active run; its calls, the app."""
    from textual.widgets import Input

    app = _app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.2)
        if in_field:
            app.screen.query(Input).first().focus()
        else:
            app.set_focus(None)
        await pilot.pause()
        run = FakeRun(app, grant)
        app.active_run = run
        await pilot.press(*keys)
        await pilot.pause(0.2)
        app.active_run = None
        return run.calls, app


async def test_a_page_key_holds_the_run_until_the_new_page_is_drawn():
    calls, _ = await _press_with(("right_square_bracket",))
    assert [c[0] for c in calls] == ["hold", "release"]
    assert calls[0][1] == "setup"  # held as the key arrived, before the switch
    assert calls[1][1] == "live" and calls[1][2] > 0  # released once Live was laid out and drawn


async def test_keys_typed_into_a_field_do_not_hold_the_run():
    calls, _ = await _press_with(("1", "backspace"), in_field=True)
    assert calls == []


async def test_a_run_that_declines_is_never_released():
    calls, _ = await _press_with(("right_square_bracket",), grant=False)  # paused, on a GPU, not started
    assert [c[0] for c in calls] == ["hold"]


async def test_keys_in_a_burst_release_once_for_the_last():
    calls, app = await _press_with(("right_square_bracket",) * 3)
    kinds = [c[0] for c in calls]
    assert kinds.count("hold") == 3 and kinds[-1] == "release"
    assert app._held_input is None and app._held_run is None  # nothing left holding


def test_train_run_holds_only_a_cpu_run_that_is_training():
    run = TrainRun(1, config=None, data_factory=lambda: None, target=None)
    assert not run.hold_for_ui()  # the engine has not started
    run.control = Control()
    assert run.hold_for_ui() and run.control.ui_hold_until > 0
    run.release_ui()
    assert run.control.ui_hold_until == 0.0
    run.control.pause()
    assert not run.hold_for_ui()  # paused: nothing to wait for
    run.control.resume()
    run.on_gpu = True
    assert not run.hold_for_ui()  # on a GPU the UI does not share torch's cores

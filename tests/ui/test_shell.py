"""The app shell: modes, help overlay, palette, themes, quitting, resizing."""

from __future__ import annotations

import pytest
from textual.command import CommandPalette

from nnlab.i18n import t
from nnlab.ui.app import NNLabApp
from nnlab.ui.shared.confirm_quit import ConfirmQuit
from nnlab.ui.shared.help import HelpScreen
from nnlab.ui.shared.mode_bar import ModeBar


class FakeRun:
    """Stands in for a training run: active until stopped."""

    def __init__(self) -> None:
        self.active = True
        self.stop_calls = 0

    def stop(self) -> None:
        self.stop_calls += 1
        self.active = False


async def _settle(pilot) -> None:
    await pilot.pause()
    await pilot.pause()


@pytest.mark.parametrize("mode", ["neuron", "backprop", "train"])
async def test_opens_in_the_requested_mode(mode):
    app = NNLabApp(mode=mode)
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        assert app.current_mode == mode
        assert app.screen.query_one(ModeBar).mode == mode


async def test_number_keys_switch_modes_and_the_bar_follows():
    app = NNLabApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        app.set_focus(None)  # keys go to the app, not to a field of the first screen
        for key, mode in (("2", "backprop"), ("3", "train"), ("1", "neuron"), ("3", "train")):
            app.set_focus(None)
            await pilot.press(key)
            await _settle(pilot)
            assert app.current_mode == mode
            bar = app.screen.query_one(ModeBar)
            assert bar.mode == mode
            assert t("mode." + mode) in str(bar.render())


async def test_help_overlay_shows_keys_and_concept_then_closes(widget_text):
    app = NNLabApp(mode="backprop")
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        app.set_focus(None)
        await pilot.press("question_mark")
        await _settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        concept = widget_text(app.screen.query_one("#help-concept"))
        assert "chain rule" in concept
        global_keys = widget_text(app.screen.query_one("#help-global-keys"))
        assert t("key.quit") in global_keys and t("key.help") in global_keys
        await pilot.press("escape")
        await _settle(pilot)
        assert not isinstance(app.screen, HelpScreen)
        assert app.current_mode == "backprop"


async def test_help_is_translated(zh, widget_text):
    app = NNLabApp(mode="neuron")
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        app.set_focus(None)
        await pilot.press("question_mark")
        await _settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        assert "神经元" in widget_text(app.screen.query_one("#help-concept"))
        assert "退出" in widget_text(app.screen.query_one("#help-global-keys"))


async def test_palette_lists_every_global_action():
    app = NNLabApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        commands = {c.title for c in app.get_system_commands(app.screen)}
        for key in ("key.mode_neuron", "key.mode_backprop", "key.mode_train", "key.help", "key.quit"):
            assert t(key) in commands
        await pilot.press("ctrl+p")
        await _settle(pilot)
        assert isinstance(app.screen, CommandPalette)


async def test_palette_command_runs_its_action():
    app = NNLabApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        command = next(c for c in app.get_system_commands(app.screen) if c.title == t("key.mode_train"))
        result = command.callback()
        if hasattr(result, "__await__"):
            await result
        await _settle(pilot)
        assert app.current_mode == "train"


async def test_theme_toggles_between_dark_and_light():
    app = NNLabApp(theme="light")
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        assert app.theme == "textual-light"
        await pilot.press("ctrl+t")
        await _settle(pilot)
        assert app.theme == "textual-dark"


async def test_q_quits_at_once_without_a_run():
    app = NNLabApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        app.set_focus(None)
        await pilot.press("q")
        await _settle(pilot)
    assert app.return_code == 0


async def test_q_asks_first_while_a_run_is_active_and_n_keeps_it():
    app = NNLabApp(mode="train")
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        run = FakeRun()
        app.active_run = run
        app.set_focus(None)
        await pilot.press("q")
        await _settle(pilot)
        assert isinstance(app.screen, ConfirmQuit)
        await pilot.press("n")
        await _settle(pilot)
        assert not isinstance(app.screen, ConfirmQuit)
        assert run.active and run.stop_calls == 0
        assert app.is_running
        app.active_run = None


async def test_q_then_y_stops_the_run_and_quits():
    app = NNLabApp(mode="train")
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        run = FakeRun()
        app.active_run = run
        app.set_focus(None)
        await pilot.press("q")
        await _settle(pilot)
        await pilot.press("y")
        await _settle(pilot)
    assert run.stop_calls == 1
    assert app.return_code == 0


async def test_sighup_stops_the_run_and_exits_with_129():
    import signal

    app = NNLabApp(mode="train")
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        run = FakeRun()
        app.active_run = run
        app._on_signal(signal.SIGHUP)
        app._on_signal(signal.SIGHUP)  # a second signal during shutdown is ignored
        await _settle(pilot)
    assert run.stop_calls == 1
    assert app.return_code == 128 + signal.SIGHUP


@pytest.mark.parametrize("mode", ["neuron", "backprop", "train"])
async def test_resizing_down_to_tiny_sizes_never_crashes(mode):
    app = NNLabApp(mode=mode)
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        for size in ((1, 1), (20, 5), (10, 3), (80, 24), (200, 60), (40, 12), (80, 24)):
            await pilot.resize_terminal(*size)
            await _settle(pilot)
        assert app.is_running
        assert app.screen.query_one(ModeBar).mode == mode


async def _help_text(app, pilot, widget_text) -> tuple[str, str]:
    await pilot.press("question_mark")
    await pilot.pause()
    assert isinstance(app.screen, HelpScreen)
    own = widget_text(app.screen.query_one("#help-keys"))
    shared = widget_text(app.screen.query_one("#help-global-keys"))
    await pilot.press("escape")
    await pilot.pause()
    return own, shared


async def test_help_lists_this_panels_keys_then_the_global_ones_without_contradictions(widget_text):
    """Issue 13.10: no keys of other panels, no "Next field" without fields, ^c only as Quit."""
    app = NNLabApp(mode="neuron")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        own, shared = await _help_text(app, pilot, widget_text)
        assert t("neuron.key.activation") in own and t("key.focus_next") in own
        for other in ("neuron.key.gd_step", "neuron.key.target", "neuron.key.derivatives"):
            assert t(other) not in own, other
        assert t("key.copy") not in own and "^c" in shared and t("key.quit") in shared
        await pilot.press("right_square_bracket", "right_square_bracket")  # the loss panel
        own, _ = await _help_text(app, pilot, widget_text)
        assert t("neuron.key.gd_step") in own and t("neuron.key.activation") not in own
        await pilot.press("2")
        await pilot.pause()
        if not app.screen.focus_chain:
            own, _ = await _help_text(app, pilot, widget_text)
            assert t("key.focus_next") not in own

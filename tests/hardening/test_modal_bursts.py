"""Issue 19 case 3: a burst of Enter (or Enter then Esc) on a modal answers it once; the screen
under it stays (it was popped too: ScreenStackError, the app dead with its run orphaned)."""

from __future__ import annotations

import pytest
from textual import events


def _burst(app, *names: str) -> None:
    """Keys queued together, as one write from the terminal delivers them."""
    for name in names:
        event = events.Key(name, None)
        event.set_sender(app)
        app._driver.send_message(event)


@pytest.mark.parametrize("keys", [("enter", "enter", "enter"), ("enter", "escape"), ("escape", "escape", "enter")])
async def test_the_backprop_edit_form_answers_once_in_a_burst(keys):
    from nnlab.ui.app import NNLabApp
    from nnlab.ui.backprop.edit import BackpropEdit

    app = NNLabApp(mode="backprop")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.3)
        await pilot.press("e")
        for _ in range(40):
            if isinstance(app.screen, BackpropEdit):
                break
            await pilot.pause(0.05)
        assert isinstance(app.screen, BackpropEdit)
        _burst(app, *keys)
        await pilot.pause(0.5)
        assert app.is_running and app.return_code is None
        assert app.screen.__class__.__name__ == "BackpropScreen"


async def test_a_confirm_dialog_answers_once(tmp_path):
    from nnlab.ui.app import NNLabApp
    from nnlab.ui.shared.confirm_overwrite import ConfirmOverwrite

    answers = []
    app = NNLabApp(mode="neuron")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.2)
        dialog = ConfirmOverwrite([tmp_path / "a.csv"])
        app.push_screen(dialog, answers.append)
        await pilot.pause(0.2)
        dialog.dismiss(True)
        dialog.dismiss(False)  # a second answer (a key in the same burst) changes nothing
        await pilot.pause(0.2)
        assert answers == [True] and app.screen.__class__.__name__ == "NeuronScreen"

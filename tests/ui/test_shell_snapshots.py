"""Snapshots of the shell at 80x24 in English and Chinese."""

from __future__ import annotations

import pytest

from nnlab import i18n
from nnlab.ui.app import NNLabApp


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_help_overlay_80x24(snap_compare, lang):
    """The Neuron mode with the help overlay open: the mode bar on top with "1 Neuron"
    highlighted, a bordered box explaining z = w·x + b and f(z), this screen's keys and the
    global keys (1 2 3 ? q), all in the chosen language, nothing cut off at 80x24."""
    i18n.set_lang(lang)
    assert snap_compare(NNLabApp(mode="neuron"), terminal_size=(80, 24), press=["question_mark"])


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_confirm_quit_80x24(snap_compare, lang):
    """While a run is active (a stand-in run, over the Neuron mode so nothing on screen depends
    on this machine's data), after pressing q: a dialog asks whether to stop the run and quit,
    with "Stop and quit" and "Keep training" buttons."""
    i18n.set_lang(lang)

    class Run:
        active = True

        def stop(self):
            self.active = False

    app = NNLabApp(mode="neuron")

    async def start_run(pilot):
        app.active_run = Run()
        app.set_focus(None)
        await pilot.press("q")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=start_run)

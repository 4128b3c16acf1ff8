"""Snapshots of the backprop stepper: a forward step and a hidden-layer backward step, 80x24 and 120x40."""

from __future__ import annotations

import pytest

from nnlab import i18n
from nnlab.ui.app import NNLabApp

SIZES = [(80, 24), (120, 40)]


def _at(step_id: str):
    """run_before: go to ``step_id`` with the keys a person would use, then wait for the autograd line."""

    async def run_before(pilot) -> None:
        app = pilot.app
        await pilot.pause()
        ids = [s.id for s in app.screen.steps]
        target = ids.index(step_id)
        if app.screen.steps[target].phase != "forward":
            await pilot.press("b")
        while app.screen.index < target:
            await pilot.press("n")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_forward_step(snap_compare, lang, size):
    """Step 5/76, forward pass: l_o1 = w5·out_h1 + w6·out_h2 + b2. In the diagram h1, h2, o1, b2 and
    the edges w5 and w6 are lit; h1 and h2 show their outputs, o1 and o2 still show ???. The panel shows
    the formula, the numbers (0.25·0.595078474 + 0.35·0.59868766 + 0.5 = 0.8583103), the value
    0.858310300 with the tutorial's 0.858310300 ✓, a one-line explanation, the progress bar at 5/76 and
    the green line saying torch autograd (float64) agrees on every gradient. Nothing is cut off."""
    i18n.set_lang(lang)
    assert snap_compare(NNLabApp(mode="backprop"), terminal_size=size, run_before=_at("fwd.l_o1"))


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_hidden_backward_step(snap_compare, lang, size):
    """Step 38/76, backward through the hidden layer: ∂E_total/∂out_h1 = ∂E_o1/∂out_h1 + ∂E_o2/∂out_h1
    = −0.007719579 + 0.025367174 = 0.017647595 (tutorial 0.017647595 ✓). h1, o1, o2 and the edges w5,
    w7 are lit. The chain shows two aligned equations: ∂E_total/∂out_h1 with its four factors filled in
    and its value lit, and ∂E_total/∂w1 = ∂E_total/∂out_h1·∂out_h1/∂l_h1·∂l_h1/∂w1 with only the first
    factor known and ? for the rest."""
    i18n.set_lang(lang)
    assert snap_compare(NNLabApp(mode="backprop"), terminal_size=size, run_before=_at("w1.dE_dout_h"))

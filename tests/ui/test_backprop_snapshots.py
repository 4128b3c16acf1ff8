"""Snapshots of the backprop stepper: a forward step and a hidden-layer backward step (80x24, 120x40),
and the largest allowed network, 4-4-4-4-4, at 80x24 in both languages."""

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
    the green line saying torch autograd (float64) agrees, with the finite differences' |Δ| beside it.
    Nothing is cut off."""
    i18n.set_lang(lang)
    assert snap_compare(NNLabApp(mode="backprop"), terminal_size=size, run_before=_at("fwd.l_o1"))


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_hidden_backward_step(snap_compare, lang, size):
    """Step 38/76, backward through the hidden layer: ∂E_total/∂out_h1 = ∂E_o1/∂out_h1 + ∂E_o2/∂out_h1
    = −0.007719579 + 0.025367174 = 0.017647595 (tutorial 0.017647595 ✓). h1, o1, o2 and the edges w5,
    w7 are lit. The chain shows two aligned equations: ∂E_total/∂out_h1 with its four factors filled in
    and its value lit, and ∂E_total/∂w1 = ∂E_total/∂out_h1·∂out_h1/∂l_h1·∂l_h1/∂w1 with only the first
    factor known and ? for the rest. The output-layer edges already carry their gradients (∂w5 −0.018,
    ∂w7 0.0503, …); the hidden-layer edges still show their weights."""
    i18n.set_lang(lang)
    assert snap_compare(NNLabApp(mode="backprop"), terminal_size=size, run_before=_at("w1.dE_dout_h"))


def _go(step_id: str):
    """run_before: jump straight to ``step_id`` (130 presses of n would take seconds), then wait."""

    async def run_before(pilot) -> None:
        await pilot.pause()
        screen = pilot.app.screen
        screen.go([s.id for s in screen.steps].index(step_id))
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()

    return run_before


def _largest():
    from nnlab.core.netlab import draw, parse_net

    return {"backprop_lab": draw(parse_net("4-4-4-4-4", "tanh", "ce"), 1), "backprop_order": "node"}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_largest_network_node_order(snap_compare, lang):
    """The largest allowed network, 4-4-4-4-4 (tanh, softmax + cross-entropy, seed 1), node-delta
    order, step 135/214 at 80x24: ∂E_total/∂w20 = ∂E_total/∂l_g1 · out_f4 = −0.223178475. The diagram
    shows five columns of four units with their outputs, a bus between each pair of layers, the
    shared biases b1…b4 below, and on its bottom row the lit edge `w20 f4→g1 = −0.9400 · ∂E/∂w20 =
    −0.223178` beside E_total; f4 and g1 and w20's stub, bus and arrow are lit. The panel says which
    earlier steps the delta and out_f4 come from; the check line shows autograd and finite differences
    agreeing. Nothing is cut off."""
    i18n.set_lang(lang)
    assert snap_compare(
        NNLabApp(mode="backprop", options=_largest()), terminal_size=(80, 24), run_before=_go("w20.grad")
    )

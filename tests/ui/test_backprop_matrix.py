"""m opens the matrix form: the pass as matrices, a batch with the torch lines, checked by autograd."""

from __future__ import annotations

from nnlab.core.netlab import draw, parse_net
from nnlab.ui.app import NNLabApp
from nnlab.ui.backprop.matrix import BackpropMatrix
from nnlab.ui.backprop.screen import BackpropScreen


async def test_m_shows_the_matrix_form_and_autograd_agrees(widget_text):
    lab = draw(parse_net("3-4-2", "relu,sigmoid", "ce"), 5)
    app = NNLabApp(mode="backprop", options={"backprop_lab": lab})
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("m")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, BackpropMatrix)
        assert "δ² = ∂E/∂a² ⊙ f′(z²)" in widget_text(modal.query_one("#bp-matrix-single"))
        assert "loss.backward()" in widget_text(modal.query_one("#bp-matrix-torch-code"))
        check = widget_text(modal.query_one("#bp-matrix-check"))
        assert "W1.grad = " in check and "equal the hand batch means" in check
        assert modal.result is not None and modal.result.diff <= 1e-12
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, BackpropScreen)

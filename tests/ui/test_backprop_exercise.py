"""Exercise mode driven by keys (issue 15 Deliver 5): a right answer, a wrong one with the factor named
and a hint, the reveal, Enter going on, the score per pass; on the tutorial and on any network."""

from __future__ import annotations

from textual.widgets import Static

from nnlab.core.netlab import draw, parse_net
from nnlab.ui.app import NNLabApp
from nnlab.ui.backprop.exercise import ExerciseBar
from nnlab.ui.backprop.step_panel import StepPanel


async def _settle(pilot) -> None:
    await pilot.pause()
    await pilot.pause()


async def _type(pilot, text: str) -> None:
    for char in text:
        await pilot.press(char)
    await pilot.press("enter")
    await _settle(pilot)


def _text(widget_text, bar: ExerciseBar) -> str:
    return " ".join(widget_text(w) for w in bar.query(Static))


async def test_right_wrong_hint_reveal_and_the_score(widget_text):
    app = NNLabApp(mode="backprop")
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        screen = app.screen
        screen.go([s.id for s in screen.steps].index("w5.dE_dout"))
        await pilot.press("t")
        await _settle(pilot)
        bar = screen.query_one(ExerciseBar)
        panel = screen.query_one(StepPanel)
        assert bar.has_class("-on") and "±0.00005" in _text(widget_text, bar)  # the tolerance on screen
        assert "∂E_total/∂out_o1 = ?" in widget_text(panel) and "−0.147692493 " not in widget_text(panel)
        # right at the first try: the value appears, Enter goes on
        await _type(pilot, "-0.1477")
        assert "Right" in _text(widget_text, bar) and "−0.147692493" in widget_text(panel)
        assert bar.score().first == 1 and "pass score 1/1" in _text(widget_text, bar)
        await pilot.press("enter")
        await _settle(pilot)
        assert screen.step.id == "w5.dout_dl"
        await _type(pilot, "0.2091")  # ∂out_o1/∂l_o1
        await pilot.press("enter")
        await _settle(pilot)
        await _type(pilot, "0.5951")  # ∂l_o1/∂w5 = out_h1
        await pilot.press("enter")
        await _settle(pilot)
        # ∂E/∂w5 with σ′ left out: the factor is named, a hint given, the value still hidden
        assert screen.step.id == "w5.grad"
        await _type(pilot, str(-0.147692493 * 0.595078474))
        text = _text(widget_text, bar)
        assert "∂out_o1/∂l_o1 = 0.209072 is missing" in text and "Hint:" in text
        assert "∂E_total/∂w5 = ?" in widget_text(panel)
        # wrong again: revealed, counted wrong
        await _type(pilot, "5")
        assert "The value is −0.018375022" in _text(widget_text, bar)
        s = bar.score()
        assert (s.first, s.after_hint, s.answered) == (3, 0, 4) and "pass score 3/4 (0 hinted)" in _text(
            widget_text, bar
        )
        # right after a hint on the next step counts as such
        await pilot.press("enter")
        await _settle(pilot)
        await _type(pilot, "0.2")  # w5⁺ wrong
        assert "Hint:" in _text(widget_text, bar)
        await _type(pilot, "0.2684")
        assert bar.score().after_hint == 1 and "(1 hinted)" in _text(widget_text, bar)
        await pilot.press("escape")
        await _settle(pilot)
        assert not bar.has_class("-on") and not screen.exercise


async def test_the_last_step_starts_the_next_pass_with_the_score_said(widget_text):
    lab = draw(parse_net("2-3-2", "relu,identity", "mse"), 2)
    app = NNLabApp(mode="backprop", options={"backprop_lab": lab, "backprop_order": "node"})
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        screen = app.screen
        screen.go(len(screen.steps) - 1)
        await pilot.press("t")
        await _settle(pilot)
        await _type(pilot, f"{screen.step.value:.6g}")
        await pilot.press("enter")
        await _settle(pilot)
        assert screen.pass_no == 2 and screen.index == 0
        assert "Pass 1 score 1/1" in widget_text(screen.query_one("#bp-progress"))
        assert "pass score 0/0" in _text(widget_text, screen.query_one(ExerciseBar))  # a new pass, a new score

"""The backprop stepper driven by keys: every step both ways, edits, bad edits, passes, biases, the check."""

from __future__ import annotations

import threading

import pytest

from nnlab.core.tinynet import TUTORIAL, forward, steps, update
from nnlab.ui.app import NNLabApp
from nnlab.ui.backprop.edit import BackpropEdit, caption
from nnlab.ui.backprop.loss_history import LossHistory
from nnlab.ui.backprop.network_diagram import NetworkDiagram
from nnlab.ui.backprop.passes import BackpropPasses
from nnlab.ui.backprop.screen import BackpropScreen
from nnlab.ui.backprop.step_panel import StepPanel, fmt9
from nnlab.ui.shared.number_field import NumberField


async def _settle(pilot) -> None:
    await pilot.pause()
    await pilot.pause()


async def _checked(app, pilot) -> None:
    await app.workers.wait_for_complete()
    await _settle(pilot)


def _screen(app) -> BackpropScreen:
    assert isinstance(app.screen, BackpropScreen)
    return app.screen


def _value_line(step) -> str:
    return f"{step.symbol} = {fmt9(step.value)}"


@pytest.mark.slow
async def test_every_step_forwards_then_back(widget_text):
    """All 76 steps with the keys, forwards then back (about 150 key presses: ~25 s here)."""
    app = NNLabApp(mode="backprop")
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        screen = _screen(app)
        expected = steps(TUTORIAL)
        panel = screen.query_one(StepPanel)
        keys = ["right", "space", "n"]
        for k, step in enumerate(expected):
            text = widget_text(panel)
            assert screen.index == k and screen.step.id == step.id
            assert f"Step {k + 1}/{len(expected)}" in text
            assert _value_line(step) in text and step.formula in text
            if step.tutorial is not None:
                assert f"tutorial {fmt9(step.tutorial)} ✓" in text
            await pilot.press(keys[k % 3])
        assert screen.index == len(expected) - 1  # next at the end stays there
        for k in range(len(expected) - 1, -1, -1):
            assert screen.index == k
            assert _value_line(expected[k]) in widget_text(panel)
            await pilot.press("left" if k % 2 else "p")
        assert screen.index == 0


async def test_jumps_home_end_forward_backward():
    app = NNLabApp(mode="backprop")
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        screen = _screen(app)
        await pilot.press("b")
        assert screen.step.id == "w5.dE_dout" and screen.step.phase == "output"
        await pilot.press("end")
        assert screen.step.id == "pass.E_after"
        await pilot.press("f")
        assert screen.index == 0
        await pilot.press("end", "home")
        assert screen.index == 0


async def test_the_diagram_lights_the_current_step_and_fills_in_values(widget_text):
    app = NNLabApp(mode="backprop")
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        diagram = _screen(app).query_one(NetworkDiagram)
        text = widget_text(diagram)
        for label in (
            "i1 0.1000",
            "i2 0.2000",
            "w1 0.0500",
            "w8 0.4000",
            "b1 0.3500",
            "b2 0.5000",
            "t1 0.8500",
            "h1 ???",
            "o2 ???",
        ):
            assert label in text
        assert "h1 0.5951" not in text  # not computed yet at step 1
        canvas = diagram.canvas(80)
        hot = {"w1", "w2", "i1", "i2", "b1", "h1"}
        lit = {tag for row in canvas.tags for tags in row for tag in tags}
        assert hot <= lit
        lines = diagram.render().plain.splitlines()
        assert len(lines) <= 6 and all(len(line) <= 80 for line in lines)
        await pilot.press("n")
        assert "h1 0.5951" in widget_text(diagram)
        await pilot.press("end")
        assert "E_total 0.09687" in widget_text(diagram)
        # the highlighted cells are those tagged with the step's nodes and edges
        step = _screen(app).step
        assert set(step.edges) == set(("w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8"))


async def test_editing_a_weight_changes_every_later_value(widget_text):
    app = NNLabApp(mode="backprop")
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        screen = _screen(app)
        before = {s.id: s.value for s in screen.steps}
        await pilot.press("n", "n")  # at l_h2: the edit keeps the step the person is on
        await pilot.press("e")
        await _settle(pilot)
        assert isinstance(app.screen, BackpropEdit)
        field = app.screen.query_one("#bp-field-w1", NumberField)
        field.focus()
        field.value = "0.07"
        await pilot.press("enter")
        await _settle(pilot)
        screen = _screen(app)
        assert screen.params == TUTORIAL.with_values(w1=0.07)
        assert screen.step.id == "fwd.l_h2"
        after = {s.id: s.value for s in screen.steps}
        assert after == {s.id: s.value for s in steps(TUTORIAL.with_values(w1=0.07))}
        changed = [k for k in after if after[k] != before[k]]
        # everything downstream of w1 moves; only h2's forward values, inputs and other weights stay
        unchanged = {k for k in after if after[k] == before[k]}
        assert unchanged <= {
            "fwd.l_h2",
            "fwd.out_h2",
            "w1.dl_o1_dout",
            "w1.dl_o2_dout",
            "w1.dl_dw",
            "w2.dl_o1_dout",
            "w2.dl_o2_dout",
            "w2.dl_dw",
            "w3.dl_o1_dout",
            "w3.dl_o2_dout",
            "w3.dl_dw",
            "w4.dl_o1_dout",
            "w4.dl_o2_dout",
            "w4.dl_dw",
            "w6.dl_dw",
            "w8.dl_dw",
            "w3.dout_dl",
            "w4.dout_dl",
        }
        assert len(changed) >= 55
        panel = screen.query_one(StepPanel)
        for k, step in enumerate(screen.steps):  # every value on screen is the recomputed one
            screen.go(k)
            assert _value_line(step) in widget_text(panel)
        screen.go(0)  # forward: the edges carry the weights (in the backward pass, their gradients)
        await _settle(pilot)
        assert "w1 0.070000" in widget_text(screen.query_one(NetworkDiagram))
        assert "tutorial 0.385000000" not in widget_text(panel)


BAD_EDITS = [("w5", "abc"), ("w5", "nan"), ("w5", "1e309"), ("t1", "2"), ("lr", "0"), ("i1", "1_0"), ("w2", "")]


async def test_bad_edits_are_refused_and_change_nothing(widget_text):
    app = NNLabApp(mode="backprop")
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        await pilot.press("e")
        await _settle(pilot)
        form = app.screen
        assert isinstance(form, BackpropEdit)
        for name, text in BAD_EDITS:
            field = form.query_one(f"#bp-field-{name}", NumberField)
            field.focus()
            good = field.value
            field.value = text
            await pilot.press("enter")
            await _settle(pilot)
            assert app.screen is form  # still open, saying why
            errors = widget_text(form.query_one("#bp-edit-errors"))
            assert "Fix the marked fields first" in errors and caption(name) in errors, (name, text)
            field.value = good
        await pilot.press("escape")
        await _settle(pilot)
        assert _screen(app).params == TUTORIAL


async def test_update_starts_the_next_pass_and_iterating_charts_the_fall(widget_text):
    app = NNLabApp(mode="backprop")
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        screen = _screen(app)
        await pilot.press("end", "u")
        assert screen.pass_no == 2 and screen.index == 0
        assert screen.params == update(TUTORIAL)
        assert "w5 0.2684" in widget_text(screen.query_one(NetworkDiagram))
        assert "pass 2" in widget_text(screen.query_one(StepPanel))
        assert screen.history[-1].E_total < screen.history[0].E_total
        await pilot.press("i")
        await _settle(pilot)
        modal = app.screen
        assert isinstance(modal, BackpropPasses)
        field = modal.query_one(NumberField)
        field.value = "30"
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await _settle(pilot)
        chart = modal.query_one("#bp-chart-error", LossHistory)
        errors = [r.E_total for r in chart.records]
        assert len(errors) == 31 and all(b < a for a, b in zip(errors, errors[1:]))
        assert [r.index for r in chart.records] == list(range(2, 33))
        assert "E_total" in widget_text(modal.query_one("#bp-passes-summary"))
        await pilot.press("escape")
        await _settle(pilot)
        screen = _screen(app)
        assert screen.pass_no == 32
        p = TUTORIAL
        for _ in range(31):
            p = update(p)
        assert screen.params == p
        assert [r.index for r in screen.history] == list(range(1, 33))
        assert screen.history[-1].E_total == forward(p)["E_total"]
        await pilot.press("r")
        assert screen.params == TUTORIAL and screen.pass_no == 1


async def test_passes_refuse_a_bad_count(widget_text):
    app = NNLabApp(mode="backprop")
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        await pilot.press("i")
        await _settle(pilot)
        modal = app.screen
        modal.query_one(NumberField).value = "0"
        await pilot.press("enter")
        await _settle(pilot)
        assert "between 1 and" in widget_text(modal.query_one("#bp-passes-error"))
        await pilot.press("escape")
        await _settle(pilot)
        assert _screen(app).params == TUTORIAL and _screen(app).pass_no == 1


async def test_bias_toggle_adds_bias_steps_and_updates_the_biases(widget_text):
    app = NNLabApp(mode="backprop")
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        screen = _screen(app)
        await pilot.press("b")
        assert "bias updates off" in widget_text(screen.query_one(StepPanel))
        await pilot.press("x")
        assert screen.bias_updates and screen.step.id == "w5.dE_dout"  # stays on the same step
        assert "bias updates on" in widget_text(screen.query_one(StepPanel))
        assert [s.id for s in screen.steps] == [s.id for s in steps(TUTORIAL, bias_updates=True)]
        await pilot.press("end", "u")
        assert screen.params == update(TUTORIAL, bias_updates=True)
        assert screen.params.b1 != TUTORIAL.b1 and screen.params.b2 != TUTORIAL.b2
        await pilot.press("x", "end")
        assert not any(s.phase == "bias" for s in screen.steps)


async def test_the_autograd_line_agrees(widget_text):
    app = NNLabApp(mode="backprop")
    async with app.run_test(size=(80, 24)) as pilot:
        await _checked(app, pilot)
        line = widget_text(_screen(app).query_one("#bp-check"))
        assert "autograd (float64) agrees: max |Δ| " in line and "finite differences: |Δ| " in line
        assert _screen(app).check_result.max_abs_diff <= 1e-12


async def test_the_check_runs_off_the_ui_thread(monkeypatch, widget_text):
    """While a (deliberately held) check runs, the line says checking… and keys still step."""
    from nnlab.train import autograd_check

    release = threading.Event()
    real = autograd_check.lab_max_abs_diff

    def held(labs):
        release.wait(10)
        return real(labs)

    monkeypatch.setattr(autograd_check, "lab_max_abs_diff", held)
    app = NNLabApp(mode="backprop")
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        screen = _screen(app)
        assert "checking…" in widget_text(screen.query_one("#bp-check"))
        await pilot.press("n", "n", "n")
        assert screen.index == 3
        release.set()
        await _checked(app, pilot)
        assert "agrees: max |Δ|" in widget_text(screen.query_one("#bp-check"))


async def test_params_from_the_command_line_open_the_screen():
    app = NNLabApp(
        mode="backprop",
        options={"backprop_params": TUTORIAL.with_values(w5=0.3).as_dict(), "backprop_bias_updates": True},
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        screen = _screen(app)
        assert screen.params.w5 == 0.3 and screen.bias_updates
        await pilot.press("u", "r")
        assert screen.params.w5 == 0.3 and screen.pass_no == 1  # reset goes back to what it opened with


async def test_chinese_panel(zh, widget_text):
    app = NNLabApp(mode="backprop")
    async with app.run_test(size=(80, 24)) as pilot:
        await _checked(app, pilot)
        text = widget_text(_screen(app).query_one(StepPanel))
        assert "第 1/76 步" in text and "前向传播" in text and "l_h1 = 0.385000000" in text
        assert "autograd（float64）一致：最大 |Δ|" in widget_text(_screen(app).query_one("#bp-check"))


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_every_step_fits_the_panel_at_80x24(lang):
    """Readable at 80x24: for every step (bias steps included) the panel's wrapped text fits its height,
    and no diagram line is wider than the terminal."""
    from nnlab import i18n

    i18n.set_lang(lang)
    app = NNLabApp(mode="backprop", options={"backprop_bias_updates": True})
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        screen = _screen(app)
        panel = screen.query_one(StepPanel)
        diagram = screen.query_one(NetworkDiagram)
        assert panel.size.height >= 12
        for k, step in enumerate(screen.steps):
            screen.go(k)
            lines = panel.render().wrap(app.console, panel.size.width)
            assert len(lines) <= panel.size.height, (step.id, len(lines))
            assert all(len(line) <= diagram.size.width for line in diagram.render().plain.splitlines())


async def test_o_switches_to_node_order_with_the_same_gradients(widget_text):
    """`o`: each node's delta once (40 steps, not 76), every weight's gradient the same, reuse named."""
    app = NNLabApp(mode="backprop")
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        screen = _screen(app)
        weight = {s.id: s.value for s in screen.steps}
        await pilot.press("o")
        await _settle(pilot)
        assert screen.order == "node" and len(screen.steps) == 40
        assert all(s.value == weight[s.id] for s in screen.steps if s.id.endswith(".grad"))
        k = next(i for i, s in enumerate(screen.steps) if s.id == "w5.grad")
        screen.go(k)
        await _settle(pilot)
        panel = screen.query_one(StepPanel).render().plain
        assert "∂E_o1/∂l_o1, from step 14" in panel and "out_h1, from step 2" in panel
        for k in range(len(screen.steps)):  # every node-order step fits the 80x24 panel
            screen.go(k)
            p = screen.query_one(StepPanel)
            assert len(p.render().wrap(app.console, p.size.width)) <= p.size.height
        await pilot.press("o")
        await _settle(pilot)
        assert len(screen.steps) == 76


async def test_weight_order_names_its_repeats_and_the_truncated_tutorial_digit(widget_text):
    app = NNLabApp(mode="backprop")
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        screen = _screen(app)
        screen.go(next(i for i, s in enumerate(screen.steps) if s.id == "w6.dE_dout"))
        await _settle(pilot)
        assert "repeats step 12" in screen.query_one(StepPanel).render().plain
        screen.go(next(i for i, s in enumerate(screen.steps) if s.id == "fwd.E_o2"))
        await _settle(pilot)
        text = screen.query_one(StepPanel).render().plain
        assert "tutorial 0.085960731 ✓" in text and "(the tutorial truncated)" in text


async def test_r_after_edits_asks_first_and_then_goes_back_to_the_start():
    app = NNLabApp(mode="backprop", options={"backprop_params": TUTORIAL.with_values(w5=0.3).as_dict()})
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        screen = _screen(app)
        screen.edited = True  # as after an `e` edit
        screen.params = TUTORIAL.with_values(w5=0.9)
        await pilot.press("r")
        await _settle(pilot)
        assert screen.params.w5 == 0.9  # the first r only asks
        await pilot.press("r")
        await _settle(pilot)
        assert screen.params.w5 == 0.3 and not screen.edited  # what the screen opened with, not the tutorial

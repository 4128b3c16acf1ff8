"""The stepper on any lab network (issue 15 Deliver 1-2): it opens, draws at 80x24, edits, presets,
the checks; and issue 13 items 6 (a refused value stays readable) and 8 (messages hide nothing)."""

from __future__ import annotations

from rich.cells import cell_len

from nnlab.core.netlab import draw, parse_net, tutorial_lab
from nnlab.core.netlab_steps import counts
from nnlab.ui.app import NNLabApp
from nnlab.ui.backprop.edit import BackpropEdit
from nnlab.ui.backprop.network_diagram import NetworkDiagram
from nnlab.ui.backprop.screen import BackpropScreen
from nnlab.ui.backprop.step_progress import StepProgress
from nnlab.ui.shared.number_field import NumberField


async def _settle(pilot) -> None:
    await pilot.pause()
    await pilot.pause()


def _app(lab, **options) -> NNLabApp:
    return NNLabApp(mode="backprop", options={"backprop_lab": lab, **options})


async def test_a_3_4_2_relu_softmax_network_opens_and_its_check_agrees(widget_text):
    lab = draw(parse_net("3-4-2", "relu,sigmoid", "ce"), 5)
    app = _app(lab)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await _settle(pilot)
        screen = app.screen
        assert isinstance(screen, BackpropScreen) and screen.lab == lab
        assert len(screen.steps) == counts(lab)["weight"]
        check = widget_text(screen.query_one("#bp-check"))
        assert "agrees" in check and "finite differences" in check
        assert screen.check_result.max_abs_diff <= 1e-12 and screen.check_result.fd_diff < 1e-6
        diagram = widget_text(screen.query_one(NetworkDiagram))
        assert "i3" in diagram and "h4" in diagram and "o2" in diagram and "t2" in diagram


async def test_every_step_of_the_largest_network_draws_within_80_columns():
    """4-4-4-4-4 in both orders: no diagram line wider than 80, the lit edge's ∂E/∂w on the bottom row."""
    lab = draw(parse_net("4-4-4-4-4", "tanh", "ce"), 1)
    app = _app(lab, backprop_order="node")
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        screen = app.screen
        diagram = screen.query_one(NetworkDiagram)
        for order in ("node", "weight"):
            assert screen.order == order
            for k, step in enumerate(screen.steps):
                screen.index = k
                diagram.show(lab, screen.steps, k)
                rows = str(diagram.canvas(80).text(set(), {"hot": None, "line": None})).split("\n")
                assert len(rows) <= 6 and all(cell_len(r) <= 80 for r in rows)
                if step.id.endswith(".grad") and step.id.startswith("w"):
                    assert f"∂E/∂{step.id.removesuffix('.grad')} = " in rows[5]
            await pilot.press("o")
            await _settle(pilot)


async def test_o_states_both_step_counts_on_the_progress_line(widget_text):
    lab = draw(parse_net("2-3-3-1", "tanh", "bce"), 3)
    c = counts(lab)
    app = _app(lab)
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        await pilot.press("o")
        await _settle(pilot)
        line = widget_text(app.screen.query_one(StepProgress))
        assert f"{c['node']} " in line and f"{c['weight']}" in line
        assert len(app.screen.steps) == c["node"]


async def test_messages_after_u_and_x_cover_nothing(widget_text):
    """Issue 13 item 8: no toast over the step; the message sits on the progress line and states the
    pass-count convention (E after N updates)."""
    app = NNLabApp(mode="backprop")
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        await pilot.press("u")
        await _settle(pilot)
        assert len(app._notifications) == 0
        line = widget_text(app.screen.query_one(StepProgress))
        assert "Pass 2 begins: E after 1 updates" in line and "1/76" in line
        await pilot.press("x")
        await _settle(pilot)
        assert len(app._notifications) == 0
        assert "Bias updates on" in widget_text(app.screen.query_one(StepProgress))


async def test_a_refused_value_stays_readable_with_its_reason(widget_text):
    """Issue 13 item 6: e, Tab Tab, abc, Tab, Enter: the field still shows abc on one row, its label
    is marked, and the reason is written out."""
    app = NNLabApp(mode="backprop")
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        await pilot.press("e")
        await _settle(pilot)
        await pilot.press("tab", "tab", "a", "b", "c", "tab", "enter")
        await _settle(pilot)
        form = app.screen
        assert isinstance(form, BackpropEdit)
        field = form.query_one("#bp-field-w1", NumberField)
        assert field.region.height == 1 and "abc" in widget_text(field)
        assert form.query_one("#bp-label-w1").has_class("-refused")
        assert "abc" in widget_text(form.query_one("#bp-edit-errors"))


async def test_the_form_edits_any_network_and_loads_presets():
    lab = draw(parse_net("3-4-2", "relu,sigmoid", "ce"), 5)
    app = _app(lab)
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        screen = app.screen
        await pilot.press("e")
        await _settle(pilot)
        form = app.screen
        assert len(form.query(NumberField)) == len(lab.values())
        field = form.query_one("#bp-field-w14", NumberField)
        field.value = "0.75"
        await pilot.press("enter")
        await _settle(pilot)
        assert app.screen is screen and screen.lab.values()["w14"] == 0.75 and screen.edited
        for key, widths in (("relu", (2, 3, 2)), ("softmax", (3, 4, 3)), ("tutorial", (2, 2, 2))):
            await pilot.press("e")
            await _settle(pilot)
            app.screen.query_one(f"#bp-preset-{key}").press()
            await _settle(pilot)
            assert app.screen is screen and screen.lab.net.widths == widths and screen.index == 0
        assert screen.lab == tutorial_lab()


async def test_a_diverging_network_stops_with_a_message_not_a_traceback(widget_text):
    """An identity network with η = 100 blows up within a few passes: u says so and stays; i stops at
    the last finite pass and says it diverged."""
    from nnlab.ui.backprop.passes import BackpropPasses

    lab = draw(parse_net("1-1", "identity", "sse"), 1).with_values(lr=100.0, i1=10.0, w1=10.0)
    app = _app(lab)
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        screen = app.screen
        for _ in range(40):
            await pilot.press("u")
        await _settle(pilot)
        assert "Diverged" in widget_text(screen.query_one(StepProgress)) and 1 < screen.pass_no < 40
        screen.restart(lab, False)
        await pilot.press("i")
        await _settle(pilot)
        modal = app.screen
        assert isinstance(modal, BackpropPasses)
        modal.query_one(NumberField).value = "1000"
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await _settle(pilot)
        assert "Diverged: stopped after pass" in widget_text(modal.query_one("#bp-passes-summary"))
        await pilot.press("escape")
        await _settle(pilot)
        assert app.screen is screen and screen.pass_no > 1


async def test_n_passes_chart_any_network(widget_text):
    from nnlab.ui.backprop.loss_history import LossHistory
    from nnlab.ui.backprop.passes import BackpropPasses

    lab = draw(parse_net("3-4-4", "tanh", "ce"), 2)
    app = _app(lab)
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        await pilot.press("i")
        await _settle(pilot)
        modal = app.screen
        assert isinstance(modal, BackpropPasses)
        modal.query_one(NumberField).value = "50"
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await _settle(pilot)
        summary = widget_text(modal.query_one("#bp-passes-summary"))
        assert "out_o4" in summary and "(t4 " in summary
        chart = modal.query_one("#bp-chart-outputs", LossHistory)
        assert len(chart.targets) == 4 and chart.records[-1].index == 51
        await pilot.press("escape")
        await _settle(pilot)
        assert app.screen.pass_no == 51

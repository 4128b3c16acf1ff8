"""The neuron mode driven by keys: the displayed numbers follow inputs, weights, activation, zoom."""

from __future__ import annotations

import pytest

from nnlab.core import activations as A
from nnlab.core import losses as L
from nnlab.core.format import sig as fmt
from nnlab.i18n import t
from nnlab.ui.app import NNLabApp
from nnlab.ui.neuron.loss_panel import LossPanel
from nnlab.ui.neuron.neuron_panel import NeuronPanel
from nnlab.ui.neuron.softmax_panel import SoftmaxPanel
from nnlab.ui.shared.number_field import NumberField


async def _open(pilot):
    await pilot.pause()
    await pilot.pause()


def _text(app, widget_text, selector: str) -> str:
    """What the widget shows, its wrapped lines joined and runs of spaces collapsed."""
    return " ".join(widget_text(app.screen.query_one(selector)).split())


async def test_opens_on_the_one_input_preset_with_z_a_and_the_derivative(widget_text):
    app = NNLabApp(mode="neuron")
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot)
        assert app.focused is None  # the screen's keys work at once
        result = _text(app, widget_text, "#np-result")
        assert "= 2·1 + 1" in result and "= 3" in result
        assert f"a = σ(3) = {fmt(A.sigmoid(3.0))}" in result  # 0.952574
        assert f"σ'(3) = {fmt(A.d_sigmoid(3.0))}" in result  # 0.0451767
        assert "σ(z) = 1 / (1 + e^(−z))" in _text(app, widget_text, "#np-formula")


async def test_keys_change_the_input_and_the_numbers_follow(widget_text):
    app = NNLabApp(mode="neuron")
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot)
        await pilot.press("tab")
        assert app.focused.id == "x1"
        await pilot.press("up", "up")  # x = 1.2 → z = 2·1.2 + 1 = 3.4
        assert app.focused.value == "1.2"
        assert "= 3.4" in _text(app, widget_text, "#np-result")
        await pilot.press("-")  # the whole value is selected after a nudge: '-' nudges down
        assert "= 3.2" in _text(app, widget_text, "#np-result")
        await pilot.press("shift+up")  # coarse: +1
        assert app.focused.value == "2.1" and "= 5.2" in _text(app, widget_text, "#np-result")
        await pilot.press("ctrl+down")  # fine: -0.01
        assert app.focused.value == "2.09"
        await pilot.press("backspace", "-", "2", "enter")  # typed: x = -2 → z = -3
        result = _text(app, widget_text, "#np-result")
        assert "= 2·(-2) + 1" in result and "= -3" in result and fmt(A.sigmoid(-3.0)) in result
        # signs after an exponent are typed, not nudges: 2e-1 = 0.2 → z = 1.4; 1e+1 = 10 → z = 21
        await pilot.press("ctrl+u", *"2e-1", "enter")
        assert app.focused.number == 0.2 and "= 1.4" in _text(app, widget_text, "#np-result")
        await pilot.press("ctrl+u", *"1e+1", "enter")
        assert app.focused.number == 10.0 and "= 21" in _text(app, widget_text, "#np-result")
        await pilot.press("=")  # '=' (the unshifted '+') nudges up: 10.1
        assert app.focused.value == "10.1"


async def test_keys_change_weight_bias_and_activation(widget_text):
    app = NNLabApp(mode="neuron")
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot)
        await pilot.press("tab", "tab")
        assert app.focused.id == "w1"
        await pilot.press("down")  # w = 1.9 → z = 2.9
        assert "= 2.9" in _text(app, widget_text, "#np-result")
        await pilot.press("tab")
        assert app.focused.id == "b"
        await pilot.press("5", "enter")  # b = 5 → z = 6.9
        assert "= 6.9" in _text(app, widget_text, "#np-result")
        await pilot.press("escape")
        assert app.focused is None
        await pilot.press("a")  # sigmoid → tanh
        assert "tanh(z) = " in _text(app, widget_text, "#np-formula")
        assert f"a = tanh(6.9) = {fmt(A.tanh(6.9))}" in _text(app, widget_text, "#np-result")
        await pilot.press("a")  # → ReLU
        assert "ReLU'(6.9) = 1" in _text(app, widget_text, "#np-result")
        await pilot.press("A", "A")  # back to sigmoid
        assert app.screen.query_one(NeuronPanel).activation == "sigmoid"


async def test_every_activation_is_reachable_with_a_and_shows_formula_range_and_derivative(widget_text):
    app = NNLabApp(mode="neuron")
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot)
        seen = []
        for _ in A.NAMES:
            panel = app.screen.query_one(NeuronPanel)
            act = A.get(panel.activation)
            formula = _text(app, widget_text, "#np-formula")
            assert act.formula in formula and act.derivative in formula and act.output_range in formula
            assert fmt(act.f(3.0)) in _text(app, widget_text, "#np-result")
            seen.append(panel.activation)
            await pilot.press("a")
        assert sorted(seen) == sorted(A.NAMES)


async def test_zoom_and_pan_keys_move_the_window_and_its_numbers(widget_text):
    app = NNLabApp(mode="neuron")
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot)
        readout = lambda: _text(app, widget_text, "#np-readout")  # noqa: E731
        assert "z ∈ [-8, 8]" in readout()
        await pilot.press("plus")
        assert "z ∈ [-4, 4]" in readout()
        await pilot.press("minus", "minus")
        assert "z ∈ [-16, 16]" in readout()
        await pilot.press("right")  # a quarter of the width
        assert "z ∈ [-8, 24]" in readout()
        await pilot.press("0")
        assert "z ∈ [-8, 8]" in readout()
        await pilot.press("plus", "plus", "plus", "h", "h", "h", "h")  # [-1, 1], then 4 × half a unit left
        assert "z ∈ [-3, -1]" in readout()
        assert "off the plot" in readout()  # z = 3 is not in view any more
        await pilot.press("c")
        assert "z ∈ [2, 4]" in readout() and "off the plot" not in readout()


REJECTED = [
    ("", "num.empty"),
    ("abc", "num.not_number"),
    ("inf", "num.not_number"),
    ("nan", "num.not_number"),
    ("-inf", "num.not_number"),
    ("1e7", "num.range"),
    ("-1000001", "num.range"),
    ("1e400", "num.range"),
    ("1 0", "num.spaces"),
]


async def test_every_rejected_input_shows_why_and_keeps_the_last_valid_value(widget_text):
    app = NNLabApp(mode="neuron")
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot)
        for typed, reason_key in REJECTED:
            field = app.screen.query_one("#x1", NumberField)
            field.focus()
            field.value = typed  # as if typed (the typing itself is exercised in the tests above)
            await pilot.press("enter")
            message = _text(app, widget_text, "#np-message")
            reason = t(reason_key, text=typed, lo="-1000000", hi="1000000")
            assert message == f"x₁: {reason} Kept 1.", typed
            assert app.screen.query_one(NeuronPanel).inputs[0] == 1.0
            assert "= 3" in _text(app, widget_text, "#np-result")  # z unchanged
            await pilot.press("tab")  # leaving the field puts the last valid value back
            assert app.screen.query_one("#x1", NumberField).value == "1"
            assert message == _text(app, widget_text, "#np-message")  # the reason stays in view


async def test_a_valid_value_clears_the_message(widget_text):
    app = NNLabApp(mode="neuron")
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot)
        await pilot.press("tab", "backspace", "x", "enter")
        assert "x₁" in _text(app, widget_text, "#np-message")
        await pilot.press("backspace", "4", "enter")
        assert _text(app, widget_text, "#np-message").strip() == ""
        assert "= 9" in _text(app, widget_text, "#np-result")


async def test_body_weight_preset_shows_9_7_inside_the_normal_band(widget_text):
    app = NNLabApp(mode="neuron")
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot)
        await pilot.press("p")
        result = _text(app, widget_text, "#np-result")
        assert "= 0.1·1 + 0.03·180 + 0.06·70 + 0" in result and "= 0.1 + 5.4 + 4.2 + 0" in result
        assert "= 9.7" in result and "(6, 13)" in result and "inside" in result
        assert "height cm" in _text(app, widget_text, "#np-label2")
        # heavier: 0.06 · 150 = 9 → z = 14.5, outside
        await pilot.press("tab", "tab", "tab", "tab", "tab")
        assert app.focused.id == "x3"
        await pilot.press("backspace", *"150", "enter")
        result = _text(app, widget_text, "#np-result")
        assert "= 14.5" in result and "outside" in result
        assert "edited" in _text(app, widget_text, "#np-head")


async def test_inputs_can_be_added_and_removed(widget_text):
    app = NNLabApp(mode="neuron")
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot)
        panel = app.screen.query_one(NeuronPanel)
        for expected in (2, 3, 4, 5, 6, 6):
            await pilot.press("n")
            assert panel.count == expected
        assert "At most 6 inputs" in _text(app, widget_text, "#np-message")
        assert app.screen.query_one("#np-row6").display
        assert "= 3" in _text(app, widget_text, "#np-result")  # new inputs come with w = 0
        for expected in (5, 4, 3, 2, 1, 1):
            await pilot.press("r")
            assert panel.count == expected
        assert not app.screen.query_one("#np-row2").display


async def test_hints_dead_relu_and_vanishing_gradient(widget_text):
    app = NNLabApp(mode="neuron")
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot)
        await pilot.press("a", "a")  # ReLU, z = 3: no hint
        assert "dead" not in _text(app, widget_text, "#np-readout")
        await pilot.press("tab", "backspace", "-", "2", "enter")  # z = -3
        readout = _text(app, widget_text, "#np-readout")
        assert "neuron is dead for this input" in readout and "gradient vanishes" in readout
        await pilot.press("escape", "A", "A")  # sigmoid at z = -3: σ' = 0.045, no hint
        assert "vanishes" not in _text(app, widget_text, "#np-readout")
        await pilot.press("tab", "backspace", "5", "enter")  # z = 11: σ'(11) = 1.67e-05
        assert "gradient vanishes here" in _text(app, widget_text, "#np-readout")


async def test_compare_view_overlays_the_three_at_the_neurons_z(widget_text):
    app = NNLabApp(mode="neuron")
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot)
        await pilot.press("right_square_bracket")
        table = _text(app, widget_text, "#cp-table")
        for name in A.TUTORIAL_THREE:
            assert fmt(A.get(name).f(3.0)) in table and fmt(A.get(name).df(3.0)) in table
        assert "gradient vanishes" in table  # tanh'(3) = 0.00987
        plot = app.screen.query_one("#cp-plot")
        assert plot.names == A.TUTORIAL_THREE and not plot.derivatives
        await pilot.press("d")
        assert plot.derivatives
        await pilot.press("plus")
        assert "z ∈ [-2, 2]" in _text(app, widget_text, "#cp-readout")  # from the compare default [-4, 4]
        await pilot.press("a")  # the neuron panel's key does nothing here
        assert app.screen.query_one(NeuronPanel).activation == "sigmoid"
        await pilot.press("left_square_bracket", "tab", "backspace", "-", "3", "enter")  # z = -5
        await pilot.press("escape", "right_square_bracket")
        assert "at z = -5" in _text(app, widget_text, "#cp-table")
        assert "dead" in _text(app, widget_text, "#cp-table")


async def test_loss_panel_gradient_descent_makes_the_loss_fall(widget_text):
    app = NNLabApp(mode="neuron")
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot)
        await pilot.press("right_square_bracket", "right_square_bracket")
        panel = app.screen.query_one(LossPanel)
        xs, ys = panel.xs[: panel.count], panel.ys[: panel.count]
        before = L.mse(0.5, 0.0, xs, ys)
        assert f"MSE = (1/n)·Σ(w·xᵢ+b−yᵢ)² = {fmt(before)}" in _text(app, widget_text, "#lp-losses")
        assert f"= {fmt(L.l1(0.5, 0.0, xs, ys))}" in _text(app, widget_text, "#lp-losses")
        await pilot.press("g")
        step = L.gd_step(0.5, 0.0, xs, ys, 0.05)
        assert (panel.w, panel.b) == (step.w, step.b)
        assert app.screen.query_one("#lw", NumberField).value == f"{step.w:.6g}"
        assert f"step 1: MSE {fmt(before)} → {fmt(step.loss_after)}" in _text(app, widget_text, "#lp-step")
        for _ in range(9):
            await pilot.press("g")
        assert panel.history[-1] < panel.history[0] / 4
        assert all(b < a for a, b in zip(panel.history, panel.history[1:]))
        await pilot.press("m", "g")  # descend L1 now
        assert "step 1: L1" in _text(app, widget_text, "#lp-step")


async def test_loss_panel_run_key_animates_steps_and_w_b_are_editable(widget_text):
    app = NNLabApp(mode="neuron")
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot)
        await pilot.press("right_square_bracket", "right_square_bracket", "G")
        panel = app.screen.query_one(LossPanel)
        assert panel.running
        await pilot.pause(1.0)
        assert panel.steps >= 3
        await pilot.press("G")
        assert not panel.running
        done = panel.steps
        await pilot.pause(0.3)
        assert panel.steps == done
        # w is a field: typed, the losses follow
        panel.query_one("#lw").focus()
        await pilot.press("backspace", "2", "enter")
        assert panel.w == 2.0 and f"= {fmt(L.l1(2.0, panel.b, panel.xs[:5], panel.ys[:5]))}" in _text(
            app, widget_text, "#lp-losses"
        )
        await pilot.press("escape", "n")
        assert panel.count == 6 and app.screen.query_one("#lp-row6").display


async def test_loss_panel_says_when_the_step_is_too_large(widget_text):
    app = NNLabApp(mode="neuron")
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot)
        await pilot.press("right_square_bracket", "right_square_bracket")
        app.screen.query_one("#lr").focus()
        await pilot.press("backspace", "1", "enter", "escape", "g")
        assert "The loss rose" in _text(app, widget_text, "#lp-step")
        for _ in range(12):
            await pilot.press("g")
        assert "Diverged" in _text(app, widget_text, "#lp-message")
        app.screen.query_one("#lr").focus()
        await pilot.press("backspace", "0", "enter")
        assert "Must not be 0" in _text(app, widget_text, "#lp-message")


async def test_softmax_panel_probabilities_target_and_cross_entropy(widget_text):
    # The numbers shown are L.cross_entropy's, which tests/core/test_losses.py checks against torch.
    app = NNLabApp(mode="neuron")
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot)
        await pilot.press("left_square_bracket")  # wraps round to the last panel
        panel = app.screen.query_one(SoftmaxPanel)
        assert "Σp = 1" in _text(app, widget_text, "#sp-ce")
        assert fmt(L.softmax([2, 1, 0.1])[0]) in _text(app, widget_text, "#sp-out1")
        await pilot.press("t")  # target: class 2
        ce = L.cross_entropy([2.0, 1.0, 0.1], 1)
        assert f"CE = −log p₂ = −log({fmt(L.softmax([2, 1, 0.1])[1])}) = {fmt(ce)}" in _text(app, widget_text, "#sp-ce")
        assert "◀ target" in _text(app, widget_text, "#sp-out2")
        # logits of 1000: stable
        panel.query_one("#z1").focus()
        await pilot.press("backspace", *"1000", "enter", "tab", "backspace", *"1000", "enter", "escape")
        text = _text(app, widget_text, "#sp-ce")
        assert "Σp = 1" in text and "nan" not in text and "inf" not in text
        assert "0.5" in _text(app, widget_text, "#sp-out1")
        await pilot.press("T", "T")  # target: class 3, whose p underflows
        ce = L.cross_entropy([1000.0, 1000.0, 0.1], 2)  # 999.9 + ln 2 = 1000.59: finite although p₃ = 0
        text = _text(app, widget_text, "#sp-ce")
        assert f"= {fmt(ce)}" in text and fmt(ce) == "1000.59" and "underflows" in text
        for expected in (4, 5, 6, 7, 8, 9, 10, 10):
            await pilot.press("n")
            assert panel.count == expected
        assert "At most 10" in _text(app, widget_text, "#sp-message")
        for _ in range(9):
            await pilot.press("r")
        assert panel.count == 2 and panel.target <= 1 and "At least 2" in _text(app, widget_text, "#sp-message")


async def test_chinese_labels(zh, widget_text):
    app = NNLabApp(mode="neuron")
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot)
        await pilot.press("p")
        assert "预设：体重检查" in _text(app, widget_text, "#np-head")
        assert "在区间内" in _text(app, widget_text, "#np-result")
        assert "身高 cm" in _text(app, widget_text, "#np-label2")
        assert "神经元" in _text(app, widget_text, "#panel-bar")


def test_the_z_window_zooms_pans_and_stays_resolvable():
    from nnlab.ui.neuron.activation_plot import ZWindow

    w = ZWindow()
    assert (w.lo, w.hi) == (-8, 8)
    w.zoom(0.5)
    w.pan(0.25)
    assert (w.lo, w.hi) == (-2, 6)
    for _ in range(100):
        w.zoom(0.5)
    assert w.half == 1e-3  # the floor near 0
    w.centre_on(-1e12)  # a z of -1e12: a 1e-3 window would be below float64's resolution there
    assert w.half == 1e6 and w.text() == "z ∈ -1e+12 ± 1e+06"
    for _ in range(100):
        w.zoom(2)
    assert w.half == 1e6


async def test_a_typed_negative_number_is_the_number_you_get_in_every_panel(widget_text):
    """Issue 13.1: Tab into a field (its text selected) and type -5: the value is -5, not 5."""
    app = NNLabApp(mode="neuron")
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot)
        await pilot.press("a", "a")  # ReLU: the dead-ReLU demonstration needs a negative bias
        await pilot.press("tab", "tab", "tab")
        assert app.focused.id == "b"
        await pilot.press("-", "5", "enter")
        panel = app.screen.query_one(NeuronPanel)
        assert panel.bias == -5.0 and app.focused.value == "-5"
        assert "= 2·1 + (-5)" in _text(app, widget_text, "#np-result")
        await pilot.press("end", "-", "-")  # cursor at the end of "-5": '-' nudges, twice
        assert panel.bias == -5.2
        await pilot.press("-", "7", "enter")  # '-' then a digit over a nudged value: a typed sign
        assert panel.bias == -7.0 and app.focused.value == "-7"
        await pilot.press("escape", "]", "]")  # the loss panel: x₁ of the first point
        loss = app.screen.query_one(LossPanel)
        await pilot.press("tab")
        assert app.focused.id == "px1"
        await pilot.press("-", "3", "enter")
        assert loss.xs[0] == -3.0
        await pilot.press("escape", "]")  # softmax: z₁
        softmax = app.screen.query_one(SoftmaxPanel)
        await pilot.press("tab")
        assert app.focused.id == "z1"
        await pilot.press("-", "2", ".", "5", "enter")
        assert softmax.logits[0] == -2.5


async def test_a_nudge_keeps_a_typed_sign():
    """A lone typed '-' then ↑: the sign stays (from b = 1: '-' → ↑ gives -0.9, not 1.1)."""
    app = NNLabApp(mode="neuron")
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot)
        await pilot.press("tab", "tab", "tab", "-")
        assert app.focused.value == "-"
        await pilot.press("up")
        assert app.screen.query_one(NeuronPanel).bias == -0.9


async def test_the_band_is_on_z_and_the_sigmoid_plot_keeps_its_own_y_range(widget_text):
    """Issue 13.2: body-weight preset, then sigmoid: z = 9.7 is inside (6, 13); the y axis stays
    within the sigmoid's (0, 1), the band drawn as two z lines rather than stretching y to 13."""
    app = NNLabApp(mode="neuron")
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot)
        await pilot.press("p", "a")
        assert app.screen.query_one(NeuronPanel).activation == "sigmoid"
        result = _text(app, widget_text, "#np-result")
        assert "normal band (6, 13): z = 9.7 is inside" in result
        plot = widget_text(app.screen.query_one("#np-plot"))
        y_labels = [
            float(line.split("┤")[0]) for line in plot.splitlines() if "┤" in line and line.split("┤")[0].strip()
        ]
        assert y_labels and max(y_labels) <= 1.0 + 1e-9 and min(y_labels) >= 0.0


async def test_an_l1_step_that_raises_the_loss_is_explained_as_oscillation_at_the_kink(widget_text):
    """Issue 13.5: on L1 a fixed step overshoots the kink; "η may be too large" is not the story."""
    app = NNLabApp(mode="neuron")
    async with app.run_test(size=(100, 30)) as pilot:
        await _open(pilot)
        await pilot.press("]", "]", "m")
        loss = app.screen.query_one(LossPanel)
        assert loss.loss == "l1"
        for _ in range(60):
            await pilot.press("g")
            if loss.last_step.loss_after > loss.last_step.loss_before:
                break
        else:
            pytest.fail("no L1 step raised the loss")
        step = _text(app, widget_text, "#lp-step")
        assert "oscillation" in step and "kink" in step and "may be too large" not in step


async def test_softmax_shows_the_e_z_step_the_torch_link_and_no_false_equation_at_p_0(widget_text):
    """Issue 13.4: pᵢ = e^zᵢ / Σⱼ e^zⱼ with an e^z column; p that rounds to 0 is said, not −log(0)."""
    app = NNLabApp(mode="neuron")
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot)
        await pilot.press("left_square_bracket")
        text = _text(app, widget_text, "#sp-ce")
        assert "pᵢ = e^zᵢ / Σⱼ e^zⱼ" in text and "nn.CrossEntropyLoss" in text
        assert "e^zᵢ" in _text(app, widget_text, "#sp-head-out")
        assert _text(app, widget_text, "#sp-out1").startswith("7.389")  # e² = 7.389
        panel = app.screen.query_one(SoftmaxPanel)
        panel.query_one("#z1").focus()
        await pilot.press("backspace", *"1000", "enter", "escape", "t")  # z = (1000, 1, 0.1), target 2
        text = _text(app, widget_text, "#sp-ce")
        assert "−log(0)" not in text and "p₂ rounds to 0" in text
        assert f"CE = logsumexp(z) − z₂ = {fmt(1000.0)} − 1 = {fmt(L.cross_entropy([1000.0, 1.0, 0.1], 1))}" in text
        assert "e^(zᵢ−m)" in _text(app, widget_text, "#sp-head-out")  # e^1000 would overflow


async def test_compare_opens_where_the_s_shapes_show_z_is_typeable_and_f_prime_is_dotted(widget_text):
    """Issue 13.3: z ∈ [-4, 4], y clipped to [-1.2, 2]; z typed in the panel; f' drawn with '·'."""
    from nnlab.ui.neuron.compare_panel import ComparePanel

    app = NNLabApp(mode="neuron")
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot)
        await pilot.press("]", "d")
        assert "z ∈ [-4, 4]" in _text(app, widget_text, "#cp-readout")
        plot = widget_text(app.screen.query_one("#cp-plot"))
        assert "2.00┤" in plot and "-1.20┤" in plot and "·" in plot
        await pilot.press("tab")
        assert app.focused.id == "cp-z"
        await pilot.press("-", "2", "enter")
        assert app.screen.query_one(ComparePanel).z == -2.0
        assert "at z = -2" in _text(app, widget_text, "#cp-table")

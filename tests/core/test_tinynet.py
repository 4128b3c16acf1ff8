"""The 2-2-2 network: every value the tutorial printed, the step list, the update, autograd agreement."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnlab.core import tinynet
from nnlab.core.tinynet import (
    PARAM_NAMES,
    TUTORIAL,
    TUTORIAL_VALUES,
    Params,
    chain_view,
    compute,
    forward,
    gradients,
    num,
    run_passes,
    steps,
    update,
)

# The tutorial's printed values, quoted from the issue (not from our own table).
PRINTED = {
    "l_h1": 0.385,
    "l_h2": 0.400,
    "out_h1": 0.595078474,
    "out_h2": 0.598687660,
    "l_o1": 0.8583102995,
    "l_o2": 0.9179986062,
    "out_o1": 0.702307507,
    "out_o2": 0.714634132,
    "E_o1": 0.010906536,
    "E_o2": 0.085960731,
    "E_total": 0.096867268,
}
PRINTED_STEPS = {  # step id → tutorial value
    "w5.dE_dout": -0.147692493,
    "w5.dout_dl": 0.209071672,
    "w5.dl_dw": 0.595078474,
    "w5.grad": -0.018375021,
    "w5.update": 0.268375021,
    "w1.delta_o1": -0.030878316,
    "w1.dl_o1_dout": 0.25,
    "w1.path_o1": -0.007719579,
    "w1.path_o2": 0.025367174,
    "w1.dE_dout_h": 0.017647595,
    "w1.dout_dl": 0.240960084,
    "w1.dl_dw": 0.1,
    "w1.grad": 0.000425237,
    "w1.update": 0.049574763,
}


@pytest.mark.parametrize("name", list(PRINTED))
def test_forward_matches_the_tutorial(name):
    assert forward(TUTORIAL)[name] == pytest.approx(PRINTED[name], abs=1e-9)


@pytest.mark.parametrize("step_id", list(PRINTED_STEPS))
def test_backward_steps_match_the_tutorial(step_id):
    by_id = {s.id: s for s in steps(TUTORIAL)}
    assert by_id[step_id].value == pytest.approx(PRINTED_STEPS[step_id], abs=1e-9)
    assert by_id[step_id].tutorial == PRINTED_STEPS[step_id]  # shown beside ours on screen


def test_every_forward_step_matches_and_carries_the_printed_value():
    fwd = [s for s in steps(TUTORIAL) if s.phase == "forward"]
    assert [s.symbol for s in fwd] == [
        "l_h1",
        "out_h1",
        "l_h2",
        "out_h2",
        "l_o1",
        "out_o1",
        "l_o2",
        "out_o2",
        "E_o1",
        "E_o2",
        "E_total",
    ]
    for s in fwd:
        assert s.tutorial == PRINTED[s.symbol]
        assert abs(s.value - PRINTED[s.symbol]) <= 1e-9


def test_our_table_of_tutorial_values_agrees_with_every_step_it_labels():
    for s in steps(TUTORIAL, bias_updates=True):
        if s.tutorial is not None:
            assert abs(s.value - s.tutorial) <= 1e-9, s.id
    assert {s.symbol for s in steps(TUTORIAL) if s.tutorial is not None} == set(TUTORIAL_VALUES)


def test_tutorial_values_are_only_attached_to_the_tutorial_network():
    other = TUTORIAL.with_values(w5=0.3)
    assert all(s.tutorial is None for s in steps(other))


def test_the_order_of_the_pass():
    ids = [s.id for s in steps(TUTORIAL)]
    phases = [s.phase for s in steps(TUTORIAL)]
    assert phases == sorted(phases, key=tinynet.PHASES.index)  # forward, output, hidden, update
    assert len(ids) == len(set(ids))
    assert ids[11:16] == ["w5.dE_dout", "w5.dout_dl", "w5.dl_dw", "w5.grad", "w5.update"]
    w1 = [i for i in ids if i.startswith("w1.")]
    assert w1 == [
        "w1.delta_o1",
        "w1.dl_o1_dout",
        "w1.path_o1",
        "w1.delta_o2",
        "w1.dl_o2_dout",
        "w1.path_o2",
        "w1.dE_dout_h",
        "w1.dout_dl",
        "w1.dl_dw",
        "w1.grad",
        "w1.update",
    ]
    assert ids[-1] == "pass.E_after"
    assert len(ids) == 11 + 4 * 5 + 4 * 11 + 1
    assert len(steps(TUTORIAL, bias_updates=True)) == len(ids) + 12


def test_each_step_carries_formula_numbers_explanation_and_what_it_touches():
    for s in steps(TUTORIAL, bias_updates=True):
        assert s.formula.startswith(s.symbol + " = ")
        assert s.substituted.startswith(s.symbol + " = ")
        for lang in ("en", "zh"):
            assert s.explanation(lang).strip() and "{" not in s.explanation(lang)
        assert s.nodes or s.edges
        assert set(s.nodes) <= {"i1", "i2", "h1", "h2", "o1", "o2", "b1", "b2", "t1", "t2", "E"}
        assert set(s.edges) <= set(tinynet.WEIGHTS)
    by_id = {s.id: s for s in steps(TUTORIAL)}
    assert by_id["w1.dl_o1_dout"].edges == ("w5",) and set(by_id["w1.dl_o1_dout"].nodes) == {"h1", "o1"}
    assert by_id["fwd.l_h1"].edges == ("w1", "w2") and "b1" in by_id["fwd.l_h1"].nodes


def test_substituted_formulas_show_the_numbers_that_give_the_value():
    by_id = {s.id: s for s in steps(TUTORIAL)}
    assert by_id["fwd.l_h1"].substituted == "l_h1 = 0.05·0.1 + 0.15·0.2 + 0.35 = 0.385"
    assert by_id["w5.grad"].substituted.endswith("= −0.018375022")
    assert by_id["w5.update"].substituted == "w5⁺ = 0.25 − 1·(−0.018375022) = 0.268375022"
    for p in (TUTORIAL, TUTORIAL.with_values(w1=-0.7, i2=3.0, lr=0.5)):
        for s in steps(p, bias_updates=True):
            if s.id == "pass.E_after":
                assert s.substituted.endswith("→ " + num(s.value))
            else:
                assert s.substituted.rsplit(" = ", 1)[1] == num(s.value), s.id


def test_hidden_layer_uses_the_old_output_weights():
    p = TUTORIAL
    g = gradients(p)
    by_id = {s.id: s for s in steps(p)}
    assert by_id["w1.dl_o1_dout"].value == p.w5  # 0.25, not w5⁺ = 0.268375021
    f = forward(p)
    s_o1, s_o2 = f["out_o1"] * (1 - f["out_o1"]), f["out_o2"] * (1 - f["out_o2"])
    expected = (
        ((f["out_o1"] - p.t1) * s_o1 * p.w5 + (f["out_o2"] - p.t2) * s_o2 * p.w7)
        * f["out_h1"]
        * (1 - f["out_h1"])
        * p.i1
    )
    assert g["w1"] == pytest.approx(expected, rel=1e-15)


def test_all_updates_apply_together_and_biases_only_when_asked():
    p = TUTORIAL
    g = gradients(p)
    after = update(p)
    for w in tinynet.WEIGHTS:
        assert getattr(after, w) == getattr(p, w) - p.lr * g[w]
    assert (after.b1, after.b2) == (p.b1, p.b2)
    with_bias = update(p, bias_updates=True)
    assert with_bias.b1 == p.b1 - g["b1"] and with_bias.b2 == p.b2 - g["b2"]
    P = compute(p)
    # a shared bias's gradient sums over its layer
    assert g["b2"] == pytest.approx(P.local["delta_o1"] + P.local["delta_o2"], rel=1e-15)
    assert g["b1"] == pytest.approx(P.local["delta_h1"] + P.local["delta_h2"], rel=1e-15)
    last = steps(p)[-1]
    assert last.value == pytest.approx(forward(after)["E_total"], rel=1e-15)
    assert last.value < forward(p)["E_total"]


def test_learning_rate_scales_the_step():
    p = TUTORIAL.with_values(lr=0.5)
    assert update(p).w5 == pytest.approx(0.25 + 0.5 * 0.018375021, abs=1e-9)


def test_passes_make_the_error_fall():
    after, history = run_passes(TUTORIAL, 50)
    errors = [r.E_total for r in history]
    assert len(history) == 50 and [r.index for r in history] == list(range(1, 51))
    assert errors[0] == pytest.approx(forward(update(TUTORIAL))["E_total"], rel=1e-15)
    assert all(b < a for a, b in zip(errors, errors[1:]))
    assert errors[-1] < 0.5 * forward(TUTORIAL)["E_total"]
    assert history[-1].E_total == forward(after)["E_total"]


def test_chain_fills_in_one_factor_at_a_time():
    all_steps = steps(TUTORIAL)
    ids = [s.id for s in all_steps]
    first = ids.index("w5.dE_dout")
    seen = []
    for k in range(4):
        ((lhs, terms),) = chain_view(all_steps, first + k)
        factors = terms[0]
        seen.append([f.value is not None for f in factors] + [lhs.value is not None])
    assert seen == [
        [True, False, False, False],
        [True, True, False, False],
        [True, True, True, False],
        [True, True, True, True],
    ]
    ((lhs, terms),) = chain_view(all_steps, first + 3)
    assert lhs.current and lhs.symbol == "∂E_total/∂w5"
    assert math.prod(f.value for f in terms[0]) == pytest.approx(lhs.value, rel=1e-15)


def test_sigmoid_does_not_overflow():
    assert tinynet.sigmoid(-1000.0) == 0.0 and tinynet.sigmoid(1000.0) == 1.0
    steps(TUTORIAL.with_values(w1=100.0, i1=100.0, b1=-100.0, w5=-100.0))  # no OverflowError


# ---- autograd agreement (torch float64) -------------------------------------------------------

finite = st.floats(min_value=-3.0, max_value=3.0, allow_nan=False, allow_infinity=False)
unit = st.floats(min_value=0.0, max_value=1.0, allow_nan=False, allow_infinity=False)


@st.composite
def networks(draw) -> Params:
    values = {name: draw(finite) for name in PARAM_NAMES if name not in ("t1", "t2", "lr")}
    values.update(t1=draw(unit), t2=draw(unit), lr=draw(st.floats(min_value=0.01, max_value=5.0)))
    return TUTORIAL.with_values(**values)


def test_autograd_agrees_on_the_tutorial_network():
    from nnlab.train.autograd_check import check

    result = check(TUTORIAL)
    assert result.max_abs_diff <= 1e-12
    assert result.autograd["w5"] == pytest.approx(-0.018375021, abs=1e-9)
    assert set(result.autograd) == set(tinynet.WEIGHTS + tinynet.BIASES)


@settings(max_examples=200, deadline=None)
@given(networks())
def test_autograd_agrees_on_random_networks(p):
    from nnlab.train.autograd_check import check

    result = check(p)
    assert result.max_abs_diff <= 1e-12, (p, result.worst)


@settings(max_examples=50, deadline=None)
@given(networks())
def test_step_values_agree_with_autograd_too(p):
    """The gradient and update steps the screen shows are the autograd gradients, not just compute()."""
    from nnlab.train.autograd_check import autograd_gradients

    theirs = autograd_gradients(p)
    by_id = {s.id: s for s in steps(p, bias_updates=True)}
    for name in tinynet.WEIGHTS + tinynet.BIASES:
        assert abs(by_id[f"{name}.grad"].value - theirs[name]) <= 1e-12
        assert abs(by_id[f"{name}.update"].value - (getattr(p, name) - p.lr * theirs[name])) <= 1e-11


def test_the_check_notices_a_wrong_gradient(monkeypatch):
    from nnlab.train import autograd_check

    real = autograd_check.gradients
    monkeypatch.setattr(autograd_check, "gradients", lambda p: {**real(p), "w3": real(p)["w3"] + 1e-6})
    result = autograd_check.check(TUTORIAL)
    assert result.worst == "w3" and result.max_abs_diff == pytest.approx(1e-6, rel=1e-6)


def test_small_values_keep_significant_digits():
    """Issue 15 item 6: 9 fixed decimals left 0.000017489 + 0.00001762 (5 and 4 digits) and turned
    3e-11 into 0; under 1e-4 a value keeps 6 significant digits. The tutorial's own are all larger."""
    from nnlab.core.tinynet import num

    assert num(0.000017489123) == "1.74891e−5" and num(-0.00001762) == "−1.76200e−5"
    assert num(3.2e-11) == "3.20000e−11" and num(0.0) == "0"
    assert num(0.000425237384) == "0.000425237" and num(1e-4) == "0.0001"
    assert all(abs(s.value) >= 1e-4 or s.value == 0 for s in steps(TUTORIAL, True))

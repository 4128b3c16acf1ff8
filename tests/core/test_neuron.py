"""The neuron: the tutorial's presets, the sum written out, hints."""

from __future__ import annotations

import pytest

from nnlab.core import activations as A
from nnlab.core.format import sig as fmt
from nnlab.core.neuron import PRESETS, evaluate


def test_body_weight_preset_gives_the_tutorials_9_7_inside_the_normal_band():
    p = PRESETS["body_weight"]
    r = evaluate(p.inputs, p.weights, p.bias, p.activation)
    assert r.z == pytest.approx(9.7, abs=1e-12)
    assert fmt(r.z) == "9.7" and fmt(r.a) == "9.7"
    assert p.band == (6.0, 13.0) and r.in_band(p.band)
    assert r.sum_written_out() == ("0.1·1 + 0.03·180 + 0.06·70 + 0", "0.1 + 5.4 + 4.2 + 0")


def test_body_weight_outside_the_band_when_heavier():
    p = PRESETS["body_weight"]
    r = evaluate((1, 180, 150), p.weights, p.bias, p.activation)  # 0.1 + 5.4 + 9 = 14.5
    assert fmt(r.z) == "14.5" and not r.in_band(p.band)


def test_one_input_preset_is_2x_plus_1_then_sigmoid():
    p = PRESETS["one_input"]
    assert (p.weights, p.bias, p.activation) == ((2.0,), 1.0, "sigmoid")
    for x in (-3.0, 0.0, 1.0, 2.5):
        r = evaluate((x,), p.weights, p.bias, p.activation)
        assert r.z == 2 * x + 1
        assert r.a == A.sigmoid(2 * x + 1) and r.da == A.d_sigmoid(2 * x + 1)


def test_negative_numbers_are_bracketed_in_the_written_sum():
    r = evaluate((-3.0, 2.0), (2.0, -1.5), -1.0, "identity")
    assert r.sum_written_out() == ("2·(-3) + -1.5·2 + (-1)", "(-6) + (-3) + (-1)")
    assert r.z == -10.0


def test_hints():
    assert evaluate((-1,), (1,), 0, "relu").dead_relu
    assert not evaluate((1,), (1,), 0, "relu").dead_relu
    assert evaluate((10,), (1,), 0, "sigmoid").vanishing  # σ'(10) ≈ 4.5e-5
    assert not evaluate((0,), (1,), 0, "sigmoid").vanishing  # σ'(0) = 0.25
    assert evaluate((3,), (1,), 0, "step").vanishing


def test_input_count_is_checked():
    with pytest.raises(ValueError):
        evaluate((), (), 0, "relu")
    with pytest.raises(ValueError):
        evaluate((1,) * 7, (1,) * 7, 0, "relu")
    with pytest.raises(ValueError):
        evaluate((1, 2), (1,), 0, "relu")


def test_fmt_never_prints_negative_zero():
    assert fmt(-0.0) == "0" and fmt(0.952574126822433) == "0.952574" and fmt(6e12) == "6e+12"


def test_cli_preset_names_match_the_core_presets():
    from nnlab.commands.neuron import PRESETS as CLI_PRESETS
    from nnlab.core.neuron import PRESETS as CORE_PRESETS

    assert tuple(CLI_PRESETS) == tuple(CORE_PRESETS)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "identity"])
def test_the_normal_band_is_checked_on_z_not_on_the_activation(activation):
    """Issue 13.2: the tutorial's band (6, 13) is on w·x + b = 9.7; σ(9.7) = 0.99994 is not the point."""
    p = PRESETS["body_weight"]
    r = evaluate(p.inputs, p.weights, p.bias, activation)
    assert r.in_band(p.band)
    heavier = evaluate((1, 180, 150), p.weights, p.bias, activation)
    assert not heavier.in_band(p.band)

"""Snapshots of the neuron mode's four panels at 80x24 and 120x40, in English and Chinese."""

from __future__ import annotations

import pytest

from nnlab import i18n
from nnlab.commands.neuron import PANELS as CLI_PANELS
from nnlab.ui.app import NNLabApp
from nnlab.ui.neuron.screen import PANELS

# The keys that open each panel from the first one.
OPEN = {
    "neuron": [],
    "compare": ["right_square_bracket"],
    "loss": ["right_square_bracket"] * 2,
    "softmax": ["left_square_bracket"],
}


def test_the_cli_offers_the_screens_panels():
    assert CLI_PANELS == PANELS


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_neuron_panel(snap_compare, size):
    """The one-input preset: x₁ = 1, w₁ = 2, b = 1; z written out as 2·1 + 1 = 2 + 1 = 3,
    a = σ(3) = 0.952574, f'(z) = 0.0451767; on the right σ's formula, derivative and range (0, 1)
    above a plot of σ (cyan) and σ' (orange) over z ∈ [-8, 8] with a grey line at z = 3 and the
    points labelled (3, 0.953) and (3, 0.0452). Nothing is cut off."""
    assert snap_compare(NNLabApp(mode="neuron"), terminal_size=size)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_compare_panel(snap_compare, size):
    """The Compare panel with derivatives on (d): a table of f(z) and f'(z) at z = 3 for sigmoid,
    tanh (marked "gradient vanishes") and ReLU, then the three curves and their derivatives
    (dotted) overlaid, each point at z = 3 marked."""
    assert snap_compare(NNLabApp(mode="neuron"), terminal_size=size, press=[*OPEN["compare"], "d"])


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_loss_panel_after_five_steps(snap_compare, size):
    """The Loss panel after five gradient-descent steps (g ×5) on MSE with η = 0.05: five (x, y)
    points near y = 2x + 1 with their residuals, w and b moved from 0.5 and 0, L1 and MSE much
    lower than at the start (MSE 20.184 → …), a falling sparkline, and on the right the points
    (orange), the line (cyan) and grey residual segments."""
    assert snap_compare(NNLabApp(mode="neuron"), terminal_size=size, press=[*OPEN["loss"], *"ggggg"])


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_softmax_panel(snap_compare, size):
    """The Softmax panel: logits 2, 1, 0.1 with p = 0.659, 0.242, 0.0986 as bars, class 1 marked
    as the target, ∂CE/∂z = p − y per class, Σp = 1 and CE = −log p₁ = 0.41703 written both as
    −log p and as logsumexp(z) − z₁."""
    assert snap_compare(NNLabApp(mode="neuron"), terminal_size=size, press=OPEN["softmax"])


@pytest.mark.parametrize("panel", PANELS)
def test_chinese_80x24(snap_compare, panel):
    """Each panel in Chinese at 80x24: labels translated, the numbers and formulas as in English,
    the table columns aligned although Chinese characters take two cells."""
    i18n.set_lang("zh")
    assert snap_compare(
        NNLabApp(mode="neuron"), terminal_size=(80, 24), press=[*OPEN[panel], "p"] if panel == "neuron" else OPEN[panel]
    )


def test_body_weight_with_a_rejected_value_80x24(snap_compare):
    """The body-weight preset (p): sex 1, height cm 180, weight kg 70, weights 0.1, 0.03, 0.06,
    z = 0.1·1 + 0.03·180 + 0.06·70 + 0 = 9.7 "inside" the normal band (6, 13) in green; the
    plot centred on z = 9.7. Below the numbers a red line says the typed "abc" for x₂ is not a
    number and that 180 was kept; the box shows 180 again."""
    keys = ["p", "tab", "tab", "tab", "backspace", "a", "b", "c", "enter", "escape"]
    assert snap_compare(NNLabApp(mode="neuron"), terminal_size=(80, 24), press=keys)

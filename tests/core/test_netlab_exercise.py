"""Exercise checks: the tolerance stated, what is hidden, and a wrong answer's diagnosis naming the factor."""

from __future__ import annotations

import pytest

from nnlab.core.netlab import draw, parse_net
from nnlab.core.netlab_exercise import diagnose, hidden, is_right, shown_tolerance, tolerance
from nnlab.core.netlab_steps import steps as lab_steps
from nnlab.core.tinynet import TUTORIAL, steps

S = steps(TUTORIAL)
AT = {s.id: k for k, s in enumerate(S)}


def test_four_significant_digits_and_the_tolerance_said():
    assert tolerance(-0.018375021) == pytest.approx(5e-6) and shown_tolerance(-0.018375021) == "±0.000005"
    assert tolerance(0.385) == pytest.approx(5e-5) and shown_tolerance(0.385) == "±0.00005"
    assert is_right(-0.018375021, -0.01838) and is_right(-0.018375021, -0.018375)
    assert not is_right(-0.018375021, -0.0184) and not is_right(0.0, 1e-6) and is_right(0.0, 0.0)


def test_the_result_is_hidden_and_the_numbers_stay():
    assert hidden(S[AT["w5.grad"]]) == "∂E_total/∂w5 = (−0.147692493) · 0.209071673 · 0.595078474 = ?"
    assert hidden(S[AT["w5.dl_dw"]]) == "∂l_o1/∂w5 = ?"
    assert hidden(S[AT["pass.E_after"]]).endswith(" → ?")


@pytest.mark.parametrize(
    "step_id, answer, key, named",
    [
        ("w5.grad", 0.018375, "bp.exo.sign", None),
        ("w5.grad", -0.147692493 * 0.595078474, "bp.exo.missing_factor", "∂out_o1/∂l_o1"),
        ("w5.grad", -0.147692493 * 0.209071673 * 0.598687660, "bp.exo.wrong_factor", "∂l_o1/∂w5"),
        ("w1.dE_dout_h", -0.007719579, "bp.exo.missing_term", "∂E_o2/∂out_h1"),
        ("w1.dE_dout_h", -0.007719579 - 0.025367174, "bp.exo.term_sign", "∂E_o2/∂out_h1"),
        ("w5.update", 0.25 - 0.018375022, "bp.exo.update_sign", None),
        ("fwd.out_h1", 0.5, "bp.exo.recompute", None),
    ],
)
def test_a_wrong_answer_names_what_differs(step_id, answer, key, named):
    verdict = diagnose(S, AT[step_id], answer)
    assert not verdict.right and verdict.key == key
    if named:
        assert named in verdict.fields.values()


def test_the_old_weight_not_the_updated_one():
    """In the hidden layer the path uses the OLD w5: using w5⁺ is named."""
    k = AT["w1.path_o1"]
    step = S[k]
    w5_new = S[AT["w5.update"]].value
    verdict = diagnose(S, k, S[AT["w1.delta_o1"]].value * w5_new)
    assert step.symbol == "∂E_o1/∂out_h1" and verdict.key == "bp.exo.wrong_factor"
    assert verdict.fields["other"] == "w5⁺"


def test_every_step_of_any_network_accepts_its_own_value():
    lab = draw(parse_net("3-4-2", "relu,sigmoid", "ce"), 5)
    for order in ("weight", "node"):
        all_steps = lab_steps(lab, order, True)
        for k, step in enumerate(all_steps):
            assert diagnose(all_steps, k, step.value).right
            assert "?" in hidden(step)

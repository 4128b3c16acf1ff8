"""The matrix form (issue 15 Deliver 4): the single-example matrices are the stepper's numbers, and the
batch mean of the hand gradients equals torch's W.grad of the batch-mean loss in float64."""

from __future__ import annotations

import pytest

from nnlab.core.netlab import compute, draw, parse_net, tutorial_lab
from nnlab.core.netlab_matrix import batch, batch_mean, fmt, single_lines, torch_lines


def test_the_single_example_lines_carry_the_passes_numbers():
    lines = dict(single_lines(tutorial_lab()))
    assert lines["δ² = ∂E/∂a² ⊙ f′(z²)"] == "[−0.1477, 0.4146] ⊙ [0.2091, 0.2039] = [−0.03088, 0.08456]"
    assert lines["∂E/∂W¹ = δ¹·(a⁰)ᵀ"].endswith("= [0.0004252, 0.0008505; 0.000553, 0.001106]")
    assert "δ¹ = (W²)ᵀδ² ⊙ f′(z¹)" in lines and fmt(-0.0) == "0"


def test_a_batch_of_one_is_the_example_and_the_mean_is_the_mean():
    lab = draw(parse_net("3-4-2", "relu,sigmoid", "ce"), 5)
    P = compute(lab)
    one = batch_mean([lab])
    assert one.E == P.E and one.dW == P.dW
    examples = batch(lab, 4, seed=1)
    assert len(examples) == 4 and examples[0] == lab and all(e.W == lab.W for e in examples)
    mean = batch_mean(examples)
    assert mean.dW[0][0][0] == pytest.approx(sum(compute(e).dW[0][0][0] for e in examples) / 4, abs=1e-15)


@pytest.mark.parametrize(
    "net, act, loss, bias",
    [
        ("2-2-2", "sigmoid", "sse", "layer"),
        ("3-4-2", "relu,sigmoid", "ce", "layer"),
        ("2-3-3-1", "tanh", "bce", "neuron"),
        ("4-4-4-4-4", "leaky_relu", "mse", "neuron"),
        ("1-1", "identity", "sse", "layer"),
    ],
)
def test_the_batch_mean_is_what_loss_backward_gives(net, act, loss, bias):
    pytest.importorskip("torch")
    from nnlab.train.autograd_check import batch_check

    lab = draw(parse_net(net, act, loss, bias), 7)
    diff, (E, dW, db) = batch_check(batch(lab, 8, seed=3))
    assert diff <= 1e-12
    assert len(dW) == lab.net.depth and "loss.backward()" in torch_lines(lab)

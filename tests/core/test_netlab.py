"""The backprop lab: any small network, both step orders, against tinynet and torch float64 autograd."""

from __future__ import annotations

import random
import time

import pytest

from nnlab.core import netlab, tinynet
from nnlab.core.netlab import (
    ACTIVATIONS,
    BIAS_MODES,
    LOSSES,
    Net,
    NetError,
    draw,
    parse_net,
    tutorial_lab,
)
from nnlab.core.netlab_steps import counts, steps

SHAPES = [(1, 1), (2, 2, 2), (3, 4, 2), (2, 3, 3, 1), (4, 1, 4), (1, 4, 4, 4, 2), (4, 4, 4, 4, 4)]
FIELDS = (
    "id",
    "phase",
    "group",
    "symbol",
    "formula",
    "substituted",
    "value",
    "explain",
    "explain_fields",
    "nodes",
    "edges",
    "tutorial",
    "chain",
    "repeat_of",
    "reuses",
)


def test_the_tutorial_in_weight_order_is_tinynets_pass_exactly():
    ours, theirs = steps(tutorial_lab()), tinynet.steps(tinynet.TUTORIAL)
    assert len(ours) == len(theirs) == 76
    for a, b in zip(ours, theirs):
        assert [getattr(a, f) for f in FIELDS] == [getattr(b, f) for f in FIELDS], b.id
    P, T = netlab.compute(tutorial_lab()), tinynet.compute(tinynet.TUTORIAL)
    assert P.E == T.forward["E_total"]  # bit for bit, not approximately
    assert [g for m in P.dW for r in m for g in r] == [T.gradients[w] for w in tinynet.WEIGHTS]
    assert [P.db[0][0], P.db[1][0]] == [T.gradients["b1"], T.gradients["b2"]]


def test_node_order_computes_each_delta_once_and_reuses_it():
    lab = tutorial_lab()
    node = steps(lab, "node")
    assert counts(lab) == {"weight": 76, "node": 40}
    deltas = [s for s in node if s.id.endswith(".delta")]
    assert len(deltas) == 4 and len({s.symbol for s in deltas}) == 4
    position = {s.id: n for n, s in enumerate(node)}
    grads = {s.id: s for s in node if s.id.endswith(".grad")}
    assert grads["w5.grad"].reuses == ("o1.delta", "fwd.out_h1")
    for s in node:
        assert all(position[r] < position[s.id] for r in s.reuses), s.id
    # ∂E/∂out_h1 reads the output deltas computed earlier, through the OLD w5, w7
    h1 = next(s for s in node if s.id == "h1.dE_dout")
    assert h1.reuses == ("o1.delta", "o2.delta") and "·0.25 + " in h1.substituted
    weight = {s.id: s.value for s in steps(lab)}
    for name, s in grads.items():
        assert s.value == weight[name]
    assert node[-1].value == steps(lab)[-1].value


def test_weight_order_marks_its_repeats():
    st = steps(tutorial_lab())
    by_id = {s.id: s for s in st}
    assert by_id["w5.dE_dout"].repeat_of is None
    assert by_id["w6.dE_dout"].repeat_of == "w5.dE_dout"  # step 17 repeats step 12
    assert by_id["w2.delta_o1"].repeat_of == "w1.delta_o1"
    assert sum(s.repeat_of is not None for s in st) == 22
    assert all(s.repeat_of is None for s in steps(tutorial_lab(), "node")[11:] if s.id.endswith(".delta"))


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("act", ACTIVATIONS)
def test_every_shape_order_and_bias_mode_builds_a_consistent_pass(act, loss):
    for widths in SHAPES:
        if loss == "ce" and widths[-1] < 2:
            continue
        for bias in BIAS_MODES:
            lab = draw(Net(widths, (act,) * (len(widths) - 1), loss, bias), seed=len(widths))
            P = netlab.compute(lab)
            for order in ("weight", "node"):
                st = steps(lab, order, bias_updates=True)
                assert len({s.id for s in st}) == len(st)
                by_id = {s.id: s for s in st}
                w = lab.net.weight(1, 0, 0)
                assert by_id[f"{w}.grad"].value == P.dW[0][0][0]
                assert by_id["fwd.E_total"].value == P.E
                for s in st:
                    assert s.explanation("en") != s.explain and s.explanation("zh") != s.explain
                    assert "+ −" not in s.substituted and "· −" not in s.substituted, s.substituted


def test_ce_is_softmax_cross_entropy_and_targets_are_drawn_to_fit():
    net = parse_net("3-4-2", "relu", "ce")
    assert net.acts == ("relu", "identity")
    lab = draw(net, 7)
    assert sorted(lab.targets) == [0.0, 1.0]
    P = netlab.compute(lab)
    assert abs(sum(P.squashed) - 1) < 1e-15
    assert draw(net, 7) == lab and draw(net, 8) != lab  # the seed decides everything
    assert all(0 <= x <= 1 for x in draw(Net((2, 2), ("identity",), "bce"), 3).targets)


@pytest.mark.parametrize(
    "args, key",
    [
        (("2-x-2",), "bp.net.syntax"),
        (("2-5-2",), "bp.net.width"),
        (("2-2-2-2-2-2",), "bp.net.depth"),
        (("2",), "bp.net.depth"),
        (("2-2-2", "relu,relu,relu"), "bp.net.acts"),
        (("2-2-2", "swish"), "bp.net.act"),
        (("2-2-2", None, "hinge"), "bp.net.loss"),
        (("2-2-1", None, "ce"), "bp.net.ce_one"),
        (("2-2-2", None, "sse", "row"), "bp.net.bias"),
        (("2-٢-2",), "bp.net.syntax"),
    ],
)
def test_bad_networks_are_refused_with_a_reason(args, key):
    with pytest.raises(NetError) as error:
        parse_net(*args)
    assert error.value.key == key and error.value.message() != key


def test_with_values_replaces_by_name():
    lab = tutorial_lab().with_values(w5=0.3, b2=0.1)
    assert lab.W[1][0][0] == 0.3 and lab.b[1] == (0.1,)
    assert lab.values()["w5"] == 0.3
    with pytest.raises(NetError):
        tutorial_lab().with_values(w9=1)
    per = draw(Net((2, 2), ("sigmoid",), "sse", "neuron"), 1)
    assert "b_o2" in per.values()


def _random_net(rng: random.Random, widths: tuple[int, ...], loss: str, act: str) -> Net:
    """One activation per layer: ``act`` somewhere, the others random (mixed networks)."""
    acts = [rng.choice(ACTIVATIONS) for _ in widths[1:]]
    acts[rng.randrange(len(acts))] = act
    return Net(widths, tuple(acts), loss, rng.choice(BIAS_MODES))


def _check(per_combo: int, shapes) -> tuple[int, float]:
    """``per_combo`` networks per (shape, activation, loss): 2/5 with shared biases, 2/5 with a bias
    per neuron (every layer ``act``), 1/5 mixed (``act`` in one layer, random ones elsewhere)."""
    from nnlab.train.autograd_check import lab_max_abs_diff

    uniform = per_combo * 2 // 5
    mixed_n = per_combo - 2 * uniform
    rng, count, worst = random.Random(15), 0, 0.0
    for widths in shapes:
        for act in ACTIVATIONS:
            for loss in LOSSES:
                if loss == "ce" and widths[-1] < 2:
                    continue
                combo = 0
                for bias in BIAS_MODES:
                    net = Net(widths, (act,) * (len(widths) - 1), loss, bias)
                    labs = [draw(net, rng.randrange(2**32), decimals=None) for _ in range(uniform)]
                    diff, n, name = lab_max_abs_diff(labs)
                    assert diff <= 1e-12, (net, labs[n], name, diff)
                    combo, worst = combo + len(labs), max(worst, diff)
                mixed = [
                    draw(_random_net(rng, widths, loss, act), rng.randrange(2**32), decimals=None)
                    for _ in range(mixed_n)
                ]
                for group in {lab.net for lab in mixed}:
                    labs = [lab for lab in mixed if lab.net == group]
                    diff, n, name = lab_max_abs_diff(labs)
                    assert diff <= 1e-12, (group, labs[n], name, diff)
                    combo, worst = combo + len(labs), max(worst, diff)
                assert combo == per_combo
                count += combo
    return count, worst


def test_every_gradient_agrees_with_torch_autograd():
    pytest.importorskip("torch")
    count, worst = _check(25, SHAPES)
    assert count > 3000 and worst <= 1e-12


@pytest.mark.slow
def test_a_thousand_random_networks_of_each_shape_activation_and_loss_agree_with_autograd():
    """The issue's figure: exactly 1,000 per (shape, activation, loss) (400 shared biases, 400 per
    neuron, 200 mixed activations), every gradient and E within 1e-12 of torch float64 autograd."""
    pytest.importorskip("torch")
    start = time.perf_counter()
    count, worst = _check(1000, SHAPES)
    print(f"{count} networks, worst |diff| {worst:.2e}, {time.perf_counter() - start:.1f} s")
    assert worst <= 1e-12

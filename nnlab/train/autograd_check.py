"""Gradients through torch float64 autograd against the hand-derived ones: the 2-2-2, and any lab network."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from nnlab.core.netlab import LEAKY_SLOPE, Lab
from nnlab.core.netlab import compute as lab_compute
from nnlab.core.tinynet_net import BIASES, WEIGHTS, Params, gradients

NAMES = WEIGHTS + BIASES


@dataclass(frozen=True)
class CheckResult:
    params: Params
    autograd: dict[str, float]  # ∂E_total/∂· from torch
    ours: dict[str, float]  # ∂E_total/∂· from tinynet's chain of steps
    max_abs_diff: float

    @property
    def worst(self) -> str:
        return max(NAMES, key=lambda n: abs(self.autograd[n] - self.ours[n]))


def autograd_gradients(p: Params) -> dict[str, float]:
    """∂E_total/∂(w1..w8, b1, b2) by torch autograd in float64 ."""
    leaf = {name: torch.tensor(getattr(p, name), dtype=torch.float64, requires_grad=True) for name in NAMES}
    i1, i2 = (torch.tensor(getattr(p, n), dtype=torch.float64) for n in ("i1", "i2"))
    t1, t2 = (torch.tensor(getattr(p, n), dtype=torch.float64) for n in ("t1", "t2"))
    # the network written independently of tinynet: torch's own sigmoid, one expression per neuron
    out_h1 = torch.sigmoid(leaf["w1"] * i1 + leaf["w2"] * i2 + leaf["b1"])
    out_h2 = torch.sigmoid(leaf["w3"] * i1 + leaf["w4"] * i2 + leaf["b1"])
    out_o1 = torch.sigmoid(leaf["w5"] * out_h1 + leaf["w6"] * out_h2 + leaf["b2"])
    out_o2 = torch.sigmoid(leaf["w7"] * out_h1 + leaf["w8"] * out_h2 + leaf["b2"])
    e_total = 0.5 * (t1 - out_o1) ** 2 + 0.5 * (t2 - out_o2) ** 2
    e_total.backward()
    return {name: float(leaf[name].grad) for name in NAMES}


def check(p: Params) -> CheckResult:
    """Both sets of gradients and the largest absolute difference between them."""
    theirs = autograd_gradients(p)
    ours = gradients(p)
    diff = max(abs(theirs[n] - ours[n]) for n in NAMES)
    return CheckResult(params=p, autograd=theirs, ours=ours, max_abs_diff=diff)


def max_abs_difference(p: Params) -> float:
    return check(p).max_abs_diff


# --------------------------------------------------------------------------------------
# any lab network: many networks of one shape in one torch call


def _act(name: str, z: torch.Tensor) -> torch.Tensor:
    if name == "sigmoid":
        return torch.sigmoid(z)
    if name == "tanh":
        return torch.tanh(z)
    if name == "relu":
        return torch.relu(z)
    if name == "leaky_relu":
        return torch.nn.functional.leaky_relu(z, LEAKY_SLOPE)
    return z


def _loss(name: str, out: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """E of each network in the batch (shape N), written with torch's own functions."""
    F = torch.nn.functional
    if name == "sse":
        return 0.5 * ((t - out) ** 2).sum(-1)
    if name == "mse":
        return F.mse_loss(out, t, reduction="none").mean(-1)
    if name == "bce":
        return F.binary_cross_entropy_with_logits(out, t, reduction="none").sum(-1)
    return -(t * F.log_softmax(out, dim=-1)).sum(-1)  # ce


def lab_autograd(labs: list[Lab]) -> list[tuple[list, list, float]]:
    """(∂E/∂W per layer, ∂E/∂b per layer, E) of each network by autograd; all share one shape.

    The networks are stacked on a batch dimension and their errors summed: each network's
    parameters reach only its own error, so one backward gives every network's gradients."""
    net = labs[0].net
    f64 = torch.float64
    Ws = [torch.tensor([lab.W[l] for lab in labs], dtype=f64, requires_grad=True) for l in range(net.depth)]
    bs = [torch.tensor([lab.b[l] for lab in labs], dtype=f64, requires_grad=True) for l in range(net.depth)]
    a = torch.tensor([lab.inputs for lab in labs], dtype=f64)  # (N, in)
    t = torch.tensor([lab.targets for lab in labs], dtype=f64)
    for l in range(net.depth):
        z = (Ws[l] @ a.unsqueeze(-1)).squeeze(-1) + bs[l]  # (N, out): a shared bias broadcasts
        a = _act(net.acts[l], z)
    E = _loss(net.loss, a, t)
    E.sum().backward()
    # one tolist() per tensor: indexing a tensor per network costs more than the whole backward
    gW = [W.grad.tolist() for W in Ws]
    gb = [b.grad.tolist() for b in bs]
    Es = E.detach().tolist()
    return [([g[n] for g in gW], [g[n] for g in gb], Es[n]) for n in range(len(labs))]


def lab_max_abs_diff(labs: list[Lab]) -> tuple[float, int, str]:
    """The largest |ours − autograd| over every gradient (and E) of ``labs``: (diff, which lab, name).

    All of ``labs`` share one net (as ``lab_autograd`` needs): the names are built once, and a
    name is looked up only for the worst difference."""
    net = labs[0].net
    names = ["E_total"]
    for l in range(net.depth):
        names += [net.weight(l + 1, j, k) for j in range(net.widths[l + 1]) for k in range(net.widths[l])]
        names += [net.bias_name(l + 1, j) for j in range(len(labs[0].b[l]))]
    worst, at, which = 0.0, 0, 0
    for n, (lab, (dW, db, E)) in enumerate(zip(labs, lab_autograd(labs))):
        P = lab_compute(lab)
        ours, theirs = [P.E], [E]
        for l in range(net.depth):
            for row, trow in zip(P.dW[l], dW[l]):
                ours += row
                theirs += trow
            ours += P.db[l]
            theirs += db[l]
        for k, (x, y) in enumerate(zip(ours, theirs)):
            if worst == worst and not abs(x - y) <= worst:  # a NaN is the worst, and stays so
                worst, at, which = abs(x - y), n, k
    return worst, at, names[which]


# --------------------------------------------------------------------------------------
# a mini-batch through one network: the torch lines the matrix form shows, run for real


def batch_autograd(labs: list[Lab]) -> tuple[float, list, list]:
    """(the batch-mean E, W.grad per layer, b.grad per layer) of one network (``labs[0]``'s weights)
    on every example of ``labs``: X @ W.T + b per layer, the batch mean of the loss, loss.backward()."""
    net, f64 = labs[0].net, torch.float64
    X = torch.tensor([lab.inputs for lab in labs], dtype=f64)  # (N, in)
    T = torch.tensor([lab.targets for lab in labs], dtype=f64)
    Ws = [torch.tensor(labs[0].W[l], dtype=f64, requires_grad=True) for l in range(net.depth)]
    bs = [torch.tensor(labs[0].b[l], dtype=f64, requires_grad=True) for l in range(net.depth)]
    a = X
    for l in range(net.depth):
        a = _act(net.acts[l], a @ Ws[l].T + bs[l])
    loss = _loss(net.loss, a, T).mean()
    loss.backward()
    return float(loss.detach()), [W.grad.tolist() for W in Ws], [b.grad.tolist() for b in bs]


def batch_check(labs: list[Lab]) -> tuple[float, tuple[float, list, list]]:
    """The largest |hand batch mean − autograd| over E and every gradient, and autograd's values."""
    from nnlab.core.netlab_matrix import batch_mean

    ours = batch_mean(labs)
    E, dW, db = batch_autograd(labs)
    diffs = [abs(E - ours.E)]
    for l in range(labs[0].net.depth):
        diffs += [abs(x - y) for row, orow in zip(dW[l], ours.dW[l]) for x, y in zip(row, orow)]
        diffs += [abs(x - y) for x, y in zip(db[l], ours.db[l])]
    return max(diffs), (E, dW, db)

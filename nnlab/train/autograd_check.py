"""The 2-2-2 network's gradients through torch float64 autograd, against the hand-derived ones."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from nnlab.core.tinynet import BIASES, WEIGHTS, Params, gradients

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

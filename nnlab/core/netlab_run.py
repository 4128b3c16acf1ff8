"""Many passes of a lab network, and a finite-difference check of its gradients (plain floats).

The passes are what the stepper's ``i`` charts; the finite differences are the check a person
could do with a calculator, shown beside torch's autograd: nudge one parameter by ±h and watch E.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from nnlab.core.netlab import Lab, NetError, compute, draw, parse_net, tutorial_lab, update
from nnlab.core.numbers import Bounds

FD_STEP = 1e-6  # central differences: error ~h² from the curve, ~ε/h from rounding, both ≈ 1e-10 here


@dataclass(frozen=True)
class LabRecord:
    """One point of the passes history: the network before pass ``index`` (E and its outputs)."""

    index: int
    E_total: float
    outputs: tuple[float, ...]


def lab_record(index: int, lab: Lab) -> LabRecord:
    P = compute(lab)
    return LabRecord(index, P.E, P.a[-1])


def run_lab_passes(lab: Lab, n: int, bias_updates: bool = False, start: int = 0) -> tuple[Lab, list[LabRecord]]:
    """``n`` full passes; the network after them and the record after each (numbered from ``start``).

    A network that diverges stops at the last pass the stepper can still show (its own update, and
    the error after it, within what a float holds): fewer than ``n`` records say so."""
    history: list[LabRecord] = []
    try:
        after = update(lab, None, bias_updates)
        P_after = compute(after)
    except (OverflowError, NetError):  # NetError: a weight is no longer finite
        return lab, history
    for k in range(1, n + 1):
        try:
            nxt = update(after, P_after, bias_updates)
            P_next = compute(nxt)  # the stepper's last step shows this error
        except (OverflowError, NetError):
            break
        if not (math.isfinite(P_after.E) and math.isfinite(P_next.E)):
            break
        lab = after
        history.append(LabRecord(start + k, P_after.E, P_after.a[-1]))
        after, P_after = nxt, P_next
    return lab, history


def showable(lab: Lab, bias_updates: bool = True) -> bool:
    """The pass and the error after its update stay within what a float holds (else NetError's
    ``bp.net.overflow`` is the reason to give)."""
    try:
        P = compute(lab)
        after = compute(update(lab, P, bias_updates))
    except (OverflowError, NetError):
        return False
    return math.isfinite(P.E) and math.isfinite(after.E)


def parameter_names(lab: Lab) -> list[str]:
    """Every weight and bias by name, in the tutorial's numbering (w1, w2, …, then the biases)."""
    n = lab.net
    names = [
        n.weight(l, j, k) for l in range(1, n.depth + 1) for j in range(n.widths[l]) for k in range(n.widths[l - 1])
    ]
    return names + [n.bias_name(l, j) for l in range(1, n.depth + 1) for j in range(len(lab.b[l - 1]))]


def gradient_by_name(lab: Lab) -> dict[str, float]:
    """The hand-derived ∂E/∂θ of every weight and bias, by name."""
    P, n = compute(lab), lab.net
    out = {}
    for l in range(1, n.depth + 1):
        for j in range(n.widths[l]):
            for k in range(n.widths[l - 1]):
                out[n.weight(l, j, k)] = P.dW[l - 1][j][k]
        for j in range(len(lab.b[l - 1])):
            out[n.bias_name(l, j)] = P.db[l - 1][j]
    return out


def finite_differences(lab: Lab, h: float = FD_STEP) -> dict[str, float]:
    """(E(θ + h) − E(θ − h)) / 2h for every weight and bias: no chain rule at all."""
    values = lab.values()
    out = {}
    for name in parameter_names(lab):
        up = compute(lab.with_values(**{name: values[name] + h})).E
        down = compute(lab.with_values(**{name: values[name] - h})).E
        out[name] = (up - down) / (2 * h)
    return out


def fd_check(lab: Lab, h: float = FD_STEP) -> tuple[float, str]:
    """The largest |hand-derived − finite difference| and where. ReLU's kink within h of a z
    can make one difference large: that is the kink, not a wrong gradient (the screen says so)."""
    ours, fd = gradient_by_name(lab), finite_differences(lab, h)
    worst = max(ours, key=lambda k: abs(ours[k] - fd[k]))
    return abs(ours[worst] - fd[worst]), worst


# --------------------------------------------------------------------------------------
# what the edit form offers and accepts

PRESETS = ("tutorial", "relu", "softmax")


def preset(key: str) -> Lab:
    """The tutorial's 2-2-2; a ReLU network (2-3-2, ReLU then identity, mean squared error, one unit dead); a
    softmax classifier (3-4-3, tanh, softmax + cross-entropy). Drawn from fixed seeds, 2 decimals."""
    if key == "relu":
        return draw(parse_net("2-3-2", "relu,identity", "mse"), 2)  # h2 starts dead: z < 0
    if key == "softmax":
        return draw(parse_net("3-4-3", "tanh", "ce"), 2)
    return tutorial_lab()


def value_bounds(lab: Lab) -> dict[str, Bounds]:
    """What a person may type for each value: ±100 (beyond that every sigmoid saturates), a
    positive η, targets the output can reach (inside (0, 1) for a sigmoid or bce, ≥ 0 for ce)."""
    n = lab.net
    if n.loss == "bce" or (n.loss in ("sse", "mse") and n.acts[-1] == "sigmoid"):
        target = Bounds(0.0, 1.0)
    elif n.loss == "ce":
        target = Bounds(0.0, 100.0)
    else:
        target = Bounds(-100.0, 100.0)
    out = {name: Bounds(-100.0, 100.0) for name in lab.values()}
    out |= {f"t{k + 1}": target for k in range(n.widths[-1])}
    out["lr"] = Bounds(0.0, 100.0, nonzero=True)
    return out

"""The 2-2-2 network's numbers: params and their bounds, forward and backward side by side, update, passes."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace

from nnlab.core.numbers import Bounds

PARAM_NAMES = ("i1", "i2", "w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8", "b1", "b2", "t1", "t2", "lr")
WEIGHTS = ("w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8")
BIASES = ("b1", "b2")
FORWARD_NAMES = ("l_h1", "l_h2", "out_h1", "out_h2", "l_o1", "l_o2", "out_o1", "out_o2", "E_o1", "E_o2", "E_total")

# Which neurons each weight joins (source, target): the diagram and the formulas read this.
EDGES = {
    "w1": ("i1", "h1"),
    "w2": ("i2", "h1"),
    "w3": ("i1", "h2"),
    "w4": ("i2", "h2"),
    "w5": ("h1", "o1"),
    "w6": ("h2", "o1"),
    "w7": ("h1", "o2"),
    "w8": ("h2", "o2"),
}


@dataclass(frozen=True)
class Params:
    """The tutorial's network and learning rate (defaults are the tutorial's numbers)."""

    i1: float = 0.10  # inputs
    i2: float = 0.20
    w1: float = 0.05  # i1 → h1
    w2: float = 0.15  # i2 → h1
    w3: float = 0.10  # i1 → h2
    w4: float = 0.20  # i2 → h2
    w5: float = 0.25  # h1 → o1
    w6: float = 0.35  # h2 → o1
    w7: float = 0.30  # h1 → o2
    w8: float = 0.40  # h2 → o2
    b1: float = 0.35  # one bias shared by h1 and h2
    b2: float = 0.50  # one bias shared by o1 and o2
    t1: float = 0.85  # targets of o1, o2
    t2: float = 0.30
    lr: float = 1.0  # η

    def as_dict(self) -> dict[str, float]:
        return asdict(self)

    def with_values(self, **values: float) -> Params:
        return replace(self, **{k: float(v) for k, v in values.items()})


TUTORIAL = Params()

# What a person may type for each parameter: targets inside the sigmoid's range, a positive η,
# everything else within ±100 (beyond that every sigmoid saturates and nothing is left to see).
PARAM_BOUNDS: dict[str, Bounds] = {
    **{name: Bounds(-100.0, 100.0) for name in PARAM_NAMES},
    "t1": Bounds(0.0, 1.0),
    "t2": Bounds(0.0, 1.0),
    "lr": Bounds(0.0, 100.0, nonzero=True),
}

# The values the reference tutorial printed, by the symbol our steps use (defaults only).
TUTORIAL_VALUES: dict[str, float] = {
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
    "∂E_total/∂out_o1": -0.147692493,
    "∂out_o1/∂l_o1": 0.209071672,
    "∂l_o1/∂w5": 0.595078474,
    "∂E_total/∂w5": -0.018375021,
    "w5⁺": 0.268375021,
    "∂E_o1/∂l_o1": -0.030878316,
    "∂l_o1/∂out_h1": 0.25,
    "∂E_o1/∂out_h1": -0.007719579,
    "∂E_o2/∂out_h1": 0.025367174,
    "∂E_total/∂out_h1": 0.017647595,
    "∂out_h1/∂l_h1": 0.240960084,
    "∂l_h1/∂w1": 0.1,
    "∂E_total/∂w1": 0.000425237,
    "w1⁺": 0.049574763,
}


def sigmoid(x: float) -> float:
    """σ(x) = 1/(1+e^(−x)), written so neither branch overflows for large |x|."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


@dataclass(frozen=True)
class Pass:
    """Forward values and every local derivative of one pass (micrograd style: each forward
    line has its local derivative beside it, so the chain rule reads top to bottom)."""

    forward: dict[str, float]
    local: dict[str, float]  # the chain's factors: d_out_o1 = ∂E_total/∂out_o1, s_o1 = ∂out_o1/∂l_o1 …
    gradients: dict[str, float]  # ∂E_total/∂w1..w8, b1, b2


def compute(p: Params) -> Pass:
    """Forward and backward through the network, side by side."""
    f: dict[str, float] = {}
    d: dict[str, float] = {}
    # hidden layer: l = w·i + b1, out = σ(l);      local: ∂out/∂l = out(1 − out)
    f["l_h1"] = p.w1 * p.i1 + p.w2 * p.i2 + p.b1
    f["l_h2"] = p.w3 * p.i1 + p.w4 * p.i2 + p.b1
    f["out_h1"] = sigmoid(f["l_h1"])
    d["s_h1"] = f["out_h1"] * (1 - f["out_h1"])
    f["out_h2"] = sigmoid(f["l_h2"])
    d["s_h2"] = f["out_h2"] * (1 - f["out_h2"])
    # output layer: l = w·out_h + b2, out = σ(l)
    f["l_o1"] = p.w5 * f["out_h1"] + p.w6 * f["out_h2"] + p.b2
    f["l_o2"] = p.w7 * f["out_h1"] + p.w8 * f["out_h2"] + p.b2
    f["out_o1"] = sigmoid(f["l_o1"])
    d["s_o1"] = f["out_o1"] * (1 - f["out_o1"])
    f["out_o2"] = sigmoid(f["l_o2"])
    d["s_o2"] = f["out_o2"] * (1 - f["out_o2"])
    # error: E = ½(t − out)²;                     local: ∂E/∂out = −(t − out)
    f["E_o1"] = 0.5 * (p.t1 - f["out_o1"]) ** 2
    d["e_o1"] = -(p.t1 - f["out_o1"])
    f["E_o2"] = 0.5 * (p.t2 - f["out_o2"]) ** 2
    d["e_o2"] = -(p.t2 - f["out_o2"])
    f["E_total"] = f["E_o1"] + f["E_o2"]
    # backward: output deltas δ_o = ∂E/∂out_o · ∂out_o/∂l_o
    d["delta_o1"] = d["e_o1"] * d["s_o1"]
    d["delta_o2"] = d["e_o2"] * d["s_o2"]
    # into the hidden outputs, through the OLD w5..w8 (every update waits for the end of the pass)
    d["path_o1_h1"] = d["delta_o1"] * p.w5
    d["path_o2_h1"] = d["delta_o2"] * p.w7
    d["path_o1_h2"] = d["delta_o1"] * p.w6
    d["path_o2_h2"] = d["delta_o2"] * p.w8
    d["dE_out_h1"] = d["path_o1_h1"] + d["path_o2_h1"]
    d["dE_out_h2"] = d["path_o1_h2"] + d["path_o2_h2"]
    d["delta_h1"] = d["dE_out_h1"] * d["s_h1"]
    d["delta_h2"] = d["dE_out_h2"] * d["s_h2"]
    g = {
        "w1": d["dE_out_h1"] * d["s_h1"] * p.i1,
        "w2": d["dE_out_h1"] * d["s_h1"] * p.i2,
        "w3": d["dE_out_h2"] * d["s_h2"] * p.i1,
        "w4": d["dE_out_h2"] * d["s_h2"] * p.i2,
        "w5": d["e_o1"] * d["s_o1"] * f["out_h1"],
        "w6": d["e_o1"] * d["s_o1"] * f["out_h2"],
        "w7": d["e_o2"] * d["s_o2"] * f["out_h1"],
        "w8": d["e_o2"] * d["s_o2"] * f["out_h2"],
        # a shared bias feeds both neurons of its layer, so its gradient sums over them
        "b1": d["delta_h1"] + d["delta_h2"],
        "b2": d["delta_o1"] + d["delta_o2"],
    }
    return Pass(forward=f, local=d, gradients=g)


def forward(p: Params) -> dict[str, float]:
    return compute(p).forward


def gradients(p: Params) -> dict[str, float]:
    return compute(p).gradients


def update(p: Params, grads: dict[str, float] | None = None, bias_updates: bool = False) -> Params:
    """All updates at once, w⁺ = w − η·∂E_total/∂w, every gradient taken at the old params."""
    g = gradients(p) if grads is None else grads
    names = WEIGHTS + (BIASES if bias_updates else ())
    return replace(p, **{name: getattr(p, name) - p.lr * g[name] for name in names})


@dataclass(frozen=True)
class PassRecord:
    """One point of the passes history: the network before pass ``index`` (0 = the start)."""

    index: int
    E_total: float
    out_o1: float
    out_o2: float


def record(index: int, p: Params) -> PassRecord:
    f = forward(p)
    return PassRecord(index, f["E_total"], f["out_o1"], f["out_o2"])


def run_passes(p: Params, n: int, bias_updates: bool = False) -> tuple[Params, list[PassRecord]]:
    """``n`` full passes; the params after them and the record after each (E_total falling)."""
    history: list[PassRecord] = []
    for index in range(1, n + 1):
        p = update(p, bias_updates=bias_updates)
        history.append(record(index, p))
    return p, history

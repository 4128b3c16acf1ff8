"""Any small network of the backprop lab: its shape, its numbers, forward and backward side by side.

A network is up to ``MAX_LAYERS`` weight layers of at most ``MAX_UNITS`` units, one activation per
weight layer and a loss on the last layer's outputs. ``ce`` and ``bce`` carry their own squashing
(softmax, sigmoid) on those outputs, so the output activation is usually ``identity`` for them.
Plain floats only (no numpy, no torch, no textual); the summation order is the tutorial's
(products left to right, the bias last), so the tutorial's 2-2-2 gives tinynet's numbers bit for bit.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace

from nnlab.core.tinynet_net import TUTORIAL, Params, sigmoid

ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "identity")
LOSSES = ("sse", "mse", "ce", "bce")
BIAS_MODES = ("layer", "neuron")  # one bias shared by a layer (the tutorial's) or one per neuron
MAX_LAYERS = 4  # weight layers
MAX_UNITS = 4
LEAKY_SLOPE = 0.01  # torch.nn.functional.leaky_relu's default
# the output activation when --act names only the hidden layers: what the loss expects
OUTPUT_FOR_LOSS = {"sse": "sigmoid", "mse": "sigmoid", "ce": "identity", "bce": "identity"}


class NetError(ValueError):
    """A network that cannot be built: a catalog key plus its fields (the CLI shows it)."""

    def __init__(self, key: str, **fields: object) -> None:
        super().__init__(key)
        self.key, self.fields = key, fields

    def message(self) -> str:
        from nnlab.i18n import t

        return t(self.key, **self.fields)


@dataclass(frozen=True)
class Net:
    """The shape: widths (inputs first), an activation per weight layer, the loss, the bias mode."""

    widths: tuple[int, ...] = (2, 2, 2)
    acts: tuple[str, ...] = ("sigmoid", "sigmoid")
    loss: str = "sse"
    bias: str = "layer"

    def __post_init__(self) -> None:
        if not 2 <= len(self.widths) <= MAX_LAYERS + 1:
            raise NetError("bp.net.depth", max=MAX_LAYERS)
        if any(not 1 <= w <= MAX_UNITS for w in self.widths):
            raise NetError("bp.net.width", max=MAX_UNITS)
        if len(self.acts) != len(self.widths) - 1:
            raise NetError("bp.net.acts", n=len(self.widths) - 1, got=len(self.acts))
        for act in self.acts:
            if act not in ACTIVATIONS:
                raise NetError("bp.net.act", name=act, known=", ".join(ACTIVATIONS))
        if self.loss not in LOSSES:
            raise NetError("bp.net.loss", name=self.loss, known=", ".join(LOSSES))
        if self.bias not in BIAS_MODES:
            raise NetError("bp.net.bias", name=self.bias, known=", ".join(BIAS_MODES))
        if self.loss == "ce" and self.widths[-1] < 2:
            raise NetError("bp.net.ce_one")

    @property
    def depth(self) -> int:
        return len(self.widths) - 1

    @property
    def text(self) -> str:
        return "-".join(str(w) for w in self.widths)

    def prefix(self, layer: int) -> str:
        """The letter of layer ``layer``'s units (0 = inputs): i, hidden f g h (the last is h), o."""
        if layer == 0:
            return "i"
        if layer == self.depth:
            return "o"
        return "fgh"[3 - (self.depth - 1) + layer - 1]

    def unit(self, layer: int, j: int) -> str:
        return f"{self.prefix(layer)}{j + 1}"

    def weight(self, layer: int, j: int, k: int) -> str:
        """The tutorial's numbering: w1, w2, … row by row (target unit, then source), layer by layer."""
        before = sum(self.widths[m] * self.widths[m - 1] for m in range(1, layer))
        return f"w{before + j * self.widths[layer - 1] + k + 1}"

    def bias_name(self, layer: int, j: int) -> str:
        return f"b{layer}" if self.bias == "layer" else f"b_{self.unit(layer, j)}"


def parse_net(widths: str, acts: str | None = None, loss: str = "sse", bias: str = "layer") -> Net:
    """``"3-4-2"``, ``"relu,sigmoid"`` (one per weight layer, or one for every hidden layer)."""
    try:
        sizes = tuple(int(part) for part in widths.split("-"))
    except ValueError:
        raise NetError("bp.net.syntax", text=widths) from None
    if any(not part.isascii() or not part.strip().isdigit() for part in widths.split("-")):
        raise NetError("bp.net.syntax", text=widths)
    if not 2 <= len(sizes) <= MAX_LAYERS + 1:
        raise NetError("bp.net.depth", max=MAX_LAYERS)
    if loss not in LOSSES:
        raise NetError("bp.net.loss", name=loss, known=", ".join(LOSSES))
    depth = len(sizes) - 1
    names = [a.strip() for a in (acts or "sigmoid").split(",")]
    if len(names) == 1 and depth > 1:
        names = names * (depth - 1) + [OUTPUT_FOR_LOSS[loss]]
    elif len(names) == 1 and acts is None:
        names = [OUTPUT_FOR_LOSS[loss]]
    return Net(sizes, tuple(names), loss, bias)


Matrix = tuple[tuple[float, ...], ...]


@dataclass(frozen=True)
class Lab:
    """A network with numbers: W[l] has rows = units of layer l+1, columns = units of layer l."""

    net: Net
    inputs: tuple[float, ...]
    targets: tuple[float, ...]
    W: tuple[Matrix, ...]
    b: tuple[tuple[float, ...], ...]  # per weight layer: one value (shared) or one per unit
    lr: float = 1.0

    def __post_init__(self) -> None:
        n = self.net
        if len(self.inputs) != n.widths[0] or len(self.targets) != n.widths[-1]:
            raise NetError("bp.net.sizes")
        for layer in range(1, n.depth + 1):
            rows = self.W[layer - 1]
            if len(rows) != n.widths[layer] or any(len(r) != n.widths[layer - 1] for r in rows):
                raise NetError("bp.net.sizes")
            if len(self.b[layer - 1]) != (1 if n.bias == "layer" else n.widths[layer]):
                raise NetError("bp.net.sizes")
        values = [
            *self.inputs,
            *self.targets,
            self.lr,
            *(x for m in self.W for r in m for x in r),
            *(x for v in self.b for x in v),
        ]
        if not all(isinstance(x, float) and math.isfinite(x) for x in values):
            raise NetError("bp.net.finite")
        if n.loss == "bce" and not all(0.0 <= t <= 1.0 for t in self.targets):
            raise NetError("bp.net.bce_targets")
        if n.loss == "ce" and (any(t < 0 for t in self.targets) or sum(self.targets) <= 0):
            raise NetError("bp.net.ce_targets")

    def bias(self, layer: int, j: int) -> float:
        """The bias of unit ``j`` of layer ``layer`` (1-based weight layer)."""
        v = self.b[layer - 1]
        return v[0] if len(v) == 1 else v[j]

    def values(self) -> dict[str, float]:
        """Every number by its name: i1…, w1…, b1… (or b_h1…), t1…, lr."""
        n = self.net
        out = {f"i{k + 1}": x for k, x in enumerate(self.inputs)}
        for layer in range(1, n.depth + 1):
            for j, row in enumerate(self.W[layer - 1]):
                for k, x in enumerate(row):
                    out[n.weight(layer, j, k)] = x
        for layer in range(1, n.depth + 1):
            for j, x in enumerate(self.b[layer - 1]):
                out[n.bias_name(layer, j)] = x
        out |= {f"t{k + 1}": x for k, x in enumerate(self.targets)}
        out["lr"] = self.lr
        return out

    def with_values(self, **values: float) -> Lab:
        """The same network with some numbers replaced by name (unknown names raise NetError)."""
        known = self.values()
        for name in values:
            if name not in known:
                raise NetError("bp.net.unknown", name=name, known=" ".join(known))
        n = self.net
        get = {**known, **{k: float(v) for k, v in values.items()}}
        W = tuple(
            tuple(tuple(get[n.weight(l, j, k)] for k in range(n.widths[l - 1])) for j in range(n.widths[l]))
            for l in range(1, n.depth + 1)
        )
        b = tuple(tuple(get[n.bias_name(l, j)] for j in range(len(self.b[l - 1]))) for l in range(1, n.depth + 1))
        return Lab(
            n,
            tuple(get[f"i{k + 1}"] for k in range(n.widths[0])),
            tuple(get[f"t{k + 1}"] for k in range(n.widths[-1])),
            W,
            b,
            get["lr"],
        )


def tutorial_lab(p: Params = TUTORIAL) -> Lab:
    """tinynet's 2-2-2 as a Lab (w1: i1→h1, w2: i2→h1, w3: i1→h2, … as in the tutorial)."""
    return Lab(
        Net(),
        (p.i1, p.i2),
        (p.t1, p.t2),
        (((p.w1, p.w2), (p.w3, p.w4)), ((p.w5, p.w6), (p.w7, p.w8))),
        ((p.b1,), (p.b2,)),
        p.lr,
    )


def draw(net: Net, seed: int, decimals: int | None = 2, lr: float = 0.5) -> Lab:
    """Weights, biases and inputs uniform in (−1, 1), targets the loss can reach, from ``seed``."""
    rng = random.Random(seed)

    def u(lo: float = -1.0, hi: float = 1.0) -> float:
        x = rng.uniform(lo, hi)
        return round(x, decimals) + 0.0 if decimals is not None else x

    W = tuple(
        tuple(tuple(u() for _ in range(net.widths[l - 1])) for _ in range(net.widths[l]))
        for l in range(1, net.depth + 1)
    )
    b = tuple(tuple(u() for _ in range(1 if net.bias == "layer" else net.widths[l])) for l in range(1, net.depth + 1))
    inputs = tuple(u() for _ in range(net.widths[0]))
    m = net.widths[-1]
    if net.loss == "ce":
        hot = rng.randrange(m)
        targets = tuple(1.0 if k == hot else 0.0 for k in range(m))
    elif net.loss == "bce" or net.acts[-1] == "sigmoid":
        targets = tuple(u(0.0, 1.0) for _ in range(m))
    else:
        targets = tuple(u() for _ in range(m))
    return Lab(net, inputs, targets, W, b, lr)


# --------------------------------------------------------------------------------------
# activations and losses: each value beside its local derivative


def activate(name: str, z: float) -> tuple[float, float]:
    """(f(z), f′(z)); ReLU's and leaky ReLU's slope at 0 is torch's (the left one)."""
    if name == "sigmoid":
        a = sigmoid(z)
        return a, a * (1 - a)  # σ′ = σ(1 − σ): from the output alone
    if name == "tanh":
        a = math.tanh(z)
        return a, 1 - a * a
    if name == "relu":
        return (z, 1.0) if z > 0 else (0.0, 0.0)
    if name == "leaky_relu":
        return (z, 1.0) if z > 0 else (LEAKY_SLOPE * z, LEAKY_SLOPE)
    return z, 1.0  # identity


def softplus(x: float) -> float:
    """log(1 + e^x) without overflow."""
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def loss(
    name: str, out: tuple[float, ...], t: tuple[float, ...]
) -> tuple[list[float], float, list[float], list[float]]:
    """(per-output error terms, E, ∂E/∂out, the squashed outputs p for ce/bce, else out)."""
    n = len(out)
    if name == "sse":  # ½Σ(t − o)²: ∂/∂o = −(t − o)
        return (
            [0.5 * (tk - o) ** 2 for o, tk in zip(out, t)],
            _sum(0.5 * (tk - o) ** 2 for o, tk in zip(out, t)),
            [-(tk - o) for o, tk in zip(out, t)],
            list(out),
        )
    if name == "mse":  # (1/n)Σ(t − o)²: ∂/∂o = −2(t − o)/n
        terms = [(tk - o) ** 2 / n for o, tk in zip(out, t)]
        return terms, _sum(terms), [-2 * (tk - o) / n for o, tk in zip(out, t)], list(out)
    if name == "bce":  # q = σ(o), −[t log q + (1 − t) log(1 − q)]: ∂/∂o = q − t
        q = [sigmoid(o) for o in out]
        terms = [tk * softplus(-o) + (1 - tk) * softplus(o) for o, tk in zip(out, t)]
        return terms, _sum(terms), [qk - tk for qk, tk in zip(q, t)], q
    # ce: p = softmax(o), E = −Σ t log p with log p = o − logsumexp(o): ∂/∂o_j = p_j·Σt − t_j
    top = max(out)
    lse = top + math.log(_sum(math.exp(o - top) for o in out))
    p = [math.exp(o - lse) for o in out]
    terms = [tk * (lse - o) for o, tk in zip(out, t)]
    total_t = _sum(t)
    return terms, _sum(terms), [pk * total_t - tk for pk, tk in zip(p, t)], p


def _sum(xs) -> float:
    total = 0.0
    for x in xs:
        total += x
    return total


@dataclass(frozen=True)
class LabPass:
    """One pass: per layer z, a, f′(z) and δ (index 0 of ``a`` is the inputs), E, ∂E/∂a of the
    outputs, ∂E/∂a of every layer, and the gradients in the shapes of ``W`` and ``b``."""

    z: tuple[tuple[float, ...], ...]  # z[l-1] of weight layer l
    a: tuple[tuple[float, ...], ...]  # a[0] inputs, a[l] outputs of layer l
    slope: tuple[tuple[float, ...], ...]  # f′(z)
    dE_da: tuple[tuple[float, ...], ...]  # dE_da[l-1]: ∂E/∂a of layer l's units
    delta: tuple[tuple[float, ...], ...]  # δ = ∂E/∂z
    errors: tuple[float, ...]  # per-output terms of E
    E: float
    squashed: tuple[float, ...]  # softmax p (ce), σ(o) (bce), else the outputs
    dW: tuple[Matrix, ...]
    db: tuple[tuple[float, ...], ...]


def compute(lab: Lab) -> LabPass:
    n = lab.net
    a: list[tuple[float, ...]] = [lab.inputs]
    zs, slopes = [], []
    for layer in range(1, n.depth + 1):  # forward: z = W·a + b, a = f(z)
        z = tuple(
            _sum(w * x for w, x in zip(row, a[-1])) + lab.bias(layer, j) for j, row in enumerate(lab.W[layer - 1])
        )
        fz = [activate(n.acts[layer - 1], v) for v in z]
        zs.append(z)
        a.append(tuple(v for v, _ in fz))
        slopes.append(tuple(s for _, s in fz))
    errors, E, dE_out, squashed = loss(n.loss, a[-1], lab.targets)
    dE_da: list[tuple[float, ...]] = [()] * n.depth
    delta: list[tuple[float, ...]] = [()] * n.depth
    dE_da[-1] = tuple(dE_out)
    for layer in range(n.depth, 0, -1):  # backward: δ = ∂E/∂a ⊙ f′(z); ∂E/∂a below = Wᵀδ (the OLD W)
        delta[layer - 1] = tuple(g * s for g, s in zip(dE_da[layer - 1], slopes[layer - 1]))
        if layer > 1:
            rows = lab.W[layer - 1]
            dE_da[layer - 2] = tuple(
                _sum(d * rows[j][k] for j, d in enumerate(delta[layer - 1])) for k in range(n.widths[layer - 1])
            )
    dW = tuple(tuple(tuple(d * x for x in a[layer - 1]) for d in delta[layer - 1]) for layer in range(1, n.depth + 1))
    # a shared bias feeds every unit of its layer, so its gradient sums their deltas
    db = tuple((_sum(delta[l]),) if n.bias == "layer" else delta[l] for l in range(n.depth))
    return LabPass(
        tuple(zs), tuple(a), tuple(slopes), tuple(dE_da), tuple(delta), tuple(errors), E, tuple(squashed), dW, db
    )


def update(lab: Lab, P: LabPass | None = None, bias_updates: bool = True) -> Lab:
    """Every update at once (w⁺ = w − η·∂E/∂w), all gradients taken at the old numbers."""
    P = compute(lab) if P is None else P
    W = tuple(
        tuple(tuple(w - lab.lr * g for w, g in zip(row, grow)) for row, grow in zip(m, gm))
        for m, gm in zip(lab.W, P.dW)
    )
    b = tuple(tuple(x - lab.lr * g for x, g in zip(v, gv)) for v, gv in zip(lab.b, P.db)) if bias_updates else lab.b
    return replace(lab, W=W, b=b)

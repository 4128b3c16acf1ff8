"""The tutorial's 2-2-2 network: params, forward and backward side by side, the ordered steps, update.

Everything is plain floats (no numpy, no textual), so a step's "formula with numbers" shows
exactly the numbers that produced its value. ``steps(params)`` returns the whole pass once —
forward, backward through the output layer, through the hidden layer, optionally the biases,
then the error after the update — and the UI, ``nnlab backprop --json`` and ``--markdown``
all read that same list.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace

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


# --------------------------------------------------------------------------------------
# The ordered steps


@dataclass(frozen=True)
class ChainRow:
    """One equation of the chain being built: ``lhs = Σ_terms Π_factors`` (ids of steps)."""

    lhs: str
    terms: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Step:
    id: str
    phase: str  # forward | output | hidden | bias | update
    group: str  # what the step belongs to: "forward", a weight/bias name, or "pass"
    symbol: str  # the quantity, e.g. "∂E_total/∂w5"
    formula: str  # symbolic: "∂E_total/∂w5 = ∂E_total/∂out_o1 · ∂out_o1/∂l_o1 · ∂l_o1/∂w5"
    substituted: str  # the same with numbers: "… = −0.147692493 · 0.209071672 · 0.595078474"
    value: float
    explain: str  # catalog key of the one-line explanation
    explain_fields: dict[str, str] = field(default_factory=dict)
    nodes: tuple[str, ...] = ()  # i1 i2 h1 h2 o1 o2 b1 b2 t1 t2 E
    edges: tuple[str, ...] = ()  # w1..w8
    tutorial: float | None = None  # what the tutorial printed for this quantity (default params)
    chain: tuple[ChainRow, ...] = ()
    repeat_of: str | None = None  # the earlier step that computed this same quantity (a repeat)
    reuses: tuple[str, ...] = ()  # earlier steps whose values this one reads ("δ_o1, from step 12")

    def explanation(self, lang: str | None = None) -> str:
        from nnlab.i18n import t

        return t(self.explain, lang=lang, **self.explain_fields)

    def as_dict(self, lang: str | None = None) -> dict:
        return {
            "id": self.id,
            "phase": self.phase,
            "symbol": self.symbol,
            "formula": self.formula,
            "substituted": self.substituted,
            "value": self.value,
            "explanation": self.explanation(lang),
            "explanation_key": self.explain,
            "nodes": list(self.nodes),
            "edges": list(self.edges),
            "tutorial": self.tutorial,
        }


PHASES = ("forward", "output", "hidden", "bias", "update")


SMALL = 1e-4  # below this, 9 decimals keep under 5 significant digits: show 6 significant ones instead


def small(x: float) -> str | None:
    """``x`` with 6 significant digits when 0 < |x| < SMALL (``1.74891e−5``), else None."""
    if x == 0 or abs(x) >= SMALL or not math.isfinite(x):
        return None
    mantissa, exponent = f"{x:.5e}".split("e")
    return f"{mantissa}e{int(exponent)}".replace("-", "−")


def num(x: float) -> str:
    """A number in a substituted formula: 9 decimals, trailing zeros dropped, a real minus sign;
    a value under 1e-4 in 6 significant digits (issue 15 item 6: not 0.000017489 + 0.00001762)."""
    tiny = small(x)
    if tiny is not None:
        return tiny
    text = f"{x:.9f}".rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text.replace("-", "−")


def paren(x: float) -> str:
    """``num`` with parentheses around a negative value, as a factor after · or −."""
    return f"({num(x)})" if x < 0 else num(x)


class _Builder:
    def __init__(self, p: Params, tutorial: bool) -> None:
        self.p = p
        self.tutorial = tutorial
        self.out: list[Step] = []

    def add(
        self,
        id: str,
        phase: str,
        group: str,
        symbol: str,
        formula: str,
        numbers: str,
        value: float,
        explain: str,
        nodes=(),
        edges=(),
        chain=(),
        **fields_: object,
    ) -> Step:
        step = Step(
            id=id,
            phase=phase,
            group=group,
            symbol=symbol,
            formula=f"{symbol} = {formula}",
            substituted=f"{symbol} = {numbers}",
            value=value,
            explain=explain,
            explain_fields={k: str(v) for k, v in fields_.items()},
            nodes=tuple(nodes),
            edges=tuple(edges),
            tutorial=TUTORIAL_VALUES.get(symbol) if self.tutorial else None,
            chain=tuple(chain),
        )
        self.out.append(step)
        return step


def steps(p: Params = TUTORIAL, bias_updates: bool = False) -> list[Step]:
    """The whole pass as an ordered list of steps (see the module docstring), phase by phase."""
    P = compute(p)
    b = _Builder(p, tutorial=(p == TUTORIAL))
    _forward_steps(b, P)
    _output_steps(b, P)
    _hidden_steps(b, P)
    if bias_updates:
        _bias_steps(b, P)
    _after_step(b, P, bias_updates)
    return _mark_repeats(b.out)


def _mark_repeats(all_steps: list[Step]) -> list[Step]:
    """Each step that computes a quantity an earlier step computed names that step (``repeat_of``)."""
    first: dict[str, str] = {}
    out = []
    for step in all_steps:
        out.append(replace(step, repeat_of=first.get(step.symbol)))
        first.setdefault(step.symbol, step.id)
    return out


def _update_step(b: _Builder, P: Pass, w: str, phase: str, nodes: tuple[str, ...], edges: tuple[str, ...]) -> None:
    p, v, g = b.p, b.p.as_dict(), P.gradients
    old, grad = v[w], g[w]
    new = old - p.lr * grad
    b.add(
        f"{w}.update",
        phase,
        w,
        f"{w}⁺",
        f"{w} − η·∂E_total/∂{w}",
        f"{num(old)} − {num(p.lr)}·{paren(grad)} = {num(new)}",
        new,
        "bp.ex.update_bias" if w in BIASES else "bp.ex.update",
        nodes=nodes,
        edges=edges,
        w=w,
    )


def _sigmoid_step(b, f: dict, node: str) -> None:
    """out = σ(l) for ``node`` (a hidden or an output unit: the same step in both layers)."""
    b.add(
        f"fwd.out_{node}",
        "forward",
        "forward",
        f"out_{node}",
        f"σ(l_{node}) = 1/(1 + e^(−l_{node}))",
        f"1/(1 + e^(−{paren(f['l_' + node])})) = {num(f['out_' + node])}",
        f[f"out_{node}"],
        "bp.ex.sigmoid",
        nodes=(node,),
        node=node,
    )


def _forward_steps(b: _Builder, P: Pass) -> None:
    """l, out of each neuron, then the errors."""
    p, f, v = b.p, P.forward, b.p.as_dict()
    # forward ------------------------------------------------------------------------------
    for h, (wa, wb) in (("h1", ("w1", "w2")), ("h2", ("w3", "w4"))):
        b.add(
            f"fwd.l_{h}",
            "forward",
            "forward",
            f"l_{h}",
            f"{wa}·i1 + {wb}·i2 + b1",
            f"{paren(v[wa])}·{paren(p.i1)} + {paren(v[wb])}·{paren(p.i2)} + {paren(p.b1)} = {num(f['l_' + h])}",
            f[f"l_{h}"],
            "bp.ex.linear",
            nodes=("i1", "i2", "b1", h),
            edges=(wa, wb),
            node=h,
            bias="b1",
        )
        _sigmoid_step(b, f, h)
    for o, (wa, wb) in (("o1", ("w5", "w6")), ("o2", ("w7", "w8"))):
        b.add(
            f"fwd.l_{o}",
            "forward",
            "forward",
            f"l_{o}",
            f"{wa}·out_h1 + {wb}·out_h2 + b2",
            f"{paren(v[wa])}·{num(f['out_h1'])} + {paren(v[wb])}·{num(f['out_h2'])} + {paren(p.b2)} = {num(f['l_' + o])}",
            f[f"l_{o}"],
            "bp.ex.linear",
            nodes=("h1", "h2", "b2", o),
            edges=(wa, wb),
            node=o,
            bias="b2",
        )
        _sigmoid_step(b, f, o)
    for k, o in (("1", "o1"), ("2", "o2")):
        b.add(
            f"fwd.E_{o}",
            "forward",
            "forward",
            f"E_{o}",
            f"½(t{k} − out_{o})²",
            f"½({num(v['t' + k])} − {num(f['out_' + o])})² = {num(f['E_' + o])}",
            f[f"E_{o}"],
            "bp.ex.error",
            nodes=(o, f"t{k}", "E"),
            node=o,
            target=f"t{k}",
        )
    b.add(
        "fwd.E_total",
        "forward",
        "forward",
        "E_total",
        "E_o1 + E_o2",
        f"{num(f['E_o1'])} + {num(f['E_o2'])} = {num(f['E_total'])}",
        f["E_total"],
        "bp.ex.total",
        nodes=("o1", "o2", "t1", "t2", "E"),
    )


def _output_steps(b: _Builder, P: Pass) -> None:
    """w5..w8: the output deltas, each weight's chain in full (the tutorial's order)."""
    f, d, g, v = P.forward, P.local, P.gradients, b.p.as_dict()
    # backward through the output layer -----------------------------------------------------
    for w in ("w5", "w6", "w7", "w8"):
        h, o = EDGES[w]
        k = o[1]
        ids = (f"{w}.dE_dout", f"{w}.dout_dl", f"{w}.dl_dw")
        chain = (ChainRow(f"{w}.grad", (ids,)),)
        b.add(
            ids[0],
            "output",
            w,
            f"∂E_total/∂out_{o}",
            f"−(t{k} − out_{o})",
            f"−({num(v['t' + k])} − {num(f['out_' + o])}) = {num(d['e_' + o])}",
            d[f"e_{o}"],
            "bp.ex.dE_dout",
            nodes=(o, f"t{k}", "E"),
            chain=chain,
            node=o,
            target=f"t{k}",
        )
        b.add(
            ids[1],
            "output",
            w,
            f"∂out_{o}/∂l_{o}",
            f"out_{o}·(1 − out_{o})",
            f"{num(f['out_' + o])}·(1 − {num(f['out_' + o])}) = {num(d['s_' + o])}",
            d[f"s_{o}"],
            "bp.ex.dsigmoid",
            nodes=(o,),
            chain=chain,
            node=o,
        )
        b.add(
            ids[2],
            "output",
            w,
            f"∂l_{o}/∂{w}",
            f"out_{h}",
            num(f[f"out_{h}"]),
            f[f"out_{h}"],
            "bp.ex.dl_dw_out",
            nodes=(h, o),
            edges=(w,),
            chain=chain,
            w=w,
            node=o,
            src=h,
        )
        b.add(
            f"{w}.grad",
            "output",
            w,
            f"∂E_total/∂{w}",
            f"∂E_total/∂out_{o} · ∂out_{o}/∂l_{o} · ∂l_{o}/∂{w}",
            f"{paren(d['e_' + o])} · {num(d['s_' + o])} · {num(f['out_' + h])} = {num(g[w])}",
            g[w],
            "bp.ex.product",
            nodes=(h, o, "E"),
            edges=(w,),
            chain=chain,
            w=w,
        )
        _update_step(b, P, w, "output", (h, o), (w,))


def _hidden_steps(b: _Builder, P: Pass) -> None:
    """w1..w4: the hidden deltas through the old w5..w8."""
    f, d, g, v = P.forward, P.local, P.gradients, b.p.as_dict()
    # backward through the hidden layer (old w5..w8) ----------------------------------------
    for w in ("w1", "w2", "w3", "w4"):
        i, h = EDGES[w]
        # the two weights leaving h: toward o1 and toward o2
        wo1, wo2 = ("w5", "w7") if h == "h1" else ("w6", "w8")
        ids = {
            "d1": f"{w}.delta_o1",
            "l1": f"{w}.dl_o1_dout",
            "p1": f"{w}.path_o1",
            "d2": f"{w}.delta_o2",
            "l2": f"{w}.dl_o2_dout",
            "p2": f"{w}.path_o2",
            "sum": f"{w}.dE_dout_h",
            "s": f"{w}.dout_dl",
            "x": f"{w}.dl_dw",
            "grad": f"{w}.grad",
        }
        chain = (
            ChainRow(ids["sum"], ((ids["d1"], ids["l1"]), (ids["d2"], ids["l2"]))),
            ChainRow(ids["grad"], ((ids["sum"], ids["s"], ids["x"]),)),
        )
        for k, o, wo, dk, lk, pk in (("1", "o1", wo1, "d1", "l1", "p1"), ("2", "o2", wo2, "d2", "l2", "p2")):
            b.add(
                ids[dk],
                "hidden",
                w,
                f"∂E_{o}/∂l_{o}",
                f"∂E_{o}/∂out_{o} · ∂out_{o}/∂l_{o}",
                f"{paren(d['e_' + o])} · {num(d['s_' + o])} = {num(d['delta_' + o])}",
                d[f"delta_{o}"],
                "bp.ex.delta",
                nodes=(o, f"t{k}", "E"),
                chain=chain,
                node=o,
            )
            b.add(
                ids[lk],
                "hidden",
                w,
                f"∂l_{o}/∂out_{h}",
                wo,
                num(v[wo]),
                v[wo],
                "bp.ex.old_weight",
                nodes=(h, o),
                edges=(wo,),
                chain=chain,
                w=wo,
                node=o,
                src=h,
            )
            b.add(
                ids[pk],
                "hidden",
                w,
                f"∂E_{o}/∂out_{h}",
                f"∂E_{o}/∂l_{o} · ∂l_{o}/∂out_{h}",
                f"{paren(d['delta_' + o])} · {paren(v[wo])} = {num(d[f'path_{o}_{h}'])}",
                d[f"path_{o}_{h}"],
                "bp.ex.path",
                nodes=(h, o),
                edges=(wo,),
                chain=chain,
                node=o,
                src=h,
            )
        b.add(
            ids["sum"],
            "hidden",
            w,
            f"∂E_total/∂out_{h}",
            f"∂E_o1/∂out_{h} + ∂E_o2/∂out_{h}",
            f"{num(d[f'path_o1_{h}'])} + {paren(d[f'path_o2_{h}'])} = {num(d['dE_out_' + h])}",
            d[f"dE_out_{h}"],
            "bp.ex.sum_paths",
            nodes=(h, "o1", "o2"),
            edges=(wo1, wo2),
            chain=chain,
            node=h,
        )
        b.add(
            ids["s"],
            "hidden",
            w,
            f"∂out_{h}/∂l_{h}",
            f"out_{h}·(1 − out_{h})",
            f"{num(f['out_' + h])}·(1 − {num(f['out_' + h])}) = {num(d['s_' + h])}",
            d[f"s_{h}"],
            "bp.ex.dsigmoid",
            nodes=(h,),
            chain=chain,
            node=h,
        )
        b.add(
            ids["x"],
            "hidden",
            w,
            f"∂l_{h}/∂{w}",
            i,
            num(v[i]),
            v[i],
            "bp.ex.dl_dw_in",
            nodes=(i, h),
            edges=(w,),
            chain=chain,
            w=w,
            node=h,
            src=i,
        )
        b.add(
            ids["grad"],
            "hidden",
            w,
            f"∂E_total/∂{w}",
            f"∂E_total/∂out_{h} · ∂out_{h}/∂l_{h} · ∂l_{h}/∂{w}",
            f"{paren(d['dE_out_' + h])} · {num(d['s_' + h])} · {paren(v[i])} = {num(g[w])}",
            g[w],
            "bp.ex.product",
            nodes=(i, h),
            edges=(w,),
            chain=chain,
            w=w,
        )
        _update_step(b, P, w, "hidden", (i, h), (w,))


def _bias_steps(b: _Builder, P: Pass) -> None:
    """The shared biases b2 then b1 (only with bias updates)."""
    f, d, g, v = P.forward, P.local, P.gradients, b.p.as_dict()
    # the shared biases (optional) ------------------------------------------------------------
    ids = ("b2.delta_o1", "b2.dl_o1_db2", "b2.delta_o2", "b2.dl_o2_db2")
    chain = (ChainRow("b2.grad", ((ids[0], ids[1]), (ids[2], ids[3]))),)
    for k, o, di, li in (("1", "o1", ids[0], ids[1]), ("2", "o2", ids[2], ids[3])):
        b.add(
            di,
            "bias",
            "b2",
            f"∂E_{o}/∂l_{o}",
            f"∂E_{o}/∂out_{o} · ∂out_{o}/∂l_{o}",
            f"{paren(d['e_' + o])} · {num(d['s_' + o])} = {num(d['delta_' + o])}",
            d[f"delta_{o}"],
            "bp.ex.delta",
            nodes=(o, f"t{k}", "E"),
            chain=chain,
            node=o,
        )
        b.add(
            li,
            "bias",
            "b2",
            f"∂l_{o}/∂b2",
            "1",
            "1",
            1.0,
            "bp.ex.dl_db",
            nodes=("b2", o),
            chain=chain,
            node=o,
            bias="b2",
        )
    b.add(
        "b2.grad",
        "bias",
        "b2",
        "∂E_total/∂b2",
        "∂E_o1/∂l_o1·∂l_o1/∂b2 + ∂E_o2/∂l_o2·∂l_o2/∂b2",
        f"{paren(d['delta_o1'])}·1 + {paren(d['delta_o2'])}·1 = {num(g['b2'])}",
        g["b2"],
        "bp.ex.shared_bias",
        nodes=("b2", "o1", "o2"),
        chain=chain,
        bias="b2",
        a="o1",
        b="o2",
    )
    _update_step(b, P, "b2", "bias", ("b2",), ())
    ids = ("b1.dE_dout_h1", "b1.dout_dl_h1", "b1.dE_dout_h2", "b1.dout_dl_h2")
    chain = (ChainRow("b1.grad", ((ids[0], ids[1]), (ids[2], ids[3]))),)
    for h, di, si in (("h1", ids[0], ids[1]), ("h2", ids[2], ids[3])):
        wo1, wo2 = ("w5", "w7") if h == "h1" else ("w6", "w8")
        b.add(
            di,
            "bias",
            "b1",
            f"∂E_total/∂out_{h}",
            f"∂E_o1/∂l_o1·{wo1} + ∂E_o2/∂l_o2·{wo2}",
            f"{paren(d['delta_o1'])}·{paren(v[wo1])} + {paren(d['delta_o2'])}·{paren(v[wo2])}"
            f" = {num(d['dE_out_' + h])}",
            d[f"dE_out_{h}"],
            "bp.ex.sum_paths",
            nodes=(h, "o1", "o2"),
            edges=(wo1, wo2),
            chain=chain,
            node=h,
        )
        b.add(
            si,
            "bias",
            "b1",
            f"∂out_{h}/∂l_{h}",
            f"out_{h}·(1 − out_{h})",
            f"{num(f['out_' + h])}·(1 − {num(f['out_' + h])}) = {num(d['s_' + h])}",
            d[f"s_{h}"],
            "bp.ex.dsigmoid",
            nodes=(h,),
            chain=chain,
            node=h,
        )
    b.add(
        "b1.grad",
        "bias",
        "b1",
        "∂E_total/∂b1",
        "∂E_total/∂out_h1·∂out_h1/∂l_h1 + ∂E_total/∂out_h2·∂out_h2/∂l_h2",
        f"{paren(d['dE_out_h1'])}·{num(d['s_h1'])} + {paren(d['dE_out_h2'])}·{num(d['s_h2'])} = {num(g['b1'])}",
        g["b1"],
        "bp.ex.shared_bias",
        nodes=("b1", "h1", "h2"),
        chain=chain,
        bias="b1",
        a="h1",
        b="h2",
    )
    _update_step(b, P, "b1", "bias", ("b1",), ())


def _after_step(b: _Builder, P: Pass, bias_updates: bool) -> None:
    """The error after every update of the pass applies together."""
    p, f, g = b.p, P.forward, P.gradients
    # the pass ends: every update applies together -------------------------------------------
    after = forward(update(p, g, bias_updates))["E_total"]
    b.add(
        "pass.E_after",
        "update",
        "pass",
        "E_total⁺",
        "½(t1 − out_o1⁺)² + ½(t2 − out_o2⁺)²",
        f"{num(f['E_total'])} → {num(after)}",
        after,
        "bp.ex.after",
        nodes=("i1", "i2", "h1", "h2", "o1", "o2", "E"),
        edges=WEIGHTS,
        change=num(after - f["E_total"]),
    )


@dataclass(frozen=True)
class Factor:
    symbol: str
    value: float | None  # None while the step that computes it lies ahead
    current: bool  # computed by the step being shown


def chain_view(all_steps: list[Step], index: int) -> list[tuple[Factor, list[list[Factor]]]]:
    """The chain of step ``index`` as it stands at that step: per row, the left-hand side and
    its terms (each a product of factors), values filled in only for steps already reached."""
    by_id = {step.id: position for position, step in enumerate(all_steps)}

    def factor(step_id: str) -> Factor:
        at = by_id[step_id]
        step = all_steps[at]
        return Factor(step.symbol, step.value if at <= index else None, at == index)

    return [(factor(row.lhs), [[factor(f) for f in term] for term in row.terms]) for row in all_steps[index].chain]

"""The forward phase's steps: l and out of each neuron, then the errors."""

from __future__ import annotations

from nnlab.core.tinynet_net import Pass
from nnlab.core.tinynet_step import Builder, num, paren


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


def forward_steps(b: Builder, P: Pass) -> None:
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

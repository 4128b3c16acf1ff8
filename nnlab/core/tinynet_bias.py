"""The last phases' steps: the shared biases (with bias updates), then the error after the update."""

from __future__ import annotations

from nnlab.core.tinynet_net import WEIGHTS, Pass, forward, update
from nnlab.core.tinynet_step import Builder, ChainRow, num, paren, update_step


def bias_steps(b: Builder, P: Pass) -> None:
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
    update_step(b, P, "b2", "bias", ("b2",), ())
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
    update_step(b, P, "b1", "bias", ("b1",), ())


def after_step(b: Builder, P: Pass, bias_updates: bool) -> None:
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

"""The backward phases' steps: through the output layer (w5..w8), then the hidden layer (w1..w4)."""

from __future__ import annotations

from nnlab.core.tinynet_net import EDGES, Pass
from nnlab.core.tinynet_step import Builder, ChainRow, num, paren, update_step


def output_steps(b: Builder, P: Pass) -> None:
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
        update_step(b, P, w, "output", (h, o), (w,))


def hidden_steps(b: Builder, P: Pass) -> None:
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
        update_step(b, P, w, "hidden", (i, h), (w,))

"""The ordered steps of one pass through any lab network, in two orders.

``weight`` is the tutorial's order: each weight's chain built in full, so a node's delta is
computed again for every weight that needs it (each repeat is marked with ``repeat_of``, the
step that first computed it). ``node`` is the order backprop runs: each node's delta once, then
every weight into that node reuses it (``reuses`` names the earlier steps a step reads). On the
tutorial's 2-2-2 the ``weight`` order gives tinynet's steps: the same ids, symbols and values.
"""

from __future__ import annotations

from nnlab.core.netlab import Lab
from nnlab.core.netlab_build import _Steps
from nnlab.core.tinynet_step import ChainRow, Step, num, paren

ORDERS = ("weight", "node")


def _phase(s: _Steps, layer: int) -> str:
    return "output" if layer == s.n.depth else "hidden"


def _x_step(s: _Steps, id: str, phase: str, group: str, layer: int, j: int, k: int, w: str, chain=()) -> str:
    """∂l/∂w: the value on the weight's source side (an input, or an output of the layer below)."""
    u, value = s.u(layer, j), s.P.a[layer - 1][k]
    if layer == 1:
        return s.add(
            id,
            phase,
            group,
            f"∂l_{u}/∂{w}",
            s.u(0, k),
            num(value),
            value,
            "bp.ex.dl_dw_in",
            nodes=(s.u(0, k), u),
            edges=(w,),
            chain=chain,
            w=w,
            node=u,
            src=s.u(0, k),
        )
    src = s.u(layer - 1, k)
    return s.add(
        id,
        phase,
        group,
        f"∂l_{u}/∂{w}",
        f"out_{src}",
        num(value),
        value,
        "bp.ex.dl_dw_out",
        nodes=(src, u),
        edges=(w,),
        chain=chain,
        w=w,
        node=u,
        src=src,
    )


def _delta_step(s: _Steps, id: str, phase: str, group: str, layer: int, j: int, chain=(), reuses=()) -> str:
    """A node's delta δ = ∂E/∂out · ∂out/∂l (for per-output losses the error is E_o's alone)."""
    P, u = s.P, s.u(layer, j)
    top = layer == s.n.depth and s.per_output_terms()
    e_sym = f"∂E_{u}/∂out_{u}" if top else f"∂E_total/∂out_{u}"
    return s.add(
        id,
        phase,
        group,
        s.delta_symbol(layer, j),
        f"{e_sym} · ∂out_{u}/∂l_{u}",
        f"{paren(P.dE_da[layer - 1][j])} · {num(P.slope[layer - 1][j])} = {num(P.delta[layer - 1][j])}",
        P.delta[layer - 1][j],
        "bp.ex.delta",
        nodes=(u, f"t{j + 1}", "E") if top else (u,),
        chain=chain,
        reuses=reuses,
        node=u,
    )


def _bias_steps(s: _Steps, layer: int, js: list[int], deltas: dict[int, str] | None) -> None:
    """The gradient and update of one bias feeding units ``js`` (``deltas``: their δ steps, node order)."""
    n, P, lab = s.n, s.P, s.lab
    name = n.bias_name(layer, js[0])
    ids = []
    for j in js:
        if deltas is None:
            ids.append(_delta_step(s, f"{name}.delta_{s.u(layer, j)}", "bias", name, layer, j))
        else:
            ids.append(deltas[j])
    syms = [s.delta_symbol(layer, j) for j in js]
    value = P.db[layer - 1][0] if n.bias == "layer" else P.db[layer - 1][js[0]]
    units = [s.u(layer, j) for j in js]
    if n.bias == "neuron":
        key, fields = "bp.ex.neuron_bias", {"bias": name, "node": units[0]}
    elif len(js) == 2:
        key, fields = "bp.ex.shared_bias", {"bias": name, "a": units[0], "b": units[1]}
    else:
        key, fields = "bp.ex.shared_bias_n", {"bias": name, "units": ", ".join(units)}
    chain = (ChainRow(f"{name}.grad", tuple((i,) for i in ids)),)
    s.add(
        f"{name}.grad",
        "bias" if deltas is None else _phase(s, layer),
        name,
        f"∂E_total/∂{name}",
        " + ".join(f"{sym}·1" for sym in syms),
        " + ".join(f"{paren(P.delta[layer - 1][j])}·1" for j in js) + f" = {num(value)}",
        value,
        key,
        nodes=(name, *units),
        chain=chain,
        reuses=ids if deltas is not None else (),
        **fields,
    )
    old = lab.bias(layer, js[0])
    s.update_step(name, "bias" if deltas is None else _phase(s, layer), old, value, (name,), (), bias=True)


def weight_order(s: _Steps, bias_updates: bool) -> None:
    """The tutorial's order: weight by weight from the output layer down, each chain in full."""
    n, P, lab = s.n, s.P, s.lab
    L = n.depth
    for j in range(n.widths[L]):
        for k in range(n.widths[L - 1]):
            w, o = n.weight(L, j, k), s.u(L, j)
            ids = (f"{w}.dE_dout", f"{w}.dout_dl", f"{w}.dl_dw")
            chain = (ChainRow(f"{w}.grad", (ids,)),)
            s.dE_dout_step(ids[0], "output", w, j, chain=chain)
            s.slope_step(ids[1], "output", w, L, j, chain=chain)
            _x_step(s, ids[2], "output", w, L, j, k, w, chain=chain)
            x = P.a[L - 1][k]
            s.add(
                f"{w}.grad",
                "output",
                w,
                f"∂E_total/∂{w}",
                f"∂E_total/∂out_{o} · ∂out_{o}/∂l_{o} · ∂l_{o}/∂{w}",
                f"{paren(P.dE_da[L - 1][j])} · {num(P.slope[L - 1][j])} · {paren(x)} = {num(P.dW[L - 1][j][k])}",
                P.dW[L - 1][j][k],
                "bp.ex.product",
                nodes=(*((s.u(L - 1, k),) if L > 1 else (s.u(0, k),)), o, "E"),
                edges=(w,),
                chain=chain,
                w=w,
            )
            s.update_step(w, "output", lab.W[L - 1][j][k], P.dW[L - 1][j][k], (s.u(L - 1, k), o), (w,), bias=False)
    for layer in range(L - 1, 0, -1):
        above = range(n.widths[layer + 1])
        for j in range(n.widths[layer]):
            for k in range(n.widths[layer - 1]):
                w, u = n.weight(layer, j, k), s.u(layer, j)
                ids = {
                    m: (
                        f"{w}.delta_{s.u(layer + 1, m)}",
                        f"{w}.dl_{s.u(layer + 1, m)}_dout",
                        f"{w}.path_{s.u(layer + 1, m)}",
                    )
                    for m in above
                }
                sum_id, slope_id, x_id, grad_id = f"{w}.dE_dout_h", f"{w}.dout_dl", f"{w}.dl_dw", f"{w}.grad"
                chain = (
                    ChainRow(sum_id, tuple((ids[m][0], ids[m][1]) for m in above)),
                    ChainRow(grad_id, ((sum_id, slope_id, x_id),)),
                )
                for m in above:
                    um, wo = s.u(layer + 1, m), n.weight(layer + 1, m, j)
                    old = lab.W[layer][m][j]
                    _delta_step(s, ids[m][0], "hidden", w, layer + 1, m, chain=chain)
                    s.add(
                        ids[m][1],
                        "hidden",
                        w,
                        f"∂l_{um}/∂out_{u}",
                        wo,
                        num(old),
                        old,
                        "bp.ex.old_weight",
                        nodes=(u, um),
                        edges=(wo,),
                        chain=chain,
                        w=wo,
                        node=um,
                        src=u,
                    )
                    s.add(
                        ids[m][2],
                        "hidden",
                        w,
                        f"∂E_{um}/∂out_{u}",
                        f"{s.delta_symbol(layer + 1, m)} · ∂l_{um}/∂out_{u}",
                        f"{paren(P.delta[layer][m])} · {paren(old)} = {num(P.delta[layer][m] * old)}",
                        P.delta[layer][m] * old,
                        "bp.ex.path",
                        nodes=(u, um),
                        edges=(wo,),
                        chain=chain,
                        node=um,
                        src=u,
                    )
                paths = [P.delta[layer][m] * lab.W[layer][m][j] for m in above]
                targets = [s.u(layer + 1, m) for m in above]
                tutorial_shape = layer + 1 == L and targets == ["o1", "o2"]
                s.add(
                    sum_id,
                    "hidden",
                    w,
                    f"∂E_total/∂out_{u}",
                    " + ".join(f"∂E_{t}/∂out_{u}" for t in targets),
                    " + ".join(num(x) if i == 0 else paren(x) for i, x in enumerate(paths))
                    + f" = {num(P.dE_da[layer - 1][j])}",
                    P.dE_da[layer - 1][j],
                    "bp.ex.sum_paths" if tutorial_shape else "bp.ex.sum_paths_n",
                    nodes=(u, *targets),
                    edges=tuple(n.weight(layer + 1, m, j) for m in above),
                    chain=chain,
                    node=u,
                    **({} if tutorial_shape else {"targets": ", ".join(targets)}),
                )
                s.slope_step(slope_id, "hidden", w, layer, j, chain=chain)
                _x_step(s, x_id, "hidden", w, layer, j, k, w, chain=chain)
                x = P.a[layer - 1][k]
                s.add(
                    grad_id,
                    "hidden",
                    w,
                    f"∂E_total/∂{w}",
                    f"∂E_total/∂out_{u} · ∂out_{u}/∂l_{u} · ∂l_{u}/∂{w}",
                    f"{paren(P.dE_da[layer - 1][j])} · {num(P.slope[layer - 1][j])} · {paren(x)}"
                    f" = {num(P.dW[layer - 1][j][k])}",
                    P.dW[layer - 1][j][k],
                    "bp.ex.product",
                    nodes=(s.u(layer - 1, k), u),
                    edges=(w,),
                    chain=chain,
                    w=w,
                )
                s.update_step(
                    w, "hidden", lab.W[layer - 1][j][k], P.dW[layer - 1][j][k], (s.u(layer - 1, k), u), (w,), bias=False
                )
    if bias_updates:
        for layer in range(L, 0, -1):
            groups = [list(range(n.widths[layer]))] if n.bias == "layer" else [[j] for j in range(n.widths[layer])]
            for js in groups:
                _bias_steps(s, layer, js, None)


def node_order(s: _Steps, bias_updates: bool) -> None:
    """Backprop's order: per layer from the output, each node's delta once, then its weights."""
    n, P, lab = s.n, s.P, s.lab
    L = n.depth
    deltas_above: dict[int, str] = {}
    for layer in range(L, 0, -1):
        phase = _phase(s, layer)
        deltas: dict[int, str] = {}
        for j in range(n.widths[layer]):
            u = s.u(layer, j)
            dE_id, slope_id, delta_id = f"{u}.dE_dout", f"{u}.dout_dl", f"{u}.delta"
            chain = (ChainRow(delta_id, ((dE_id, slope_id),)),)
            if layer == L:
                s.dE_dout_step(dE_id, phase, u, j, chain=chain)
            else:
                above = range(n.widths[layer + 1])
                s.add(
                    dE_id,
                    phase,
                    u,
                    f"∂E_total/∂out_{u}",
                    " + ".join(f"{s.delta_symbol(layer + 1, m)}·{n.weight(layer + 1, m, j)}" for m in above),
                    " + ".join(f"{paren(P.delta[layer][m])}·{paren(lab.W[layer][m][j])}" for m in above)
                    + f" = {num(P.dE_da[layer - 1][j])}",
                    P.dE_da[layer - 1][j],
                    "bp.ex.node_sum",
                    nodes=(u, *(s.u(layer + 1, m) for m in above)),
                    edges=tuple(n.weight(layer + 1, m, j) for m in above),
                    chain=chain,
                    reuses=[deltas_above[m] for m in above],
                    node=u,
                )
            s.slope_step(slope_id, phase, u, layer, j, chain=chain)
            _delta_step(s, delta_id, phase, u, layer, j, chain=chain)
            deltas[j] = delta_id
            for k in range(n.widths[layer - 1]):
                w = n.weight(layer, j, k)
                x = P.a[layer - 1][k]
                src = s.u(layer - 1, k)
                x_sym = src if layer == 1 else f"out_{src}"
                s.add(
                    f"{w}.grad",
                    phase,
                    w,
                    f"∂E_total/∂{w}",
                    f"{s.delta_symbol(layer, j)} · {x_sym}",
                    f"{paren(P.delta[layer - 1][j])} · {paren(x)} = {num(P.dW[layer - 1][j][k])}",
                    P.dW[layer - 1][j][k],
                    "bp.ex.node_grad",
                    nodes=(src, u),
                    edges=(w,),
                    reuses=(delta_id, f"fwd.out_{src}" if layer > 1 else ""),
                    w=w,
                    node=u,
                    src=x_sym,
                )
                s.update_step(w, phase, lab.W[layer - 1][j][k], P.dW[layer - 1][j][k], (src, u), (w,), bias=False)
            if bias_updates and n.bias == "neuron":
                _bias_steps(s, layer, [j], deltas)
        if bias_updates and n.bias == "layer":
            _bias_steps(s, layer, list(range(n.widths[layer])), deltas)
        deltas_above = deltas


def steps(lab: Lab, order: str = "weight", bias_updates: bool = False) -> list[Step]:
    """The whole pass: forward, backward from the output layer down, the error after the update."""
    s = _Steps(lab)
    s.forward()
    (weight_order if order == "weight" else node_order)(s, bias_updates)
    s.after(bias_updates)
    return s.out


def counts(lab: Lab, bias_updates: bool = False) -> dict[str, int]:
    """How many steps each order takes for this network (the screen shows both)."""
    return {order: len(steps(lab, order, bias_updates)) for order in ORDERS}

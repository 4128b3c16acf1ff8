"""The pieces of the ordered steps of any lab network (the orders themselves: ``netlab_steps``).

``weight`` is the tutorial's order: each weight's chain built in full, so a node's delta is
computed again for every weight that needs it (each repeat is marked with ``repeat_of``, the
step that first computed it). ``node`` is the order backprop runs: each node's delta once, then
every weight into that node reuses it (``reuses`` names the earlier steps a step reads). On the
tutorial's 2-2-2 the ``weight`` order gives tinynet's steps: the same ids, symbols and values.
"""

from __future__ import annotations

from nnlab.core.netlab import Lab, LabPass, compute, tutorial_lab, update
from nnlab.core.tinynet_net import TUTORIAL_VALUES
from nnlab.core.tinynet_step import Step, num, paren

PHASES = ("forward", "output", "hidden", "bias", "update")
_ACT_TEXT = {
    "sigmoid": ("σ({z}) = 1/(1 + e^(−{z}))", "1/(1 + e^(−{v}))"),
    "tanh": ("tanh({z})", "tanh({v})"),
    "relu": ("max(0, {z})", "max(0, {v})"),
    "leaky_relu": ("max(0.01·{z}, {z})", "max(0.01·{v}, {v})"),
    "identity": ("{z}", "{v}"),
}
_SLOPE_TEXT = {
    "sigmoid": ("out_{u}·(1 − out_{u})", "{a}·(1 − {a})"),
    "tanh": ("1 − out_{u}²", "1 − {a}²"),
    "relu": ("1 if l_{u} > 0 else 0", "l = {z}"),
    "leaky_relu": ("1 if l_{u} > 0 else 0.01", "l = {z}"),
    "identity": ("1", "1"),
}


class _Steps:
    """Collects steps; knows which symbol each earlier step computed (for repeats and reuse)."""

    def __init__(self, lab: Lab) -> None:
        self.lab, self.n = lab, lab.net
        self.P: LabPass = compute(lab)
        self.tutorial = lab == tutorial_lab()
        self.out: list[Step] = []
        self.first: dict[str, str] = {}  # symbol → id of the step that first computed it

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
        reuses=(),
        **fields: object,
    ) -> str:
        self.out.append(
            Step(
                id=id,
                phase=phase,
                group=group,
                symbol=symbol,
                formula=f"{symbol} = {formula}",
                substituted=f"{symbol} = {numbers}",
                value=value,
                explain=explain,
                explain_fields={k: str(v) for k, v in fields.items()},
                nodes=tuple(nodes),
                edges=tuple(edges),
                tutorial=TUTORIAL_VALUES.get(symbol) if self.tutorial else None,
                chain=tuple(chain),
                repeat_of=self.first.get(symbol),
                reuses=tuple(r for r in reuses if r),
            )
        )
        self.first.setdefault(symbol, id)
        return id

    # names ---------------------------------------------------------------------------------
    def u(self, layer: int, j: int) -> str:
        return self.n.unit(layer, j)

    def src(self, layer: int, k: int) -> str:
        """What feeds layer ``layer`` from unit k: an input i_k, or out_ of the layer below."""
        return self.u(0, k) if layer == 1 else f"out_{self.u(layer - 1, k)}"

    def per_output_terms(self) -> bool:
        return self.n.loss != "ce"

    def delta_symbol(self, layer: int, j: int) -> str:
        u = self.u(layer, j)
        if layer == self.n.depth and self.per_output_terms():
            return f"∂E_{u}/∂l_{u}"
        return f"∂E_total/∂l_{u}"

    def act(self, layer: int) -> str:
        return self.n.acts[layer - 1]

    # the forward pass ------------------------------------------------------------------------
    def forward(self) -> None:
        n, P, lab = self.n, self.P, self.lab
        for layer in range(1, n.depth + 1):
            act = self.act(layer)
            for j in range(n.widths[layer]):
                u, bias = self.u(layer, j), n.bias_name(layer, j)
                ws = [n.weight(layer, j, k) for k in range(n.widths[layer - 1])]
                xs = [self.src(layer, k) for k in range(n.widths[layer - 1])]
                inputs = [self.u(layer - 1, k) for k in range(n.widths[layer - 1])]
                row, a_in = lab.W[layer - 1][j], P.a[layer - 1]
                self.add(
                    f"fwd.l_{u}",
                    "forward",
                    "forward",
                    f"l_{u}",
                    " + ".join(f"{w}·{x}" for w, x in zip(ws, xs)) + f" + {bias}",
                    " + ".join(f"{paren(w)}·{paren(x)}" for w, x in zip(row, a_in))
                    + f" + {paren(lab.bias(layer, j))} = {num(P.z[layer - 1][j])}",
                    P.z[layer - 1][j],
                    "bp.ex.linear" if n.bias == "layer" else "bp.ex.linear_own",
                    nodes=(*inputs, bias, u),
                    edges=ws,
                    node=u,
                    bias=bias,
                )
                sym, sub = _ACT_TEXT[act]
                z = P.z[layer - 1][j]
                self.add(
                    f"fwd.out_{u}",
                    "forward",
                    "forward",
                    f"out_{u}",
                    sym.format(z=f"l_{u}"),
                    sub.format(v=paren(z)) + f" = {num(P.a[layer][j])}",
                    P.a[layer][j],
                    "bp.ex.sigmoid" if act == "sigmoid" else f"bp.ex.act.{act}",
                    nodes=(u,),
                    node=u,
                )
        self.loss_steps()

    def loss_steps(self) -> None:
        n, P, t = self.n, self.P, self.lab.targets
        m, L = n.widths[-1], n.depth
        outs = [self.u(L, j) for j in range(m)]
        if n.loss in ("ce", "bce"):
            for j, o in enumerate(outs):
                if n.loss == "ce":
                    self.add(
                        f"fwd.p_{o}",
                        "forward",
                        "forward",
                        f"p_{o}",
                        f"e^out_{o} / Σₖ e^out_oₖ",
                        f"e^{paren(P.a[L][j])} / Σₖ e^out_oₖ = {num(P.squashed[j])}",
                        P.squashed[j],
                        "bp.ex.softmax",
                        nodes=tuple(outs),
                        node=o,
                    )
                else:
                    self.add(
                        f"fwd.p_{o}",
                        "forward",
                        "forward",
                        f"p_{o}",
                        f"σ(out_{o})",
                        f"1/(1 + e^(−{paren(P.a[L][j])})) = {num(P.squashed[j])}",
                        P.squashed[j],
                        "bp.ex.bce_p",
                        nodes=(o,),
                        node=o,
                    )
        if n.loss != "ce":
            for j, o in enumerate(outs):
                k = j + 1
                if n.loss == "sse":
                    sym, sub, key = f"½(t{k} − out_{o})²", f"½({num(t[j])} − {num(P.a[L][j])})²", "bp.ex.error"
                elif n.loss == "mse":
                    sym, sub, key = f"(t{k} − out_{o})²/{m}", f"({num(t[j])} − {num(P.a[L][j])})²/{m}", "bp.ex.mse"
                else:
                    sym = f"−[t{k}·log p_{o} + (1 − t{k})·log(1 − p_{o})]"
                    sub = f"−[{num(t[j])}·log {num(P.squashed[j])} + {num(1 - t[j])}·log {num(1 - P.squashed[j])}]"
                    key = "bp.ex.bce"
                self.add(
                    f"fwd.E_{o}",
                    "forward",
                    "forward",
                    f"E_{o}",
                    sym,
                    f"{sub} = {num(P.errors[j])}",
                    P.errors[j],
                    key,
                    nodes=(o, f"t{k}", "E"),
                    node=o,
                    target=f"t{k}",
                )
            terms = [f"E_{o}" for o in outs]
            self.add(
                "fwd.E_total",
                "forward",
                "forward",
                "E_total",
                " + ".join(terms),
                " + ".join(num(e) if i == 0 else paren(e) for i, e in enumerate(P.errors)) + f" = {num(P.E)}",
                P.E,
                "bp.ex.total",
                nodes=(*outs, *(f"t{j + 1}" for j in range(m)), "E"),
            )
        else:
            self.add(
                "fwd.E_total",
                "forward",
                "forward",
                "E_total",
                "−Σₖ tₖ·log p_oₖ",
                "−(" + " + ".join(f"{num(t[j])}·log {num(P.squashed[j])}" for j in range(m)) + f") = {num(P.E)}",
                P.E,
                "bp.ex.ce",
                nodes=(*outs, *(f"t{j + 1}" for j in range(m)), "E"),
            )

    # pieces both orders use ----------------------------------------------------------------------
    def dE_dout_step(self, id: str, phase: str, group: str, j: int, chain=(), reuses=()) -> str:
        """∂E_total/∂out of output unit j, from the loss alone."""
        n, P, t, L = self.n, self.P, self.lab.targets, self.n.depth
        o, k, out = self.u(L, j), j + 1, P.a[L][j]
        m = n.widths[-1]
        formula, numbers = {
            "sse": (f"−(t{k} − out_{o})", f"−({num(t[j])} − {num(out)})"),
            "mse": (f"−2·(t{k} − out_{o})/{m}", f"−2·({num(t[j])} − {num(out)})/{m}"),
            "bce": (f"p_{o} − t{k}", f"{num(P.squashed[j])} − {paren(t[j])}"),
            "ce": (f"p_{o}·Σₖtₖ − t{k}", f"{num(P.squashed[j])}·{num(sum(t))} − {paren(t[j])}"),
        }[n.loss]
        key = "bp.ex.dE_dout" if n.loss == "sse" else f"bp.ex.dE_dout_{n.loss}"
        return self.add(
            id,
            phase,
            group,
            f"∂E_total/∂out_{o}",
            formula,
            f"{numbers} = {num(P.dE_da[-1][j])}",
            P.dE_da[-1][j],
            key,
            nodes=(o, f"t{k}", "E"),
            chain=chain,
            reuses=reuses,
            node=o,
            target=f"t{k}",
        )

    def slope_step(self, id: str, phase: str, group: str, layer: int, j: int, chain=()) -> str:
        P, u = self.P, self.u(layer, j)
        act = self.act(layer)
        sym, sub = _SLOPE_TEXT[act]
        a, z = P.a[layer][j], P.z[layer - 1][j]
        return self.add(
            id,
            phase,
            group,
            f"∂out_{u}/∂l_{u}",
            sym.format(u=u),
            sub.format(a=num(a), z=paren(z)) + f" = {num(P.slope[layer - 1][j])}",
            P.slope[layer - 1][j],
            "bp.ex.dsigmoid" if act == "sigmoid" else f"bp.ex.d{act}",
            nodes=(u,),
            chain=chain,
            node=u,
        )

    def update_step(self, name: str, phase: str, old: float, grad: float, nodes, edges, bias: bool) -> str:
        lr = self.lab.lr
        return self.add(
            f"{name}.update",
            phase,
            name,
            f"{name}⁺",
            f"{name} − η·∂E_total/∂{name}",
            f"{num(old)} − {num(lr)}·{paren(grad)} = {num(old - lr * grad)}",
            old - lr * grad,
            "bp.ex.update_bias" if bias else "bp.ex.update",
            nodes=nodes,
            edges=edges,
            w=name,
        )

    def after(self, bias_updates: bool) -> None:
        n = self.n
        after = compute(update(self.lab, self.P, bias_updates)).E
        nodes = tuple(self.u(l, j) for l in range(n.depth + 1) for j in range(n.widths[l])) + ("E",)
        edges = tuple(
            n.weight(l, j, k) for l in range(1, n.depth + 1) for j in range(n.widths[l]) for k in range(n.widths[l - 1])
        )
        formula = "½(t1 − out_o1⁺)² + ½(t2 − out_o2⁺)²" if n.loss == "sse" and n.widths[-1] == 2 else "E_total(w⁺)"
        self.add(
            "pass.E_after",
            "update",
            "pass",
            "E_total⁺",
            formula,
            f"{num(self.P.E)} → {num(after)}",
            after,
            "bp.ex.after",
            nodes=nodes,
            edges=edges,
            change=num(after - self.P.E),
        )

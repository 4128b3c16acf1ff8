"""The canvases the network diagram draws on: the tutorial's 2-2-2 drawing and any layered network.

Both write into a ``Canvas`` whose cells are tagged with the nodes and edges they draw, so the
widget lights whatever the current step touches. ``Known`` answers what the pass has reached.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text

from nnlab.core.netlab import Lab


def fit(x: float, width: int, decimals: int) -> str:
    """``x`` in at most ``width`` characters, as many of ``decimals`` as fit, a real minus sign."""
    for d in range(decimals, -1, -1):
        text = f"{x:.{d}f}"
        if len(text) <= width:
            break
    else:
        text = f"{x:.{max(width - 6, 1)}e}"
    if float(text) == 0:
        text = text.lstrip("-")
    return text.replace("-", "−")


class Canvas:
    """Rows of characters, each cell tagged with the nodes/edges it draws."""

    def __init__(self, width: int, height: int) -> None:
        self.width = width
        self.chars = [[" "] * width for _ in range(height)]
        self.tags: list[list[frozenset[str]]] = [[frozenset()] * width for _ in range(height)]

    def put(self, row: int, col: int, text: str, *tags: str) -> None:
        for offset, char in enumerate(text):
            if 0 <= col + offset < self.width and 0 <= row < len(self.chars):
                self.chars[row][col + offset] = char
                self.tags[row][col + offset] = frozenset(tags)

    def text(self, hot: set[str], styles: dict[str, object]) -> Text:
        out = Text(no_wrap=True, overflow="crop")
        for row, chars in enumerate(self.chars):
            if row:
                out.append("\n")
            for col, char in enumerate(chars):
                tags = self.tags[row][col]
                style = styles["hot"] if tags & hot else styles["line"] if tags else None
                out.append(char, style=style)
        out.rstrip()
        return out


@dataclass
class Known:
    """What the pass has computed by the current step: node outputs, errors, gradients."""

    values: dict[str, float]  # every parameter by name (i1…, w1…, b…, t…)
    reached: dict[str, float]  # step id → value, for the steps up to the current one
    backward: bool  # the current step is past the forward pass

    def node(self, step_id: str) -> float | None:
        return self.reached.get(step_id)

    def grad(self, weight: str) -> float | None:
        """∂E/∂w once its step is reached, in the backward pass (where the edges carry it)."""
        return self.reached.get(f"{weight}.grad") if self.backward else None


# --------------------------------------------------------------------------------------
# the tutorial's 2-2-2: each layer joins a top and a bottom source to a top and a bottom target
# with four edges: straight top, top→bottom (crossing down), bottom→top (crossing up), straight bottom.
LAYERS = (
    (("i1", "i2"), ("h1", "h2"), ("w1", "w3", "w2", "w4"), "b1"),
    (("h1", "h2"), ("o1", "o2"), ("w5", "w7", "w6", "w8"), "b2"),
)


def _node_222(known: Known, name: str, w: int, decimals: int) -> str:
    if name in ("i1", "i2"):
        return f"{name} {fit(known.values[name], w, decimals):<{w}}"
    value = known.node(f"fwd.out_{name}")
    return f"{name} {'?' * 3:<{w}}" if value is None else f"{name} {fit(value, w, decimals):<{w}}"


def _edge_label(known: Known, edge: str, w: int, decimals: int) -> str:
    """``w5 0.2500``; in the backward pass, once known, the gradient: ``∂w5 −0.018``."""
    grad = known.grad(edge)
    if grad is None:
        return f"{edge} {fit(known.values[edge], w, decimals):<{w}}"
    return f"∂{edge} {fit(grad, w, decimals):<{w}}"


def _layer_222(c: Canvas, known: Known, col: int, layer, geometry: tuple[int, int, int, int]) -> int:
    """One weight layer of the 2-2-2 drawing from column ``col``; returns where its targets sit."""
    (top, bottom), (t_top, t_bottom), (ea, eb, ec, ed), bias = layer
    label, spread, w, decimals = geometry
    stub = col + label + 1  # after the source label and one space
    S = stub + 1 + spread
    text_at = S + 2
    X = text_at + label + 1 + spread
    Y = X + 2 + spread
    T = Y + 4
    c.put(0, stub, "─" * (S - stub), ea, eb)
    c.put(4, stub, "─" * (S - stub), ec, ed)
    c.put(0, S, "┬", ea, eb)
    c.put(4, S, "┴", ec, ed)
    c.put(1, S, "└", eb)
    c.put(3, S, "┌", ec)
    for row, edge in ((0, ea), (1, eb), (3, ec), (4, ed)):
        c.put(row, S + 1, "─", edge)
        c.put(row, text_at + label, "─" * (X - text_at - label), edge)
        c.put(row, text_at, _edge_label(known, edge, w, decimals), edge)  # a gradient may use the filler
    c.put(0, X, "─" * (Y - X), ea)
    c.put(1, X, "┐", eb)
    c.put(2, X, "│", eb)
    c.put(3, X, "┼", eb, ec)
    c.put(3, X + 1, "─" * (Y - X - 1), ec)
    c.put(4, X, "┴", eb, ed)
    c.put(4, X + 1, "─" * (Y - X - 1), eb, ed)
    c.put(0, Y, "┬", ea, ec)
    c.put(1, Y, "│", ec)
    c.put(2, Y, "│", ec)
    c.put(3, Y, "┘", ec)
    c.put(4, Y, "─", eb, ed)
    c.put(0, Y + 1, "─▶", ea, ec)
    c.put(4, Y + 1, "─▶", eb, ed)
    c.put(0, T, _node_222(known, t_top, w, decimals), t_top)
    c.put(4, T, _node_222(known, t_bottom, w, decimals), t_bottom)
    # the shared bias sits between the two neurons it feeds
    c.put(1, T, "▲", bias)
    c.put(2, T, f"{bias} {fit(known.values[bias], w, decimals)}", bias)
    c.put(3, T, "▼", bias)
    return T


def _errors_222(c: Canvas, known: Known, right: int, roomy: bool, w: int, decimals: int) -> None:
    """E_o1, E_o2, E_total: beside the outputs where there is room, else on the bottom row."""
    errors = [(name, known.node(f"fwd.{name}")) for name in ("E_o1", "E_o2", "E_total")]
    parts = [f"{name} {'?' * 3 if v is None else fit(v, w + 1, decimals + 1)}" for name, v in errors]
    line = "   ".join(parts)
    if roomy and right + 2 + max(len(x) for x in parts) < c.width:
        for row, part in zip((1, 2, 3), parts):
            c.put(row, right + 2, part, "E")
    else:
        c.put(5, max(1, right - len(line) + 10), line, "E")


def tutorial_canvas(known: Known, width: int) -> Canvas:
    """The 2-2-2 with shared biases, drawn as the tutorial's figure: crossing edges, biases between."""
    roomy = width >= 100
    decimals = 6 if roomy else 4
    w = decimals + 2  # characters of a value
    spread = 2 if roomy else 0  # extra room on the lines at wide sizes
    c = Canvas(width, 6)
    col = 1
    c.put(0, col, _node_222(known, "i1", w, decimals), "i1")
    c.put(4, col, _node_222(known, "i2", w, decimals), "i2")
    for layer in LAYERS:
        col = _layer_222(c, known, col, layer, (3 + w, spread, w, decimals))
    right = col + 3 + w + 2
    c.put(0, right, f"t1 {fit(known.values['t1'], w, decimals)}", "t1")
    c.put(4, right, f"t2 {fit(known.values['t2'], w, decimals)}", "t2")
    _errors_222(c, known, right, roomy, w, decimals)
    return c


# --------------------------------------------------------------------------------------
# any layered network: a column of units per layer, a bus between layers (every unit feeds every
# unit of the next layer), the lit edge's weight and ∂E/∂w on the bottom row.

_BUS = {  # (up, down, left, right) → the box character where the bus meets row r
    (False, True, True, True): "┬",
    (False, True, True, False): "┐",
    (False, True, False, True): "┌",
    (True, True, True, True): "┼",
    (True, True, True, False): "┤",
    (True, True, False, True): "├",
    (True, False, True, True): "┴",
    (True, False, True, False): "┘",
    (True, False, False, True): "└",
    (True, True, False, False): "│",
    (False, False, True, True): "─",
}
CONNECTOR = 6  # " ─┼─▶ "


def _value_width(depth: int, width: int) -> int:
    return max(4, min(9, (width - 2 - depth * CONNECTOR) // (depth + 2) - 3))


def _column(c: Canvas, lab: Lab, known: Known, layer: int, col: int, vw: int) -> None:
    n = lab.net
    for j in range(n.widths[layer]):
        u = n.unit(layer, j)
        value = lab.inputs[j] if layer == 0 else known.node(f"fwd.out_{u}")
        text = "?" * 3 if value is None else fit(value, vw, vw - 2)
        c.put(j, col, f"{u} {text}", u)


def _bus(c: Canvas, lab: Lab, layer: int, col: int) -> None:
    """Layer ``layer``'s weights as one bus from column ``col``: stubs in, arrows out."""
    n = lab.net
    src, dst = n.widths[layer - 1], n.widths[layer]
    rows = max(src, dst)
    edges = {(j, k): n.weight(layer, j, k) for j in range(dst) for k in range(src)}
    for r in range(rows):
        left, right = r < src, r < dst
        if left:
            c.put(r, col + 1, "─", *(edges[j, r] for j in range(dst)))
        spanning = [e for (j, k), e in edges.items() if min(j, k) <= r <= max(j, k)]
        char = _BUS.get((r > 0, r < rows - 1, left, right), "─")
        c.put(r, col + 2, char, *spanning)
        if right:
            c.put(r, col + 3, "─▶", *(edges[r, k] for k in range(src)))


def _biases(c: Canvas, lab: Lab, known: Known, hot: set[str], col_of: list[int], vw: int) -> None:
    """Row 4: a shared bias under its layer; per-neuron biases only the one the step touches."""
    n = lab.net
    if max(n.widths) > 4:
        return
    for layer in range(1, n.depth + 1):
        names = [n.bias_name(layer, j) for j in range(len(lab.b[layer - 1]))]
        shown = names if n.bias == "layer" else [b for b in names if b in hot][:1]
        for name in shown:
            c.put(4, col_of[layer], f"{name} {fit(known.values[name], vw, vw - 2)}", name)


def _edge_line(lab: Lab, known: Known, edges: tuple[str, ...]) -> str:
    """The lit edge: ``w13 h2→o1 = 0.35 · ∂E/∂w13 = −0.0184`` (several: their names and weights)."""
    n = lab.net
    ends = {
        n.weight(l, j, k): (n.unit(l - 1, k), n.unit(l, j))
        for l in range(1, n.depth + 1)
        for j in range(n.widths[l])
        for k in range(n.widths[l - 1])
    }
    edges = tuple(e for e in edges if e in ends)
    if not edges:
        return ""
    if len(edges) > 1:
        return "  ".join(f"{e} {fit(known.values[e], 6, 3)}" for e in edges)
    e = edges[0]
    text = f"{e} {ends[e][0]}→{ends[e][1]} = {fit(known.values[e], 8, 4)}"
    grad = known.grad(e)
    return text if grad is None else f"{text} · ∂E/∂{e} = {fit(grad, 10, 6)}"


def layered_canvas(lab: Lab, known: Known, hot: set[str], edges: tuple[str, ...], width: int) -> Canvas:
    n = lab.net
    vw = _value_width(n.depth, width)
    label = 3 + vw
    c = Canvas(width, 6)
    col_of = []
    col = 1
    for layer in range(n.depth + 1):
        col_of.append(col)
        _column(c, lab, known, layer, col, vw)
        if layer < n.depth:
            _bus(c, lab, layer + 1, col + label)
            col += label + CONNECTOR
    right = col + label + 1
    for j, t in enumerate(lab.targets):
        c.put(j, right, f"t{j + 1} {fit(t, vw, vw - 2)}", f"t{j + 1}")
    _biases(c, lab, known, hot, col_of, vw)
    E = known.node("fwd.E_total")
    total = f"E_total {'?' * 3 if E is None else fit(E, 10, 7)}"
    c.put(5, max(1, width - len(total) - 1), total, "E")
    c.put(5, 1, _edge_line(lab, known, edges)[: max(0, width - len(total) - 4)], *edges)
    return c

"""The 2-2-2 network drawn with box-drawing characters; the current step's nodes and edges lit."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from nnlab.core.tinynet import Params, Step

# Each layer joins a top and a bottom source to a top and a bottom target with four edges:
# straight top, top→bottom (crossing down), bottom→top (crossing up), straight bottom.
LAYERS = (
    (("i1", "i2"), ("h1", "h2"), ("w1", "w3", "w2", "w4"), "b1"),
    (("h1", "h2"), ("o1", "o2"), ("w5", "w7", "w6", "w8"), "b2"),
)
# The forward step after which a node's output is known (nothing is shown before its step).
KNOWN_AFTER = {"h1": "fwd.out_h1", "h2": "fwd.out_h2", "o1": "fwd.out_o1", "o2": "fwd.out_o2",
               "E_o1": "fwd.E_o1", "E_o2": "fwd.E_o2", "E_total": "fwd.E_total"}


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


class NetworkDiagram(Widget):
    """Nodes i1 i2 h1 h2 o1 o2, the biases, the eight weighted edges, targets and errors."""

    COMPONENT_CLASSES = {"diagram--hot", "diagram--line", "diagram--unknown"}
    DEFAULT_CSS = """
    NetworkDiagram { height: 6; width: 1fr; }
    NetworkDiagram > .diagram--hot { background: $accent; color: $text; text-style: bold; }
    NetworkDiagram > .diagram--line { color: $text; }
    NetworkDiagram > .diagram--unknown { color: $text-muted; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.params = Params()
        self.steps: list[Step] = []
        self.index = 0

    def show(self, params: Params, steps: list[Step], index: int) -> None:
        self.params, self.steps, self.index = params, steps, index
        self.refresh()

    # drawing --------------------------------------------------------------------------------
    def known(self, name: str) -> float | None:
        """The value of a node/error once the pass has reached the step that computes it."""
        step_id = KNOWN_AFTER[name]
        for position, step in enumerate(self.steps):
            if step.id == step_id:
                return step.value if position <= self.index else None
        return None

    def canvas(self, width: int) -> Canvas:
        roomy = width >= 100
        decimals = 6 if roomy else 4
        w = decimals + 2  # characters of a value
        p = self.params.as_dict()
        spread = 2 if roomy else 0  # extra room on the lines at wide sizes
        label = 3 + w  # "i1 0.1000"
        rows = 6
        c = Canvas(width, rows)

        def node(name: str) -> str:
            if name in ("i1", "i2"):
                return f"{name} {fit(p[name], w, decimals):<{w}}"
            value = self.known(name)
            return f"{name} {'?' * 3:<{w}}" if value is None else f"{name} {fit(value, w, decimals):<{w}}"

        col = 1
        c.put(0, col, node("i1"), "i1")
        c.put(4, col, node("i2"), "i2")
        for (top, bottom), (t_top, t_bottom), (ea, eb, ec, ed), bias in LAYERS:
            stub = col + label + 1  # after the source label and one space
            S = stub + 1 + spread
            text_at = S + 2
            X = text_at + label + 1 + spread
            Y = X + 2 + spread
            arrow = Y + 2
            T = arrow + 2
            c.put(0, stub, "─" * (S - stub), ea, eb)
            c.put(4, stub, "─" * (S - stub), ec, ed)
            c.put(0, S, "┬", ea, eb)
            c.put(4, S, "┴", ec, ed)
            c.put(1, S, "└", eb)
            c.put(3, S, "┌", ec)
            for row, edge in ((0, ea), (1, eb), (3, ec), (4, ed)):
                c.put(row, S + 1, "─", edge)
                c.put(row, text_at, f"{edge} {fit(p[edge], w, decimals):<{w}}", edge)
                c.put(row, text_at + label, "─" * (X - text_at - label), edge)
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
            c.put(0, T, node(t_top), t_top)
            c.put(4, T, node(t_bottom), t_bottom)
            # the shared bias sits between the two neurons it feeds
            c.put(1, T, "▲", bias)
            c.put(2, T, f"{bias} {fit(p[bias], w, decimals)}", bias)
            c.put(3, T, "▼", bias)
            col = T
        right = col + label + 2
        c.put(0, right, f"t1 {fit(p['t1'], w, decimals)}", "t1")
        c.put(4, right, f"t2 {fit(p['t2'], w, decimals)}", "t2")
        errors = [(name, self.known(name)) for name in ("E_o1", "E_o2", "E_total")]
        parts = [f"{name} {'?' * 3 if v is None else fit(v, w + 1, decimals + 1)}" for name, v in errors]
        line = "   ".join(parts)
        if roomy and right + 2 + max(len(x) for x in parts) < width:
            for row, part in zip((1, 2, 3), parts):  # beside the outputs
                c.put(row, right + 2, part, "E")
        else:
            c.put(5, max(1, right - len(line) + 10), line, "E")
        return c

    def render(self) -> Text:
        width = max(self.size.width, 40)
        hot: set[str] = set()
        if self.steps:
            step = self.steps[self.index]
            hot = set(step.nodes) | set(step.edges)
        styles = {
            "hot": self.get_component_rich_style("diagram--hot"),
            "line": self.get_component_rich_style("diagram--line"),
        }
        return self.canvas(width).text(hot, styles)

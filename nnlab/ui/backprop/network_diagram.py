"""The network drawn with box-drawing characters; the current step's nodes and edges lit.

The tutorial's 2-2-2 (shared biases) is drawn as its figure; any other network as columns of
units joined by buses (``diagram_canvas``). In the backward pass the edges carry ∂E/∂w.
"""

from __future__ import annotations

from textual.widget import Widget

from nnlab.core.netlab import Lab, tutorial_lab
from nnlab.core.tinynet_step import Step
from nnlab.ui.backprop.diagram_canvas import Canvas, Known, fit, layered_canvas, tutorial_canvas

__all__ = ["NetworkDiagram", "fit"]


def draws_as_tutorial(lab: Lab) -> bool:
    """The 2-2-2 with one bias per layer fits the tutorial's figure (any activation or loss)."""
    return lab.net.widths == (2, 2, 2) and lab.net.bias == "layer"


class NetworkDiagram(Widget):
    """Every unit with its output once known, the biases, the weighted edges, targets and E."""

    COMPONENT_CLASSES = {"diagram--hot", "diagram--line", "diagram--unknown"}
    DEFAULT_CSS = """
    NetworkDiagram { height: 6; width: 1fr; }
    NetworkDiagram > .diagram--hot { background: $accent; color: $text; text-style: bold; }
    NetworkDiagram > .diagram--line { color: $text; }
    NetworkDiagram > .diagram--unknown { color: $text-muted; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.lab = tutorial_lab()
        self.steps: list[Step] = []
        self.index = 0
        self.hidden = False  # exercise mode: the current step's value is not drawn yet

    def show(self, lab: Lab, steps: list[Step], index: int, hidden: bool = False) -> None:
        self.lab, self.steps, self.index, self.hidden = lab, steps, index, hidden
        self.refresh()

    def known(self) -> Known:
        reached = {s.id: s.value for s in self.steps[: self.index + (0 if self.hidden else 1)]}
        backward = bool(self.steps) and self.steps[self.index].phase != "forward"
        return Known(self.lab.values(), reached, backward)

    def canvas(self, width: int) -> Canvas:
        step = self.steps[self.index] if self.steps else None
        hot = set(step.nodes) | set(step.edges) if step else set()
        if draws_as_tutorial(self.lab):
            return tutorial_canvas(self.known(), width)
        return layered_canvas(self.lab, self.known(), hot, step.edges if step else (), width)

    def render(self):
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

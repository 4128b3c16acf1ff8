"""ConfusionMatrix: a 10x10 heatmap of [true][predicted] counts with the class names."""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
from rich.color import Color
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget

from nnlab.i18n import t
from nnlab.ui.shared.keys import translate_bindings
from nnlab.ui.shared.redraw_when_shown import RedrawWhenShown


def heat(fraction: float, diagonal: bool) -> Style:
    """Row-normalised share → a background from dark to green (diagonal) or red (mistakes)."""
    f = max(0.0, min(1.0, fraction)) ** 0.5  # small mistakes stay visible
    base = (30, 30, 36)
    top = (40, 170, 80) if diagonal else (220, 60, 50)
    rgb = tuple(int(b + (c - b) * f) for b, c in zip(base, top))
    fg = (255, 255, 255) if f < 0.7 else (0, 0, 0)
    return Style(color=Color.from_rgb(*fg), bgcolor=Color.from_rgb(*rgb))


def right(text: str, cells: int) -> str:
    """``text`` cut or padded on the left to exactly ``cells`` terminal cells."""
    cut = set_cell_size(text, cells).rstrip()
    return " " * (cells - cell_len(cut)) + cut


class ConfusionMatrix(RedrawWhenShown, Widget, can_focus=True):
    """Rows: true class; columns: predicted class (abbreviated in the header). Focused, the arrows
    move a cursor over the cells and Enter asks for the test images of the cell (``Picked``)."""

    DEFAULT_CSS = "ConfusionMatrix { height: 14; width: auto; min-width: 40; }"

    BINDINGS = [
        Binding("up", "move(-1, 0)", show=False),
        Binding("down", "move(1, 0)", show=False),
        Binding("left", "move(0, -1)", show=False),
        Binding("right", "move(0, 1)", show=False),
        Binding("enter", "pick", "dash.key.pick", show=False),  # the page's hint says it; the footer is full at 80
    ]

    class Picked(Message):
        """Enter on a cell: show the test images of class ``true`` predicted as ``predicted``."""

        def __init__(self, true: int, predicted: int) -> None:
            super().__init__()
            self.true, self.predicted = true, predicted

    def __init__(self, class_names: tuple[str, ...], **kwargs) -> None:
        super().__init__(**kwargs)
        translate_bindings(self)
        self.class_names = class_names
        self.matrix: tuple[tuple[int, ...], ...] = ()
        self.epoch = 0
        self.cursor = (6, 4)  # Shirt predicted as Coat: the tutorial's classic confusion

    def action_move(self, rows: int, cols: int) -> None:
        n = len(self.class_names)
        self.cursor = ((self.cursor[0] + rows) % n, (self.cursor[1] + cols) % n)
        self.refresh()

    def action_pick(self) -> None:
        self.post_message(self.Picked(*self.cursor))

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def set_matrix(self, matrix, epoch: int = 0) -> None:
        self.matrix = tuple(tuple(int(v) for v in row) for row in matrix)
        self.epoch = epoch
        self.refresh()

    def get_content_width(self, container, viewport) -> int:
        return 12 + 6 * len(self.class_names)

    def render(self) -> Text:
        names = self.class_names
        text = Text(no_wrap=True, overflow="crop")
        title = t("dash.confusion.title", epoch=self.epoch) if self.matrix else t("dash.confusion.empty")
        text.append(title + "\n", "bold")
        text.append(set_cell_size(t("dash.confusion.axes"), 12), "dim")
        for name in names:  # cells, not characters: a Chinese name is two cells a character
            text.append(" " + right(name, 5), "bold")
        text.append("\n")
        for i, name in enumerate(names):
            text.append(set_cell_size(name, 11) + " ", "bold")
            row = self.matrix[i] if i < len(self.matrix) else ()
            total = sum(row) or 1
            for j in range(len(names)):
                here = self.has_focus and (i, j) == self.cursor
                if j < len(row):
                    style = heat(row[j] / total, i == j)
                    text.append(f"{row[j]:>5}", style + Style(reverse=True, bold=True) if here else style)
                    text.append(" ", style)
                else:
                    text.append("    ·", "reverse" if here else "dim")
                    text.append(" ")
            text.append("\n")
        if self.has_focus:
            text.append(t("dash.confusion.hint"), "dim")
        return text

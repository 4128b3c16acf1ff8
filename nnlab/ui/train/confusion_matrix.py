"""ConfusionMatrix: a 10x10 heatmap of [true][predicted] counts with the class names."""

from __future__ import annotations

from rich.color import Color
from rich.style import Style
from rich.text import Text
from textual.widget import Widget

from nnlab.i18n import t


def heat(fraction: float, diagonal: bool) -> Style:
    """Row-normalised share → a background from dark to green (diagonal) or red (mistakes)."""
    f = max(0.0, min(1.0, fraction)) ** 0.5  # small mistakes stay visible
    base = (30, 30, 36)
    top = (40, 170, 80) if diagonal else (220, 60, 50)
    rgb = tuple(int(b + (c - b) * f) for b, c in zip(base, top))
    fg = (255, 255, 255) if f < 0.7 else (0, 0, 0)
    return Style(color=Color.from_rgb(*fg), bgcolor=Color.from_rgb(*rgb))


class ConfusionMatrix(Widget):
    """Rows: true class; columns: predicted class (abbreviated in the header)."""

    DEFAULT_CSS = "ConfusionMatrix { height: 13; width: auto; min-width: 40; }"

    def __init__(self, class_names: tuple[str, ...], **kwargs) -> None:
        super().__init__(**kwargs)
        self.class_names = class_names
        self.matrix: tuple[tuple[int, ...], ...] = ()
        self.epoch = 0

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
        text.append(t("dash.confusion.axes")[:12].ljust(12), "dim")
        for name in names:
            text.append(name[:5].rjust(6), "bold")
        text.append("\n")
        for i, name in enumerate(names):
            text.append(name[:11].ljust(12), "bold")
            row = self.matrix[i] if i < len(self.matrix) else ()
            total = sum(row) or 1
            for j in range(len(names)):
                if j < len(row):
                    text.append(f"{row[j]:>5} ", heat(row[j] / total, i == j))
                else:
                    text.append("    · ", "dim")
            text.append("\n")
        return text

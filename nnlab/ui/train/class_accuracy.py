"""ClassAccuracy: one bar per class with its test accuracy."""

from __future__ import annotations

from rich.cells import set_cell_size
from rich.text import Text
from textual.widget import Widget

from nnlab.i18n import t
from nnlab.ui.shared.redraw_when_shown import RedrawWhenShown
from nnlab.ui.train.run_progress import bar


class ClassAccuracy(RedrawWhenShown, Widget):
    DEFAULT_CSS = "ClassAccuracy { height: 12; width: 1fr; min-width: 30; }"

    def __init__(self, class_names: tuple[str, ...], **kwargs) -> None:
        super().__init__(**kwargs)
        self.class_names = class_names
        self.accuracy: tuple[float, ...] = ()

    def set_accuracy(self, accuracy) -> None:
        self.accuracy = tuple(float(a) for a in accuracy)
        self.refresh()

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="crop")
        text.append(t("dash.class_acc.title") + "\n", "bold")
        bar_w = max(5, self.size.width - 12 - 8)
        worst = min(range(len(self.accuracy)), key=self.accuracy.__getitem__) if self.accuracy else -1
        for i, name in enumerate(self.class_names):
            text.append(set_cell_size(name, 11) + " ", "bold")
            if i < len(self.accuracy):
                a = self.accuracy[i]
                text.append(bar(a, bar_w), "red" if i == worst else "green")
                text.append(f" {a * 100:5.1f}%\n")
            else:
                text.append("·" * bar_w + "      –\n", "dim")
        return text

"""The top bar: the three modes with their keys, the current one highlighted."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from nnlab.i18n import t

MODES = ("neuron", "backprop", "train")


class ModeBar(Widget):
    """``nnlab │ 1 Neuron │ 2 Backprop │ 3 Train`` with the current mode in reverse video."""

    DEFAULT_CSS = """
    ModeBar { height: 1; background: $panel; color: $text; }
    """

    def __init__(self, mode: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.mode = mode

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f" {t('app.title')} ", style="bold")
        for index, mode in enumerate(MODES, start=1):
            text.append("│")
            label = f" {index} {t('mode.' + mode)} "
            text.append(label, style="bold reverse" if mode == self.mode else "")
        return text

"""PanelBar: one line naming the neuron mode's panels, the current one in reverse video."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from nnlab.i18n import t


class PanelBar(Widget):
    DEFAULT_CSS = "PanelBar { height: 1; background: $boost; }"

    current: reactive[str] = reactive("neuron")

    def __init__(self, panels: tuple[str, ...], **kwargs) -> None:
        super().__init__(**kwargs)
        self.panels = panels

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        for name in self.panels:
            label = f" {t('neuron.panel.' + name)} "
            text.append(label, style="bold reverse" if name == self.current else "")
            text.append(" ")
        text.append(t("neuron.panel.keys"), style="dim")
        return text

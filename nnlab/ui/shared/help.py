"""The help overlay: the current screen's keys and a few sentences on its concept."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from nnlab.i18n import t
from nnlab.ui.shared.keys import translate_bindings


def _key_table(rows: list[tuple[str, str]]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for key, description in rows:
        table.add_row(key, description)
    return table


class HelpScreen(ModalScreen[None]):
    """Lists the keys of ``screen`` (its own, then the global ones) and its concept text."""

    BINDINGS = [
        Binding("escape", "dismiss", "key.close"),
        Binding("question_mark", "dismiss", "key.close", show=False),
        Binding("q", "app.quit", "key.quit"),
    ]

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 90%; max-width: 100; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    HelpScreen .help-title { text-style: bold; }
    HelpScreen .help-heading { text-style: bold; color: $accent; margin-top: 1; }
    """

    def __init__(self, screen: Screen) -> None:
        super().__init__()
        translate_bindings(self)
        self._target = screen

    def _rows(self, node) -> list[tuple[str, str]]:
        """(keys, description) per action of ``node``; several keys for one action share a row."""
        keys_by_description: dict[str, list[str]] = {}
        for bindings in node._bindings.key_to_bindings.values():
            for binding in bindings:
                if not binding.description:
                    continue
                display = binding.key_display or self.app.get_key_display(binding)
                keys = keys_by_description.setdefault(binding.description, [])
                if display not in keys:
                    keys.append(display)
        return [(", ".join(keys), description) for description, keys in keys_by_description.items()]

    def compose(self) -> ComposeResult:
        target = self._target
        mode = getattr(target, "MODE", "")
        title = t("mode." + mode) if mode else target.__class__.__name__
        own = self._rows(target)
        shared = self._rows(self.app)
        with VerticalScroll():
            yield Static(t("help.title", screen=title), classes="help-title")
            concept = getattr(target, "HELP_CONCEPT", "")
            if concept:
                yield Static(Text(t(concept)), id="help-concept")
            if own:
                yield Static(t("help.keys"), classes="help-heading")
                yield Static(_key_table(own), id="help-keys")
            yield Static(t("help.global_keys"), classes="help-heading")
            yield Static(_key_table(shared), id="help-global-keys")
            yield Static(t("help.close_hint"), classes="help-heading")

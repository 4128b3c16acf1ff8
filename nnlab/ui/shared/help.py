"""The help overlay: the current screen's keys and a few sentences on its concept."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.actions import parse as parse_action
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from nnlab.i18n import t
from nnlab.ui.shared.keys import full_label, translate_bindings
from nnlab.ui.shared.modal import OnceModal

FIELD_ACTIONS = ("focus_next", "focus_previous")  # keys that only move between fields


def _key_table(rows: list[tuple[str, str]]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for key, description in rows:
        table.add_row(key, description)
    return table


class HelpScreen(OnceModal[None]):
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

    def _rows(self, node, check=None, skip_keys: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
        """(keys, description) per action of ``node``; several keys for one action share a row.

        ``check`` (the screen's ``check_action``) drops keys that do nothing here, e.g. another
        panel's; ``skip_keys`` drops keys something else takes first (the app's priority ctrl+c
        quits, so the screen's "ctrl+c Copy" would be a second, false meaning)."""
        keys_by_description: dict[str, list[str]] = {}
        table = node._bindings.key_to_bindings
        overruled = {b.action for key in skip_keys for b in table.get(key, ())}  # e.g. copy on ctrl+c and super+c
        for _key, bindings in table.items():
            for binding in bindings:
                if not binding.description or binding.action in overruled:
                    continue
                if check is not None:
                    namespace, name, params = parse_action(binding.action)
                    if name in FIELD_ACTIONS and not node.focus_chain:
                        continue  # "tab Next field" where there are no fields
                    if not namespace and not check(name, params):
                        continue
                display = binding.key_display or self.app.get_key_display(binding)
                keys = keys_by_description.setdefault(full_label(binding), [])
                if display not in keys:
                    keys.append(display)
        return [(", ".join(keys), description) for description, keys in keys_by_description.items()]

    def compose(self) -> ComposeResult:
        target = self._target
        mode = getattr(target, "MODE", "")
        title = t("mode." + mode) if mode else target.__class__.__name__
        app_priority = frozenset(
            key for key, bindings in self.app._bindings.key_to_bindings.items() if any(b.priority for b in bindings)
        )
        own = self._rows(target, check=target.check_action, skip_keys=app_priority)
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

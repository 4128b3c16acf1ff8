"""Asks before an export or a copy replaces files that already exist."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from nnlab.i18n import t
from nnlab.ui.keys import translate_bindings


class ConfirmOverwrite(ModalScreen[bool]):
    """Dismisses with True (replace the files) or False (keep them; the default, and Esc)."""

    BINDINGS = [
        Binding("y", "answer(True)", "safe.key.yes"),
        Binding("n", "answer(False)", "safe.key.no"),
        Binding("escape", "answer(False)", "safe.key.no", show=False),
    ]

    DEFAULT_CSS = """
    ConfirmOverwrite { align: center middle; }
    ConfirmOverwrite > Vertical {
        width: 76; max-width: 98%; height: auto; border: thick $warning; background: $surface; padding: 1 2;
    }
    ConfirmOverwrite Horizontal { height: auto; margin-top: 1; }
    ConfirmOverwrite Button { margin-right: 2; }
    """

    def __init__(self, paths) -> None:
        super().__init__()
        translate_bindings(self)
        self.paths = [str(p) for p in paths]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(t("safe.overwrite.title"), id="overwrite-title")
            yield Static(t("safe.overwrite.body", paths="\n".join(f"  {p}" for p in self.paths)),
                         id="overwrite-body", markup=False)
            with Horizontal():
                yield Button(t("safe.overwrite.yes"), id="yes", variant="warning")
                yield Button(t("safe.overwrite.no"), id="no", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

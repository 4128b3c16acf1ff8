"""Asks before quitting while a training run is active."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from nnlab.i18n import t
from nnlab.ui.keys import translate_bindings


class ConfirmQuit(ModalScreen[bool]):
    """Dismisses with True (stop the run and quit) or False (keep training)."""

    BINDINGS = [
        Binding("y", "answer(True)", "quit.yes"),
        Binding("n", "answer(False)", "quit.no"),
        Binding("escape", "answer(False)", "quit.no", show=False),
    ]

    DEFAULT_CSS = """
    ConfirmQuit { align: center middle; }
    ConfirmQuit > Vertical {
        width: 60; max-width: 95%; height: auto; border: thick $warning;
        background: $surface; padding: 1 2;
    }
    ConfirmQuit Horizontal { height: auto; margin-top: 1; }
    ConfirmQuit Button { margin-right: 2; }
    """

    def __init__(self) -> None:
        super().__init__()
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(t("quit.confirm_title"), id="confirm-title")
            yield Static(t("quit.confirm_body"))
            with Horizontal():
                yield Button(t("quit.yes"), id="yes", variant="error")
                yield Button(t("quit.no"), id="no", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

"""ConfirmDialog: a yes/no question over the current screen; "no" is focused and is Esc."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from nnlab.i18n import t
from nnlab.ui.shared.keys import translate_bindings
from nnlab.ui.shared.modal import OnceModal


class ConfirmDialog(OnceModal[bool]):
    """Dismisses with True (yes) or False (no). Subclasses set BINDINGS (y/n/escape → answer),
    the catalog keys of their labels, and pass the title and body text."""

    YES_LABEL: ClassVar[str] = ""
    NO_LABEL: ClassVar[str] = ""
    YES_VARIANT: ClassVar[str] = "error"
    WIDTH: ClassVar[int] = 60
    ID_PREFIX: ClassVar[str] = "confirm"

    DEFAULT_CSS = """
    ConfirmDialog { align: center middle; }
    ConfirmDialog > Vertical {
        height: auto; border: thick $warning; background: $surface; padding: 1 2;
    }
    ConfirmDialog Horizontal { height: auto; margin-top: 1; }
    ConfirmDialog Button { margin-right: 2; }
    """

    def __init__(self, title: str, body: str) -> None:
        super().__init__()
        translate_bindings(self)
        self._title, self._body = title, body

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.styles.width = self.WIDTH
            box.styles.max_width = "98%"
            yield Static(self._title, id=f"{self.ID_PREFIX}-title")
            yield Static(self._body, id=f"{self.ID_PREFIX}-body", markup=False)
            with Horizontal():
                yield Button(t(self.YES_LABEL), id="yes", variant=self.YES_VARIANT)
                yield Button(t(self.NO_LABEL), id="no", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

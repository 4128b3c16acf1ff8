"""Asks before quitting while a training run is active: stop / keep training in the background / cancel."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from nnlab.i18n import t
from nnlab.ui.shared.confirm import ConfirmDialog

BACKGROUND = "background"


class ConfirmQuit(ConfirmDialog):
    """Dismisses with True (stop the run and quit), ``BACKGROUND`` (hand the run to a background
    process and quit: only offered when the run can go there) or False (cancel: keep training)."""

    BINDINGS = [
        Binding("y", "answer(True)", "quit.yes"),
        Binding("b", "background", "dash.quit.background"),
        Binding("n", "answer(False)", "quit.no"),
        Binding("escape", "answer(False)", "quit.no", show=False),
    ]
    YES_LABEL, NO_LABEL = "quit.yes", "quit.no"
    WIDTH = 72

    def __init__(self, can_background: bool = False) -> None:
        self.can_background = can_background
        body = t("dash.quit.body") if can_background else t("quit.confirm_body")
        super().__init__(t("quit.confirm_title"), body)

    def compose(self) -> ComposeResult:
        if not self.can_background:
            yield from super().compose()
            return
        with Vertical() as box:
            box.styles.width = self.WIDTH
            box.styles.max_width = "98%"
            yield Static(self._title, id=f"{self.ID_PREFIX}-title")
            yield Static(self._body, id=f"{self.ID_PREFIX}-body", markup=False)
            with Horizontal():
                yield Button(t(self.YES_LABEL), id="yes", variant=self.YES_VARIANT)
                yield Button(t("dash.quit.background"), id="background", variant="warning")
                yield Button(t("dash.quit.cancel"), id="no", variant="primary")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(BACKGROUND if event.button.id == "background" else event.button.id == "yes")

    def action_background(self) -> None:
        if self.can_background:
            self.dismiss(BACKGROUND)

"""Asks before quitting while a training run is active."""

from __future__ import annotations

from textual.binding import Binding

from nnlab.i18n import t
from nnlab.ui.shared.confirm import ConfirmDialog


class ConfirmQuit(ConfirmDialog):
    """Dismisses with True (stop the run and quit) or False (keep training)."""

    BINDINGS = [
        Binding("y", "answer(True)", "quit.yes"),
        Binding("n", "answer(False)", "quit.no"),
        Binding("escape", "answer(False)", "quit.no", show=False),
    ]
    YES_LABEL, NO_LABEL = "quit.yes", "quit.no"

    def __init__(self) -> None:
        super().__init__(t("quit.confirm_title"), t("quit.confirm_body"))

"""The train mode (placeholder until its issue lands: it says so, and shows no fake data)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from nnlab.i18n import t
from nnlab.ui.screens.base import LabScreen


class TrainScreen(LabScreen):
    MODE = "train"
    HELP_CONCEPT = "help.concept.train"

    def compose_body(self) -> ComposeResult:
        yield Static(t("coming.train"), id="coming-next")

"""The backprop mode (placeholder until its issue lands: it says so, and shows no fake data)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from nnlab.i18n import t
from nnlab.ui.screens.base import LabScreen


class BackpropScreen(LabScreen):
    MODE = "backprop"
    HELP_CONCEPT = "help.concept.backprop"

    def compose_body(self) -> ComposeResult:
        yield Static(t("coming.backprop"), id="coming-next")

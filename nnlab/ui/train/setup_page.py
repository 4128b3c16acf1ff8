"""SetupPage: the run's settings (the form) beside the model they build (the summary)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Static, TabPane

from nnlab.i18n import t
from nnlab.run.config import TrainConfig
from nnlab.ui.train.setup_form import SetupForm


class SetupPage(TabPane):
    def __init__(self, title: str, config: TrainConfig | None = None, **kwargs) -> None:
        super().__init__(title, **kwargs)
        self._config = config

    def compose(self) -> ComposeResult:
        self.form = SetupForm(self._config, id="form")
        self.summary = Static(t("dash.summary.building"), id="summary-text")
        with Horizontal(id="setup-page"):
            yield self.form
            with VerticalScroll(id="summary"):
                yield self.summary

    def show_summary(self, text: str, parameters: int | None) -> None:
        if parameters is not None:
            text = t("dash.summary.head") + "\n\n" + text + "\n\n" + t("dash.summary.params", n=f"{parameters:,}")
        self.summary.update(text)

"""RunsPage: every ended run in a table; the two marked ones overlaid in two charts."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static, TabPane

from nnlab.i18n import t
from nnlab.ui.train import updates as up
from nnlab.ui.train.epoch_chart import EpochChart
from nnlab.ui.train.loss_chart import LossChart
from nnlab.ui.train.runs_table import RunsTable


class RunsPage(TabPane):
    """Applies the session's Runs updates to its own children."""

    def compose(self) -> ComposeResult:
        self.table = RunsTable(id="runs-table")
        self.loss_chart = LossChart(id="compare-loss")
        self.epoch_chart = EpochChart(id="compare-epochs")
        yield Static(t("dash.runs.hint"), id="runs-hint")
        yield self.table
        with Horizontal(id="runs-charts"):
            yield self.loss_chart
            yield self.epoch_chart

    def apply(self, update: up.Update) -> None:
        match update:
            case up.RunDone(record=record):
                self.table.add_record(record)
            case up.Compare(records=()):
                self.loss_chart.clear()
                self.epoch_chart.clear()
            case up.Compare(records=(a, *rest)):
                self.loss_chart.set_series(a.label, a.loss_x, a.loss_y, [(r.label, r.loss_x, r.loss_y) for r in rest])
                self.epoch_chart.set_series(a.label, a.epochs, a.accuracy, a.test_loss,
                                            [(r.label, r.epochs, r.accuracy) for r in rest], reference=False)

    def follow(self, smooth: bool, log_scale: bool) -> None:
        """The overlay's loss chart smooths and scales as the Live one does."""
        if self.loss_chart.smooth != smooth:
            self.loss_chart.toggle_smooth()  # the chart titles say "(smoothed)": no toast needed
        if self.loss_chart.log_scale != log_scale:
            self.loss_chart.toggle_log()

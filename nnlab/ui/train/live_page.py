"""LivePage: the running run — progress bars, loss and epoch charts, the tutorial-style log."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import TabPane

from nnlab.ui.train import updates as up
from nnlab.ui.train.epoch_chart import EpochChart
from nnlab.ui.train.gpu_panel import GpuPanel
from nnlab.ui.train.log_pane import LogPane
from nnlab.ui.train.loss_chart import LossChart
from nnlab.ui.train.run_progress import RunProgressView


class LivePage(TabPane):
    """Applies the session's Live updates to its own children."""

    def compose(self) -> ComposeResult:
        self.progress = RunProgressView(id="progress")
        self.gpu = GpuPanel(id="gpu")
        self.loss_chart = LossChart(id="loss-chart")
        self.epoch_chart = EpochChart(id="epoch-chart")
        self.log_pane = LogPane(id="log")
        yield self.progress
        yield self.gpu
        with Horizontal(id="charts"):
            yield self.loss_chart
            yield self.epoch_chart
        yield self.log_pane

    def apply(self, update: up.Update) -> None:
        match update:
            case up.Progress(state=state, batch_size=batch_size):
                self.progress.show(state, batch_size)
            case up.Gpu(figures=figures, util_history=util, speed_history=speed):
                self.gpu.show_figures(figures, util, speed)
            case up.LossPoints(xs=xs, ys=ys, every=every):
                self.loss_chart.add_points(xs, ys, every)
            case up.LogLine(text=text):
                self.log_pane.say(text)
            case up.LogEpoch(epoch=epoch):
                self.log_pane.epoch_header(epoch)
            case up.LogLoss(loss=loss, seen=seen, size=size):
                self.log_pane.loss_line(loss, seen, size)
            case up.EpochResult(event=ev):
                self.epoch_chart.add_epoch(ev.epoch, ev.test_accuracy * 100, ev.test_loss)
                self.log_pane.test_line(ev.test_accuracy, ev.test_loss)
            case up.NewSeries(label=label, reference=reference):
                self.epoch_chart.set_series(label, [], [], [], reference=reference)
                self.loss_chart.set_series(label, [], [])
            case up.ResetLive(keep_log=keep_log):
                self.gpu.clear()
                self.loss_chart.clear()
                self.epoch_chart.clear()
                if not keep_log:
                    self.log_pane.clear()

"""Run N passes of the network in a thread and chart E_total and the outputs against the targets."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Static

from nnlab.core.netlab import Lab
from nnlab.core.netlab_run import LabRecord, lab_record, run_lab_passes
from nnlab.core.numbers import Bounds
from nnlab.i18n import t
from nnlab.ui.backprop.loss_history import LossHistory
from nnlab.ui.shared.keys import translate_bindings
from nnlab.ui.shared.modal import OnceModal
from nnlab.ui.shared.number_field import NumberField

MAX_PASSES = 100_000
DEFAULT_PASSES = 200


class BackpropPasses(OnceModal[tuple[Lab, list[LabRecord]] | None]):
    """Dismisses with (params after the passes, their records), or None when nothing ran."""

    BINDINGS = [Binding("escape", "close", "key.close")]
    DEFAULT_CSS = """
    BackpropPasses { align: center middle; }
    BackpropPasses > Vertical { width: 100%; height: 100%; border: round $accent; background: $surface;
                                padding: 0 1; }
    BackpropPasses #bp-passes-ask { height: 1; }
    BackpropPasses #bp-passes-ask Static { width: auto; }
    BackpropPasses NumberField, BackpropPasses NumberField:focus { border: none; height: 1; width: 12;
                                                                   padding: 0 1; background: $boost; }
    BackpropPasses #bp-passes-summary { height: auto; }
    BackpropPasses #bp-passes-charts { height: 1fr; }
    BackpropPasses #bp-passes-error { color: $error; height: auto; }
    """

    class Done(Message):
        def __init__(self, params: Lab, records: list[LabRecord]) -> None:
            super().__init__()
            self.params = params
            self.records = records

    def __init__(self, params: Lab, bias_updates: bool, start_pass: int) -> None:
        super().__init__()
        translate_bindings(self)
        self.params = params
        self.bias_updates = bias_updates
        self.start_pass = start_pass  # the pass the stepper shows now (its params are before it)
        self.result: tuple[Lab, list[LabRecord]] | None = None
        self.asked = 0

    def compose(self) -> ComposeResult:
        with Vertical():
            with Horizontal(id="bp-passes-ask"):
                yield Static(t("bp.iter.title", max=MAX_PASSES) + " ")
                yield NumberField(
                    DEFAULT_PASSES, Bounds(1, MAX_PASSES, integer=True), id="bp-passes-n", select_on_focus=True
                )
            yield Static("", id="bp-passes-error")
            yield Static("", id="bp-passes-summary")
            with Horizontal(id="bp-passes-charts"):
                yield LossHistory("error", id="bp-chart-error")
                yield LossHistory("outputs", id="bp-chart-outputs")

    def on_mount(self) -> None:
        self.query_one(NumberField).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()

    def on_number_field_invalid(self, event: NumberField.Invalid) -> None:
        event.stop()
        self.query_one("#bp-passes-error", Static).update(event.reason)

    def on_number_field_committed(self, event: NumberField.Committed) -> None:
        event.stop()
        self.query_one("#bp-passes-error", Static).update("")
        n = self.asked = int(event.number)
        self.query_one("#bp-passes-summary", Static).update(t("bp.iter.running", n=n))
        self.run_passes(n)

    @work(thread=True, exclusive=True, group="bp-passes")
    def run_passes(self, n: int) -> None:
        # number passes as the stepper does: the network before pass k is record k
        after, history = run_lab_passes(self.params, n, self.bias_updates, start=self.start_pass)
        records = [lab_record(self.start_pass, self.params)] + history
        self.post_message(self.Done(after, records))

    def on_backprop_passes_done(self, message: Done) -> None:
        self.result = (message.params, message.records)
        first, last = message.records[0], message.records[-1]
        p = self.params
        outputs = "   ".join(
            f"out_o{k + 1} {o:.6f} (t{k + 1} {target:g})" for k, (o, target) in enumerate(zip(last.outputs, p.targets))
        )
        stopped = t("bp.chart.diverged", n=last.index) + "\n" if len(message.records) - 1 < self.asked else ""
        summary = (
            stopped
            + t("bp.chart.title", n=len(message.records) - 1, start=first.index)
            + "\n"
            + t(
                "bp.chart.summary_n",
                start=f"{first.E_total:.9g}",
                end=f"{last.E_total:.9g}",
                outputs=outputs,
            )
            + "\n"
            + t("bp.chart.close")
        )
        self.query_one("#bp-passes-summary", Static).update(summary)
        for chart in self.query(LossHistory):
            chart.show(message.records, p.targets)

    def action_close(self) -> None:
        self.dismiss(self.result)

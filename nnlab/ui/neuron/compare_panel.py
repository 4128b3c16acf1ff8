"""ComparePanel: the tutorial's sigmoid, tanh and ReLU overlaid, with values at the neuron's z."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from nnlab.core import activations
from nnlab.core.format import sig as fmt
from nnlab.core.numbers import Bounds
from nnlab.i18n import t
from nnlab.ui.neuron.activation_plot import COMPARE_COLORS, ActivationPlot
from nnlab.ui.shared.number_field import NumberField

Z_BOUNDS = Bounds(-1e13, 1e13)  # as far as the window can pan


class ComparePanel(Vertical):
    """The three curves (and, with ``d``, their derivatives) over a window the keys move."""

    DEFAULT_CSS = """
    ComparePanel { height: 1fr; }
    ComparePanel #cp-table { height: auto; }
    ComparePanel #cp-z-row { height: 1; }
    ComparePanel #cp-z-label { width: 5; }
    ComparePanel NumberField { width: 14; }
    ComparePanel #cp-message { color: $error; width: 1fr; }
    ComparePanel #cp-readout { height: auto; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.z = 0.0
        self.derivatives = False

    def compose(self) -> ComposeResult:
        with Horizontal(id="cp-z-row"):
            yield Static("z =", id="cp-z-label")
            yield NumberField(self.z, Z_BOUNDS, "{:.12g}", step=0.1, revert_on_blur=True, compact=True, id="cp-z")
            yield Static(id="cp-message")
        yield Static(id="cp-table")
        yield ActivationPlot(activations.TUTORIAL_THREE, derivatives=False, id="cp-plot")
        yield Static(id="cp-readout")

    def on_mount(self) -> None:
        self.redraw()

    @property
    def plot(self) -> ActivationPlot:
        return self.query_one("#cp-plot", ActivationPlot)

    def set_z(self, z: float) -> None:
        self.z = z
        self.query_one("#cp-z", NumberField).set_number(z)
        self.redraw()

    def on_number_field_committed(self, message: NumberField.Committed) -> None:
        message.stop()  # typed here: this view's z only (the neuron keeps its own)
        self.z = float(message.number)
        self.query_one("#cp-message", Static).update("")
        self.redraw()

    def on_number_field_invalid(self, message: NumberField.Invalid) -> None:
        message.stop()
        self.query_one("#cp-message", Static).update(
            Text(t("neuron.msg.rejected", field="z", reason=message.reason, kept=fmt(float(message.field.number))))
        )

    def toggle_derivatives(self) -> None:
        self.derivatives = not self.derivatives
        self.redraw()

    def view_changed(self) -> None:
        self.plot.refresh()
        self._render_readout()

    def redraw(self) -> None:
        z = self.z
        table = Table.grid(padding=(0, 2))
        for _ in range(5):
            table.add_column(no_wrap=True)
        table.add_row(
            Text(t("neuron.cmp.at", z=fmt(z)), style="bold"),
            Text("f(z)", style="bold"),
            Text("f'(z)", style="bold"),
            Text(t("neuron.cmp.range"), style="bold"),
            "",
        )
        for name in activations.TUTORIAL_THREE:
            act = activations.get(name)
            d = act.df(z)
            note = ""
            if name == "relu" and z < 0:
                note = t("neuron.cmp.dead")
            elif abs(d) < activations.VANISHING:
                note = t("neuron.cmp.vanishing")
            table.add_row(
                Text(t(f"neuron.act.{name}"), style=f"bold {COMPARE_COLORS[name]}"),
                fmt(act.f(z)),
                fmt(d),
                act.output_range,
                Text(note, style="yellow"),
            )
        self.query_one("#cp-table", Static).update(table)
        self.plot.show(z=z, derivatives=self.derivatives)
        self._render_readout()

    def _render_readout(self) -> None:
        window = self.plot.window
        text = Text(window.text() + "  ")
        text.append(t("neuron.cmp.keys"), style="dim")
        if not window.contains(self.z):
            text.append("\n" + t("neuron.off_plot", z=fmt(self.z)), style="yellow")
        self.query_one("#cp-readout", Static).update(text)

"""The neuron mode: a neuron and its activation, a compare view, the loss panel and softmax."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import ContentSwitcher

from nnlab.ui.neuron.compare_panel import ComparePanel
from nnlab.ui.neuron.loss_panel import LossPanel
from nnlab.ui.neuron.neuron_panel import NeuronPanel
from nnlab.ui.neuron.softmax_panel import SoftmaxPanel
from nnlab.ui.shared.base import LabScreen
from nnlab.ui.shared.keys import PANEL_GROUP
from nnlab.ui.shared.panel_bar import PanelBar

PANELS = ("neuron", "compare", "loss", "softmax")
# Which panel each action belongs to (None: every panel); keys of other panels are switched off,
# so the footer, the palette and the key itself only offer what the visible panel does.
ACTION_PANELS = {
    "activation": ("neuron",),
    "preset": ("neuron",),
    "add_input": ("neuron",),
    "remove_input": ("neuron",),
    "zoom": ("neuron", "compare"),
    "pan": ("neuron", "compare"),
    "reset_view": ("neuron", "compare"),
    "centre_view": ("neuron", "compare"),
    "derivatives": ("compare",),
    "gd_step": ("loss",),
    "gd_run": ("loss",),
    "switch_loss": ("loss",),
    "add_point": ("loss",),
    "remove_point": ("loss",),
    "reset_fit": ("loss",),
    "add_class": ("softmax",),
    "remove_class": ("softmax",),
    "target": ("softmax",),
}


class NeuronScreen(LabScreen):
    MODE = "neuron"
    HELP_CONCEPT = "help.concept.neuron"
    # "" (not None, which falls back to the app's "*"): no field holds the keys when the mode
    # opens, so a/p/[/]/+/- and the global 1 2 3 ? q work at once; tab enters the fields.
    AUTO_FOCUS = ""

    DEFAULT_CSS = """
    NeuronScreen #panels { height: 1fr; }
    NeuronScreen #panels > * { height: 1fr; overflow: hidden hidden; }
    """

    BINDINGS = [
        Binding("left_square_bracket", "panel(-1)", "neuron.key.prev_panel", key_display="[", group=PANEL_GROUP),
        Binding("right_square_bracket", "panel(1)", "neuron.key.next_panel", key_display="]", group=PANEL_GROUP),
        Binding("a", "activation(1)", "neuron.key.activation"),
        Binding("A", "activation(-1)", "neuron.key.activation_prev", show=False),
        Binding("p", "preset", "neuron.key.preset", show=False),
        Binding("n", "add_input", "neuron.key.add_input", show=False),
        Binding("r", "remove_input", "neuron.key.remove_input", show=False),
        Binding("plus,equals_sign", "zoom(0.5)", "neuron.key.zoom_in", key_display="+", show=False),
        Binding("minus", "zoom(2)", "neuron.key.zoom_out", key_display="-", show=False),
        Binding("left,h", "pan(-0.25)", "neuron.key.pan_left", key_display="←", show=False),
        Binding("right,l", "pan(0.25)", "neuron.key.pan_right", key_display="→", show=False),
        Binding("0", "reset_view", "neuron.key.reset_view", show=False),
        Binding("c", "centre_view", "neuron.key.centre_view", show=False),
        Binding("d", "derivatives", "neuron.key.derivatives"),
        Binding("g", "gd_step", "neuron.key.gd_step"),
        Binding("G", "gd_run", "neuron.key.gd_run"),
        Binding("m", "switch_loss", "neuron.key.switch_loss", show=False),
        Binding("n", "add_point", "neuron.key.add_point", show=False),
        Binding("r", "remove_point", "neuron.key.remove_point", show=False),
        Binding("0", "reset_fit", "neuron.key.reset_fit", show=False),
        Binding("n", "add_class", "neuron.key.add_class", show=False),
        Binding("r", "remove_class", "neuron.key.remove_class", show=False),
        Binding("t", "target(1)", "neuron.key.target"),
        Binding("T", "target(-1)", "neuron.key.target_prev", show=False),
    ]

    def __init__(self, *args, panel: str = "neuron", preset: str = "one_input", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._first_panel = panel if panel in PANELS else "neuron"
        self._preset = preset

    def compose_body(self) -> ComposeResult:
        options = getattr(self.app, "options", None) or {}
        self._first_panel = options.get("neuron_panel") or self._first_panel
        self._preset = options.get("neuron_preset") or self._preset
        yield PanelBar(PANELS, id="panel-bar")
        with ContentSwitcher(initial=self._first_panel, id="panels"):
            yield NeuronPanel(preset=self._preset, id="neuron")
            yield ComparePanel(id="compare")
            yield LossPanel(id="loss")
            yield SoftmaxPanel(id="softmax")

    def on_mount(self) -> None:
        self.show_panel(self._first_panel)

    # panels -------------------------------------------------------------------------------
    @property
    def panel(self) -> str:
        return self.query_one("#panels", ContentSwitcher).current or "neuron"

    def show_panel(self, name: str) -> None:
        self.set_focus(None)  # a field of the hidden panel must not keep the keys
        self.query_one("#panels", ContentSwitcher).current = name
        self.query_one(PanelBar).current = name
        self.refresh_bindings()

    def action_panel(self, delta: int) -> None:
        self.show_panel(PANELS[(PANELS.index(self.panel) + delta) % len(PANELS)])

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        panels = ACTION_PANELS.get(action)
        return panels is None or self.panel in panels

    def on_neuron_panel_changed(self, message: NeuronPanel.Changed) -> None:
        self.query_one(ComparePanel).set_z(message.result.z)

    # the neuron panel ---------------------------------------------------------------------
    def action_activation(self, delta: int) -> None:
        self.query_one(NeuronPanel).cycle_activation(delta)

    def action_preset(self) -> None:
        self.query_one(NeuronPanel).next_preset()

    def action_add_input(self) -> None:
        self.query_one(NeuronPanel).add_input()

    def action_remove_input(self) -> None:
        self.query_one(NeuronPanel).remove_input()

    def _viewed(self) -> NeuronPanel | ComparePanel:
        return self.query_one(NeuronPanel) if self.panel == "neuron" else self.query_one(ComparePanel)

    def action_zoom(self, factor: float) -> None:
        panel = self._viewed()
        panel.plot.window.zoom(factor)
        panel.view_changed()

    def action_pan(self, fraction: float) -> None:
        panel = self._viewed()
        panel.plot.window.pan(fraction)
        panel.view_changed()

    def action_reset_view(self) -> None:
        panel = self._viewed()
        panel.plot.window.reset()
        panel.view_changed()

    def action_centre_view(self) -> None:
        panel = self._viewed()
        result = self.query_one(NeuronPanel).result
        if result is not None:
            panel.plot.window.centre_on(result.z)
        panel.view_changed()

    # compare ------------------------------------------------------------------------------
    def action_derivatives(self) -> None:
        self.query_one(ComparePanel).toggle_derivatives()

    # loss ---------------------------------------------------------------------------------
    def action_gd_step(self) -> None:
        loss = self.query_one(LossPanel)
        loss.stop()
        loss.step()

    def action_gd_run(self) -> None:
        self.query_one(LossPanel).toggle_run()

    def action_switch_loss(self) -> None:
        self.query_one(LossPanel).switch_loss()

    def action_add_point(self) -> None:
        self.query_one(LossPanel).add_point()

    def action_remove_point(self) -> None:
        self.query_one(LossPanel).remove_point()

    def action_reset_fit(self) -> None:
        self.query_one(LossPanel).reset()

    # softmax ------------------------------------------------------------------------------
    def action_add_class(self) -> None:
        self.query_one(SoftmaxPanel).add_class()

    def action_remove_class(self) -> None:
        self.query_one(SoftmaxPanel).remove_class()

    def action_target(self, delta: int) -> None:
        self.query_one(SoftmaxPanel).cycle_target(delta)

"""NeuronPanel: 1–6 inputs, weights and a bias → z written out term by term, a = f(z), f'(z)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Static

from nnlab.core import activations
from nnlab.core.format import sig as fmt
from nnlab.core.neuron import MAX_INPUTS, MIN_INPUTS, PRESETS, NeuronResult, evaluate
from nnlab.core.numbers import Bounds
from nnlab.i18n import t
from nnlab.ui.neuron.activation_plot import ActivationPlot
from nnlab.ui.shared.number_field import NumberField

VALUE_BOUNDS = Bounds(-1e6, 1e6)
FIELD_FMT = "{:.12g}"
SUBSCRIPTS = "₀₁₂₃₄₅₆₇₈₉"


def field(number: float, id: str, step: float = 0.1) -> NumberField:
    return NumberField(number, VALUE_BOUNDS, FIELD_FMT, step=step, revert_on_blur=True, compact=True, id=id)


class NeuronPanel(Horizontal):
    """Owns the neuron's numbers; the screen calls its verbs (presets, activation, zoom)."""

    DEFAULT_CSS = """
    NeuronPanel { height: 1fr; }
    NeuronPanel #np-left { width: 38; padding: 0 1 0 0; }
    NeuronPanel #np-right { width: 1fr; }
    NeuronPanel .np-row { height: 1; }
    NeuronPanel .np-label { width: 13; }
    NeuronPanel .np-colhead { width: 12; text-style: bold; }
    NeuronPanel NumberField { width: 11; margin: 0 1 0 0; }
    NeuronPanel #np-result { margin-top: 1; }
    NeuronPanel #np-message { color: $error; }
    NeuronPanel #np-readout { height: auto; }
    """

    class Changed(Message):
        """The neuron's result changed (the compare view marks its z)."""

        def __init__(self, result: NeuronResult) -> None:
            super().__init__()
            self.result = result

    def __init__(self, preset: str = "one_input", **kwargs) -> None:
        super().__init__(**kwargs)
        self.inputs = [1.0] * MAX_INPUTS
        self.weights = [1.0] * MAX_INPUTS
        self.count = 1
        self.bias = 0.0
        self.activation = "sigmoid"
        self.preset: str | None = None
        self.edited = False
        self.band: tuple[float, float] | None = None
        self.labels: tuple[str, ...] = ()
        self.result: NeuronResult | None = None
        self.message = ""
        self._initial_preset = preset

    def compose(self) -> ComposeResult:
        with Vertical(id="np-left"):
            yield Static(id="np-head")
            with Horizontal(classes="np-row"):
                yield Static("", classes="np-label")
                yield Static(t("neuron.col.x"), classes="np-colhead")
                yield Static(t("neuron.col.w"), classes="np-colhead")
            for i in range(1, MAX_INPUTS + 1):
                with Horizontal(classes="np-row", id=f"np-row{i}"):
                    yield Static("", classes="np-label", id=f"np-label{i}")
                    yield field(1.0, f"x{i}")
                    yield field(1.0, f"w{i}")
            with Horizontal(classes="np-row"):
                yield Static(t("neuron.bias"), classes="np-label")
                yield field(0.0, "b")
            yield Static(id="np-result")
            yield Static(id="np-message")
        with Vertical(id="np-right"):
            yield Static(id="np-formula")
            yield ActivationPlot(id="np-plot")
            yield Static(id="np-readout")

    def on_mount(self) -> None:
        self.apply_preset(self._initial_preset)

    # verbs the screen calls -----------------------------------------------------------------
    def apply_preset(self, key: str) -> None:
        p = PRESETS[key]
        self.count = len(p.inputs)
        self.inputs[: self.count] = p.inputs
        self.weights[: self.count] = p.weights
        self.bias, self.activation = p.bias, p.activation
        self.preset, self.edited, self.band, self.labels = key, False, p.band, p.input_labels
        self.message = ""
        self._sync_fields()
        self.recompute()
        window = self.plot.window  # start each preset with its z in view
        window.reset()
        if self.result is not None and not window.contains(self.result.z):
            window.centre_on(self.result.z)
        self.view_changed()

    def next_preset(self) -> None:
        keys = list(PRESETS)
        index = keys.index(self.preset) + 1 if self.preset in keys else 0
        self.apply_preset(keys[index % len(keys)])

    def cycle_activation(self, delta: int) -> None:
        names = activations.NAMES
        self.activation = names[(names.index(self.activation) + delta) % len(names)]
        self.recompute()

    def add_input(self) -> None:
        if self.count >= MAX_INPUTS:
            self._say(t("neuron.msg.max_inputs", n=MAX_INPUTS))
            return
        self.count += 1
        self.inputs[self.count - 1], self.weights[self.count - 1] = 1.0, 0.0  # w = 0: z is unchanged
        self._mark_edited()
        self._sync_fields()
        self.recompute()

    def remove_input(self) -> None:
        if self.count <= MIN_INPUTS:
            self._say(t("neuron.msg.min_inputs"))
            return
        self.count -= 1
        self._mark_edited()
        self._sync_fields()
        self.recompute()

    @property
    def plot(self) -> ActivationPlot:
        return self.query_one("#np-plot", ActivationPlot)

    def view_changed(self) -> None:
        self.plot.refresh()
        self._render_readout()

    # fields -------------------------------------------------------------------------------
    def _sync_fields(self) -> None:
        for i in range(1, MAX_INPUTS + 1):
            self.query_one(f"#np-row{i}").display = i <= self.count
            self.query_one(f"#x{i}", NumberField).set_number(self.inputs[i - 1])
            self.query_one(f"#w{i}", NumberField).set_number(self.weights[i - 1])
            label = t(self.labels[i - 1]) if i <= len(self.labels) else ""
            self.query_one(f"#np-label{i}", Static).update(f"x{SUBSCRIPTS[i]} {label}".rstrip())
        self.query_one("#b", NumberField).set_number(self.bias)

    def on_number_field_committed(self, message: NumberField.Committed) -> None:
        message.stop()
        name = message.field.id or ""
        if name == "b":
            self.bias = float(message.number)
        elif name[:1] in "xw" and name[1:].isdigit():
            target = self.inputs if name[0] == "x" else self.weights
            target[int(name[1:]) - 1] = float(message.number)
        self._mark_edited()
        self.message = ""
        self.recompute()

    def on_number_field_invalid(self, message: NumberField.Invalid) -> None:
        message.stop()
        field = message.field
        self._say(
            t(
                "neuron.msg.rejected",
                field=self._field_name(field.id or ""),
                reason=message.reason,
                kept=fmt(float(field.number)),
            )
        )

    def _field_name(self, id: str) -> str:
        return "b" if id == "b" else f"{id[0]}{SUBSCRIPTS[int(id[1:])]}"

    def _mark_edited(self) -> None:
        if self.preset is not None:
            p = PRESETS[self.preset]
            self.edited = (
                self.count != len(p.inputs)
                or tuple(self.inputs[: self.count]) != p.inputs
                or tuple(self.weights[: self.count]) != p.weights
                or self.bias != p.bias
            )

    def _say(self, text: str) -> None:
        self.message = text
        self.query_one("#np-message", Static).update(Text(text))

    # rendering ----------------------------------------------------------------------------
    def recompute(self) -> None:
        r = evaluate(self.inputs[: self.count], self.weights[: self.count], self.bias, self.activation)
        self.result = r
        act = activations.get(self.activation)
        preset = t(f"neuron.preset.{self.preset}") if self.preset else t("neuron.preset.none")
        if self.edited:
            preset = t("neuron.preset.edited", name=preset)
        head = Text()
        head.append(t("neuron.head.preset", name=preset) + "\n")
        head.append(t("neuron.head.activation", name=t(f"neuron.act.{self.activation}")))
        self.query_one("#np-head", Static).update(head)
        products, terms = r.sum_written_out()
        lines = Text()
        lines.append("z = Σ wᵢ·xᵢ + b\n")
        lines.append(f"  = {products}\n  = {terms}\n")
        lines.append(f"  = {fmt(r.z)}\n", style="bold")
        lines.append(f"a = {act.label}({fmt(r.z)}) = {fmt(r.a)}\n", style="bold")
        lines.append(f"f'(z) = {act.label}'({fmt(r.z)}) = {fmt(r.da)}", style="bold")
        if self.band is not None:
            lo, hi = self.band
            inside = r.in_band(self.band)
            lines.append(
                "\n"
                + t(
                    "neuron.band",
                    lo=fmt(lo),
                    hi=fmt(hi),
                    z=fmt(r.z),
                    verdict=t("neuron.band.inside" if inside else "neuron.band.outside"),
                ),
                style="bold green" if inside else "bold yellow",
            )
        self.query_one("#np-result", Static).update(lines)
        self.query_one("#np-message", Static).update(Text(self.message))
        formula = Text()
        formula.append(act.formula + "\n", style="bold")
        formula.append(act.derivative + "\n")
        formula.append(t("neuron.range", range=act.output_range))
        self.query_one("#np-formula", Static).update(formula)
        self.plot.show(names=(self.activation,), z=r.z, derivatives=True, band=self.band)
        self._render_readout()
        self.post_message(self.Changed(r))

    def _render_readout(self) -> None:
        r, window = self.result, self.plot.window
        if r is None:
            return
        text = Text(window.text() + "  ")
        text.append(t("neuron.view_keys"), style="dim")
        if not window.contains(r.z):
            text.append("\n" + t("neuron.off_plot", z=fmt(r.z)), style="yellow")
        for hint in hints(r):
            text.append("\n" + hint, style="bold yellow")
        self.query_one("#np-readout", Static).update(text)


def hints(r: NeuronResult) -> list[str]:
    """The teaching hints for this point: dead ReLU, vanishing gradient."""
    out = []
    if r.dead_relu:
        out.append(t("neuron.hint.dead"))
    if r.vanishing:
        out.append(t("neuron.hint.vanishing", d=fmt(r.da, 3), limit=fmt(activations.VANISHING)))
    return out

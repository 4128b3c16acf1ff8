"""The edit form: every value of the network in a validated field, presets; Enter applies."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Label, Static

from nnlab.core.netlab import Lab, NetError
from nnlab.core.netlab_run import PRESETS, preset, showable, value_bounds
from nnlab.core.numbers import NumberError, parse_number
from nnlab.core.tinynet_net import EDGES
from nnlab.i18n import t
from nnlab.ui.shared.keys import translate_bindings
from nnlab.ui.shared.modal import OnceModal
from nnlab.ui.shared.number_field import NumberField

FMT = "{:.10g}"  # what a field shows; an untouched field keeps the exact value behind it


def caption(name: str, lab: Lab | None = None) -> str:
    """What a field is called: the weight's edge, the bias's neurons, η for lr."""
    if lab is not None and lab.net.widths != (2, 2, 2):
        return _lab_caption(lab, name)
    if name in EDGES:
        source, target = EDGES[name]
        return f"{name} {source}→{target}"
    return {"b1": "b1 h1,h2", "b2": "b2 o1,o2", "t1": "t1 o1", "t2": "t2 o2", "lr": "η"}.get(name, name)


def _lab_caption(lab: Lab, name: str) -> str:
    n = lab.net
    for layer in range(1, n.depth + 1):
        for j in range(n.widths[layer]):
            for k in range(n.widths[layer - 1]):
                if n.weight(layer, j, k) == name:
                    return f"{name} {n.unit(layer - 1, k)}→{n.unit(layer, j)}"
    if name.startswith("t"):
        return f"{name} {n.unit(n.depth, int(name[1:]) - 1)}"
    return "η" if name == "lr" else name


class BackpropEdit(OnceModal[Lab | None]):
    """Dismisses with the new Lab (the edited values, or a preset), or None when cancelled.
    Nothing changes while a field is refused; a refused field keeps its text, the reason beside it."""

    BINDINGS = [
        Binding("escape", "cancel", "bp.key.cancel"),
        Binding("ctrl+s", "apply", "bp.key.apply"),
    ]
    DEFAULT_CSS = """
    BackpropEdit { align: center middle; }
    BackpropEdit > Vertical { width: 78; height: auto; max-height: 100%; border: round $accent;
                              background: $surface; padding: 0 1; }
    BackpropEdit #bp-edit-title { text-style: bold; margin-bottom: 1; }
    BackpropEdit VerticalScroll { height: auto; max-height: 14; }
    BackpropEdit Grid { grid-size: 6; grid-columns: 11 1fr 11 1fr 11 1fr; grid-rows: 1; grid-gutter: 1 1;
                        height: auto; }
    BackpropEdit Grid Label { width: 100%; text-align: right; color: $text-muted; }
    BackpropEdit Grid Label.-refused { color: $error; text-style: bold; }
    BackpropEdit NumberField, BackpropEdit NumberField.-invalid,
    BackpropEdit NumberField.-invalid:focus { border: none; height: 1; padding: 0 1; background: $boost; }
    BackpropEdit NumberField.-invalid { background: $error 40%; }
    BackpropEdit NumberField:focus { border: none; background: $accent 40%; }
    BackpropEdit NumberField.-invalid:focus { background: $error 60%; }
    BackpropEdit #bp-edit-errors { color: $error; height: auto; margin-top: 1; }
    BackpropEdit #bp-edit-presets { height: 1; margin-top: 1; }
    BackpropEdit #bp-edit-presets Static { width: auto; color: $text-muted; }
    BackpropEdit #bp-edit-presets Button { height: 1; min-width: 0; border: none; margin: 0 1 0 0;
                                           padding: 0 1; }
    """

    def __init__(self, lab: Lab) -> None:
        super().__init__()
        translate_bindings(self)
        self.lab = lab
        self.bounds = value_bounds(lab)

    def compose(self) -> ComposeResult:
        values = self.lab.values()
        with Vertical():
            yield Static(t("bp.edit.title"), id="bp-edit-title")
            with VerticalScroll():
                with Grid():
                    for name, value in values.items():
                        yield Label(caption(name, self.lab), id=f"bp-label-{name}")
                        yield NumberField(
                            value, self.bounds[name], fmt=FMT, id=f"bp-field-{name}", select_on_focus=True
                        )
            yield Static("", id="bp-edit-errors")
            with Horizontal(id="bp-edit-presets"):
                yield Static(t("bp.edit.presets") + " ")
                for key in PRESETS:
                    yield Button(t(f"bp.preset.{key}"), id=f"bp-preset-{key}", compact=True)

    def on_mount(self) -> None:
        self.query_one("#bp-field-i1", NumberField).focus()

    def field(self, name: str) -> NumberField:
        return self.query_one(f"#bp-field-{name}", NumberField)

    def read(self) -> tuple[Lab | None, list[str]]:
        """The network the form holds now, or the reasons (one per refused field)."""
        values: dict[str, float] = {}
        errors: list[str] = []
        for name, old in self.lab.values().items():
            text = self.field(name).value
            if text == FMT.format(old):
                values[name] = old
                continue
            try:
                values[name] = float(parse_number(text, self.bounds[name]))
            except NumberError as error:
                errors.append(t("bp.edit.invalid", name=caption(name, self.lab), reason=error.message()))
        if errors:
            return None, errors
        try:
            lab = self.lab.with_values(**values)
        except NetError as error:  # e.g. cross-entropy targets that are all 0
            return None, [error.message()]
        if not showable(lab):
            return None, [t("bp.net.overflow")]
        return lab, []

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_apply()

    def on_number_field_invalid(self, event: NumberField.Invalid) -> None:
        event.stop()
        name = event.field.id.removeprefix("bp-field-")
        self.query_one(f"#bp-label-{name}", Label).add_class("-refused")
        self.query_one("#bp-edit-errors", Static).update(
            t("bp.edit.invalid", name=caption(name, self.lab), reason=event.reason)
        )

    def on_number_field_committed(self, event: NumberField.Committed) -> None:
        event.stop()
        name = event.field.id.removeprefix("bp-field-")
        self.query_one(f"#bp-label-{name}", Label).remove_class("-refused")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(preset(event.button.id.removeprefix("bp-preset-")))

    def action_apply(self) -> None:
        lab, errors = self.read()
        if lab is None:
            self.query_one("#bp-edit-errors", Static).update("\n".join([t("bp.edit.fix_first"), *errors]))
            return
        self.dismiss(lab)

    def action_cancel(self) -> None:
        self.dismiss(None)

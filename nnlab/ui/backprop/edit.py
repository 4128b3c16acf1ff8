"""The edit form: every parameter of the 2-2-2 network in a validated field; Enter applies."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from nnlab.core.numbers import NumberError, parse_number
from nnlab.core.tinynet import EDGES, PARAM_BOUNDS, PARAM_NAMES, Params
from nnlab.i18n import t
from nnlab.ui.shared.keys import translate_bindings
from nnlab.ui.shared.number_field import NumberField


FMT = "{:.10g}"  # what a field shows; an untouched field keeps the exact value behind it


def caption(name: str) -> str:
    """What a field is called in the form: the weight's edge, the bias's neurons, η for lr."""
    if name in EDGES:
        source, target = EDGES[name]
        return f"{name} {source}→{target}"
    return {"b1": "b1 h1,h2", "b2": "b2 o1,o2", "t1": "t1 o1", "t2": "t2 o2", "lr": "η"}.get(name, name)


class BackpropEdit(ModalScreen[Params | None]):
    """Dismisses with the new Params, or None when cancelled. Nothing changes while a field is refused."""

    BINDINGS = [
        Binding("escape", "cancel", "bp.key.cancel"),
        Binding("ctrl+s", "apply", "bp.key.apply"),
    ]
    DEFAULT_CSS = """
    BackpropEdit { align: center middle; }
    BackpropEdit > Vertical { width: 78; height: auto; max-height: 100%; border: round $accent;
                              background: $surface; padding: 0 1; }
    BackpropEdit #bp-edit-title { text-style: bold; margin-bottom: 1; }
    BackpropEdit Grid { grid-size: 6; grid-columns: 11 1fr 11 1fr 11 1fr; grid-rows: 1; grid-gutter: 1 1;
                        height: auto; }
    BackpropEdit Grid Label { width: 100%; text-align: right; color: $text-muted; }
    BackpropEdit NumberField { border: none; height: 1; padding: 0 1; background: $boost; }
    BackpropEdit NumberField.-invalid { background: $error 40%; }
    BackpropEdit NumberField:focus { border: none; background: $accent 40%; }
    BackpropEdit #bp-edit-errors { color: $error; height: auto; margin-top: 1; }
    """

    def __init__(self, params: Params) -> None:
        super().__init__()
        translate_bindings(self)
        self.params = params

    def compose(self) -> ComposeResult:
        values = self.params.as_dict()
        with Vertical():
            yield Static(t("bp.edit.title"), id="bp-edit-title")
            with Grid():
                for name in PARAM_NAMES:
                    yield Label(caption(name))
                    yield NumberField(values[name], PARAM_BOUNDS[name], fmt=FMT, id=f"bp-field-{name}",
                                      select_on_focus=True)
            yield Static("", id="bp-edit-errors")

    def on_mount(self) -> None:
        self.query_one("#bp-field-i1", NumberField).focus()

    def field(self, name: str) -> NumberField:
        return self.query_one(f"#bp-field-{name}", NumberField)

    def read(self) -> tuple[Params | None, list[str]]:
        """The params the form holds now, or the reasons (one per refused field)."""
        values: dict[str, float] = {}
        errors: list[str] = []
        for name in PARAM_NAMES:
            text = self.field(name).value
            if text == FMT.format(getattr(self.params, name)):
                values[name] = getattr(self.params, name)
                continue
            try:
                values[name] = float(parse_number(text, PARAM_BOUNDS[name]))
            except NumberError as error:
                errors.append(t("bp.edit.invalid", name=caption(name), reason=error.message()))
        if errors:
            return None, errors
        return self.params.with_values(**values), []

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_apply()

    def on_number_field_invalid(self, event: NumberField.Invalid) -> None:
        event.stop()
        self.query_one("#bp-edit-errors", Static).update(t("bp.edit.invalid", name=caption(
            event.field.id.removeprefix("bp-field-")), reason=event.reason))

    def on_number_field_committed(self, event: NumberField.Committed) -> None:
        event.stop()

    def action_apply(self) -> None:
        params, errors = self.read()
        if params is None:
            self.query_one("#bp-edit-errors", Static).update("\n".join([t("bp.edit.fix_first"), *errors]))
            return
        self.dismiss(params)

    def action_cancel(self) -> None:
        self.dismiss(None)

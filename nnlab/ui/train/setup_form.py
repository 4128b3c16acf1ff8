"""SetupForm: a run's hyperparameters, validated field by field, with a preset to start from.

Below them, a sweep (issue 17): axes as ``--sweep`` takes them (``lr=1e-3,1e-2 optimizer=sgd,adam``)
and, for a random sweep, a member count. The line under them says how many members the sweep has
(or why it is refused, in the CLI's own words); with a sweep stated, ``s`` starts the sweep
instead of one run. Settings the form has no field for (a schedule, early stopping, threads
given on the command line, or a loaded checkpoint's) are kept from the config it was filled with.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Input, Label, Select, Static

from nnlab.core.numbers import NumberError, parse_number
from nnlab.i18n import t
from nnlab.run.config import ACTIVATIONS, BOUNDS, MAX_LAYERS, OPTIMIZERS, PRESETS, TrainConfig
from nnlab.run.errors import ConfigError
from nnlab.run.sweep import MAX_MEMBERS, Plan, plan
from nnlab.ui.shared.number_field import NumberField

NUMBER_FIELDS = ("epochs", "batch_size", "lr", "seed")  # typed here; their limits are run.config.BOUNDS


def parse_hidden(text: str) -> tuple[int, ...]:
    """'512,512' or '512 512' → (512, 512); every width through parse_number."""
    parts = [p for p in text.replace(",", " ").split(" ") if p]
    if not parts:
        raise NumberError("num.empty")
    if len(parts) > MAX_LAYERS:
        raise ValueError(t("dash.setup.too_many_layers", most=MAX_LAYERS))
    return tuple(int(parse_number(p, BOUNDS["hidden"])) for p in parts)


class SetupForm(VerticalScroll):
    """``config()`` returns a TrainConfig or None (and shows why under the fields)."""

    DEFAULT_CSS = """
    SetupForm { width: 42; height: 1fr; padding: 0 1; }
    SetupForm .row { height: 1; margin-bottom: 0; }
    SetupForm .row Label { width: 14; }
    SetupForm .row Input, SetupForm .row Select { width: 1fr; }
    SetupForm #errors { color: $error; height: auto; margin-top: 1; }
    SetupForm #data-source { color: $text-muted; height: auto; margin-top: 1; }
    SetupForm #sweep-status { height: auto; }
    SetupForm #sweep-status.refused { color: $error; }
    SetupForm #sweep-status.ok { color: $success; }
    """

    class Changed(Message):
        """A valid config differs from the last one (the screen redraws the model summary)."""

        def __init__(self, config: TrainConfig) -> None:
            super().__init__()
            self.config = config

    def __init__(self, config: TrainConfig | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self._initial = config or PRESETS["tutorial"]
        self._base = self._initial  # what the fields do not show comes from here
        self._last: TrainConfig | None = None
        self._preset = self._initial.preset
        self._loading = False

    def compose(self) -> ComposeResult:
        c = self._initial
        yield self._row(
            "preset",
            Select(
                [(n, n) for n in PRESETS],
                value=c.preset if c.preset in PRESETS else "tutorial",
                allow_blank=False,
                compact=True,
                id="preset",
            ),
        )
        yield self._row("epochs", NumberField(c.epochs, BOUNDS["epochs"], compact=True, id="epochs"))
        yield self._row("batch_size", NumberField(c.batch_size, BOUNDS["batch_size"], compact=True, id="batch_size"))
        yield self._row("lr", NumberField(c.lr, BOUNDS["lr"], compact=True, id="lr"))
        yield self._row(
            "optimizer",
            Select(
                [(t(f"dash.opt.{o}"), o) for o in OPTIMIZERS],
                value=c.optimizer,
                allow_blank=False,
                compact=True,
                id="optimizer",
            ),
        )
        yield self._row("hidden", Input(",".join(map(str, c.hidden)), compact=True, id="hidden"))
        yield self._row(
            "activation",
            Select([(a, a) for a in ACTIVATIONS], value=c.activation, allow_blank=False, compact=True, id="activation"),
        )
        yield self._row("seed", NumberField(c.seed, BOUNDS["seed"], compact=True, id="seed"))
        yield self._row(
            "device",
            Select(
                [(t("dash.device.auto"), "auto"), ("CPU", "cpu")],
                value="auto",
                allow_blank=False,
                compact=True,
                id="device",
            ),
        )
        yield self._row("sweep", Input("", placeholder=t("lab.setup.sweep_example"), compact=True, id="sweep"))
        yield self._row(
            "sweep_random", Input("", placeholder=t("lab.setup.random_blank"), compact=True, id="sweep-random")
        )
        yield Static("", id="sweep-status")
        yield Static("", id="errors")
        yield Static(t("dash.setup.data_looking"), id="data-source")

    def _row(self, key: str, widget) -> Horizontal:
        return Horizontal(Label(t(f"dash.setup.{key}")), widget, classes="row")

    # values ------------------------------------------------------------------------------
    def config(self, show: bool = True) -> TrainConfig | None:
        errors: list[str] = []
        values: dict = {}
        for key in NUMBER_FIELDS:
            field = self.query_one(f"#{key}", NumberField)
            try:
                values[key] = parse_number(field.value, field.bounds)
            except NumberError as error:
                errors.append(f"{t(f'dash.setup.{key}')}: {error.message()}")
        try:
            values["hidden"] = parse_hidden(self.query_one("#hidden", Input).value)
        except NumberError as error:
            errors.append(f"{t('dash.setup.hidden')}: {error.message()}")
        except ValueError as error:
            errors.append(f"{t('dash.setup.hidden')}: {error}")
        for key in ("preset", "optimizer", "activation", "device"):
            values[key] = self.query_one(f"#{key}", Select).value
        if show:
            self.query_one("#errors", Static).update("\n".join(errors))
        if errors:
            return None
        return self._base.with_(**values)

    def sweep_plan(self, show: bool = True) -> tuple[Plan | None, str | None]:
        """(the sweep the fields state or None for a single run, why it is refused or None); the
        line under the sweep fields says the member count or the refusal."""
        text = self.query_one("#sweep", Input).value
        count = self.query_one("#sweep-random", Input).value
        found, error = None, None
        if text.strip() or count.strip():
            base = self.config(show=False)
            if base is None:
                error = t("lab.setup.fix_fields")
            else:
                try:
                    limit = self.app.options.get("max_members") or MAX_MEMBERS  # `nnlab train --max-members`
                    found = plan(base, text, count, limit)
                except ConfigError as refused:
                    error = str(refused)
        if show:
            self._say_sweep(found, error)
        return found, error

    def _say_sweep(self, found: Plan | None, error: str | None) -> None:
        status = self.query_one("#sweep-status", Static)
        status.set_class(error is not None, "refused")
        status.set_class(found is not None, "ok")
        if error is not None:
            status.update(error)
        elif found is None:
            status.update("")
        else:
            n, groups = len(found.members), found.groups
            if found.random is not None:
                what = t("lab.setup.random_members", n=n)
            else:
                what = t("lab.setup.grid_members", n=n, detail=" × ".join(_axis_sizes(found)))
            status.update(t("lab.setup.sweep_ok", what=what, groups=groups))

    def set_config(self, config: TrainConfig) -> None:
        """Fill every field (a preset was chosen, or a checkpoint's config was loaded)."""
        self._base = config
        self._loading = True
        try:
            for key in NUMBER_FIELDS:
                self.query_one(f"#{key}", NumberField).set_number(getattr(config, key))
            self.query_one("#hidden", Input).value = ",".join(map(str, config.hidden))
            for key in ("optimizer", "activation"):
                self.query_one(f"#{key}", Select).value = getattr(config, key)
            if config.preset in PRESETS:
                self._preset = config.preset
                self.query_one("#preset", Select).value = config.preset
        finally:
            self._loading = False
        self._check()

    def set_devices(self, devices: list[tuple[str, str]]) -> None:
        """``devices``: (label, value) pairs found by the probe, after 'auto'."""
        select = self.query_one("#device", Select)
        current = select.value
        select.set_options([(t("dash.device.auto"), "auto"), *devices])
        select.value = current if current in {"auto", *(v for _, v in devices)} else "auto"

    def set_data_source(self, text: str, ok: bool = True) -> None:
        widget = self.query_one("#data-source", Static)
        widget.update(text)
        widget.set_class(not ok, "missing")

    # events ------------------------------------------------------------------------------
    def on_select_changed(self, event: Select.Changed) -> None:
        if self._loading:
            return
        if event.select.id == "preset" and event.value in PRESETS:
            if event.value == self._preset:
                return  # the initial value, or no change: keep the fields as they are
            self._preset = event.value
            preset = PRESETS[event.value]
            device = self.query_one("#device", Select).value
            self.set_config(preset.with_(device=device))
            return
        self._check()

    def on_input_changed(self, event: Input.Changed) -> None:
        if not self._loading:
            self._check()

    def _check(self) -> None:
        config = self.config()
        self.sweep_plan()
        if config is not None and config != self._last:
            self._last = config
            self.post_message(self.Changed(config))


def _axis_sizes(found: Plan) -> list[str]:
    """'2 lr', '3 optimizer': the values of each axis of a grid, as the CLI counts them."""
    sizes: dict[str, set] = {}
    for member in found.members:
        for name, value in member.changes:
            sizes.setdefault(name, set()).add(value)
    return [f"{len(values)} {name}" for name, values in sizes.items()]

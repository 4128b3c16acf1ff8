"""Case 12: numbers typed, pasted or passed on the command line are parsed strictly.

``nan``, ``inf``, ``-0``, ``1e-400``, ``1e309``, ``٥٠``, ``1_0``, spaces, 5000 digits, empty and
pasted prose are refused with a message and never reach the model or the optimizer."""

from __future__ import annotations

import math
import re

import pytest
from _ui import key, options
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual.app import App, ComposeResult

from nnlab.core.numbers import MAX_CHARS, Bounds, NumberError, parse_number
from nnlab.i18n import set_lang
from nnlab.ui.shared.number_field import NumberField

BAD = [
    "nan",
    "NaN",
    "inf",
    "-inf",
    "Infinity",
    "-0",
    "-0.0",
    "1e-400",
    "1e309",
    "٥٠",
    "1_0",
    " 5",
    "5 ",
    "1 0",
    "5" * 5000,
    "",
    "0x10",
    "1e",
    "--1",
    "½",
    "５",
    "1,5",
    "0.1.2",
    "1e5\n",
    "1\t",
]
PASTED = "Learning rate: 0.001 (from the tutorial)"
STRICT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


@pytest.mark.parametrize("text", BAD + [PASTED])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_bad_text_is_refused_with_a_message(text, lang):
    set_lang(lang)
    with pytest.raises(NumberError) as info:
        parse_number(text, Bounds(-1e6, 1e6))
    assert info.value.message().strip()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=st.one_of(
        st.text(max_size=80),
        st.from_regex(STRICT, fullmatch=True),
        st.sampled_from(BAD),
        st.floats().map(repr),
        st.integers().map(str),
    ),
    lo=st.floats(-1e9, 0, allow_nan=False),
    span=st.floats(0, 2e9, allow_nan=False),
    integer=st.booleans(),
    nonzero=st.booleans(),
)
def test_fuzz_parse_number_returns_only_finite_in_range_values_or_a_reason(text, lo, span, integer, nonzero):
    bounds = Bounds(lo, lo + span, integer=integer, nonzero=nonzero)
    try:
        value = parse_number(text, bounds)
    except NumberError as error:
        assert error.message().strip()
        return
    assert STRICT.fullmatch(text) and text.isascii() and len(text) <= MAX_CHARS
    assert math.isfinite(value) and bounds.lo <= value <= bounds.hi
    assert not (nonzero and value == 0) and not (integer and not isinstance(value, int))
    assert not (value == 0 and text.startswith("-"))  # no negative zero


class FieldApp(App):
    """One NumberField (bounded like a learning rate), recording what it posts."""

    def __init__(self) -> None:
        super().__init__()
        self.committed: list = []
        self.invalid: list[str] = []

    def compose(self) -> ComposeResult:
        yield NumberField(0.001, Bounds(1e-7, 10, nonzero=True), id="f")

    def on_number_field_committed(self, message: NumberField.Committed) -> None:
        self.committed.append(message.number)

    def on_number_field_invalid(self, message: NumberField.Invalid) -> None:
        self.invalid.append(message.reason)


async def test_typed_and_pasted_bad_numbers_never_leave_the_field():
    from textual import events

    app = FieldApp()
    async with app.run_test() as pilot:
        field = app.query_one("#f", NumberField)
        for text in BAD + [PASTED]:
            field.focus()
            field.value = ""
            if len(text) > 6 or text == PASTED or not text.isprintable():
                field.post_message(events.Paste(text))  # a paste, as a terminal delivers it
                await pilot.pause()
            else:
                for char in text:
                    await pilot.press("space" if char == " " else char)
            await pilot.press("enter")
            await pilot.pause()
            assert field.number == 0.001, f"{text!r} got through"
            assert app.committed == [], f"{text!r} was committed"
            assert len(app.invalid) >= 1, f"{text!r} was not refused with a reason"
            app.invalid.clear()


async def test_the_setup_form_refuses_bad_numbers_and_s_starts_nothing(tmp_path, monkeypatch):
    from textual.widgets import Input, Static

    from nnlab.ui.app import NNLabApp
    from nnlab.ui.train.worker import TrainRun

    started = []
    monkeypatch.setattr(TrainRun, "start", lambda self, node: started.append(self))
    app = NNLabApp(mode="train", options=options(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.2)
        form = app.screen.query_one("#form")
        cases = {
            "lr": ["nan", "1e309", "0", "-0"],
            "epochs": ["0", "1_0", "٥٠"],
            "batch_size": ["-0", "1e3"],
            "seed": ["1e-400", "inf"],
            "hidden": ["512,nan", "0", "1_0", "512,,x"],
        }
        for field_id, texts in cases.items():
            field = form.query_one(f"#{field_id}", Input)
            good = field.value
            for i, text in enumerate(texts):
                field.focus()
                field.value = ""
                if i == 0:  # typed key by key; the others set as a paste would
                    for char in text:
                        await pilot.press(char)
                else:
                    field.value = text
                    await pilot.pause()
                assert form.config(show=True) is None
                errors = str(form.query_one("#errors", Static).render())
                assert errors.strip(), f"{field_id}={text!r}: no reason shown"
            app.set_focus(None)
            await key(app, pilot, "s")
            await pilot.pause(0.1)
            assert started == [] and app.screen.runs.run is None, f"{field_id}={text!r} started a run"
            field.value = good
        assert form.config(show=True) is not None  # the good values still make a config


@pytest.mark.parametrize("flag", ["--lr", "--epochs", "--batch-size", "--seed", "--hidden"])
@pytest.mark.parametrize("text", ["nan", "inf", "-0", "1e-400", "1e309", "٥٠", "1_0", " 5", "5" * 5000, ""])
def test_cli_numbers_are_one_line_errors_before_any_work(flag, text, capsys, monkeypatch):
    from nnlab.cli import main
    from nnlab.train import data

    monkeypatch.setattr(data, "load", lambda *a, **k: pytest.fail("data was loaded"))
    code = main(["train", "--headless", flag, text])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and err.startswith("nnlab: error:") and "Traceback" not in err


@pytest.mark.parametrize(
    "args",
    [
        ["backprop", "--json", "--set", "w5=nan"],
        ["backprop", "--json", "--set", "w5=٥"],
        ["backprop", "--json", "--set", "lr=1e309"],
        ["backprop", "--json", "--passes", "1e309"],
        ["backprop", "--json", "--passes", "0"],
        ["anatomy", "--json", "--images", "nan"],
        ["anatomy", "--json", "--seed", "-0"],
        ["anatomy", "--json", "--first", "1_0"],
    ],
)
def test_other_commands_numbers_are_one_line_errors(args, capsys):
    from nnlab.cli import main

    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("nnlab: error:")


@pytest.mark.parametrize("payload", [b'{"w1": NaN}', b'{"w1": 1e999}', b'{"lr": -Infinity}'])
def test_backprop_params_file_with_non_finite_json_is_refused(tmp_path, capsys, payload):
    from nnlab.cli import main

    path = tmp_path / "p.json"
    path.write_bytes(payload)  # Python's json accepts these literals: the command must not
    assert main(["backprop", "--json", "--params", str(path)]) == 2
    assert capsys.readouterr().err.startswith("nnlab: error:")

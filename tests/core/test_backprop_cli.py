"""`nnlab backprop --json / --markdown`: the shape, the numbers, the errors (one line, exit 2)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from nnlab.cli import main
from nnlab.core.tinynet import PARAM_NAMES, TUTORIAL, forward, gradients, run_passes, steps, update

FORWARD_KEYS = ["l_h1", "l_h2", "out_h1", "out_h2", "l_o1", "l_o2", "out_o1", "out_o2", "E_o1", "E_o2", "E_total"]
GRAD_KEYS = ["w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8", "b1", "b2"]


def _json(capsys, *args) -> dict:
    assert main(["backprop", "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def _error(capsys, *args) -> str:
    assert main(["backprop", *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("nnlab: error:") and "Traceback" not in err
    return err


def test_json_shape_and_values(capsys):
    out = _json(capsys)
    assert list(out) == [
        "params",
        "bias_updates",
        "forward",
        "gradients",
        "updated",
        "steps",
        "net",
        "inputs",
        "targets",
        "layers",
        "loss",
        "step_counts",
    ]  # the lab's keys after
    assert (
        out["layers"][1] == {"W": [[0.25, 0.35], [0.3, 0.4]], "b": [0.5]} and out["loss"] == out["forward"]["E_total"]
    )
    assert out["step_counts"] == {"weight": 76, "node": 40}
    assert list(out["params"]) == list(PARAM_NAMES) and out["params"] == TUTORIAL.as_dict()
    assert list(out["forward"]) == FORWARD_KEYS
    assert out["forward"]["E_total"] == pytest.approx(0.096867268, abs=1e-9)
    assert list(out["gradients"]) == GRAD_KEYS
    assert out["gradients"]["w5"] == pytest.approx(-0.018375021, abs=1e-9)
    assert out["gradients"]["w1"] == pytest.approx(0.000425237, abs=1e-9)
    assert out["updated"]["w5"] == pytest.approx(0.268375021, abs=1e-9)
    assert out["updated"]["w1"] == pytest.approx(0.049574763, abs=1e-9)
    assert out["updated"]["b1"] == 0.35  # biases stay unless --bias-updates
    assert [s["id"] for s in out["steps"]] == [s.id for s in steps(TUTORIAL)]
    first = out["steps"][0]
    assert set(first) == {
        "id",
        "phase",
        "symbol",
        "formula",
        "substituted",
        "value",
        "explanation",
        "explanation_key",
        "nodes",
        "edges",
        "tutorial",
    }
    assert first["formula"] == "l_h1 = w1·i1 + w2·i2 + b1" and first["tutorial"] == 0.385
    assert "history" not in out


def test_set_params_file_bias_updates_and_passes(capsys, tmp_path):
    file = tmp_path / "p.json"
    file.write_text(json.dumps({"w5": 0.5, "t1": 0.9, "lr": 0.5}), encoding="utf-8")
    out = _json(
        capsys, "--params", str(file), "--set", "w5=0.4", "--set", "i1=-1e-1", "--bias-updates", "--passes", "5"
    )
    p = TUTORIAL.with_values(w5=0.4, t1=0.9, lr=0.5, i1=-0.1)  # --set wins over the file
    assert out["params"] == p.as_dict() and out["bias_updates"] is True
    assert out["forward"] == forward(p)
    assert out["gradients"] == {k: gradients(p)[k] for k in GRAD_KEYS}
    assert out["updated"] == update(p, bias_updates=True).as_dict()
    assert out["updated"]["b2"] != p.b2
    assert out["history"] == [r.E_total for r in run_passes(p, 5, bias_updates=True)[1]]
    assert len(out["history"]) == 5 and out["history"][-1] < out["forward"]["E_total"]
    assert any(s["phase"] == "bias" for s in out["steps"])
    assert all(s["tutorial"] is None for s in out["steps"])


def test_markdown_walkthrough(capsys):
    assert main(["backprop", "--markdown", "--passes", "3"]) == 0
    md = capsys.readouterr().out
    assert md.startswith("# Backpropagation, step by step")
    for text in (
        "## Forward pass",
        "## Backward: output layer",
        "## Backward: hidden layer",
        "∂E_total/∂w5 = (−0.147692493) · 0.209071673 · 0.595078474 = −0.018375022",
        "w1⁺ = 0.05 − 1·0.000425237 = 0.049574763",
        "| 0.268375022 |",
        "E after N updates",
    ):
        assert text in md
    rows = [line for line in md.splitlines() if line.startswith("| ") and line[2:3].isdigit()]
    assert len(rows) >= len(steps(TUTORIAL))


def test_markdown_in_chinese(capsys):
    assert main(["--lang", "zh", "backprop", "--markdown"]) == 0
    md = capsys.readouterr().out
    assert "前向传播" in md and "l_h1 = 0.05·0.1 + 0.15·0.2 + 0.35 = 0.385" in md


@pytest.mark.parametrize(
    "args, words",
    [
        (["--json", "--set", "w5=abc"], "w5"),
        (["--json", "--set", "w5=nan"], "w5"),
        (["--json", "--set", "w5=1_0"], "w5"),
        (["--json", "--set", "zz=1"], "zz"),
        (["--json", "--set", "w5"], "NAME=VALUE"),
        (["--json", "--set", "t1=2"], "t1"),
        (["--json", "--set", "lr=0"], "lr"),
        (["--json", "--passes", "0"], "--passes"),
        (["--json", "--passes", "2.5"], "--passes"),
        (["--json", "--markdown"], "--json"),
        (["--json", "--params", "/no/such/file.json"], "/no/such/file.json"),
    ],
)
def test_bad_values_are_one_line_and_exit_2(capsys, args, words):
    assert words in _error(capsys, *args)


@pytest.mark.parametrize(
    "content, words",
    [
        ("{bad", "cannot read"),
        ("[1, 2]", "JSON object"),
        ('{"w9": 1}', "w9"),
        ('{"w1": "0.3"}', "w1"),
        ('{"w1": null}', "w1"),
        ('{"w1": true}', "w1"),
        ('{"w1": NaN}', "w1"),
        ('{"w1": 1e400}', "w1"),
    ],
)
def test_bad_params_files(capsys, tmp_path, content, words):
    file = tmp_path / "p.json"
    file.write_text(content, encoding="utf-8")
    assert words in _error(capsys, "--json", "--params", str(file))


def test_headless_paths_do_not_import_textual_and_exit_codes_hold(tmp_path):
    """In a fresh process: --json prints, textual stays unloaded; a bad value exits 2 with one line."""
    code = (
        "import sys, io, contextlib\n"
        "from nnlab.cli import main\n"
        "buf = io.StringIO()\n"
        "with contextlib.redirect_stdout(buf):\n"
        "    assert main(['backprop', '--json']) == 0\n"
        "    assert main(['backprop', '--markdown']) == 0\n"
        "assert not any(m == 'textual' or m.startswith('textual.') for m in sys.modules), 'textual loaded'\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr
    bad = subprocess.run(
        [sys.executable, "-m", "nnlab", "backprop", "--json", "--set", "w1=x"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "LANG": "C.UTF-8"},
    )
    assert bad.returncode == 2 and bad.stdout == "" and bad.stderr.count("\n") == 1


def test_without_flags_the_app_opens_with_the_given_params(monkeypatch):
    opened = {}

    def fake_run_app(mode, args, **options):
        opened.update(mode=mode, **options)
        return 0

    monkeypatch.setattr("nnlab.cli.run_app", fake_run_app)
    assert main(["backprop", "--set", "w5=0.3", "--bias-updates"]) == 0
    assert opened["mode"] == "backprop"
    assert opened["backprop_params"]["w5"] == 0.3 and opened["backprop_bias_updates"] is True


LAB_KEYS = [
    "net",
    "inputs",
    "targets",
    "lr",
    "bias_updates",
    "order",
    "step_counts",
    "layers",
    "forward",
    "loss",
    "gradients",
    "updated",
    "steps",
]


def test_any_network_as_json(capsys):
    out = _json(capsys, "--net", "3-4-2", "--act", "relu,sigmoid", "--loss", "ce", "--seed", "5")
    assert list(out)[: len(LAB_KEYS)] == LAB_KEYS and "probabilities" in out
    assert out["net"] == {"widths": [3, 4, 2], "activations": ["relu", "sigmoid"], "loss": "ce", "biases": "layer"}
    W1 = out["layers"][0]["W"]
    assert len(W1) == 4 and all(len(row) == 3 for row in W1)  # rows = units of this layer, cols = the layer before
    assert [len(g["W"]) for g in out["gradients"]] == [4, 2] and len(out["forward"]) == 2
    assert sorted(out["targets"]) == [0.0, 1.0]
    assert _json(capsys, "--net", "3-4-2", "--act", "relu,sigmoid", "--loss", "ce", "--seed", "5") == out
    assert len(out["steps"]) == out["step_counts"]["weight"]
    node = _json(capsys, "--net", "3-4-2", "--act", "relu,sigmoid", "--loss", "ce", "--seed", "5", "--order", "node")
    assert len(node["steps"]) == node["step_counts"]["node"] < len(out["steps"])
    assert any(s["reuses"] for s in node["steps"]) and any(s["repeat_of"] for s in out["steps"])
    assert node["gradients"] == out["gradients"]


def test_the_lab_json_reads_back_as_params(capsys, tmp_path):
    out = _json(capsys, "--net", "2-3-3-1", "--act", "tanh", "--loss", "bce", "--biases", "neuron", "--seed", "9")
    file = tmp_path / "lab.json"
    file.write_text(json.dumps(out), encoding="utf-8")
    again = _json(capsys, "--params", str(file))
    assert again["gradients"] == out["gradients"] and again["net"] == out["net"]
    changed = _json(capsys, "--params", str(file), "--set", "w1=0.5", "--passes", "3")
    assert changed["layers"][0]["W"][0][0] == 0.5 and len(changed["history"]) == 3


def test_the_tutorial_net_flag_keeps_the_tutorials_numbers(capsys):
    out = _json(capsys, "--net", "2-2-2")
    assert out["loss"] == forward(TUTORIAL)["E_total"]
    assert [s["value"] for s in out["steps"]] == [s.value for s in steps(TUTORIAL)]


def test_lab_markdown_says_the_order_and_marks_reuse(capsys):
    assert main(["backprop", "--markdown", "--order", "node"]) == 0
    text = capsys.readouterr().out
    assert "40 steps" in text and "76" in text and "δ" not in text.split("##")[0]
    assert "∂E_o1/∂l_o1, from step 14" in text


@pytest.mark.parametrize(
    "args, words",
    [
        (["--net", "2-5-2"], "1 to 4 units"),
        (["--net", "2-2-2-2-2-2"], "weight layers"),
        (["--net", "2-2", "--act", "swish"], "unknown activation"),
        (["--loss", "hinge"], "unknown loss"),
        (["--net", "2-2-1", "--loss", "ce"], "at least 2 outputs"),
        (["--seed", "x"], "--seed"),
        (["--seed", "1", "--params", "x.json"], "one of --seed"),
        (["--order", "z"], "--order"),
        (["--net", "3-2", "--set", "w99=1"], "unknown parameter"),
        (["--net", "2-2-2", "--act", "a,b,c"], "--act"),
        (["--biases", "row"], "bias mode"),
        (["--net", "2--2"], "--net"),
    ],
)
def test_bad_network_flags_are_one_line_errors(capsys, args, words):
    assert words in _error(capsys, "--json", *args)


def test_a_bad_lab_file_is_a_one_line_error(capsys, tmp_path):
    file = tmp_path / "lab.json"
    file.write_text(
        json.dumps(
            {
                "net": {"widths": [2, 2]},
                "layers": [{"W": [[1, "x"], [0, 0]], "b": [0]}],
                "inputs": [0, 0],
                "targets": [0, 0],
            }
        ),
        encoding="utf-8",
    )
    assert "layers[0].W" in _error(capsys, "--json", "--params", str(file))


def test_any_network_opens_the_stepper_screen(monkeypatch):
    """Issue 15 Deliver 1: `nnlab backprop --net 3-4-2 --act relu,sigmoid --loss ce --seed 5` opens
    the screen on that network (it used to refuse anything but the 2-2-2)."""
    from nnlab.core.netlab import Lab

    opened = {}

    def fake_run_app(mode, args, **options):
        opened.update(mode=mode, **options)
        return 0

    monkeypatch.setattr("nnlab.cli.run_app", fake_run_app)
    assert (
        main(["backprop", "--net", "3-4-2", "--act", "relu,sigmoid", "--loss", "ce", "--seed", "5", "--order", "node"])
        == 0
    )
    lab = opened["backprop_lab"]
    assert isinstance(lab, Lab) and lab.net.widths == (3, 4, 2) and lab.net.loss == "ce"
    assert opened["backprop_order"] == "node" and "backprop_params" not in opened


def test_the_markdown_handout_is_fit_to_paste(capsys):
    """Issue 13 item 9: no UI instructions, one minus sign, a tutorial-value column, the network
    drawn, no empty first cells; issue 15 item 6: 'E after N updates'."""
    assert main(["backprop", "--markdown", "--passes", "2"]) == 0
    md = capsys.readouterr().out
    assert "Press" not in md and " u " not in md
    assert "-0." not in md and "−0.018375022" in md  # the one minus sign, −
    assert "| Tutorial |" in md and "| −0.018375022 | −0.018375021 |" in md
    assert "```text" in md and "i1 0.1 ─┬─▶ h1 ─┬─▶ o1  t1 0.85" in md
    assert all(not line.startswith("| |") and "||" not in line.replace("\\|", "") for line in md.splitlines())
    assert "| updates N | E_total |" in md and "E after N updates" in md
    assert main(["backprop", "--markdown", "--net", "3-4-2", "--seed", "1"]) == 0
    other = capsys.readouterr().out
    assert "No tutorial value for this network" in other and "| Tutorial |" not in other


@pytest.mark.parametrize(
    "lang, words",
    [("en", ("worksheet", "Answer key", "4 significant digits")), ("zh", ("练习单", "答案", "4 位有效数字"))],
)
def test_the_worksheet_has_blanks_and_a_separate_answer_key(capsys, lang, words):
    """Issue 15 Deliver 5: `--markdown --worksheet` blanks every value and result; the key follows."""
    assert (
        main(
            [
                "--lang",
                lang,
                "backprop",
                "--markdown",
                "--worksheet",
                "--net",
                "2-3-2",
                "--act",
                "relu,identity",
                "--loss",
                "mse",
                "--seed",
                "2",
            ]
        )
        == 0
    )
    md = capsys.readouterr().out
    for word in words:
        assert word in md
    sheet, key = md.split("## " + words[1], 1)
    rows = [line for line in sheet.splitlines() if line.startswith("| ") and line[2:3].isdigit()]
    assert rows and all("| ______ |" in row and "= ?" in row or "→ ?" in row for row in rows)
    answers = [line for line in key.splitlines() if line.startswith("| ") and line[2:3].isdigit()]
    assert len(answers) == len(rows) and all("______" not in a for a in answers)
    assert main(["backprop", "--worksheet"]) == 2


def test_numbers_that_overflow_a_float_are_refused_in_one_line(capsys, tmp_path):
    file = tmp_path / "big.json"
    file.write_text(
        json.dumps(
            {
                "net": {"widths": [1, 1], "activations": ["identity"]},
                "layers": [{"W": [[1e200]], "b": [0]}],
                "inputs": [1e200],
                "targets": [0],
            }
        )
    )
    assert "float" in _error(capsys, "--params", str(file))

"""A sweep stated on the dashboard's Setup page (issue 17 Deliver 1): the member count under the
fields, refusals in the CLI's own words that change nothing, `s` starting the headless sweep as a
background process and the app showing its Sweep page (starting, then its members; a process that
dies before it began is said)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from test_watch import wait_for

from nnlab.commands import sweep as sweep_cmd
from nnlab.commands.train import add_arguments, parse_overrides
from nnlab.run.config import PRESETS, TrainConfig
from nnlab.run.errors import ConfigError
from nnlab.run.sweep import parse_sweep, plan
from nnlab.ui.app import NNLabApp
from nnlab.ui.sweep.screen import SweepScreen
from nnlab.ui.train.setup_form import SetupForm
from nnlab.ui.train.sweep_launch import Launched, argv, config_flags

SAMPLE = Path(__file__).resolve().parents[2] / "nnlab" / "assets" / "fashion-mnist-sample"
BASE = PRESETS["tutorial"]


def _refusal(texts, count=None) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_sweep(BASE, texts, count)
    return str(caught.value)


def test_plan_reads_the_fields_as_the_cli_reads_its_flags():
    assert plan(BASE, "", "") is None and plan(BASE, "   ", " ") is None
    grid = plan(BASE, "lr=1e-3,1e-2  optimizer=sgd,adam", "")
    assert grid.axes == ("lr=1e-3,1e-2", "optimizer=sgd,adam") and grid.random is None
    assert [m.label() for m in grid.members] == [
        "lr=0.001 optimizer=sgd",
        "lr=0.001 optimizer=adam",
        "lr=0.01 optimizer=sgd",
        "lr=0.01 optimizer=adam",
    ]
    assert grid.groups == 1  # lr and optimizer may differ inside one batched group
    random = plan(BASE, "lr=1e-4..1e-1:log", "5")
    assert random.random == 5 and len(random.members) == 5
    for text, texts in (
        ("lr=", ["lr="]),
        ("lr=1e-3,1e-3", ["lr=1e-3,1e-3"]),
        ("lr=abc", ["lr=abc"]),
        ("momentum=0.9", ["momentum=0.9"]),
        ("lr=1,2,3,4,5,6,7,8,9 batch_size=1,2,3,4,5,6,7,8", ["lr=1,2,3,4,5,6,7,8,9", "batch_size=1,2,3,4,5,6,7,8"]),
    ):
        with pytest.raises(ConfigError) as caught:
            plan(BASE, text, "")
        assert str(caught.value) == _refusal(texts), text
    assert "72 members" in _refusal(["lr=1,2,3,4,5,6,7,8,9", "batch_size=1,2,3,4,5,6,7,8"])
    for count in ("abc", "0", "٥", "1.5", "-3"):
        with pytest.raises(ConfigError, match="--sweep-random"):
            plan(BASE, "lr=1e-4..1e-1", count)
    with pytest.raises(ConfigError, match="at least one --sweep"):
        plan(BASE, "", "4")


def test_the_child_gets_the_form_config_exactly_through_train_flags(tmp_path):
    import argparse

    config = TrainConfig(
        epochs=3, batch_size=32, lr=3.3e-5, optimizer="momentum", seed=7, hidden=(64, 32), activation="tanh",
        preset="fast", threads=1, schedule="cosine", warmup_steps=20, early_stop=2, step_gamma=0.25,
    )  # fmt: skip
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(["--headless", *config_flags(config)])
    assert PRESETS[args.preset].with_(**parse_overrides(args)) == config
    found = plan(config, "lr=1e-3,1e-2", "")
    cmd = argv(config, found, tmp_path / "sweep-x", tmp_path, str(SAMPLE))
    assert cmd[:3] == [sys.executable, "-m", "nnlab"] and cmd[cmd.index("--sweep") + 1] == "lr=1e-3,1e-2"
    assert cmd[-2:] == ["--sweep-dir", str((tmp_path / "sweep-x").absolute())]


def test_a_sweep_dir_given_is_used_and_one_holding_a_sweep_refused(tmp_path, capsys):
    import argparse

    from nnlab.train.data import synthetic

    small = TrainConfig(epochs=1, batch_size=32, hidden=(16,), threads=1, device="cpu")
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    parser.add_argument("--data-dir", default=None)
    made = tmp_path / "runs" / "sweep-given"
    made.mkdir(parents=True)
    args = parser.parse_args(
        ["--headless", "--runs-dir", str(tmp_path / "runs"), "--sweep", "lr=0.05,0.2", "--sweep-dir", str(made)]
    )
    assert sweep_cmd.run_sweep(args, small, data=synthetic(64, 16, 0)) == 0
    record = json.loads((made / "sweep.json").read_text())
    assert record["id"] == "sweep-given" and record["state"] == "completed" and len(record["members"]) == 2
    assert not [p for p in (tmp_path / "runs").iterdir() if p.name.startswith("sweep-") and p != made]
    assert sweep_cmd.run_sweep(args, small, data=synthetic(64, 16, 0)) == 2
    assert "not an empty sweep directory" in capsys.readouterr().err


# --- the Setup page -----------------------------------------------------------------------------
class FakeProc:
    def __init__(self, code=None, pid=4242) -> None:
        self.code, self.pid = code, pid

    def poll(self):
        return self.code


def fake_launcher(calls: list, code=None, output: str = ""):
    def launch(base, found, runs_dir, data_dir):
        path = Path(runs_dir) / f"sweep-fake-{len(calls)}"
        path.mkdir(parents=True)
        (path / "output.log").write_text(output)
        calls.append((base, found, runs_dir, data_dir))
        return Launched(path.absolute(), FakeProc(code), path.absolute() / "output.log")

    return launch


async def _setup(app, pilot) -> SetupForm:
    await wait_for(pilot, lambda: app.screen.query("#sweep"), what="the Setup page")
    return app.screen.setup_page.form


async def _type(pilot, form, field: str, text: str) -> None:
    form.query_one(f"#{field}").value = text
    await pilot.pause()


def _status(form) -> str:
    return str(form.query_one("#sweep-status").render())


def _notices(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_the_count_shows_under_the_fields_and_bad_input_changes_nothing(tmp_path):
    calls: list = []
    options = {"runs_dir": str(tmp_path / "runs"), "data_factory": lambda: None, "sweep_launcher": fake_launcher(calls)}
    app = NNLabApp(mode="train", options=options)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await _setup(app, pilot)
        assert _status(form) == ""  # no sweep: `s` starts one run, as before
        await _type(pilot, form, "sweep", "lr=1e-3,1e-2 optimizer=sgd,momentum,adam")
        assert _status(form) == "Sweep: 6 members (2 lr × 3 optimizer) in 1 batched group(s); s starts them all"
        await _type(pilot, form, "sweep", "lr=1e-3,1e-2 hidden=64,32x32")
        assert "4 members (2 lr × 2 hidden) in 2 batched group(s)" in _status(form)
        for text, why in (
            ("lr=1e-3,,1e-2", "--sweep lr: value 2 is empty"),
            ("lr=1e-3,1e-3", "--sweep lr: 1e-3 is listed twice"),
            ("lr=fast", "--sweep lr=fast:"),
            ("momentum=0.9", "--sweep momentum: not a setting that can be swept"),
            ("lr=1,2,3,4,5,6,7,8,9 seed=1,2,3,4,5,6,7,8", "the sweep has 72 members (9 lr × 8 seed), over the limit of 64"),
        ):  # fmt: skip
            await _type(pilot, form, "sweep", text)
            assert _status(form).startswith(why), (text, _status(form))
            assert form.query_one("#sweep-status").has_class("refused")
            await pilot.press("s")
            await pilot.pause()
            assert _notices(app)[-1].startswith(why)
            assert app.screen.query_one("#pages").active == "setup" and not calls and app.screen.runs.run is None
        assert not (tmp_path / "runs").exists() or not list((tmp_path / "runs").iterdir())  # nothing made
        await _type(pilot, form, "sweep", "lr=1e-4..1e-1:log")
        await _type(pilot, form, "sweep-random", "5")
        assert _status(form).startswith("Sweep: 5 random members")
        await _type(pilot, form, "sweep-random", "five")
        assert _status(form).startswith("--sweep-random five: give a whole number")
        await _type(pilot, form, "epochs", "0")  # a base field refused: the sweep says to fix it first
        await _type(pilot, form, "sweep-random", "")
        assert _status(form).startswith("Sweep: correct the fields above first")


async def test_s_starts_the_sweep_in_the_background_and_shows_its_sweep_page(tmp_path):
    calls: list = []
    config = BASE.with_(schedule="cosine", epochs=2)  # a flag the form has no field for is kept
    options = {
        "runs_dir": str(tmp_path / "runs"),
        "data_factory": lambda: None,
        "sweep_launcher": fake_launcher(calls),
        "config": config,
    }
    app = NNLabApp(mode="train", options=options)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await _setup(app, pilot)
        await _type(pilot, form, "sweep", "lr=1e-3,1e-2")
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, SweepScreen), what="the Sweep page")
        [(base, found, runs_dir, _)] = calls
        assert base == config and base.schedule == "cosine" and len(found.members) == 2
        sweep = app.screen
        path = tmp_path / "runs" / "sweep-fake-0"
        assert sweep.path == path.absolute() and app.options["sweep"] == str(path.absolute())
        await pilot.pause(0.3)
        assert "starting (pid 4242)" in str(sweep.summary.render())
        assert not any("No sweep" in n for n in _notices(app))  # no sweep.json yet is not an error here
        record = {"format": "nnlab-sweep", "id": "sweep-fake-0", "state": "running", "members": []}
        (path / "sweep.json").write_text(json.dumps(record))
        await wait_for(pilot, lambda: sweep.model.state == "running", what="its sweep.json read")
        await pilot.pause(0.1)
        assert "sweep-fake-0" in str(sweep.summary.render()) and "starting" not in str(sweep.summary.render())
        # back to the dashboard (3), a second sweep: the Sweep page follows it
        await pilot.press("3")
        await wait_for(pilot, lambda: app.screen.query("#sweep"), what="the Train screen")
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, SweepScreen) and len(calls) == 2, what="again")
        await wait_for(pilot, lambda: app.screen.path.name == "sweep-fake-1", what="the new sweep followed")


async def test_a_sweep_process_that_dies_before_it_began_is_said(tmp_path):
    calls: list = []
    launcher = fake_launcher(calls, code=2, output="nnlab: error: no FashionMNIST in /nowhere\n")
    options = {"runs_dir": str(tmp_path / "runs"), "data_factory": lambda: None, "sweep_launcher": launcher}
    app = NNLabApp(mode="train", options=options)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await _setup(app, pilot)
        await _type(pilot, form, "sweep", "lr=1e-3,1e-2")
        await pilot.press("s")
        await wait_for(pilot, lambda: any("exit code 2" in n for n in _notices(app)), what="the death said")
        said = next(n for n in _notices(app) if "exit code 2" in n)
        assert "no FashionMNIST in /nowhere" in said and "output.log" in said


async def test_chinese_sweep_status(tmp_path, zh):
    options = {"runs_dir": str(tmp_path / "runs"), "data_factory": lambda: None}
    app = NNLabApp(mode="train", options=options)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await _setup(app, pilot)
        await _type(pilot, form, "sweep", "lr=1e-3,1e-2")
        assert _status(form) == "扫描：2 个成员（2 lr），分 1 个批量组；按 s 全部开始"
        await _type(pilot, form, "sweep", "lr=1e-3,1e-3")
        assert _status(form) == "--sweep lr：1e-3 出现了两次"


async def test_a_real_sweep_from_the_setup_page_trains_in_a_background_process(tmp_path):
    """The whole way: the form, `s`, `python -m nnlab train --headless --sweep` in the background
    on the shipped sample, the Sweep page following it to the end."""
    options = {"runs_dir": str(tmp_path / "runs"), "data_dir": str(SAMPLE)}
    app = NNLabApp(mode="train", options=options)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await _setup(app, pilot)
        for field, value in (("epochs", "1"), ("hidden", "16"), ("sweep", "lr=1e-3,1e-2")):
            await _type(pilot, form, field, value)
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, SweepScreen), what="the Sweep page")
        sweep = app.screen
        await wait_for(pilot, lambda: sweep.model.state == "completed", timeout=90, what="the sweep's end")
        await wait_for(pilot, lambda: all(m.epochs for m in sweep.model.members.values()), what="their logs")
        assert sorted(m.label for m in sweep.model.members.values()) == ["lr=0.001", "lr=0.01"]
        assert all(m.final_accuracy() is not None for m in sweep.model.members.values())
        assert (sweep.path / "output.log").read_text().count("m0") >= 2


def test_max_members_of_the_app_reaches_the_setup_page_and_the_sweep_process():
    """`nnlab train --max-members N` (the app) lets the Setup page state a sweep that large and
    passes the limit to the background `nnlab train --headless --sweep` it starts; a bad N is a
    usage error before the app opens."""
    import argparse

    import pytest

    from nnlab.cli import build_parser
    from nnlab.commands import train as train_cmd
    from nnlab.commands.usage import UsageError
    from nnlab.run.sweep import MAX_MEMBERS
    from nnlab.ui.train import sweep_launch

    parser = build_parser()
    args = parser.parse_args(["train", "--max-members", "100"])
    assert train_cmd.run(args) is None and args.app_options["max_members"] == 100
    with pytest.raises(UsageError):
        train_cmd.run(parser.parse_args(["train", "--max-members", "0"]))
    assert isinstance(args, argparse.Namespace)

    axes = "lr=" + ",".join(f"{k}e-3" for k in range(1, 11)) + " seed=" + ",".join(map(str, range(8)))
    with pytest.raises(ConfigError):
        plan(BASE, axes, "")  # 80 members: over the default 64
    big = plan(BASE, axes, "", 100)
    assert len(big.members) == 80 and big.max_members == 100
    cmd = sweep_launch.argv(BASE, big, Path("/tmp/s"), Path("/tmp/r"), None)
    assert cmd[cmd.index("--max-members") + 1] == "100"
    small = plan(BASE, "lr=1e-3,1e-2", "")
    assert small.max_members == MAX_MEMBERS and "--max-members" not in sweep_launch.argv(
        BASE, small, Path("/s"), Path("/r"), None
    )

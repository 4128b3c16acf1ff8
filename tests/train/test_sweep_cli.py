"""Headless sweeps (nnlab.commands.sweep.run_sweep): members as run directories, sweep.json, the
results table and exports, a member resumed alone, schedules and early stopping as axes,
divergence, bad input before any work, a member too big for memory, SIGINT saving every member."""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal

import pytest
from _engine_helpers import SMALL, tiny

from nnlab.commands import sweep as sweep_cmd
from nnlab.commands.train import add_arguments
from nnlab.run.rundir import RunDir
from nnlab.train import checkpoint as ckpt
from nnlab.train import engine

BASE = SMALL.with_(epochs=1, batch_size=32)


def _args(tmp_path, *argv):
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    parser.add_argument("--data-dir", default=None)
    return parser.parse_args(["--headless", "--runs-dir", str(tmp_path / "runs"), *argv])


def _sweep_json(tmp_path) -> dict:
    [path] = [p for p in (tmp_path / "runs").iterdir() if p.name.startswith("sweep-")]
    return json.loads((path / "sweep.json").read_text())


def _batch_losses(run_dir) -> list[float]:
    lines = (run_dir / "events.jsonl").read_text().splitlines()[1:]
    return [e["loss"] for e in map(json.loads, lines) if e["event"] == "batch"]


def test_a_grid_trains_each_member_as_its_own_run(tmp_path, capsys):
    data = tiny(128, 32)
    args = _args(
        tmp_path,
        "--sweep",
        "lr=0.05,0.2",
        "--sweep",
        "optimizer=sgd,momentum",
        "--sweep-export",
        str(tmp_path / "r.csv"),
        "--progress-every",
        "1",
    )
    assert sweep_cmd.run_sweep(args, BASE, data=data) == 0
    out = capsys.readouterr().out
    record = _sweep_json(tmp_path)
    assert record["format"] == "nnlab-sweep" and record["state"] == "completed"
    assert [a["name"] for a in record["axes"]] == ["lr", "optimizer"] and record["base"]["hidden"] == [32]
    members = record["members"]
    assert [m["label"] for m in members][:2] == ["lr=0.05 optimizer=sgd", "lr=0.05 optimizer=momentum"]
    assert sum(m["best"] for m in members) == 1
    for m in members:
        rd = RunDir.open(tmp_path / "runs" / m["run"])
        assert rd.info["kind"] == "sweep-member" and rd.info["sweep"] == record["id"] and rd.info["name"] == m["label"]
        assert rd.status()["state"] == "completed" and rd.checkpoint_path.is_file()
        assert m["epochs"] == 1 and 0 <= m["test_accuracy"] <= 1
    assert out.count(" epoch 1/1 ") == 4
    table = out[out.index("results by final test accuracy") :]
    accuracies = [m["test_accuracy"] for m in sorted(members, key=lambda m: -m["test_accuracy"])]
    assert "  * " in table and "T the tutorial" in table
    rows = list(csv.DictReader(open(tmp_path / "r.csv")))
    assert [float(r["accuracy"]) for r in rows] == accuracies and rows[0]["best"] == "True"
    # a member's events equal an independent run of its config, bit for bit (CPU, one thread)
    m = members[3]
    events = []
    engine.run(BASE.with_(lr=0.2, optimizer="momentum"), data, events.append, progress_every=1)
    assert _batch_losses(tmp_path / "runs" / m["run"]) == [e.loss for e in events if e.KIND == "batch"]


def test_a_member_resumes_alone_as_if_never_in_a_sweep(tmp_path, capsys):
    data = tiny(128, 32)
    args = _args(tmp_path, "--sweep", "lr=0.05,0.1", "--sweep", "optimizer=adam,momentum")
    assert sweep_cmd.run_sweep(args, BASE, data=data) == 0
    for m in _sweep_json(tmp_path)["members"]:
        rd = tmp_path / "runs" / m["run"]
        config = ckpt.load(rd / "checkpoint.pt")["config_obj"].with_(epochs=2)
        resumed, alone = [], []
        engine.run(config, data, resumed.append, resume_path=str(rd / "checkpoint.pt"))
        engine.run(config, data, alone.append)
        last = lambda events: [e for e in events if e.KIND == "epoch"][-1]  # noqa: E731
        assert last(resumed).test_loss == last(alone).test_loss, m["label"]


def test_schedule_and_early_stop_are_axes(tmp_path, capsys):
    data = tiny(128, 32)
    args = _args(tmp_path, "--sweep", "schedule=none,cosine,step", "--sweep", "early_stop=0,1", "--progress-every", "1")
    base = BASE.with_(epochs=3, lr=0.5, step_gamma=0.5)
    assert sweep_cmd.run_sweep(args, base, data=data) == 0
    members = _sweep_json(tmp_path)["members"]
    assert len(members) == 6
    for m in members:
        if m["changes"]["early_stop"] == 0:  # early stopping off: each equals its independent run
            events = []
            engine.run(base.with_(schedule=m["changes"]["schedule"]), data, events.append, progress_every=1)
            assert _batch_losses(tmp_path / "runs" / m["run"]) == [e.loss for e in events if e.KIND == "batch"]
        else:
            assert m["state"] in ("completed", "early-stopped")
            if m["state"] == "early-stopped":
                assert m["epochs"] < 3


def test_a_diverging_member_is_shown_diverged_and_the_others_finish(tmp_path, capsys):
    args = _args(tmp_path, "--sweep", "lr=0.05,1e6")
    assert sweep_cmd.run_sweep(args, BASE.with_(hidden=(32, 32)), data=tiny(128, 32)) == 0
    out = capsys.readouterr().out
    members = {m["label"]: m for m in _sweep_json(tmp_path)["members"]}
    assert members["lr=1e+06"]["diverged"] and members["lr=1e+06"]["state"] == "diverged"
    assert members["lr=0.05"]["state"] == "completed" and members["lr=0.05"]["best"]
    assert "diverged and stopped alone" in out
    assert out.strip().splitlines()[-3].split()[-1] == "yes"  # the diverged member ranks last


@pytest.mark.parametrize(
    "argv, words",
    [
        (["--sweep", "lr="], "value 1 is empty"),
        (["--sweep", "lr=1e-3,0.001"], "listed twice"),
        (["--sweep", "lr=abc"], "lr=abc"),
        (["--sweep", "momentum=0.9"], "not a setting"),
        (["--sweep", "schedule=linear"], "none|step|cosine|warmup"),
        (["--sweep", "lr=1e-3,1e-2", "--sweep", "seed=1,2", "--max-members", "3"], "4 members"),
        (["--sweep", "lr=1e-3..1e-1", "--sweep-random", "x"], "--sweep-random x"),
        (["--sweep", "schedule=warmup"], "warmup_steps"),
        (["--sweep", "lr=1e-3", "--sweep-export", "out.txt"], ".csv or .md"),
    ],
)
def test_bad_input_is_one_line_exit_2_before_any_work(tmp_path, capsys, argv, words):
    assert sweep_cmd.run_sweep(_args(tmp_path, *argv), BASE, data=tiny(64, 16)) == 2
    err = capsys.readouterr().err.strip()
    assert words in err and len(err.splitlines()) == 1
    assert not (tmp_path / "runs").exists()


def test_a_member_that_cannot_fit_is_refused_by_name(tmp_path, capsys, monkeypatch):
    from nnlab.train import memory

    monkeypatch.setattr(memory, "available_bytes", lambda device: 1 << 30)
    args = _args(tmp_path, "--sweep", "hidden=32,16384x16384")
    assert sweep_cmd.run_sweep(args, BASE, data=tiny(64, 16)) == 2
    err = capsys.readouterr().err
    assert "m01 (hidden=16384x16384)" in err and not (tmp_path / "runs").exists()


def test_sigint_stops_the_sweep_and_saves_every_member(tmp_path, capsys, monkeypatch):
    original = sweep_cmd.Sweep._event
    seen = []

    def event(self, m, ev):
        original(self, m, ev)
        if ev.KIND == "batch" and ev.batch == 2 and not seen:
            seen.append(ev)
            os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(sweep_cmd.Sweep, "_event", event)
    args = _args(tmp_path, "--sweep", "lr=0.05,0.1,0.2", "--progress-every", "1")
    assert sweep_cmd.run_sweep(args, BASE.with_(epochs=2), data=tiny(256, 32)) == 130
    record = _sweep_json(tmp_path)
    assert record["state"] == "stopped"
    for m in record["members"]:
        saved = ckpt.load(tmp_path / "runs" / m["run"] / "checkpoint.pt")
        assert saved["epoch"] == 0 and saved["extra"]["batch"] == 2  # batches 1 and 2 trained
        assert m["state"] == "stopped"
    # exact to the batch: resumed, a member ends as an independent run of its config
    m = record["members"][1]
    config = BASE.with_(epochs=2, lr=0.1)
    resumed, alone = [], []
    engine.run(config, tiny(256, 32), resumed.append, resume_path=str(tmp_path / "runs" / m["run"] / "checkpoint.pt"))
    engine.run(config, tiny(256, 32), alone.append)
    assert resumed[-2].test_loss == alone[-2].test_loss
    assert "SIGINT" in capsys.readouterr().err


def test_markdown_export(tmp_path, capsys):
    args = _args(tmp_path, "--sweep", "lr=1e-3,0.05", "--sweep-export", str(tmp_path / "r.md"))
    assert sweep_cmd.run_sweep(args, BASE.with_(batch_size=64, hidden=(512, 512)), data=tiny(128, 32)) == 0
    text = (tmp_path / "r.md").read_text()
    assert "| **best** | m01 " in text and "| tutorial | m00 " in text and text.count("\n|") == 4


def test_each_member_is_steerable_pause_steps_the_group_stop_takes_one_member_out(tmp_path):
    """Issue 17: pause/step/stop on the whole sweep or one member, from any terminal (each member's
    run directory serves a control socket while the sweep trains)."""
    import threading
    import time

    from nnlab.run.control_client import send

    data = tiny(128, 32)
    args = _args(tmp_path, "--sweep", "lr=0.05,0.1", "--progress-every", "1")
    codes = []
    worker = threading.Thread(target=lambda: codes.append(sweep_cmd.run_sweep(args, BASE.with_(epochs=400), data=data)))
    worker.start()
    try:
        deadline = time.monotonic() + 30
        runs = []
        while time.monotonic() < deadline and len(runs) < 2:
            root = tmp_path / "runs"
            runs = (
                sorted(p for p in root.iterdir() if p.is_dir() and (p / "run.json").exists()) if root.exists() else []
            )
            time.sleep(0.05)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if send(runs[0], "pause")["ok"]:
                    break
            except Exception:  # noqa: BLE001 - the socket is not up yet
                time.sleep(0.05)
        kinds = lambda run: [json.loads(x)["event"] for x in (run / "events.jsonl").read_text().splitlines()[1:]]  # noqa: E731
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not all("paused" in kinds(r) for r in runs):
            time.sleep(0.05)
        assert all("paused" in kinds(r) for r in runs)  # a member's pause holds the whole group
        assert send(runs[1], "stop")["ok"]  # only member m01
        assert send(runs[0], "resume")["ok"]
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and "finished" not in kinds(runs[1]):
            time.sleep(0.05)
        assert "finished" in kinds(runs[1]) and "finished" not in kinds(runs[0])  # m00 goes on
        assert send(runs[0], "stop")["ok"]
    finally:
        worker.join(60)
    assert not worker.is_alive() and codes and codes[0] in (0, 130)
    states = [m["state"] for m in _sweep_json(tmp_path)["members"]]
    assert states == ["stopped", "stopped"]

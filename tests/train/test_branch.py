"""Branches (nnlab.train.branch): a new run from a run's epoch-N or latest checkpoint with changed
settings; the parent link and branch point in run.json; optimizer state kept or fresh; another
architecture, a mid-epoch batch-size change and too few epochs refused; the CLI path."""

from __future__ import annotations

import argparse
import json

import pytest
from _engine_helpers import SMALL, tiny

from nnlab.run.errors import CheckpointError, ConfigError
from nnlab.run.rundir import RunDir
from nnlab.train import checkpoint as ckpt
from nnlab.train import engine
from nnlab.train.branch import create_branch

CONFIG = SMALL.with_(epochs=2, optimizer="momentum")


@pytest.fixture()
def parent(tmp_path):
    """A finished 2-epoch run in a run directory, with epoch-001.pt and checkpoint.pt."""
    data = tiny(128, 32)
    rd = RunDir.create(tmp_path / "runs", CONFIG, name="parent")

    def emit(event):
        if event.KIND == "epoch" and event.epoch == 1:
            import shutil

            shutil.copy(rd.checkpoint_path, rd.epoch_checkpoint(1))

    engine.run(CONFIG, data, emit, save_path=str(rd.checkpoint_path))
    return rd, data


def _epoch_losses(events):
    return [e.test_loss for e in events if e.KIND == "epoch"]


def test_a_branch_from_epoch_n_with_the_same_optimizer_continues_exactly(tmp_path, parent):
    rd, data = parent
    branch = create_branch(f"{rd.id}@1", {"lr": 0.01}, tmp_path / "runs")
    info = json.loads(branch.rd.run_json.read_text())
    assert info["parent"] == rd.id and info["kind"] == "nnlab"
    assert info["branch"] == {
        "from": rd.id,
        "checkpoint": str(rd.epoch_checkpoint(1)),
        "epoch": 1,
        "batch": 0,
        "changes": {"lr": 0.01},
        "optimizer": "kept",
    }
    assert branch.optimizer_kept and (branch.epoch, branch.batch) == (1, 0)
    saved = ckpt.load(branch.rd.checkpoint_path)
    assert saved["config_obj"].lr == 0.01 and len(saved["history"]) == 1
    assert saved["optimizer"]["state"]  # the momentum buffers came along
    events = []
    engine.run(branch.config, data, events.append, resume_path=str(branch.rd.checkpoint_path))
    # the same as the parent's own epoch 2 with lr 0.01 from epoch 1 (a resume with a new lr)
    ref = []
    engine.run(CONFIG.with_(lr=0.01), data, ref.append, resume_path=str(rd.epoch_checkpoint(1)))
    assert _epoch_losses(events) == _epoch_losses(ref) and events[0].start_epoch == 1


def test_a_changed_optimizer_starts_fresh_and_more_epochs_from_the_latest(tmp_path, parent):
    rd, data = parent
    branch = create_branch(rd.id, {"optimizer": "adam", "lr": 1e-3, "epochs": 3}, tmp_path / "runs")
    assert not branch.optimizer_kept and branch.epoch == 2
    saved = ckpt.load(branch.rd.checkpoint_path)
    assert saved["optimizer"]["state"] == {} and saved["config_obj"].optimizer == "adam"
    events = []
    finished = engine.run(branch.config, data, events.append, resume_path=str(branch.rd.checkpoint_path))
    assert finished.reason == "completed" and finished.epochs == 3


@pytest.mark.parametrize(
    "overrides, error, words",
    [
        ({"hidden": (64,)}, CheckpointError, "hidden"),
        ({"activation": "tanh", "hidden": (16, 16)}, CheckpointError, "activation, hidden"),
        ({"epochs": 2}, ConfigError, "not past the branch point"),
        ({"lr": -1.0}, ConfigError, "lr"),
    ],
)
def test_refusals_name_what_is_wrong(tmp_path, parent, overrides, error, words):
    rd, _ = parent
    with pytest.raises(error, match=words):
        create_branch(rd.id, overrides, tmp_path / "runs")


def test_bad_references(tmp_path, parent):
    rd, _ = parent
    with pytest.raises(ConfigError, match="epoch 2"):
        create_branch(f"{rd.id}@2", {"epochs": 3}, tmp_path / "runs")  # no epoch-002.pt kept
    with pytest.raises(ConfigError, match="nope"):
        create_branch("nope", {}, tmp_path / "runs")


def test_batch_size_cannot_change_mid_epoch(tmp_path):
    data = tiny(128, 32)
    rd = RunDir.create(tmp_path / "runs", CONFIG)
    from nnlab.run.control import Control

    control = Control()

    def emit(event):
        if event.KIND == "batch" and event.batch == 2:
            control.stop()

    engine.run(CONFIG, data, emit, control, save_path=str(rd.checkpoint_path), progress_every=1)
    with pytest.raises(ConfigError, match="mid-epoch"):
        create_branch(rd.id, {"batch_size": 16}, tmp_path / "runs")
    branch = create_branch(rd.id, {"lr": 0.1}, tmp_path / "runs")  # the same batch size: fine
    assert (branch.epoch, branch.batch) == (0, 2)


def test_run_branch_cli_trains_the_branch(tmp_path, parent, capsys, monkeypatch):
    from nnlab.commands import headless
    from nnlab.commands.sweep import run_branch
    from nnlab.commands.train import add_arguments
    from nnlab.train import data as data_mod

    rd, data = parent
    monkeypatch.setattr(data_mod, "load", lambda *a, **k: data)
    monkeypatch.setattr(data_mod, "locate", lambda *a, **k: type("L", (), {"train_size": 128, "test_size": 32})())
    parser = argparse.ArgumentParser()
    add_arguments(parser)  # the train command's flags include --branch
    parser.add_argument("--data-dir", default=None)
    args = parser.parse_args(
        ["--headless", "--runs-dir", str(tmp_path / "runs"), "--branch", f"{rd.id}@1", "--lr", "0.01"]
    )
    assert run_branch(args, {"lr": 0.01}) == 0
    err = capsys.readouterr().err
    assert f"from {rd.id} at epoch 1, batch 0" in err and "kept" in err
    [child] = [p for p in (tmp_path / "runs").iterdir() if p.name != rd.id]
    child_rd = RunDir.open(child)
    assert child_rd.info["parent"] == rd.id and child_rd.status()["state"] == "completed"
    assert headless is not None

"""The examples run; Lightning and torchrun runs are steered from the control socket like any run."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from nnlab.run.control_client import send
from nnlab.run.reader import EventLog, list_runs

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def records(path):
    return EventLog(Path(path) / "events.jsonl").read_new()


def wait_for_run(root: Path, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = list_runs(root)
        if runs and send_ok(runs[0].path):
            return runs[0]
        time.sleep(0.1)
    raise AssertionError("no live run appeared")


def send_ok(path) -> bool:
    try:
        return bool(send(path, "status")["ok"])
    except Exception:  # noqa: BLE001 - not listening yet
        return False


def test_plain_pytorch_example(tmp_path):
    pytest.importorskip("torchvision")
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "plain_pytorch.py"), "--epochs", "1", "--runs-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    run = list_runs(tmp_path)[0]
    assert (run.name, run.kind, run.state, run.epochs_done) == ("plain-pytorch-cnn", "track", "completed", 1)
    kinds = {r["event"] for r in records(run.path)}
    assert {"scalars", "epoch_metrics", "confusion", "images", "finished"} <= kinds


def test_lightning_example_runs(tmp_path):
    pytest.importorskip("lightning")
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "lightning_fit.py"), "--epochs", "1", "--runs-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    run = list_runs(tmp_path)[0]
    assert (run.name, run.state, run.epochs_done) == ("lightning-tiny", "completed", 1)
    assert any("train/loss_step" in r.get("values", {}) for r in records(run.path))


def test_lightning_fit_paused_and_stopped_from_a_viewer(tmp_path):
    L = pytest.importorskip("lightning")
    import torch
    from torch.utils.data import DataLoader, TensorDataset

    sys.path.insert(0, str(EXAMPLES))
    try:
        from lightning_fit import Tiny
    finally:
        sys.path.remove(str(EXAMPLES))
    from nnlab.integrations.lightning import NnlabLogger

    logger = NnlabLogger(name="steered", runs_dir=tmp_path, quiet=True)
    x = torch.randn(64, 8)
    loader = DataLoader(TensorDataset(x, (x[:, 0] > 0).long()), batch_size=8)
    trainer = L.Trainer(
        max_epochs=10_000,
        logger=logger,
        callbacks=[logger.steering()],
        accelerator="cpu",
        devices=1,
        log_every_n_steps=1,
        enable_progress_bar=False,
        enable_model_summary=False,
        enable_checkpointing=False,
    )
    seen = {}

    def viewer():
        run = wait_for_run(tmp_path)
        time.sleep(0.3)
        assert send(run.path, "pause")["ok"]
        time.sleep(0.5)
        seen["paused_at"] = trainer.global_step
        time.sleep(0.7)
        seen["still"] = trainer.global_step
        assert send(run.path, "step")["ok"]
        time.sleep(0.5)
        seen["stepped"] = trainer.global_step
        assert send(run.path, "stop")["ok"]

    thread = threading.Thread(target=viewer, daemon=True)
    thread.start()
    trainer.fit(Tiny(), loader)
    thread.join(10)
    assert seen["still"] == seen["paused_at"]  # paused: no batch
    assert seen["stepped"] == seen["paused_at"] + 1  # one single step
    assert trainer.current_epoch < 10_000
    run = list_runs(tmp_path)[0]
    assert run.state == "stopped"
    kinds = [r["event"] for r in records(run.path)]
    assert "paused" in kinds and kinds[-1] == "finished"


@pytest.mark.slow
def test_torchrun_two_ranks_one_run_and_stop_reaches_both(tmp_path):
    torchrun = Path(sys.executable).with_name("torchrun")
    if not torchrun.exists():
        pytest.skip("torchrun not installed next to this python")
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen(
        [
            str(torchrun),
            "--standalone",
            "--nproc-per-node",
            "2",
            str(EXAMPLES / "torchrun_ddp.py"),
            "--steps",
            "100000",
            "--step-sleep",
            "0.005",
            "--runs-dir",
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        run = wait_for_run(tmp_path, timeout=90)
        time.sleep(1.0)
        assert send(run.path, "stop")["ok"]
        out, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, out
    ends = sorted(line for line in out.splitlines() if " ended at step " in line)
    assert len(ends) == 2 and ends[0].split()[-1] == ends[1].split()[-1]  # the same step on both ranks
    assert int(ends[0].split()[-1]) < 100_000
    assert len(list_runs(tmp_path)) == 1 and list_runs(tmp_path)[0].state == "stopped"
    names = {k for r in records(run.path) if r["event"] == "scalars" for k in r["values"]}
    assert {"loss", "throughput/rank0", "throughput/rank1"} <= names

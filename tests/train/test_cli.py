"""`nnlab train`: flags, refusals (one line, exit 2), the tutorial's output, metric files, signals."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nnlab.cli import main
from nnlab.train import checkpoint
from nnlab.train.data import SAMPLE_DIR

SAMPLE = ["--data-dir", str(SAMPLE_DIR)]
QUICK = ["train", "--headless", *SAMPLE, "--hidden", "16", "--epochs", "1", "--threads", "1"]


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("NNLAB_RUNS_DIR", str(tmp_path / "runs"))  # every headless run makes a run directory
    monkeypatch.delenv("NNLAB_DATA_DIR", raising=False)


@pytest.mark.parametrize(
    "argv, words",
    [
        (["--epochs", "0"], "--epochs 0"),
        (["--epochs", "2.5"], "whole number"),
        (["--epochs", "nan"], "Not a number"),
        (["--batch-size", "0"], "--batch-size"),
        (["--batch-size", "70000"], "--batch-size"),
        (["--lr", "0"], "--lr 0"),
        (["--lr", "-1"], "--lr -1"),
        (["--lr", "inf"], "--lr"),
        (["--lr", "1_0"], "Not a number"),
        (["--hidden", "512,0"], "--hidden 0"),
        (["--hidden", "65537"], "--hidden 65537"),
        (["--hidden", ""], "--hidden"),
        (["--hidden", "512,,512"], "--hidden"),
        (["--seed", "-1"], "--seed"),
        (["--threads", "-1"], "--threads"),
        (["--device", "gpu"], "--device gpu"),
        (["--optimizer", "rmsprop"], "invalid choice"),
        (["--preset", "slow"], "invalid choice"),
        (["--bogus"], "unrecognized"),
    ],
)
def test_bad_values_one_line_exit_2(capsys, argv, words):
    with pytest.raises(SystemExit) as info:
        code = main(["train", "--headless", *SAMPLE, *argv])
        raise SystemExit(code)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("nnlab: error:") and words in err


def test_batch_larger_than_the_data_and_model_too_big(capsys):
    assert main([*QUICK, "--batch-size", "6001"]) == 2  # the sample holds 6,000 training images
    assert "batch_size = 6001" in capsys.readouterr().err
    assert main([*QUICK, "--hidden", "65536,65536,65536"]) == 2
    err = capsys.readouterr().err
    assert "GiB" in err and err.count("\n") == 1


def test_tutorial_lines_and_summary(capsys):
    assert main([*QUICK, "--progress-every", "40"]) == 0
    out = capsys.readouterr().out
    assert "Using cpu device" in out and "SAMPLE" in out
    assert "Epoch 1\n-------------------------------\nloss: " in out
    lines = [line for line in out.splitlines() if line.startswith("loss: ")]
    assert [line[-13:] for line in lines] == ["[   64/ 6000]", "[ 2624/ 6000]", "[ 5184/ 6000]"]
    assert "Test Error: \n Accuracy: " in out and "%, Avg loss: " in out
    assert "samples/s" in out and "Done!" in out and "1 epoch(s) in" in out


def test_metrics_csv_and_save(tmp_path, capsys):
    metrics, table, save = tmp_path / "m.jsonl", tmp_path / "m.csv", tmp_path / "c.pt"
    argv = [*QUICK, "--epochs", "2", "--metrics", str(metrics), "--csv", str(table), "--save", str(save)]
    assert main(argv) == 0
    events = [json.loads(line) for line in metrics.read_text().splitlines()]
    assert events[0]["event"] == "started" and events[-1]["event"] == "finished"
    epochs = [e for e in events if e["event"] == "epoch"]
    assert [e["epoch"] for e in epochs] == [1, 2]
    for e in epochs:
        assert {"train_loss", "test_loss", "test_accuracy", "seconds", "samples_per_s"} <= set(e)
        assert 0 <= e["test_accuracy"] <= 1
    rows = table.read_text().splitlines()
    assert rows[0].startswith("epoch,train_loss,test_loss,test_accuracy,seconds,samples_per_s,accuracy_T-shirt/top")
    assert len(rows) == 3 and rows[2].startswith("2,")
    assert checkpoint.load(save)["epoch"] == 2
    capsys.readouterr()
    # existing outputs are not overwritten without --force
    for flag, path in (("--metrics", metrics), ("--csv", table), ("--save", save)):
        assert main([*QUICK, flag, str(path)]) == 2
        assert "--force" in capsys.readouterr().err
    assert main([*QUICK, "--metrics", str(metrics), "--force"]) == 0
    # resume: continue the saved run to 3 epochs, saving into the same file
    capsys.readouterr()
    assert main([*QUICK, "--epochs", "3", "--resume", str(save), "--save", str(save)]) == 0
    out = capsys.readouterr().out
    assert "Resuming after epoch 2" in out and "Epoch 3\n" in out and "Epoch 1\n" not in out
    assert checkpoint.load(save)["epoch"] == 3


def test_resume_errors(tmp_path, capsys):
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"junk" * 10)
    assert main([*QUICK, "--resume", str(bad)]) == 2
    assert "not a PyTorch checkpoint" in capsys.readouterr().err
    assert main([*QUICK, "--resume", str(tmp_path / "none.pt")]) == 2
    save = tmp_path / "c.pt"
    assert main([*QUICK, "--save", str(save)]) == 0
    capsys.readouterr()
    assert main([*QUICK, "--epochs", "2", "--resume", str(save), "--hidden", "8"]) == 1
    assert "linear_relu_stack.0.weight" in capsys.readouterr().err


def test_nan_is_null_in_jsonl(tmp_path):
    from nnlab.run.events import BatchProgress

    line = BatchProgress(1, 1, 1, 1, float("nan"), float("inf"), 0.0).to_json()
    data = json.loads(line)
    assert data["running_loss"] is None and data["samples_per_s"] is None and data["loss"] is None
    assert "NaN" not in line and "Infinity" not in line


def test_without_headless_opens_the_app_with_options():
    import argparse

    from nnlab.commands import train

    parser = argparse.ArgumentParser()
    train.add_arguments(parser)
    args = parser.parse_args(["--preset", "fast", "--epochs", "3", "--save", "x.pt"])
    args.data_dir = None
    assert train.run(args) is None
    options = args.app_options
    assert options["config"].preset == "fast" and options["config"].epochs == 3
    assert options["overrides"] == {"epochs": 3} and options["save_path"] == "x.pt"


@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_signal_in_process_stops_at_a_batch_boundary(tmp_path, capsys, monkeypatch, signum, code):
    """The handler only sets a flag: the run ends after the batch in flight, saves, and exits 130/143."""
    from nnlab.commands import headless

    real_call = headless.Printer.__call__

    def call(self, event):
        real_call(self, event)
        if event.KIND == "batch" and event.batch == 11:
            os.kill(os.getpid(), signum)  # delivered to this (main) thread at once

    monkeypatch.setattr(headless.Printer, "__call__", call)
    before = signal.getsignal(signum)
    save = tmp_path / "run.pt"
    assert main([*QUICK, "--epochs", "3", "--progress-every", "5", "--save", str(save)]) == code
    out, err = capsys.readouterr()
    assert f"stopped by {signal.Signals(signum).name}" in err and f"--resume {save}" in err
    assert "[  704/ 6000]" in out and "[ 1024/ 6000]" not in out  # batch 11 printed, batch 16 never ran
    saved = checkpoint.load(save)
    assert (saved["epoch"], saved["extra"]["batch"]) == (0, 11)
    assert signal.getsignal(signum) == before  # the previous handler is back


def test_sigterm_to_the_real_command(tmp_path):
    """The installed entry point, as a separate process: SIGTERM → checkpoint written, exit 143."""
    save = tmp_path / "run.pt"
    env = dict(os.environ, HOME=str(tmp_path / "home"))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "nnlab",
            "train",
            "--headless",
            *SAMPLE,
            "--hidden",
            "16",
            "--epochs",
            "500",
            "--progress-every",
            "5",
            "--threads",
            "1",
            "--save",
            str(save),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=Path(__file__).parents[2],
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if line.startswith("loss:") and "[  384/" in line:
                break
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 143, err
    assert "stopped by SIGTERM" in err and "--resume" in err
    saved = checkpoint.load(save)
    assert saved["epoch"] < 500 and (saved["epoch"], saved["extra"]["batch"]) != (0, 0)


def test_data_dir_without_the_files_is_a_bad_value(tmp_path, capsys):
    assert main(["train", "--headless", "--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "train-images-idx3-ubyte" in err and "--data-dir" in err


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_help_lists_every_flag(capsys, lang):
    with pytest.raises(SystemExit) as info:
        main(["--lang", lang, "train", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    for flag in (
        "--headless",
        "--preset",
        "--epochs",
        "--batch-size",
        "--lr",
        "--optimizer",
        "--hidden",
        "--activation",
        "--device",
        "--seed",
        "--threads",
        "--metrics",
        "--csv",
        "--save",
        "--resume",
        "--force",
    ):
        assert flag in out
    assert "88%" in out


def test_app_path_leaves_existing_files_to_the_dashboard_prompt(tmp_path):
    import argparse

    from nnlab.commands import train
    from nnlab.commands.usage import UsageError

    existing = tmp_path / "run.pt"
    existing.write_bytes(b"x")
    parser = argparse.ArgumentParser()
    train.add_arguments(parser)
    args = parser.parse_args(["--save", str(existing)])
    args.data_dir = None
    assert train.run(args) is None and args.app_options["force"] is False  # the dashboard asks
    args = parser.parse_args(["--save", str(tmp_path / "no" / "dir" / "run.pt")])
    args.data_dir = None
    with pytest.raises(UsageError, match="directory does not exist"):
        train.run(args)

"""Case 1: a NaN/Inf loss stops the run within one step, says "diverged", keeps the last good checkpoint."""

from __future__ import annotations

import math
import types

import torch
from _ui import LONG, key, log_text, notes, options, run_ended, start_run, until

from nnlab.run.config import TrainConfig
from nnlab.train import checkpoint, engine
from nnlab.train import step as step_mod
from nnlab.train.data import synthetic

CONFIG = TrainConfig(epochs=3, batch_size=32, lr=0.05, hidden=(32,), seed=3, device="cpu")
BATCHES = 8  # 256 images / 32


def poison_loss(monkeypatch, from_call: int) -> dict:
    """Training steps (only those: the patch is seen by step.py alone) return NaN from call
    ``from_call`` on; counts the steps taken."""
    real = torch.nn.functional.cross_entropy
    seen = {"calls": 0, "first_nan": None}

    def cross_entropy(logits, target, *args, **kwargs):
        seen["calls"] += 1
        loss = real(logits, target, *args, **kwargs)
        if seen["calls"] >= from_call:
            seen["first_nan"] = seen["first_nan"] or seen["calls"]
            return loss * float("nan")
        return loss

    monkeypatch.setattr(step_mod, "F", types.SimpleNamespace(cross_entropy=cross_entropy))
    return seen


def test_nan_loss_stops_within_one_step_and_keeps_the_last_good_checkpoint(tmp_path, monkeypatch):
    """Epoch 1 completes and is saved; the loss becomes NaN at epoch 2, batch 3. With the default
    progress interval (100 batches) the run must still stop right after that step."""
    seen = poison_loss(monkeypatch, from_call=BATCHES + 3)
    path = tmp_path / "ck.pt"
    events, good = [], {}

    def emit(event):
        events.append(event)
        if event.KIND == "epoch" and event.epoch == 1:
            good["bytes"] = path.read_bytes()  # the checkpoint written at the end of epoch 1

    finished = engine.run(CONFIG, synthetic(256, 64), emit, save_path=str(path))
    diverged = [e for e in events if e.KIND == "diverged"]
    assert len(diverged) == 1 and (diverged[0].epoch, diverged[0].batch) == (2, 3)
    assert math.isnan(diverged[0].loss) and "Diverged" in diverged[0].message
    assert seen["calls"] == seen["first_nan"], f"{seen['calls'] - seen['first_nan']} steps ran after the NaN"
    assert finished.reason == "diverged" and finished.stopped
    assert path.read_bytes() == good["bytes"]  # the last good checkpoint, untouched
    saved = checkpoint.load(path)
    assert saved["epoch"] == 1 and all(torch.isfinite(v).all() for v in saved["model"].values())


def test_huge_learning_rate_diverges_and_leaves_the_checkpoint_alone(tmp_path):
    """Resume a good checkpoint with lr = 1e6: the run diverges, the file is byte-identical after."""
    path = tmp_path / "ck.pt"
    data = synthetic(256, 64)
    tutorial = TrainConfig(epochs=1, batch_size=32, lr=1e-3, device="cpu")  # 784-512-512-10, SGD
    engine.run(tutorial, data, lambda e: None, save_path=str(path))
    before = path.read_bytes()
    events = []
    finished = engine.run(
        tutorial.with_(lr=1e6, epochs=3), data, events.append, save_path=str(path), resume_path=str(path)
    )
    assert finished.reason == "diverged", [e.KIND for e in events]
    assert [e.KIND for e in events].count("diverged") == 1
    assert not any(e.KIND == "epoch" for e in events)  # stopped inside the first resumed epoch
    assert path.read_bytes() == before


def test_headless_lr_1e6_reports_divergence_and_exits_1(tmp_path, capsys, tiny_set):
    from nnlab.cli import main

    code = main(
        [
            "train",
            "--headless",
            "--data-dir",
            str(tiny_set),
            "--lr",
            "1e6",
            "--epochs",
            "2",
            "--save",
            str(tmp_path / "ck.pt"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 1 and "Diverged" in err and "Traceback" not in err


async def test_the_dashboard_shows_diverged_and_stays_usable(tmp_path, monkeypatch):
    from nnlab.ui.app import NNLabApp

    poison_loss(monkeypatch, from_call=5)
    app = NNLabApp(mode="train", options=options(tmp_path, config=LONG))
    async with app.run_test(size=(100, 30)) as pilot:
        await start_run(app, pilot)
        await until(
            pilot, lambda: app.screen.runs.run.active is False and app.active_run is None, what="the run to end"
        )
        await until(pilot, lambda: "diverged" in notes(app).lower(), timeout=5, what="the notification")
        assert "Diverged" in log_text(app)
        assert app.screen.runs.record.status == "failed" and app.active_run is None
        await key(app, pilot, "question_mark")  # the app still answers keys
        await until(pilot, lambda: type(app.screen).__name__ == "HelpScreen", what="the help overlay")


async def test_nan_test_metrics_do_not_break_the_charts(tmp_path, monkeypatch):
    """Every epoch's test loss is NaN (patched evaluation): the charts keep drawing what is finite,
    the log shows nan, and the app never exits."""
    from nnlab.train import metrics
    from nnlab.ui.app import NNLabApp

    real = torch.nn.functional.cross_entropy
    monkeypatch.setattr(metrics, "F", types.SimpleNamespace(cross_entropy=lambda *a, **k: real(*a, **k) * math.nan))
    app = NNLabApp(mode="train", options=options(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await start_run(app, pilot)
        await run_ended(app, pilot)
        await pilot.pause(0.3)
        assert app.return_code is None and app.screen.runs.record.status == "finished"
        chart = app.screen.query_one("#epoch-chart")
        assert chart.draws > 0 and "nan" in log_text(app)
        await key(app, pilot, "right_square_bracket")  # the Insight page draws too
        await pilot.pause(0.3)
        assert app.return_code is None

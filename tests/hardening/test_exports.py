"""Case 17: exports with NaN metrics are strict JSON (null), written atomically, UTF-8 both ways."""

from __future__ import annotations

import errno
import json
import math
import os
import types

import pytest
import torch
from _ui import QUICK, options, run_ended, start_run, until

from nnlab.fs import atomic
from nnlab.run.events import BatchProgress, Diverged, EpochEnd
from nnlab.train import metrics


def strict(line: str):
    """json.loads that refuses NaN/Infinity, as every other JSON reader does."""

    def no_constant(name):
        raise AssertionError(f"non-standard JSON constant {name}")

    return json.loads(line, parse_constant=no_constant)


def test_event_json_writes_nan_and_infinity_as_null():
    events = [
        Diverged(epoch=1, batch=2, loss=math.nan, message="x"),
        BatchProgress(
            epoch=1,
            batch=1,
            batches=2,
            samples_seen=1,
            running_loss=math.inf,
            samples_per_s=1,
            elapsed_s=0.1,
            loss=-math.inf,
        ),
        EpochEnd(
            epoch=1,
            train_loss=math.nan,
            test_loss=1.0,
            test_accuracy=0.5,
            per_class_accuracy=(math.nan, 1.0),
            confusion=((1, 0), (0, 1)),
            seconds=1,
            samples_per_s=2,
        ),
    ]
    rows = [strict(e.to_json()) for e in events]
    assert rows[0]["loss"] is None and rows[1]["running_loss"] is None and rows[1]["loss"] is None
    assert rows[2]["train_loss"] is None and rows[2]["per_class_accuracy"] == [None, 1.0]


def nan_test_loss(monkeypatch):
    """The evaluation's loss becomes NaN (training is untouched): every epoch has NaN metrics."""
    real = torch.nn.functional.cross_entropy
    fake = types.SimpleNamespace(cross_entropy=lambda *a, **k: real(*a, **k) * math.nan)
    monkeypatch.setattr(metrics, "F", fake)


async def _export_a_nan_run(tmp_path, monkeypatch, **more):
    from nnlab.ui.app import NNLabApp

    nan_test_loss(monkeypatch)
    jsonl, csv = tmp_path / "m.jsonl", tmp_path / "m.csv"
    app = NNLabApp(
        mode="train",
        options=options(
            tmp_path, config=QUICK.with_(epochs=2), metrics_path=str(jsonl), csv_path=str(csv), force=True, **more
        ),
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await start_run(app, pilot)
        await run_ended(app, pilot)
        events = list(app.screen.runs.record.events)
        app.screen.runs.export()
        await until(pilot, lambda: jsonl.exists() and csv.exists(), what="the export")
    return jsonl, csv, events


async def test_dashboard_export_of_nan_metrics_is_strict_json_and_blank_csv_cells(tmp_path, monkeypatch):
    jsonl, csv, events = await _export_a_nan_run(tmp_path, monkeypatch)
    rows = [strict(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    epochs = [r for r in rows if r["event"] == "epoch"]
    assert len(epochs) == 2 and all(r["test_loss"] is None for r in epochs)
    assert len(rows) == len(events)
    lines = csv.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    assert len(lines) == 3 and all(line.split(",")[header.index("test_loss")] == "" for line in lines[1:])


async def test_dashboard_export_in_chinese_round_trips_utf8(tmp_path, monkeypatch, zh):
    from nnlab.train import step as step_mod

    real = torch.nn.functional.cross_entropy
    monkeypatch.setattr(step_mod, "F", types.SimpleNamespace(cross_entropy=lambda *a, **k: real(*a, **k) * math.nan))
    jsonl, csv, events = await _export_a_nan_run(tmp_path, monkeypatch)
    diverged = [e for e in events if e.KIND == "diverged"]
    assert diverged and "发散" in diverged[0].message
    raw = jsonl.read_bytes()
    assert "发散".encode() in raw and b"\\u" not in raw  # real UTF-8, not escapes
    rows = [strict(line) for line in raw.decode("utf-8").splitlines()]
    assert [r["message"] for r in rows if r["event"] == "diverged"] == [diverged[0].message]
    assert [r["loss"] for r in rows if r["event"] == "diverged"] == [None]


async def test_dashboard_export_is_atomic_when_the_write_fails_midway(tmp_path, monkeypatch):
    """A first export is complete; the second one dies in fsync: both files stay as they were and
    no temp file is left."""
    from nnlab.ui.app import NNLabApp

    jsonl, csv = tmp_path / "m.jsonl", tmp_path / "m.csv"
    app = NNLabApp(mode="train", options=options(tmp_path, metrics_path=str(jsonl), csv_path=str(csv), force=True))
    async with app.run_test(size=(100, 30)) as pilot:
        await start_run(app, pilot)
        await run_ended(app, pilot)
        app.screen.runs.export()
        await until(pilot, lambda: jsonl.exists() and csv.exists(), what="the first export")
        before = jsonl.read_bytes(), csv.read_bytes()
        record = app.screen.runs.record
        record.events.append(record.events[-1])

        def broken_fsync(fd):
            raise OSError(errno.EIO, os.strerror(errno.EIO))

        monkeypatch.setattr(atomic.os, "fsync", broken_fsync)
        app.screen.runs.export()
        await pilot.pause(0.3)
        monkeypatch.undo()
        assert (jsonl.read_bytes(), csv.read_bytes()) == before
        assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("lang, word", [("en", "Diverged"), ("zh", "发散")])
def test_headless_metrics_of_a_diverged_run_are_strict_json(tmp_path, tiny_set, capsys, lang, word):
    from nnlab.cli import main

    path = tmp_path / "m.jsonl"
    code = main(
        [
            "--lang",
            lang,
            "train",
            "--headless",
            "--data-dir",
            str(tiny_set),
            "--lr",
            "1e6",
            "--epochs",
            "2",
            "--metrics",
            str(path),
            "--progress-every",
            "1",
        ]
    )
    capsys.readouterr()
    assert code == 1
    rows = [strict(line) for line in path.read_bytes().decode("utf-8").splitlines()]
    diverged = [r for r in rows if r["event"] == "diverged"]
    assert len(diverged) == 1 and diverged[0]["loss"] is None and word in diverged[0]["message"]
    assert rows[-1]["event"] == "finished" and rows[-1]["reason"] == "diverged"

"""The run viewer (`nnlab watch`) on recorded run directories: replay, live append, a truncated
last line, a corrupt line, a deleted directory, and keys on a run that cannot be steered."""

from __future__ import annotations

import json
import math
import shutil
import time

from nnlab.run.config import TrainConfig
from nnlab.run.events import BatchProgress, EpochEnd, Finished, Paused, Started
from nnlab.run.rundir import RunDir
from nnlab.ui.app import NNLabApp
from nnlab.ui.watch.screen import WatchScreen

CONFIG = TrainConfig(epochs=3, batch_size=32, lr=1e-3, optimizer="adam", hidden=(32,), seed=3, preset="fast")
BATCHES = 20


def started() -> Started:
    return Started(
        config=CONFIG.to_dict(), device="cpu", parameters=25_450, train_size=640, test_size=128, data_source="sample"
    )


def batches(epoch: int, every: int = 2) -> list[BatchProgress]:
    return [
        BatchProgress(
            epoch=epoch,
            batch=b,
            batches=BATCHES,
            samples_seen=32 * b,
            running_loss=2.3 - 0.01 * (epoch * BATCHES + b),
            samples_per_s=1000.0,
            elapsed_s=0.01 * b,
            loss=2.3,
        )
        for b in range(every, BATCHES + 1, every)
    ]


def epoch_end(epoch: int) -> EpochEnd:
    return EpochEnd(
        epoch=epoch,
        train_loss=1.5,
        test_loss=1.6 - 0.1 * epoch,
        test_accuracy=0.5 + 0.1 * epoch,
        per_class_accuracy=tuple(0.5 for _ in range(10)),
        confusion=tuple(tuple(5 if i == j else 0 for j in range(10)) for i in range(10)),
        seconds=1.0,
        samples_per_s=999.0,
        sample_predictions=tuple(range(10)),
        eval_seconds=0.1,
    )


def record(tmp_path, epochs: int = 3, finished: bool = True):
    """A run directory written as a run writes it; the writer (still holding the lock) and the dir."""
    rd = RunDir.create(tmp_path / "runs", CONFIG)
    writer = rd.writer()
    writer(started())
    for epoch in range(1, epochs + 1):
        for b in batches(epoch):
            writer(b)
        writer(epoch_end(epoch))
    if finished:
        writer(Finished(epochs=epochs, stopped=False, test_accuracy=0.5 + 0.1 * epochs, seconds=3.0))
        writer.close()
    return rd, writer


async def wait_for(pilot, condition, timeout: float = 10.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def viewer(rd) -> NNLabApp:
    return NNLabApp(mode="watch", options={"watch": str(rd.path), "runs_dir": str(rd.path.parent)})


def notices(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_a_finished_run_replays_complete_at_once(tmp_path):
    rd, _ = record(tmp_path)
    app = viewer(rd)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, WatchScreen)
        await wait_for(pilot, lambda: screen.first_full_frame_at is not None, what="the replay")
        live = screen.live_page
        assert live.epoch_chart.accuracy == [60.0, 70.0, 80.0]  # every epoch, percent
        assert len(live.loss_chart.xs) == 3 * BATCHES // 2  # every loss point kept
        assert screen.runs.state.status == "finished"
        table = screen.runs_page.table
        assert table.row_count >= 1
        await pilot.press("p")  # a finished run: one line, no crash
        await pilot.pause(0.1)
        assert any("nothing to steer" in n for n in notices(app))


async def test_a_live_run_is_followed_and_a_truncated_line_waits(tmp_path):
    rd, writer = record(tmp_path, epochs=1, finished=False)
    app = viewer(rd)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.first_full_frame_at is not None, what="the replay")
        assert screen.live_page.epoch_chart.accuracy == [60.0]
        assert screen.remote.active and screen.runs.state.status == "running"
        for b in batches(2)[:3]:
            writer(b)
        await wait_for(pilot, lambda: len(screen.live_page.loss_chart.xs) == BATCHES // 2 + 3, what="new points")
        writer(Paused(epoch=2, batch=6))
        await wait_for(pilot, lambda: screen.runs.state.status == "paused", what="Paused from the log")
        with open(rd.events_path, "ab") as log:  # a writer killed mid-line: left for later, never parsed
            log.write(b'{"event":"epoch","epo')
        await pilot.pause(0.6)
        assert screen.live_page.epoch_chart.accuracy == [60.0] and not any("line" in n for n in notices(app))
        writer.close()


async def test_corrupt_and_unknown_lines_are_reported_and_skipped(tmp_path):
    rd, writer = record(tmp_path, epochs=1, finished=False)
    writer.append({"event": "mystery", "x": 1})
    with open(rd.events_path, "ab") as log:
        log.write(b"not json at all\n")
    writer(epoch_end(2))
    writer.close()
    app = viewer(rd)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.first_full_frame_at is not None, what="the replay")
        assert screen.live_page.epoch_chart.accuracy == [60.0, 70.0]  # the good lines around them
        said = " ".join(notices(app))
        assert "mystery" in said and "line" in said


async def test_a_deleted_run_directory_is_said(tmp_path):
    rd, writer = record(tmp_path, epochs=1, finished=False)
    app = viewer(rd)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.first_full_frame_at is not None, what="the replay")
        writer.close()
        shutil.rmtree(rd.path)
        await wait_for(pilot, lambda: any("deleted" in n for n in notices(app)), what="the deleted notice")
        await pilot.press("x")
        await pilot.pause(0.1)
        assert any("nothing to steer" in n for n in notices(app))


async def test_a_path_that_is_not_a_run_is_one_line(tmp_path):
    app = NNLabApp(mode="watch", options={"watch": str(tmp_path)})
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.2)
        assert any(str(tmp_path) in n for n in notices(app))


def test_the_recorded_log_is_strict_json(tmp_path):
    rd, _ = record(tmp_path)
    lines = rd.events_path.read_text().splitlines()
    assert json.loads(lines[0])["format"] == "nnlab-events"
    assert all(not math.isnan(json.loads(x).get("t", 0)) for x in lines)

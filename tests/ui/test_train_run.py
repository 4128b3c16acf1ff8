"""Pilot drives real runs of the engine on tiny synthetic data and checks the dashboard shows them."""

from __future__ import annotations

import csv
import json
import time

import pytest

from nnlab.i18n import t
from nnlab.run.config import TrainConfig
from nnlab.train.data import DataError, synthetic
from nnlab.ui.app import NNLabApp
from nnlab.ui.messages import RunEvent, RunProgress
from nnlab.ui.shared.confirm_quit import ConfirmQuit
from nnlab.ui.shared.image_grid import ImageGrid
from nnlab.ui.train.class_accuracy import ClassAccuracy
from nnlab.ui.train.confusion_matrix import ConfusionMatrix
from nnlab.ui.train.epoch_chart import EpochChart
from nnlab.ui.train.log_pane import LogPane
from nnlab.ui.train.loss_chart import LossChart
from nnlab.ui.train.run_progress import RunProgressView
from nnlab.ui.train.runs_table import RunsTable

QUICK = TrainConfig(epochs=3, batch_size=64, lr=1e-3, optimizer="adam", hidden=(64,), seed=3, preset="fast")


def options(tmp_path, config=QUICK, factory=None, **more):
    data = synthetic(512, 128)
    return {"config": config, "data_factory": factory or (lambda: data), "runs_dir": str(tmp_path / "runs"), **more}


async def key(app, pilot, name: str) -> None:
    """A key press exactly as the terminal driver delivers it. (Pilot.press also waits for the
    process to go idle, up to 1 s twice per key, which never happens while a run trains.)"""
    from textual import events

    event = events.Key(name, name if len(name) == 1 else None)
    event.set_sender(app)
    app._driver.send_message(event)
    await pilot.pause(0.05)


async def until(pilot, condition, timeout=30.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def recorder():
    seen: list = []

    ids: set[int] = set()

    def hook(message):  # a message can pass the hook more than once (screen, then app): keep one
        if isinstance(message, (RunEvent, RunProgress)) and id(message) not in ids:
            ids.add(id(message))
            seen.append(message)

    return seen, hook


def events_of(seen, kind):
    return [m.event for m in seen if isinstance(m, RunEvent) and m.event.KIND == kind]


async def start_run(app, pilot):
    await until(
        pilot,
        lambda: app.screen.query_one("#summary-text").render().plain.count("Linear") >= 2,
        what="the model summary",
    )
    app.set_focus(None)
    await key(app, pilot, "s")
    await until(pilot, lambda: app.screen.runs.active or app.screen.runs.run is not None, what="the run to start")


async def test_a_run_to_the_end_shows_the_engines_events_everywhere(tmp_path, widget_text):
    seen, hook = recorder()
    app = NNLabApp(mode="train", options=options(tmp_path))
    async with app.run_test(size=(120, 40), message_hook=hook) as pilot:
        await start_run(app, pilot)
        assert app.active_run is app.screen.runs.run  # quit/SIGHUP know about the run
        await until(pilot, lambda: events_of(seen, "finished"), what="the end of the run")
        await until(pilot, lambda: app.active_run is None, what="the worker to return")
        await pilot.pause(0.2)
        screen = app.screen
        epochs = events_of(seen, "epoch")
        batches = [b for m in seen if isinstance(m, RunProgress) for b in m.batches]
        assert len(epochs) == 3 and len(batches) == 3 * 8  # 512 images / 64 = 8 batches, each reported

        progress = screen.query_one(RunProgressView)
        assert progress.state.status == "finished" and progress.state.epoch == 3
        assert progress.state.run_fraction == 1.0
        text = widget_text(progress)
        assert "3/3" in text and "100.0%" in text and "Finished" in text

        loss = screen.query_one("#loss-chart", LossChart)
        assert loss.ys == [b.running_loss for b in batches]
        assert loss.xs[-1] == pytest.approx(3.0)
        chart = screen.query_one("#epoch-chart", EpochChart)
        assert chart.accuracy == [e.test_accuracy * 100 for e in epochs]
        assert chart.loss == [e.test_loss for e in epochs]
        assert chart.reference is False  # not the tutorial's config

        last = epochs[-1]
        assert last.test_accuracy > 0.9  # the synthetic classes are learnable
        assert screen.query_one(ConfusionMatrix).matrix == last.confusion
        assert sum(map(sum, last.confusion)) == 128
        assert screen.query_one(ClassAccuracy).accuracy == last.per_class_accuracy
        grid = screen.query_one(ImageGrid)
        assert grid.predictions == last.sample_predictions and len(grid.predictions) == 16
        data = app.options["data_factory"]()
        assert grid.labels == data.test_y[:16].tolist()
        captions = grid.captions()
        assert len(captions) == 16
        for caption, pred, true in zip(captions, grid.predictions, grid.labels):
            assert ("✓" if pred == true else "✗") in caption
        log = "\n".join(screen.query_one(LogPane).lines)
        assert "Epoch 3" in log and "Done!" in log
        assert f"Accuracy: {last.test_accuracy * 100:>0.1f}%, Avg loss: {last.test_loss:>8f}" in log
        assert "loss: " in log and "[   64/  512]" in log  # the tutorial's own line format
        table = screen.query_one(RunsTable)
        assert table.row_count == 1 and table.records[1].status == "finished"
        assert table.records[1].accuracy == chart.accuracy

        app.screen.show_page("insight")
        await pilot.pause(0.3)
        shown = widget_text(screen.query_one(ConfusionMatrix))
        assert "Ankle boot" in shown and str(last.confusion[0][0]) in shown


async def test_pause_step_resume_and_stop_by_key(tmp_path):
    seen, hook = recorder()
    long = QUICK.with_(epochs=2000)
    app = NNLabApp(mode="train", options=options(tmp_path, config=long))
    async with app.run_test(size=(80, 24), message_hook=hook) as pilot:
        await start_run(app, pilot)
        await until(pilot, lambda: len(events_of(seen, "epoch")) >= 1, what="a first epoch")
        app.set_focus(None)
        await key(app, pilot, "p")
        await until(pilot, lambda: events_of(seen, "paused"), what="the pause")
        await pilot.pause(0.3)
        screen = app.screen
        assert screen.runs.state.status == "paused"
        points = len(screen.query_one("#loss-chart", LossChart).ys)
        paused_at = events_of(seen, "paused")[-1]
        await pilot.pause(0.3)
        assert len(screen.query_one("#loss-chart", LossChart).ys) == points  # nothing moves while paused
        await key(app, pilot, "n")  # exactly one batch
        await until(
            pilot, lambda: len(screen.query_one("#loss-chart", LossChart).ys) == points + 1, what="one stepped batch"
        )
        stepped = [b for m in seen if isinstance(m, RunProgress) for b in m.batches][-1]
        assert (stepped.epoch, stepped.batch) == (paused_at.epoch, paused_at.batch + 1)
        await pilot.pause(0.3)
        assert len(screen.query_one("#loss-chart", LossChart).ys) == points + 1  # and it stays paused
        await key(app, pilot, "p")
        await until(pilot, lambda: events_of(seen, "resumed"), what="the resume")
        await until(
            pilot, lambda: len(screen.query_one("#loss-chart", LossChart).ys) > points + 8, what="training to go on"
        )
        await key(app, pilot, "x")
        await until(pilot, lambda: events_of(seen, "finished"), what="the stop")
        await until(pilot, lambda: app.active_run is None, what="the worker to return")
        finished = events_of(seen, "finished")[0]
        assert finished.stopped and finished.epochs < 2000
        assert screen.runs.state.status == "stopped"
        assert screen.query_one(RunsTable).records[1].status == "stopped"


async def test_quitting_during_a_run_asks_then_stops_it(tmp_path):
    app = NNLabApp(mode="train", options=options(tmp_path, config=QUICK.with_(epochs=2000)))
    async with app.run_test(size=(80, 24)) as pilot:
        await start_run(app, pilot)
        run = app.screen.runs.run
        await until(pilot, lambda: run.control is not None and run.device, what="training")
        await key(app, pilot, "q")
        await until(pilot, lambda: isinstance(app.screen, ConfirmQuit), what="the question")
        await key(app, pilot, "n")
        await pilot.pause(0.2)
        assert run.active and not run.stopping  # "no" keeps training
        await key(app, pilot, "q")
        await until(pilot, lambda: isinstance(app.screen, ConfirmQuit), what="the question again")
        await key(app, pilot, "y")
        await until(pilot, lambda: not run.active, timeout=2.0, what="the worker to stop within 2 s")
    assert run.control.stopped


async def test_missing_data_is_a_notification_and_the_app_stays_usable(tmp_path):
    def no_data():
        raise DataError("no FashionMNIST in /nowhere: pass --data-dir")

    app = NNLabApp(mode="train", options=options(tmp_path, factory=no_data))
    async with app.run_test(size=(80, 24)) as pilot:
        await start_run(app, pilot)
        await until(
            pilot, lambda: app.active_run is None and app.screen.runs.state.status == "failed", what="the failure"
        )
        messages = [n.message for n in app._notifications]
        assert any("no FashionMNIST in /nowhere" in m for m in messages)
        assert app.screen.query_one(RunsTable).records[1].status == "failed"
        await pilot.press("right_square_bracket")  # keys still work
        assert app.screen.query_one("#pages").active == "insight"
        app.options["data_factory"] = lambda: synthetic(512, 128)
        await pilot.press("s")  # and a new run can start
        await until(pilot, lambda: app.screen.runs.state.status == "finished", what="the second run")


async def test_a_diverging_run_says_so_and_the_app_stays_usable(tmp_path):
    seen, hook = recorder()
    wild = TrainConfig(epochs=2, lr=1e6, optimizer="sgd", hidden=(64,), activation="leaky_relu", preset="fast")
    app = NNLabApp(mode="train", options=options(tmp_path, config=wild))
    async with app.run_test(size=(80, 24), message_hook=hook) as pilot:
        await start_run(app, pilot)
        await until(pilot, lambda: app.active_run is None, what="the end of the run")
        await pilot.pause(0.2)
        diverged = events_of(seen, "diverged")
        assert diverged and "nan" in diverged[0].message.lower()
        assert any(n.title == t("dash.diverged.title") for n in app._notifications)
        assert app.screen.query_one(RunsTable).records[1].status == "failed"
        app.set_focus(None)
        await pilot.press("left_square_bracket")
        assert app.screen.query_one("#pages").active == "setup"


async def test_export_writes_jsonl_and_csv_atomically(tmp_path):
    app = NNLabApp(mode="train", options=options(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await start_run(app, pilot)
        await until(pilot, lambda: app.active_run is None, what="the end of the run")
        await pilot.press("e")
        await pilot.pause(0.1)
    jsonl = next((tmp_path / "runs").glob("run-*-metrics.jsonl"))  # named by the run directory's id
    rows = [json.loads(line) for line in jsonl.read_text().splitlines()]
    kinds = [r["event"] for r in rows]
    assert kinds[0] == "started" and kinds[-1] == "finished" and kinds.count("epoch") == 3
    assert kinds.count("batch") == 24
    table = list(csv.reader(jsonl.with_suffix(".csv").open()))
    assert table[0][:4] == ["epoch", "train_loss", "test_loss", "test_accuracy"] and len(table) == 4
    assert not [p for p in (tmp_path / "runs").rglob("*") if ".tmp" in p.name]  # no temp files left


async def test_save_then_resume_from_the_checkpoint(tmp_path, widget_text):
    seen, hook = recorder()
    app = NNLabApp(mode="train", options=options(tmp_path, config=QUICK.with_(epochs=2)))
    async with app.run_test(size=(100, 30), message_hook=hook) as pilot:
        await start_run(app, pilot)
        await until(pilot, lambda: app.active_run is None, what="the end of the run")
        await pilot.press("w")
        await until(pilot, lambda: list((tmp_path / "runs").rglob("*-saved-*.pt")), what="the saved checkpoint")
        saved = next((tmp_path / "runs").rglob("*-saved-*.pt"))
        await pilot.press("o")
        prompt = app.screen
        field = prompt.query_one("#resume-path")
        field.value = str(tmp_path / "nope.pt")
        await pilot.press("enter")
        await pilot.pause(0.1)
        assert "nope.pt" in widget_text(prompt.query_one("#resume-error"))  # refused, with the path
        assert app.screen is prompt
        field.value = str(saved)
        await pilot.press("enter")
        await until(pilot, lambda: len(events_of(seen, "started")) == 2, what="the resumed run")
        await until(pilot, lambda: app.active_run is None, what="the end of the resumed run")
        resumed = events_of(seen, "started")[-1]
        assert resumed.start_epoch == 2  # it continued after epoch 2
        assert [e.epoch for e in events_of(seen, "epoch")] == [1, 2, 3]


async def test_anatomy_source_gives_consistent_and_initial_weights(tmp_path):
    import torch

    from nnlab.train.model import build_model

    app = NNLabApp(mode="train", options=options(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        before = app.screen.runs.anatomy_source()
        assert before["state_dict"] is None and before["initial_state_dict"] is None
        await start_run(app, pilot)
        await until(pilot, lambda: app.active_run is None, what="the end of the run")
        source = app.screen.runs.anatomy_source()
        app.set_focus(None)
        await pilot.press("a")  # the Anatomy view opens on this run
        await until(pilot, lambda: type(app.screen).__name__ == "AnatomyScreen", what="the Anatomy view")
        assert app.screen.session._snapshot["epoch"] == 3 and app.screen.session._snapshot["state_dict"] is not None
        await pilot.press("escape")
        await until(pilot, lambda: type(app.screen).__name__ == "TrainScreen", what="back to the dashboard")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(QUICK.seed)
        fresh = build_model(QUICK).state_dict()
    assert source["config"] == QUICK and source["epoch"] == 3 and source["data"] is not None
    assert set(source["state_dict"]) == set(fresh)
    assert all(torch.equal(source["initial_state_dict"][k], fresh[k]) for k in fresh)
    assert not torch.equal(source["state_dict"]["linear_relu_stack.0.weight"], fresh["linear_relu_stack.0.weight"])


async def test_two_runs_can_be_overlaid(tmp_path):
    app = NNLabApp(mode="train", options=options(tmp_path, config=QUICK.with_(epochs=2)))
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(2):
            await start_run(app, pilot)
            await until(pilot, lambda: app.active_run is None, what="a run to end")
        table = app.screen.query_one(RunsTable)
        assert table.row_count == 2
        app.screen.show_page("runs")
        table.focus()
        table.move_cursor(row=1)  # newest first: #1 is the lower row (the cursor follows its run)
        await pilot.press("space", "up", "space")
        await pilot.pause(0.2)
        loss = app.screen.query_one("#compare-loss", LossChart)
        epochs = app.screen.query_one("#compare-epochs", EpochChart)
        assert loss.label == "#1" and [o[0] for o in loss.overlays] == ["#2"]
        assert epochs.accuracy == table.records[1].accuracy and epochs.overlays[0][2] == table.records[2].accuracy


async def test_invalid_fields_block_the_start_and_say_why(tmp_path, widget_text):
    app = NNLabApp(mode="train", options=options(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.2)
        app.screen.query_one("#lr").value = "nan"
        app.set_focus(None)
        await pilot.press("s")
        await pilot.pause(0.1)
        assert app.screen.runs.run is None
        assert app.screen.query_one("#pages").active == "setup"
        assert "Learning rate" in widget_text(app.screen.query_one("#errors"))


async def test_the_tutorial_model_summary_and_parameter_count(tmp_path):
    app = NNLabApp(mode="train", options={"data_factory": lambda: synthetic(), "runs_dir": str(tmp_path)})
    async with app.run_test(size=(100, 30)) as pilot:
        await until(
            pilot, lambda: "669,706" in str(app.screen.query_one("#summary-text").render()), what="the parameter count"
        )
        summary = str(app.screen.query_one("#summary-text").render())
        assert "(linear_relu_stack): Sequential(" in summary
        assert "(0): Linear(in_features=784, out_features=512, bias=True)" in summary


async def test_the_dashboard_speaks_chinese(tmp_path, zh, screen_text):
    app = NNLabApp(mode="train", options=options(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(
            pilot,
            lambda: "参数个数" in str(app.screen.query_one("#summary-text").render()),
            what="the summary in Chinese",
        )
        text = screen_text(app)
        assert "设置" in text and "实时" in text and "学习率" in text and "开始" in text
        app.screen.show_page("live")
        await pilot.pause(0.2)
        assert "空闲" in screen_text(app) and "训练损失" in screen_text(app)

"""Snapshots of the dashboard fed a fixed sequence of engine events (no training: deterministic)."""

from __future__ import annotations

import math

from nnlab.run.config import PRESETS
from nnlab.run.events import BatchProgress, EpochEnd, Finished, Started
from nnlab.train.data import synthetic
from nnlab.ui.app import NNLabApp
from nnlab.ui.train.runs_table import RunRecord
from nnlab.ui.train.worker import TrainRun

CONFIG = PRESETS["tutorial"].with_(epochs=5)
BATCHES = 938
ACCURACY = (0.505, 0.560, 0.599, 0.631, 0.648)  # the tutorial's published figures
TEST_LOSS = (2.165119, 1.895718, 1.521603, 1.259337, 1.097443)


def confusion(epoch: int) -> tuple[tuple[int, ...], ...]:
    """A fixed, plausible matrix: the diagonal grows with the epoch, shirts get mixed up with tops."""
    rows = []
    for i in range(10):
        hit = 400 + 80 * epoch + 13 * i
        row = [(1000 - hit) // 9] * 10
        row[i] = hit
        row[(i + 6) % 10] += 1000 - sum(row)
        rows.append(tuple(row))
    return tuple(rows)


def epoch_end(epoch: int) -> EpochEnd:
    conf = confusion(epoch)
    return EpochEnd(
        epoch=epoch,
        train_loss=TEST_LOSS[epoch - 1] + 0.02,
        test_loss=TEST_LOSS[epoch - 1],
        test_accuracy=ACCURACY[epoch - 1],
        per_class_accuracy=tuple(r[i] / 1000 for i, r in enumerate(conf)),
        confusion=conf,
        seconds=6.2,
        samples_per_s=10_000.0,
        sample_predictions=tuple((i * 3 + epoch) % 10 for i in range(16)),
    )


def progress(epoch: int, upto: int) -> tuple[BatchProgress, ...]:
    out = []
    for b in range(1, upto + 1, 10):
        x = epoch - 1 + b / BATCHES
        loss = 2.30 * math.exp(-x / 3.2) + 0.04 * math.sin(b * 0.7)
        out.append(
            BatchProgress(
                epoch=epoch,
                batch=b,
                batches=BATCHES,
                samples_seen=min(b * 64, 60000),
                running_loss=loss,
                samples_per_s=10_000.0,
                elapsed_s=(epoch - 1) * 6.2 + b * 0.0064,
                loss=loss,
            )
        )
    return tuple(out)


def feed(app, epochs_done: int, finish: bool) -> None:
    """What a run's worker would post, straight into the session (same code path as messages)."""
    ctl = app.screen.runs
    data = synthetic(512, 128, seed=0)
    ctl.run = TrainRun(1, CONFIG, lambda: data, app.screen)
    ctl.record = RunRecord(1, CONFIG.to_dict())
    ctl.next_id = 2
    ctl.on_data(1, data)
    ctl.on_event(
        1,
        Started(
            config=CONFIG.to_dict(),
            device="cpu",
            parameters=669_706,
            train_size=60_000,
            test_size=10_000,
            data_source="/usr/share/datasets/fashion-mnist",
        ),
    )
    app.screen.live_page.epoch_chart.reference = True
    for epoch in range(1, epochs_done + 1):
        ctl.on_progress(1, progress(epoch, BATCHES), None)
        ctl.on_event(1, epoch_end(epoch))
    if finish:
        ctl.on_event(
            1, Finished(epochs=epochs_done, stopped=False, test_accuracy=ACCURACY[epochs_done - 1], seconds=31.0)
        )
        ctl.run.active = False
        ctl.on_ended(1, None)
    else:
        ctl.on_progress(1, progress(epochs_done + 1, 469), None)
        app.screen.live_page.log_pane.flush()  # streamed loss lines wait up to a second: show them now


def app_at(page: str, epochs_done: int, finish: bool):
    app = NNLabApp(mode="train", options={"data_factory": lambda: synthetic(), "runs_dir": "/nonexistent"})

    async def before(pilot) -> None:
        await pilot.pause(0.3)
        feed(app, epochs_done, finish)
        app.screen.show_page(page)
        app.set_focus(None)
        await pilot.pause(0.3)
        for chart in app.screen.query("PlotextPlot"):
            chart.changed(now=True)  # draw now, not at the next throttle tick
        await pilot.pause(0.2)

    return app, before


def test_snapshot_mid_run_live_80x24(snap_compare):
    """Live page during epoch 3 of 5 at 80x24: epoch bar at 50% (469/938), run bar at 50%, loss
    1.5-ish falling in the left chart, the tutorial's 50.5/56.0 % in grey with the run's two test
    accuracies on the right chart, and the tutorial-style log ("Epoch 3", loss lines)."""
    app, before = app_at("live", 2, finish=False)
    assert snap_compare(app, terminal_size=(80, 24), run_before=before)


def test_snapshot_mid_run_insight_120x40(snap_compare):
    """Insight page after epoch 2: the 10x10 confusion matrix (green diagonal, red mistakes, class
    names on both axes), per-class accuracy bars (worst in red) and the first test images drawn in
    half blocks with ✓/✗ predicted class and the true class under each."""
    app, before = app_at("insight", 2, finish=False)
    assert snap_compare(app, terminal_size=(120, 40), run_before=before)


def test_snapshot_after_the_run_live_200x60(snap_compare):
    """Live page after all 5 epochs at 200x60: both bars full, status Finished, the loss curve over
    5 epochs, accuracy reaching 64.8 % on top of the tutorial reference, the log ending "Done!"."""
    app, before = app_at("live", 5, finish=True)
    assert snap_compare(app, terminal_size=(200, 60), run_before=before)


def test_snapshot_after_the_run_runs_page_80x24(snap_compare):
    """Runs page after the run: one row (#1 tutorial 5/5 64 0.001 sgd 512-512 relu, 64.8 %,
    Finished) and, nothing being marked yet, empty comparison charts."""
    app, before = app_at("runs", 5, finish=True)
    assert snap_compare(app, terminal_size=(80, 24), run_before=before)

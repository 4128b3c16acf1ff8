"""The learning rate in force on the Live page (issue 17 Deliver 4): every BatchProgress carries it,
the progress line shows it compactly and follows a schedule; the viewer (``nnlab watch``) too."""

from __future__ import annotations

import math
from dataclasses import replace

from test_train_session import CONFIG, batch, session, started
from test_watch import batches, wait_for

from nnlab.core.format import sci
from nnlab.run.events import Finished
from nnlab.run.rundir import RunDir
from nnlab.ui.app import NNLabApp
from nnlab.ui.train import updates as up
from nnlab.ui.train.state import ProgressState


def test_sci_is_short_and_reads_across_decades():
    assert sci(1e-3) == "1.00e-3"
    assert sci(5e-4) == "5.00e-4"
    assert sci(0.000999753) == "1.00e-3"
    assert sci(0.05) == "5.00e-2"
    assert sci(1.0) == "1.00e0"
    assert sci(250.0) == "2.50e2"
    assert sci(0) == "0" and sci(-0.0) == "0"
    assert sci(math.nan) == "nan" and sci(math.inf) == "inf"


def test_the_session_follows_the_lr_of_each_report(tmp_path):
    s, view = session(tmp_path)
    s.start()
    assert view.of(up.Progress)[-1].state.lr is None  # nothing trained yet: no lr shown
    s.on_event(1, started())
    s.on_progress(1, (replace(batch(1, 10), lr=1e-3),), None)
    assert view.of(up.Progress)[-1].state.lr == 1e-3
    s.on_progress(1, (replace(batch(1, 20), lr=1e-3), replace(batch(1, 30), lr=5e-4)), None)
    assert view.of(up.Progress)[-1].state.lr == 5e-4  # the last report's: a schedule lowered it
    s.on_progress(1, (batch(1, 40),), None)  # a log written before lr was recorded: nan
    assert view.of(up.Progress)[-1].state.lr == 5e-4
    s.on_event(1, Finished(epochs=1, stopped=False, test_accuracy=0.5, seconds=1.0))
    s.run.active = False
    s.on_ended(1, None)
    s.start()  # a new run does not show the last run's lr
    assert view.of(up.Progress)[-1].state.lr is None


RUNNING = ProgressState(
    status="running", epoch=1, epochs=5, batch=100, batches=938, running_loss=2.301718,
    samples_per_s=10_000.0, elapsed_s=7.0, lr=1e-3, device="cpu",
)  # fmt: skip


async def _figures_line(pilot, screen, widget_text, state: ProgressState) -> str:
    """The Live page's progress figures (its third line) as shown for ``state``."""
    screen.live_page.progress.show(state, 64)
    await pilot.pause()
    return widget_text(screen.live_page.progress).split("\n")[2]


async def _live_screen(app, pilot):
    await wait_for(pilot, lambda: app.screen.query("#progress"), what="the Train screen")
    app.screen.show_page("live")
    return app.screen


async def test_the_live_page_shows_the_lr_at_80x24_and_it_changes_with_a_schedule(widget_text):
    app = NNLabApp(mode="train", options={"data_factory": lambda: None})
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _live_screen(app, pilot)
        line = await _figures_line(pilot, screen, widget_text, RUNNING)
        assert "lr 1.00e-3" in line and line.rstrip().endswith("cpu")  # all of it fits in 80 columns
        assert "lr 2.50e-4" in await _figures_line(pilot, screen, widget_text, replace(RUNNING, lr=2.5e-4))
        assert "lr " not in await _figures_line(pilot, screen, widget_text, replace(RUNNING, lr=None))


async def test_chinese_lr_label_fits_at_80_columns(zh, widget_text):
    app = NNLabApp(mode="train", options={"data_factory": lambda: None})
    async with app.run_test(size=(80, 24)) as pilot:
        line = await _figures_line(pilot, await _live_screen(app, pilot), widget_text, RUNNING)
        assert "学习率 1.00e-3" in line and line.rstrip().endswith("cpu")


async def test_the_viewer_shows_the_lr_of_a_scheduled_run(tmp_path, widget_text):
    config = CONFIG.with_(schedule="step", step_every=1, step_gamma=0.5, epochs=2)
    rd = RunDir.create(tmp_path / "runs", config)
    writer = rd.writer()
    writer(replace(started(), config=config.to_dict()))
    for epoch in (1, 2):
        for b in batches(epoch):
            writer(replace(b, lr=1e-3 * 0.5 ** (epoch - 1)))
    app = NNLabApp(mode="watch", options={"watch": str(rd.path), "runs_dir": str(rd.path.parent)})
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            screen = app.screen
            await wait_for(pilot, lambda: screen.runs.state.lr == 5e-4, what="the last batch's lr")
            await pilot.pause(0.1)
            assert "lr 5.00e-4" in widget_text(screen.live_page.progress)
            writer(replace(batches(2)[-1], batch=batches(2)[-1].batch + 1, lr=2.5e-4))
            await wait_for(pilot, lambda: screen.runs.state.lr == 2.5e-4, what="a new lr read from the log")
    finally:
        writer.close()

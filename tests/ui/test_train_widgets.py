"""Dashboard pieces on fixed inputs: bars, ETA, charts' data, half-block images, heatmap, worker merging."""

from __future__ import annotations

import time

import pytest
from rich.color import Color

from nnlab.core.numbers import NumberError
from nnlab.run.events import BatchProgress, EpochEnd, Started
from nnlab.ui.messages import RunEvent, RunProgress
from nnlab.ui.shared.image_grid import image_lines
from nnlab.ui.shared.throttled_plot import downsample
from nnlab.ui.train.confusion_matrix import heat
from nnlab.ui.train.loss_chart import ema
from nnlab.ui.train.run_progress import ProgressState, bar, clock
from nnlab.ui.train.setup_form import parse_hidden
from nnlab.ui.train.worker import TrainRun, describe_error, progress_every_for


def test_bar_uses_eighth_blocks_and_keeps_its_width():
    assert bar(0.0, 10) == "·" * 10
    assert bar(1.0, 10) == "█" * 10
    assert bar(0.5, 10) == "█" * 5 + "·" * 5
    assert bar(0.55, 10) == "█" * 5 + "▌" + "·" * 4  # 5.5 cells: half a block
    assert all(len(bar(f / 37, 23)) == 23 for f in range(38))


def test_clock_formats_minutes_and_hours():
    assert clock(None) == "–"
    assert clock(7.4) == "0:07"
    assert clock(62) == "1:02"
    assert clock(3723) == "1:02:03"


def test_progress_fractions_and_eta_follow_the_events():
    s = ProgressState(status="running", epoch=2, epochs=4, batch=469, batches=938, elapsed_s=30.0, samples_per_s=1000.0)
    assert s.epoch_fraction == pytest.approx(0.5)
    assert s.run_fraction == pytest.approx((938 + 469) / (4 * 938))
    assert s.eta_run_s() == pytest.approx(30.0 * (1 - s.run_fraction) / s.run_fraction)
    assert s.eta_epoch_s(64) == pytest.approx(469 * 64 / 1000.0)
    resumed = ProgressState(status="running", epoch=4, epochs=5, start_epoch=3, batch=469, batches=938)
    assert resumed.run_fraction == pytest.approx(469 / (2 * 938))  # only the epochs this run trains
    assert ProgressState(status="finished", epoch=5, epochs=5, batch=938, batches=938).eta_run_s() is None


def test_ema_starts_at_the_first_value_and_downsample_keeps_means():
    assert ema([2.0, 2.0, 2.0], 0.1) == [2.0, 2.0, 2.0]
    assert ema([0.0, 1.0], 0.5) == [0.0, 0.5]
    xs = list(range(1000))
    ys = [float(x) for x in xs]
    dx, dy = downsample(xs, ys, 10)
    assert len(dx) == 10 and dy[0] == pytest.approx(49.5) and dy[-1] == pytest.approx(949.5)
    assert downsample([1, 2], [3, 4], 10) == ([1, 2], [3, 4])


def test_half_blocks_put_the_upper_pixel_in_front_and_the_lower_behind():
    pixels = [[0] * 28 for _ in range(28)]
    pixels[0][0] = 255  # top-left pixel white, the one below it black
    pixels[1][1] = 128  # second column: top black, bottom grey
    lines = image_lines(pixels)
    assert len(lines) == 14
    assert sum(len(seg.text) for seg in lines[0]) == 28 and all(set(seg.text) == {"▀"} for seg in lines[0])
    first, second = lines[0][0], lines[0][1]
    assert first.style.color == Color.from_rgb(255, 255, 255) and first.style.bgcolor == Color.from_rgb(0, 0, 0)
    assert second.style.color == Color.from_rgb(0, 0, 0) and second.style.bgcolor == Color.from_rgb(128, 128, 128)
    assert len(lines[5]) == 1  # a uniform row is one run, not 28 segments


def test_heat_separates_hits_from_mistakes():
    assert heat(1.0, True).bgcolor != heat(1.0, False).bgcolor
    assert heat(0.0, True).bgcolor == heat(0.0, False).bgcolor  # nothing there: the same dark cell


def test_hidden_sizes_are_parsed_strictly():
    assert parse_hidden("512,512") == (512, 512)
    assert parse_hidden("64 32") == (64, 32)
    for bad in ("", "512,x", "0", "1_0", "٥١٢", "12.5"):
        with pytest.raises((NumberError, ValueError)):
            parse_hidden(bad)


def test_progress_every_keeps_the_tutorial_lines():
    assert progress_every_for(60000, 64) == 10  # 938 batches: 94 points an epoch, batch 101 included
    assert progress_every_for(512, 64) == 1
    for size, batch in ((60000, 1), (60000, 128), (6000, 64), (10, 64)):
        assert 100 % progress_every_for(size, batch) == 0


def test_cuda_out_of_memory_gets_a_plain_explanation():
    text = describe_error(RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB"))
    assert "CUDA out of memory" in text and "batch size" in text


class Collector:
    def __init__(self):
        self.messages = []
        self.times = []

    def post_message(self, message):
        self.messages.append(message)
        self.times.append(time.monotonic())
        return True


def _progress(i: int) -> BatchProgress:
    return BatchProgress(
        epoch=1,
        batch=i,
        batches=10_000,
        samples_seen=i * 64,
        running_loss=1.0 / i,
        samples_per_s=1e4,
        elapsed_s=i * 1e-4,
    )


def test_worker_merges_progress_to_at_most_ten_messages_a_second_and_loses_none():
    now = [100.0]
    target = Collector()
    target.post_message = lambda m: target.messages.append(m) or target.times.append(now[0]) or True
    run = TrainRun(1, config=None, data_factory=lambda: None, target=target, interval=0.1, clock=lambda: now[0])
    run._emit(Started(config={}, device="cpu", parameters=1, train_size=1, test_size=1, data_source="x"))
    for n in range(1, 46):  # 45 batches 13 ms apart: 0.585 s
        now[0] += 0.013
        run._emit(_progress(n))
    run._emit(
        EpochEnd(
            epoch=1,
            train_loss=1,
            test_loss=1,
            test_accuracy=0.5,
            per_class_accuracy=(0.5,) * 10,
            confusion=((0,) * 10,) * 10,
            seconds=1,
            samples_per_s=1,
        )
    )
    progress = [m for m in target.messages if isinstance(m, RunProgress)]
    posted = [at for m, at in zip(target.messages, target.times) if isinstance(m, RunProgress)]
    assert len(progress) == 6  # 5 at the 0.1 s ticks (8 batches each) + the flush
    assert [len(m.batches) for m in progress] == [8, 8, 8, 8, 8, 5]
    gaps = [b - a for a, b in zip(posted, posted[1:-1])]
    assert all(gap >= 0.1 - 1e-9 for gap in gaps)  # never two within 0.1 s (the flush aside)
    assert [b.batch for m in progress for b in m.batches] == list(range(1, 46))  # every point, in order
    assert isinstance(target.messages[-1], RunEvent) and target.messages[-1].event.KIND == "epoch"
    assert isinstance(target.messages[-2], RunProgress)  # pending progress goes out before the epoch


def test_stop_before_the_engine_exists_is_remembered_and_nothing_is_loaded():
    loads = []
    target = Collector()
    run = TrainRun(1, config=None, data_factory=lambda: loads.append(1), target=target)
    run.stop()
    assert run.stopping and run.active  # active until the worker returns
    run._work()  # what the thread worker runs
    assert loads == [] and not run.active and run.control.stopped
    assert [type(m).__name__ for m in target.messages] == ["RunEnded"] and target.messages[0].error is None


async def test_a_chart_redraw_is_drawn_and_sent_once():
    """Setting a border title refreshes the widget: a chart that set its title on every draw was sent
    to the terminal twice per redraw (12 KB a time at 200x60)."""
    from textual.app import App

    from nnlab.ui.train.loss_chart import LossChart

    class ChartApp(App):
        def compose(self):
            yield LossChart(id="chart")

    app = ChartApp()
    async with app.run_test(size=(80, 24)) as pilot:
        chart = app.query_one(LossChart)
        await pilot.pause(0.2)
        sent = []
        original = chart.render_lines
        chart.render_lines = lambda crop: sent.append(crop) or original(crop)
        before = chart.draws
        for n in (50, 60):
            chart.set_series("#1", [0.1 * i for i in range(n)], [2.3 - 0.01 * i for i in range(n)])
            for _ in range(5):
                await pilot.pause(0.05)
        assert chart.draws == before + 2
        assert len(sent) == 2

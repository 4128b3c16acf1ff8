"""What keeps the viewer light (issue 14/16 speed goals), as behaviour, never as timings: the viewer's
charts redraw at most every CHART_S while a key still redraws at once; the dashboard's epoch chart
still draws each epoch at once; the history is read with garbage collection paused and collection
is back on after it; a TensorBoard event of several values and consecutive events of one step read
as the records they always were."""

from __future__ import annotations

import gc
import struct

import pytest
from test_log_pane import LogApp
from test_watch import epoch_end, record, viewer, wait_for
from textual.app import App

import nnlab.ui.watch.base as watch_screen
from nnlab.ui.train.epoch_chart import EpochChart
from nnlab.ui.watch.foreign_source import batch_of


async def test_the_viewer_charts_wait_for_their_interval_and_a_key_redraws_at_once(tmp_path, monkeypatch):
    monkeypatch.setattr(watch_screen, "CHART_S", 60.0)  # nothing in this test may wait for it
    rd, writer = record(tmp_path, epochs=1, finished=False)
    app = viewer(rd)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.first_full_frame_at is not None, what="the replay")
        live = screen.live_page
        assert live.loss_chart.min_interval == live.epoch_chart.min_interval == 60.0
        await pilot.pause(0.2)
        drawn = live.epoch_chart.draws
        assert drawn >= 1  # the history is in the first frame
        writer(epoch_end(2))
        writer(epoch_end(3))
        await wait_for(pilot, lambda: len(live.epoch_chart.accuracy) == 3, what="the new epochs")
        await pilot.pause(0.2)
        assert live.epoch_chart.draws == drawn  # the data is there; the redraw waits for its beat
        assert live.epoch_chart._throttle._timer is not None
        smooth_drawn = live.loss_chart.draws
        await pilot.press("m")  # a key (smoothing): the loss chart is redrawn at once
        await wait_for(pilot, lambda: live.loss_chart.draws > smooth_drawn, what="the smoothed chart")
        writer.close()


class OneChart(App):
    def compose(self):
        yield EpochChart()


async def test_the_dashboard_epoch_chart_still_draws_each_epoch_at_once():
    app = OneChart()
    async with app.run_test(size=(60, 16)) as pilot:
        chart = app.query_one(EpochChart)
        assert chart.min_interval == 0.0
        for epoch in (1, 2, 3):
            chart.add_epoch(epoch, 50.0 + epoch, 1.0 / epoch)
            assert chart._throttle._timer is None  # fired, not scheduled
            await pilot.pause(0.05)
        assert chart.draws >= 3


def test_the_history_is_read_with_collections_paused_and_collection_resumes(tmp_path):
    from nnlab.bench.foreign import make_track_run
    from nnlab.ui.watch.follower import Follower
    from nnlab.ui.watch.foreign_source import ForeignReader

    track = make_track_run(tmp_path / "track", steps=50)
    reader = ForeignReader(track, "track")
    seen = []
    real = reader.log.read_new
    reader.log.read_new = lambda *a, **k: (seen.append(gc.isenabled()), real(*a, **k))[1]
    assert gc.isenabled()
    assert len(reader.poll().series["train/loss"][0]) == 50
    reader.poll()
    assert seen == [False, True] and gc.isenabled()

    rd, _ = record(tmp_path / "nnlab")
    follower = Follower(rd)
    states = []
    real_log = follower.log.read_new
    follower.log.read_new = lambda *a, **k: (states.append(gc.isenabled()), real_log(*a, **k))[1]
    assert len(follower.poll().events) > 10
    follower.poll()
    assert states == [False, True] and gc.isenabled()


def _frame(body: bytes) -> bytes:
    from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c

    head = struct.pack("<Q", len(body))
    return head + struct.pack("<I", masked_crc32c(head)) + body + struct.pack("<I", masked_crc32c(body))


def test_tensorboard_events_of_one_step_merge_and_several_values_read_as_before(tmp_path):
    pytest.importorskip("tensorboard")
    from tensorboard.compat.proto import event_pb2, summary_pb2, tensor_pb2

    from nnlab.integrations.tensorboard import TensorBoardSource

    def event(step, *values, wall=100.0):
        return event_pb2.Event(wall_time=wall + step, step=step, summary=summary_pb2.Summary(value=list(values)))

    def simple(tag, x):
        return summary_pb2.Summary.Value(tag=tag, simple_value=x)

    def tensor(tag, x):
        meta = summary_pb2.SummaryMetadata(plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="scalars"))
        return summary_pb2.Summary.Value(tag=tag, metadata=meta, tensor=tensor_pb2.TensorProto(dtype=1, float_val=[x]))

    events = [
        event_pb2.Event(wall_time=99.0, step=0, file_version="brain.Event:2"),
        event(1, simple("a", 1.0), tensor("b", 2.0)),  # two values in one event
        event(1, simple("c", float("inf"))),  # the same step again: merged, non-finite is None
        event(2, simple("a", 3.0)),
        event(2, summary_pb2.Summary.Value(tag="text")),  # a value of no kind: skipped
        event(3, simple("a", 4.0), wall=200.0),
    ]
    (tmp_path / "events.out.tfevents.1.host").write_bytes(b"".join(_frame(e.SerializeToString()) for e in events))
    records = TensorBoardSource(tmp_path).read_new()
    assert records == [
        {"event": "scalars", "step": 1, "t": 101.0, "values": {"a": 1.0, "b": 2.0, "c": None}},
        {"event": "scalars", "step": 2, "t": 102.0, "values": {"a": 3.0}},
        {"event": "scalars", "step": 3, "t": 203.0, "values": {"a": 4.0}},
    ]
    series, images = TensorBoardSource(tmp_path).read_columns()  # what the viewer reads: the same points
    assert images == [] and series == batch_of(records).series
    assert series["a"] == ([1, 2, 3], [101.0, 102.0, 203.0], [1.0, 3.0, 4.0])


def test_tensorboard_columns_are_the_records_as_columns_images_included(tmp_path):
    pytest.importorskip("tensorboard")
    PIL = pytest.importorskip("PIL.Image")
    import io

    from tensorboard.compat.proto import event_pb2, summary_pb2

    from nnlab.integrations.tensorboard import TensorBoardSource

    png = io.BytesIO()
    PIL.new("L", (3, 2), 7).save(png, format="PNG")
    picture = summary_pb2.Summary.Image(height=2, width=3, colorspace=1, encoded_image_string=png.getvalue())
    events = []
    for step in range(1, 7):
        values = [summary_pb2.Summary.Value(tag="loss", simple_value=1.0 / step)]
        if step == 3:
            values.append(summary_pb2.Summary.Value(tag="img", image=picture))
            values.append(summary_pb2.Summary.Value(tag="acc", simple_value=0.5))
        events.append(event_pb2.Event(wall_time=50.0 + step / 10, step=step, summary=summary_pb2.Summary(value=values)))
    (tmp_path / "run").mkdir()
    path = tmp_path / "run" / "events.out.tfevents.2.host"
    path.write_bytes(b"".join(_frame(e.SerializeToString()) for e in events))
    records = TensorBoardSource(tmp_path).read_new()
    series, images = TensorBoardSource(tmp_path).read_columns()
    assert series == batch_of(records).series and set(series) == {"run/loss", "run/acc"}
    assert images == [r for r in records if r["event"] == "images"] and images[0]["shape"] == [1, 2, 3, 1]


async def test_log_lines_written_inside_held_go_out_together_in_order_at_its_end():
    from nnlab.ui.train.log_pane import LogPane

    app = LogApp()
    async with app.run_test() as pilot:
        log = app.query_one(LogPane)
        log.min_interval = 60.0
        writes = []
        real = log.write_lines
        log.write_lines = lambda lines, *a, **k: (writes.append(list(lines)), real(lines, *a, **k))[1]
        with log.held():
            log.epoch_header(1)
            log.loss_line(2.3, 64, 60000)
            log.test_line(0.505, 1.5)
            log.epoch_header(2)
            assert writes == [] and len(log.lines) == 0  # nothing yet
        assert len(writes) == 1  # one write for the lot
        lines = [line for line in log.lines if line.strip()]
        assert lines[0].startswith("Epoch 1") and lines[2].startswith("loss: 2.300000") and "50.5%" in lines[4]
        assert lines[-2].startswith("Epoch 2")
        with log.held():  # streamed loss lines alone keep their interval
            log.loss_line(2.2, 6464, 60000)
        assert len(writes) == 1 and log._throttle._timer is not None
        with log.held(at_once=False):  # the viewer after its history: every line waits its turn
            log.epoch_header(3)
        assert len(writes) == 1 and log._pending[-2].startswith("Epoch 3")
        log.flush()
        assert len(writes) == 2 and [line for line in log.lines if line.strip()][-2].startswith("Epoch 3")
        await pilot.pause()

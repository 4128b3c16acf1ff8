"""The foreign-run viewer (issue 16 Deliver 2/3): a script's nnlab.track run and a TensorBoard logdir in the app."""

from __future__ import annotations

import argparse
import asyncio
import math
import shutil

import pytest

import nnlab.track
from nnlab.ui.app import NNLabApp
from nnlab.ui.watch.foreign_chart import minmax_buckets

SIZE = (80, 24)


def tiny_run(root, *, extras: bool = True, name: str = "tiny", steps: int = 40):
    run = nnlab.track.init(name=name, runs_dir=str(root), quiet=True)
    for i in range(1, steps + 1):
        run.log(**{"train/loss": 1.0 / i, "train/acc": i / steps, "lr": float("nan") if i == 20 else 0.1})
    if extras:
        run.epoch(1, test_accuracy=0.8, test_loss=0.4)
        run.confusion([[5, 1], [2, 7]], labels=["cat", "dog"])
        run.images([[[0, 255], [255, 0]]] * 3, key="samples", captions=["a", "b", "c"])
    run.flush()
    return run


async def opened(app, pilot, timeout: float = 30.0):
    for _ in range(int(timeout / 0.05)):
        screen = app.screen
        if type(screen).__name__ == "ForeignScreen" and screen.open_s is not None:
            return screen
        await pilot.pause(0.05)
    raise AssertionError("no full frame")


def test_track_run_groups_keys_gap_and_pages(tmp_path):
    run = tiny_run(tmp_path)

    async def go():
        app = NNLabApp(mode="watch", options={"watch": str(run.path), "source": "track"})
        async with app.run_test(size=SIZE) as pilot:
            screen = await opened(app, pilot)
            assert screen.store.group_names() == ["lr", "train"] and screen.group == "lr"
            groups_text = str(screen.group_list.render())
            assert "train" in groups_text and "loss" in groups_text and "0.1" in groups_text
            lr = screen.store.series["lr"]
            assert lr.values[19] is None and len(lr.values) == 40  # the null is kept
            segs = [seg for _name, seg in screen.chart.series()][0]
            assert len(segs) == 2  # ... and drawn as a gap
            await pilot.press("right_square_bracket")
            assert screen.group == "train" and screen.chart.group == "train"
            assert [s.name for s in screen.chart.members] == ["train/loss", "train/acc"]
            await pilot.press("l")
            assert screen.chart.log_scale and "log" in screen.chart.title()
            await pilot.press("m", "t")
            assert screen.chart.smooth and screen.chart.x_axis == "time"
            await pilot.press("g")
            assert screen.group == "lr"
            tabs = screen.query_one("#pages")
            for page in ("epochs", "confusion", "images"):
                assert tabs.get_tab(page).display, page  # logged: shown
            assert screen.query_one("#epoch-table").row_count == 1
            matrix = screen.query_one("#confusion-matrix")
            assert matrix.class_names == ("cat", "dog")
            await pilot.press("v")
            assert tabs.active == "epochs"
            # live append
            before = screen.store.points
            for _ in range(41, 61):
                run.log(**{"train/loss": 0.01, "train/acc": 1.0, "lr": 0.1})
            run.flush()
            for _ in range(60):
                await pilot.pause(0.05)
                if screen.store.last_step == 60:
                    break
            assert screen.store.last_step == 60 and screen.store.points == before + 60
            # steering a run that is still running: accepted, no error line
            await pilot.press("p")
            await pilot.pause(0.6)
            assert not [n for n in app._notifications if "Could not" in n.message]
        run.finish()

    asyncio.run(go())


def test_absent_panels_stay_hidden_and_a_deleted_run_is_said_once(tmp_path):
    run = tiny_run(tmp_path, extras=False)
    run.finish()

    async def go():
        app = NNLabApp(mode="watch", options={"watch": str(run.path), "source": "track"})
        async with app.run_test(size=SIZE) as pilot:
            screen = await opened(app, pilot)
            tabs = screen.query_one("#pages")
            assert not any(tabs.get_tab(p).display for p in ("epochs", "confusion", "images"))
            await pilot.press("p")  # finished: not steerable
            await pilot.pause(0.1)
            assert any("nothing to steer" in n.message for n in app._notifications)
            shutil.rmtree(run.path)
            for _ in range(40):
                await pilot.pause(0.05)
                if screen.gone:
                    break
            await pilot.pause(0.5)
            assert screen.gone and screen.state == "deleted"
            assert sum("was deleted" in n.message for n in app._notifications) == 1

    asyncio.run(go())


def test_minmax_buckets_keep_spikes_and_gaps():
    import numpy as np

    x = np.arange(100_000, dtype=float)
    y = np.ones_like(x)
    y[54_321] = 50.0
    y[70_000] = np.nan
    segs = minmax_buckets(x, y, 100, 0.0, 99_999.0)
    assert len(segs) >= 2 and sum(len(a) for a, _ in segs) <= 200
    assert max(max(b) for _, b in segs) == 50.0  # the spike survives thinning


def test_tensorboard_logdir_through_the_watch_command(tmp_path, monkeypatch):
    pytest.importorskip("tensorboard")
    torch = pytest.importorskip("torch")
    from torch.utils.tensorboard import SummaryWriter

    from nnlab.commands import watch

    long_tag = "deep/" + "x" * 300
    writer = SummaryWriter(tmp_path / "tb")
    for step in range(30):
        writer.add_scalar("train/loss", 1.0 / (step + 1), step)
        writer.add_scalar(long_tag, float(step), step)
    writer.add_image("samples", torch.zeros(1, 4, 4, dtype=torch.uint8), 29)
    writer.close()
    bad = tmp_path / "tb" / "bad"
    bad.mkdir()
    (bad / "events.out.tfevents.1.broken").write_bytes(b"\xff" * 64)
    monkeypatch.setattr(watch, "viewer_available", lambda: True)
    args = argparse.Namespace(run=str(tmp_path / "tb"), runs_dir=None, tensorboard=False)
    assert watch.run(args) is None and args.app_options["source"] == "tensorboard"

    async def go():
        app = NNLabApp(mode="watch", options=args.app_options)
        async with app.run_test(size=SIZE) as pilot:
            screen = await opened(app, pilot)
            assert {"train", "deep"} <= set(screen.store.group_names())
            assert len(screen.store.series["train/loss"].values) == 30
            assert screen.problems and "broken" in screen.problems[0]  # reported, the rest shown
            assert screen.query_one("#pages").get_tab("images").display
            screen.group = "deep"
            screen._show_group()
            assert len(screen.chart.title()) < 80  # a long tag cut for display
            await pilot.press("p")
            await pilot.pause(0.1)
            assert any("TensorBoard logdir cannot be steered" in n.message for n in app._notifications)

    asyncio.run(go())


def test_an_empty_logdir_waits_and_says_so(tmp_path):
    pytest.importorskip("tensorboard")

    async def go():
        app = NNLabApp(mode="watch", options={"watch": str(tmp_path), "source": "tensorboard"})
        async with app.run_test(size=SIZE) as pilot:
            screen = await opened(app, pilot)
            await pilot.pause(0.3)
            assert screen.waiting and "waiting" in screen.waiting
            assert "waiting" in str(screen.query_one("#foreign-status").render())

    asyncio.run(go())


def test_the_command_without_tensorboard_names_the_extra(tmp_path, monkeypatch):
    import importlib.util

    from nnlab.commands import watch
    from nnlab.commands.usage import UsageError
    from nnlab.integrations import tensorboard as tb

    (tmp_path / "events.out.tfevents.1.x").write_bytes(b"")
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "tensorboard" else real(name, *a))

    def missing():
        raise tb.ExtraMissing("pip install 'nnlab[tensorboard]'")

    monkeypatch.setattr(tb, "_import_proto", missing)
    with pytest.raises(UsageError, match=r"nnlab\[tensorboard\]"):
        watch.run(argparse.Namespace(run=str(tmp_path), runs_dir=None, tensorboard=False))


@pytest.mark.parametrize("source", ["track", "tensorboard"])
def test_100k_points_open_under_the_goal(tmp_path, source):
    from nnlab.bench import foreign

    if source == "tensorboard":
        pytest.importorskip("tensorboard")
        path = foreign.make_tb_logdir(tmp_path / "tb")
    else:
        path = foreign.make_track_run(tmp_path / "runs")
    result = foreign.measure_open(path, source, SIZE)
    print(f"{source}: 100k points open to a full frame in {result['open_s']:.3f} s", result)
    assert result["points"] == foreign.POINTS
    assert result["chart_points_drawn"] <= 4 * SIZE[0]  # thinned for drawing only
    assert result["open_s"] < 5.0  # goal 1 s; generous on a shared box
    assert math.isfinite(result["open_s"])

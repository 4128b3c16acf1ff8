"""The Sweep page (nnlab.ui.sweep) on a sweep trained here (commands.sweep.run_sweep, tiny synthetic
data) and on a hand-written sweep still running: members listed, best and tutorial marked, sort
cycles, overlaid series, marking, export of both files, new points followed, keys not steerable."""

from __future__ import annotations

import argparse
import csv
import json
import time

import pytest

from nnlab.run.config import TrainConfig
from nnlab.run.events import BatchProgress, EpochEnd, Started
from nnlab.run.rundir import RunDir
from nnlab.ui.app import NNLabApp
from nnlab.ui.sweep.screen import SweepScreen

BASE = TrainConfig(epochs=2, batch_size=64, lr=0.05, hidden=(512, 512), seed=3, threads=1, device="cpu")


async def wait_for(pilot, condition, timeout: float = 20.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def notices(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A finished 3-member sweep: lr=1e-3 (the tutorial's setting), 0.05, 1e6 (diverges)."""
    from nnlab.commands import sweep as sweep_cmd
    from nnlab.commands.train import add_arguments
    from nnlab.train import data as data_mod

    root = tmp_path_factory.mktemp("sweep")
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    parser.add_argument("--data-dir", default=None)
    args = parser.parse_args(
        ["--headless", "--runs-dir", str(root / "runs"), "--sweep", "lr=1e-3,0.05,1e6", "--progress-every", "1"]
    )
    assert sweep_cmd.run_sweep(args, BASE, data=data_mod.synthetic(128, 32, 0)) == 0
    [path] = [p for p in (root / "runs").iterdir() if p.name.startswith("sweep-")]
    return path


def viewer(path) -> NNLabApp:
    return NNLabApp(mode="sweep", options={"sweep": str(path)})


def table_column(screen, key: str) -> list[str]:
    table = screen.table
    cells = [str(table.get_cell_at((r, table.get_column_index(key)))) for r in range(table.row_count)]
    return cells if key == "mark" else [c.strip() for c in cells]


async def test_a_finished_sweep_lists_its_members_best_and_tutorial_marked(trained, tmp_path):
    record = json.loads((trained / "sweep.json").read_text())
    best = next(m["member"] for m in record["members"] if m["best"])
    app = viewer(trained)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, SweepScreen)
        await wait_for(pilot, lambda: screen.loaded and screen.table.row_count == 3, what="the history")
        members = table_column(screen, "member")
        marks = table_column(screen, "mark")
        assert sorted(members) == ["m00", "m01", "m02"]
        assert members[0] == best and marks[0].startswith("*")  # ranked best first, marked
        assert marks[members.index("m00")][1] == "T"  # lr=1e-3: the tutorial's setting
        assert sum(m.startswith("*") for m in marks) == 1
        assert members[-1] == "m02" and "diverged" in table_column(screen, "state")[-1]
        # every member's curve overlaid, with its own colour, and its accuracy per epoch
        assert len(screen.loss_chart.members) == 3
        assert len({color for _, color, _, _ in screen.loss_chart.members}) == 3
        assert len(screen.loss_chart.series()) >= 2  # the diverged one may have no finite point
        acc = {label: ys for label, _, _, ys in screen.acc_chart.members}
        assert len(acc["m00"]) == 2 and screen.acc_chart.reference
        # s cycles the sort column: test loss, then time, ... and back to accuracy
        await pilot.press("s")
        assert screen.sort == "test_loss"
        losses = [m.final_test_loss() for m in screen.rows() if m.final_test_loss() is not None]
        assert losses == sorted(losses)
        for _ in range(4):
            await pilot.press("s")
        assert screen.sort == "setting"
        assert table_column(screen, "setting") == sorted(table_column(screen, "setting"))
        await pilot.press("s", "s")
        assert screen.sort == "accuracy" and table_column(screen, "member")[0] == best
        # marking a member draws only the marked ones
        await pilot.press("space")
        assert [label for label, *_ in screen.loss_chart.members] == [best]
        await pilot.press("space")
        assert len(screen.loss_chart.members) == 3
        # a finished sweep: nothing to steer, in one line
        await pilot.press("p")
        await pilot.pause(0.1)
        assert any("nothing to steer" in n for n in notices(app))


async def test_export_writes_csv_and_markdown_next_to_sweep_json(trained):
    app = viewer(trained)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.loaded and screen.table.row_count == 3, what="the history")
        await pilot.press("e")
        await pilot.pause(0.1)
    rows = list(csv.DictReader(open(trained / "results.csv")))
    assert [r["member"] for r in rows][0] == next(m for m in screen.rows()).member
    assert sum(r["best"] == "True" for r in rows) == 1 and any(r["tutorial"] == "True" for r in rows)
    text = (trained / "results.md").read_text()
    assert "| **best** " in text and "tutorial" in text and text.count("\n|") == 5  # head, rule, 3 members
    assert any("Exported" in n for n in notices(app))


def test_the_shared_export_writes_what_the_headless_sweep_writes(trained):
    """nnlab.run.sweep_export is meant to be the one implementation: same text as commands.sweep's."""
    from nnlab.commands import sweep_results as sweep_cmd
    from nnlab.run import sweep_export

    record = json.loads((trained / "sweep.json").read_text())
    rows = sweep_export.rows_from_record(record)
    assert [r["member"] for r in rows][0] == next(m["member"] for m in record["members"] if m["best"])
    assert sweep_export.export_csv(rows) == sweep_cmd.export_csv(rows)
    assert sweep_export.export_markdown(rows, record["id"]) == sweep_cmd.export_markdown(rows, record["id"])


def _started(config) -> Started:
    return Started(
        config=config.to_dict(), device="cpu", parameters=100, train_size=640, test_size=128, data_source="sample"
    )


def _batch(epoch: int, b: int) -> BatchProgress:
    return BatchProgress(
        epoch=epoch,
        batch=b,
        batches=10,
        samples_seen=64 * b,
        running_loss=2.3 - 0.01 * b,
        samples_per_s=1000.0,
        elapsed_s=0.01 * b,
        loss=2.3,
    )


def _epoch(epoch: int, acc: float) -> EpochEnd:
    return EpochEnd(
        epoch=epoch,
        train_loss=1.5,
        test_loss=1.6 - 0.1 * epoch,
        test_accuracy=acc,
        per_class_accuracy=tuple(0.5 for _ in range(10)),
        confusion=tuple(tuple(0 for _ in range(10)) for _ in range(10)),
        seconds=1.0,
        samples_per_s=999.0,
    )


def _running_sweep(tmp_path):
    """A sweep.json in state running and two members' run directories, their writers still open."""
    runs = tmp_path / "runs"
    sweep = runs / "sweep-test"
    sweep.mkdir(parents=True)
    members, writers = [], []
    for i, lr in enumerate((1e-3, 1e-2)):
        config = BASE.with_(lr=lr)
        rd = RunDir.create(runs, config, kind="sweep-member", name=f"lr={lr:g}", sweep="sweep-test")
        w = rd.writer()
        w(_started(config))
        for b in range(1, 4):
            w(_batch(1, b))
        writers.append(w)
        members.append(
            {
                "member": f"m{i:02d}",
                "index": i,
                "label": f"lr={lr:g}",
                "changes": {"lr": lr},
                "group": 0,
                "run": rd.id,
                "state": "running",
                "epochs": 0,
                "test_accuracy": None,
                "test_loss": None,
                "seconds": None,
                "diverged": False,
                "best": False,
                "tutorial": i == 0,
            }
        )
    record = {
        "format": "nnlab-sweep",
        "version": 1,
        "id": "sweep-test",
        "created": "",
        "state": "running",
        "base": BASE.to_dict(),
        "axes": [{"name": "lr", "values": [1e-3, 1e-2]}],
        "random": None,
        "seed": 3,
        "members": members,
    }
    (sweep / "sweep.json").write_text(json.dumps(record))
    return sweep, writers


async def test_a_running_sweep_gets_new_points_and_its_keys_say_not_steerable(tmp_path):
    sweep, writers = _running_sweep(tmp_path)
    app = viewer(sweep)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            screen = app.screen
            await wait_for(pilot, lambda: screen.loaded and screen.table.row_count == 2, what="the history")
            assert [len(xs) for _, _, xs, _ in screen.loss_chart.members] == [3, 3]
            assert set(table_column(screen, "state")) == {"running"}
            writers[1](_batch(1, 4))
            writers[1](_epoch(1, 0.7))
            await wait_for(pilot, lambda: len(screen.loss_chart.members[1][2]) == 4, what="a new loss point")
            await wait_for(pilot, lambda: screen.acc_chart.members[1][3] == [70.0], what="a new epoch")
            assert table_column(screen, "member")[0] == "m01"  # the one with an accuracy first
            assert table_column(screen, "accuracy")[0].strip() == "70.0%"
            await pilot.press("x")
            await wait_for(pilot, lambda: any("not steerable" in n for n in notices(app)), what="not steerable")
            assert len([n for n in notices(app) if "not steerable" in n]) == 1
    finally:
        for w in writers:
            w.close()


async def test_a_directory_without_a_sweep_is_one_line(tmp_path):
    app = viewer(tmp_path / "nothing")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: any("No sweep at" in n for n in notices(app)), what="the notice")
        assert app.screen.table.row_count == 0


async def test_chinese_strings(tmp_path, zh):
    sweep, writers = _running_sweep(tmp_path)
    try:
        app = viewer(sweep)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = app.screen
            await wait_for(pilot, lambda: screen.loaded, what="the history")
            assert "个成员" in str(screen.summary.render())
    finally:
        for w in writers:
            w.close()

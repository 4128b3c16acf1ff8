"""Branches on the Runs page (issue 17 Deliver 3): a branch shows its parent link; marking it draws
its parents too (grey, labelled as parents, whole) and a line at the branch point; ``b`` turns the
parents off; a parent that is gone is said once; a branch of a branch brings both ancestors."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace

from test_runs_history import CONFIG, app_for, made_run
from test_watch import BATCHES, batches, epoch_end, started, wait_for

from nnlab.run.events import Finished
from nnlab.run.reader import summarize
from nnlab.run.rundir import RunDir
from nnlab.ui.train.runs_table import PARENT_COLOR


def made_branch(root, parent: RunDir, epoch: int, batch: int = 0, epochs: int = 3) -> RunDir:
    """A branch's run directory as ``nnlab train --branch PARENT@EPOCH`` leaves it after training
    (run.json's ``parent`` and ``branch``; events from the branch point on)."""
    config = CONFIG.with_(lr=1e-2, epochs=epochs)
    rd = RunDir.create(root, config, name=f"branch of {parent.id} @{epoch}", parent=parent.id)
    info = {**rd.info, "branch": {"from": parent.id, "epoch": epoch, "batch": batch, "changes": {"lr": 0.01}}}
    rd.run_json.write_text(json.dumps(info))
    writer = rd.writer()
    writer(replace(started(), config=config.to_dict(), start_epoch=epoch))
    for e in range(epoch + 1, epochs + 1):
        for point in batches(e):
            if e > epoch + 1 or point.batch > batch:
                writer(point)
        writer(epoch_end(e))
    writer(Finished(epochs=epochs, stopped=False, test_accuracy=0.8, seconds=1.0))
    writer.close()
    return RunDir.open(rd.path)


def family(tmp_path):
    root = tmp_path / "runs"
    parent, _ = made_run(root, 0.1, Finished(epochs=3, stopped=False, test_accuracy=0.8, seconds=3.0), epochs=3)
    child = made_branch(root, parent, epoch=1)
    return root, parent, child


def test_the_summary_names_the_parent_and_the_branch_point(tmp_path):
    root, parent, child = family(tmp_path)
    s = summarize(child)
    assert (s.parent, s.branch_epoch, s.branch_batch) == (parent.id, 1, 0)
    assert s.to_dict()["parent"] == parent.id and s.to_dict()["branch_epoch"] == 1
    assert summarize(parent).parent is None and summarize(parent).to_dict()["parent"] is None


async def _page(app, pilot, rows: int):
    await wait_for(pilot, lambda: app.screen.query("#runs-table"), what="the Train screen")
    await pilot.pause(0.1)
    app.screen.show_page("runs")
    page = app.screen.runs_page
    await wait_for(pilot, lambda: page.reads >= 1 and page.table.row_count >= rows, what="the history")
    return page, page.table


async def _mark(pilot, table, key: str) -> None:
    await wait_for(pilot, lambda: table.has_focus, what="the table focused (the page shown)")
    table.move_cursor(row=table.get_row_index(key))
    await pilot.press("space")


async def test_marking_a_branch_draws_its_parent_from_the_branch_point(tmp_path, widget_text):
    root, parent, child = family(tmp_path)
    app = app_for(root)
    async with app.run_test(size=(80, 24)) as pilot:
        page, table = await _page(app, pilot, 2)
        # the table: the branch's id marked ↳, its parent link first in the config column
        cells = table.get_row(child.id)
        assert str(cells[1]) == "↳" + child.id and str(table.get_row(parent.id)[1]) == parent.id
        assert str(cells[-1]).startswith(f"↳ branch of {parent.id} @1")
        assert f"branch of {parent.id} @1 · branch of" not in str(cells[-1])  # the default name is not said twice
        await _mark(pilot, table, child.id)
        parent_label = f"{parent.id} (parent)"
        await wait_for(pilot, lambda: len(page.loss_chart.series()) == 2, what="branch and parent")
        drawn = {label: xs for label, xs, _ in page.loss_chart.series()}
        assert set(drawn) == {child.id, parent_label}
        assert min(drawn[child.id]) > 1.0 and min(drawn[parent_label]) < 1.0  # the parent's whole curve
        assert page.loss_chart.colour_by_label[parent_label] == PARENT_COLOR
        assert page.loss_chart.colour_by_label[child.id] == table.colour_of(child.id) != PARENT_COLOR
        assert page.loss_chart.marks == [(1.0, table.colour_of(child.id))]  # the branch point, its colour
        assert page.epoch_chart.marks == [(1.0, table.colour_of(child.id))]
        assert [label for label, _, _ in page.epoch_chart.overlays] == [parent_label]
        assert str(table.get_row(parent.id)[0]) == "○"  # drawn, not marked
        assert table.marked == [child.id]
        await pilot.pause(0.2)
        assert "parent" in widget_text(page.loss_chart)  # drawn with its legend, the line included
        # b: only the marked runs
        await pilot.press("b")
        await wait_for(pilot, lambda: len(page.loss_chart.series()) == 1, what="the branch alone")
        assert page.loss_chart.marks == [] and str(table.get_row(parent.id)[0]) == ""
        await pilot.press("b")
        await wait_for(pilot, lambda: len(page.loss_chart.series()) == 2, what="the parent again")
        # the parent marked too: drawn in its own colour, the branch point still marked
        await _mark(pilot, table, parent.id)
        await wait_for(pilot, lambda: parent.id in page.loss_chart.colour_by_label, what="the marked parent")
        assert {label for label, _, _ in page.loss_chart.series()} == {child.id, parent.id}
        assert page.loss_chart.marks == [(1.0, table.colour_of(child.id))]
        assert str(table.get_row(parent.id)[0]) == "●"


async def test_a_mid_epoch_branch_and_a_branch_of_a_branch(tmp_path):
    root, parent, child = family(tmp_path)
    grandchild = made_branch(root, child, epoch=2, batch=6, epochs=4)
    app = app_for(root)
    async with app.run_test(size=(80, 24)) as pilot:
        page, table = await _page(app, pilot, 3)
        await _mark(pilot, table, grandchild.id)
        labels = {grandchild.id, f"{child.id} (parent)", f"{parent.id} (parent)"}
        await wait_for(pilot, lambda: {s[0] for s in page.loss_chart.series()} == labels, what="both ancestors")
        colour = table.colour_of(grandchild.id)
        assert sorted(page.loss_chart.marks) == sorted([(2 + 6 / BATCHES, colour), (1.0, PARENT_COLOR)])


async def test_a_parent_that_is_gone_is_said_once_and_the_branch_still_drawn(tmp_path):
    root, parent, child = family(tmp_path)
    shutil.rmtree(parent.path)
    app = app_for(root)
    async with app.run_test(size=(80, 24)) as pilot:
        page, table = await _page(app, pilot, 1)
        await _mark(pilot, table, child.id)
        await wait_for(pilot, lambda: len(page.loss_chart.series()) == 1, what="the branch")
        said = [str(n.message) for n in app._notifications if parent.id in str(n.message)]
        assert len(said) == 1 and "not under" in said[0]
        await pilot.press("space")  # unmark, mark again: not said twice
        await pilot.press("space")
        await pilot.pause(0.1)
        assert len([n for n in app._notifications if parent.id in str(n.message)]) == 1


async def test_chinese_branch_link(tmp_path, zh):
    root, parent, child = family(tmp_path)
    app = app_for(root)
    async with app.run_test(size=(80, 24)) as pilot:
        page, table = await _page(app, pilot, 2)
        assert str(table.get_row(child.id)[-1]).startswith(f"↳ {parent.id} 第 1 轮的分支")
        await _mark(pilot, table, child.id)
        await wait_for(pilot, lambda: len(page.loss_chart.series()) == 2, what="branch and parent")
        assert f"{parent.id}（父运行）" in page.loss_chart.colour_by_label

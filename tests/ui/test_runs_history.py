"""The Runs page lists every run under the runs root, across sessions (issue 14 Deliver 5): states
incl. lost, sorting, marking from the table, the overlay's stable colours, delete and archive."""

from __future__ import annotations

import json
import time

from test_watch import batches, epoch_end, started, wait_for

from nnlab.run.config import TrainConfig
from nnlab.run.events import Failed, Finished
from nnlab.run.rundir import RunDir
from nnlab.ui.app import NNLabApp
from nnlab.ui.train.runs_page import ConfirmRemove, RunsPage
from nnlab.ui.train.runs_table import OVERLAY_COLORS, RunsTable

CONFIG = TrainConfig(epochs=3, batch_size=32, lr=1e-3, optimizer="adam", hidden=(32,), seed=3, preset="fast")


def made_run(root, accuracy_step: float, final=None, epochs: int = 2, close: bool = True):
    """A run directory as a run writes it: Started, batches, epoch ends (accuracy 0.5 + step * epoch)."""
    rd = RunDir.create(root, CONFIG)
    writer = rd.writer()
    writer(started())
    for epoch in range(1, epochs + 1):
        for b in batches(epoch):
            writer(b)
        end = epoch_end(epoch)
        writer(end.__class__(**{**end.__dict__, "test_accuracy": 0.5 + accuracy_step * epoch}))
    if final is not None:
        writer(final)
    if close:
        writer.close()
    return rd, writer


def history(tmp_path):
    """Two "sessions" of runs in one root: completed, stopped and failed; a lost one (status says
    running, the lock is free, no final event); and a live one (its writer holds the lock here)."""
    root = tmp_path / "runs"
    runs = {
        "completed": made_run(root, 0.2, Finished(epochs=2, stopped=False, test_accuracy=0.9, seconds=2.0))[0],
        "stopped": made_run(
            root, 0.1, Finished(epochs=1, stopped=True, test_accuracy=0.7, seconds=1.0, reason="stopped"), epochs=1
        )[0],
    }
    time.sleep(1.1)  # the second session: a later start time
    runs["failed"] = made_run(root, 0.05, Failed(message="boom"), epochs=1)[0]
    lost, writer = made_run(root, 0.15, None, close=False)
    status = json.loads(lost.status_path.read_text())
    writer.close()
    lost.status_path.write_text(json.dumps({**status, "state": "running"}))  # died without a final event
    runs["lost"] = lost
    live, live_writer = made_run(root, 0.12, None, epochs=1, close=False)
    runs["running"] = live
    return root, runs, live_writer


def app_for(root, mode: str = "train", watch: str | None = None) -> NNLabApp:
    options = {"runs_dir": str(root)}
    if watch:
        options["watch"] = watch
    return NNLabApp(mode=mode, options=options)


async def runs_page(app, pilot) -> tuple[RunsPage, RunsTable]:
    await wait_for(pilot, lambda: app.screen.query("#runs-table"), what="the Train screen")
    screen = app.screen
    await pilot.pause(0.1)
    screen.show_page("runs")
    page = screen.runs_page
    await wait_for(pilot, lambda: page.reads >= 1 and page.table.row_count >= 5, what="the history")
    await pilot.pause(0.05)
    return page, page.table


async def test_every_run_of_the_root_shows_with_its_state_and_sorts(tmp_path):
    root, runs, live_writer = history(tmp_path)
    try:
        app = app_for(root)
        async with app.run_test(size=(80, 24)) as pilot:
            page, table = await runs_page(app, pilot)
            states = {key: row.state for key, row in table.entries.items()}
            assert states == {rd.id: name for name, rd in runs.items()}
            assert table.has_focus  # no Tab needed to mark
            # by start time, newest first (as `nnlab runs`): the second session's runs above the first's
            order = [r.key for r in table.ordered()]
            assert order.index(runs["failed"].id) < order.index(runs["completed"].id)
            await pilot.press("r")  # sort by test accuracy
            assert table.sort_by == "accuracy"
            assert [r.key for r in table.ordered()][0] == runs["completed"].id  # 90 %
            assert table.get_row_at(0)[1] == runs["completed"].id
            await pilot.press("r")
            assert table.sort_by == "state" and table.ordered()[0].key == runs["running"].id
            await pilot.press("r")
            assert table.sort_by == "started"
            # at 80x24 the id, state and accuracy columns are on screen
            widths = [c.get_render_width(table) for c in table.ordered_columns]
            assert sum(widths[:4]) + table.region.x <= 80 and table.region.width >= 60, widths
    finally:
        live_writer.close()


async def test_three_marked_runs_overlay_with_distinct_stable_colours(tmp_path):
    root, runs, live_writer = history(tmp_path)
    try:
        app = app_for(root)
        async with app.run_test(size=(80, 24)) as pilot:
            page, table = await runs_page(app, pilot)
            keys = [runs[n].id for n in ("completed", "stopped", "lost")]
            for key in keys:
                table.move_cursor(row=table.get_row_index(key))
                await pilot.press("space" if key != keys[1] else "enter")
            await wait_for(pilot, lambda: len(page.loss_chart.series()) == 3, what="three loss series")
            assert table.marked == keys
            colours = {k: table.colour_of(k) for k in keys}
            assert len(set(colours.values())) == 3
            drawn = {label for label, _, _ in page.loss_chart.series()}
            assert drawn == set(keys)
            assert page.loss_chart.colour_by_label == colours
            assert page.epoch_chart.accuracy and len(page.epoch_chart.overlays) == 2
            # the run read back from its log: every loss point and epoch result
            completed = page.loaded[runs["completed"].id]
            assert completed.accuracy == [70.0, 90.0] and len(completed.loss_x) == 20
            # unmark the first: the others keep their colours; a new one takes the free colour
            table.move_cursor(row=table.get_row_index(keys[0]))
            await pilot.press("space")
            table.move_cursor(row=table.get_row_index(runs["failed"].id))
            await pilot.press("space")
            await wait_for(pilot, lambda: runs["failed"].id in page.loss_chart.colour_by_label, what="the new one")
            assert table.colour_of(keys[1]) == colours[keys[1]] and table.colour_of(keys[2]) == colours[keys[2]]
            assert table.colour_of(runs["failed"].id) == colours[keys[0]]
            assert set(OVERLAY_COLORS) >= set(page.loss_chart.colour_by_label.values())
    finally:
        live_writer.close()


async def test_delete_asks_and_refuses_a_live_run_archive_moves_it(tmp_path):
    root, runs, live_writer = history(tmp_path)
    try:
        app = app_for(root)
        async with app.run_test(size=(80, 24)) as pilot:
            page, table = await runs_page(app, pilot)
            table.move_cursor(row=table.get_row_index(runs["running"].id))
            await pilot.press("delete")
            await pilot.pause(0.1)
            assert not isinstance(app.screen, ConfirmRemove) and runs["running"].path.exists()
            assert any("running" in str(n.message) for n in app._notifications)
            # delete: asked; "n" keeps it, "y" removes it
            table.move_cursor(row=table.get_row_index(runs["failed"].id))
            await pilot.press("delete")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmRemove), what="the question")
            await pilot.press("n")
            await pilot.pause(0.1)
            assert runs["failed"].path.exists()
            await pilot.press("delete")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmRemove), what="the question")
            await pilot.press("y")
            await wait_for(
                pilot,
                lambda: not runs["failed"].path.exists() and runs["failed"].id not in table.entries,
                what="the deletion",
            )
            # archive: moved under .archive, gone from the list
            table.move_cursor(row=table.get_row_index(runs["stopped"].id))
            await pilot.press("A")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmRemove), what="the question")
            await pilot.press("y")
            await wait_for(pilot, lambda: runs["stopped"].id not in table.entries, what="the archive")
            assert (root / ".archive" / runs["stopped"].id / "run.json").exists()
    finally:
        live_writer.close()


async def test_the_viewer_runs_page_lists_every_run_of_its_folder(tmp_path):
    root, runs, live_writer = history(tmp_path)
    live_writer.close()
    app = app_for(root, mode="watch", watch=str(runs["completed"].path))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.screen.first_full_frame_at is not None, what="the replay")
        page = app.screen.runs_page
        await wait_for(pilot, lambda: page.reads >= 1 and len(page.table.entries) == 5, what="the history")
        assert page.table.entries[runs["lost"].id].state == "lost"
        assert page.table.entries[runs["completed"].id].state == "completed"


async def test_a_new_run_shows_at_the_top_selected_when_the_cursor_was_there(tmp_path):
    """Seen in tmux: a run started from the app was listed first, but the table kept the cursor on
    the old first run, one row down, and scrolled the new one out of sight."""
    root, runs, live_writer = history(tmp_path)
    try:
        app = app_for(root)
        async with app.run_test(size=(80, 24)) as pilot:
            page, table = await runs_page(app, pilot)
            assert table.cursor_row == 0
            time.sleep(1.1)  # a later start time: it sorts first
            newest, writer = made_run(root, 0.3, None, epochs=1, close=False)
            try:
                await pilot.press("g")  # reload, as a new run of this session does too
                await wait_for(pilot, lambda: newest.id in table.entries, what="the new run")
                await pilot.pause(0.05)
                assert table.ordered()[0].key == newest.id
                assert table.cursor_row == 0 and table.cursor_key() == newest.id and table.scroll_y == 0
                await pilot.press("down")  # a cursor the person moved stays on its run
                second = table.cursor_key()
                table.redraw()
                assert table.cursor_key() == second and table.cursor_row == 1
            finally:
                writer.close()
    finally:
        live_writer.close()

"""The dashboard's pages (issue 13 item 16): `[`/`]` and clicks switch them through PageSwitcher and
PageBar (no TabbedContent), the bar marks the current page, and a switch re-renders only what it must."""

from __future__ import annotations

from nnlab.train.data import synthetic
from nnlab.ui.app import NNLabApp
from nnlab.ui.train.page_bar import PageBar, PageSwitcher
from nnlab.ui.train.screen import PAGES


def _app():
    return NNLabApp(mode="train", options={"data_factory": lambda: synthetic(), "runs_dir": "/nonexistent"})


async def test_brackets_cycle_the_pages_and_the_bar_follows():
    app = _app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.2)
        screen = app.screen
        pages = screen.query_one("#pages", PageSwitcher)
        bar = screen.query_one(PageBar)
        assert pages.active == "setup" and screen.setup_page.display
        seen = []
        for _ in PAGES:
            await pilot.press("right_square_bracket")
            seen.append(pages.active)
            assert [p.id for p in screen.pages if p.display] == [pages.active]
            label = bar.render_line(0).text
            assert all(title in label for _, title in bar.pages)
        assert seen == ["live", "insight", "runs", "setup"]
        await pilot.press("left_square_bracket")
        assert pages.active == "runs"
        screen.show_page("live")
        assert pages.active == "live"


async def test_the_underline_sits_under_the_current_label_and_a_click_switches():
    app = _app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.2)
        screen = app.screen
        pages = screen.query_one("#pages", PageSwitcher)
        bar = screen.query_one(PageBar)
        spans = {page: (start, end) for page, start, end in bar.spans()}
        screen.show_page("insight")
        await pilot.pause()
        underline = bar.render_line(1).text
        start, end = spans["insight"]
        assert underline[start:end] == "━" * (end - start)
        assert underline[start - 1] == "╸" and underline[end] == "╺"  # the bar's ends, as Tabs draws them
        await pilot.click(PageBar, offset=(spans["runs"][0] + 1, 0))
        assert pages.active == "runs"


async def test_the_bar_is_drawn_once_per_page_not_per_refresh():
    app = _app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.2)
        bar = app.screen.query_one(PageBar)
        first = bar.render_line(0)
        assert bar.render_line(0) is first  # kept: nothing changed
        app.screen.show_page("live")
        await pilot.pause()
        assert bar.render_line(0) is not first


async def test_a_chart_changed_on_a_hidden_page_is_redrawn_once_after_its_page_shows():
    app = _app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.2)
        screen = app.screen
        chart = screen.live_page.loss_chart
        screen.show_page("live")
        await pilot.pause(0.1)
        assert chart._kept is not None
        screen.show_page("setup")
        await pilot.pause(0.1)
        drawn = chart.draws
        chart.add_points([0.1, 0.2], [2.3, 2.2], 10)
        chart.changed(now=True)
        await pilot.pause(0.1)
        assert chart.draws == drawn  # hidden: not drawn
        screen.show_page("live")
        await pilot.pause(0.1)
        assert chart.draws == drawn + 1  # once, just after the page appeared with the last drawing
        assert chart._kept[0][1] == chart.version


async def test_a_page_switch_keeps_the_footer_unless_its_keys_change():
    """Textual's Footer remounts all its keys on every focus change; a switch moves the focus, so
    each `]` paid for a new footer. LabFooter rebuilds only when what it shows changes."""
    from textual.widgets._footer import FooterKey

    from nnlab.ui.shared.footer import LabFooter, shown_keys

    app = _app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.2)
        screen = app.screen
        footer = screen.query_one(LabFooter)
        keys = list(footer.query(FooterKey))
        assert keys
        for _ in range(2 * len(PAGES)):
            await pilot.press("right_square_bracket")
            await pilot.pause()
        assert list(footer.query(FooterKey)) == keys  # the very same widgets: no rebuild
        before = shown_keys(screen)
        screen._bindings.bind("z", "app.bell", "Zed")  # a key the footer must now show
        screen.refresh_bindings()
        await pilot.pause()
        await pilot.pause(0.1)
        assert shown_keys(screen) != before
        shown = {key.key for key in footer.query(FooterKey) if not key.has_class("-command-palette")}
        assert "z" in shown and shown == {key for key, *_ in shown_keys(screen)}


def _summaries(n: int):
    from pathlib import Path

    from nnlab.run.reader import RunSummary

    return [
        RunSummary(
            id=f"20261202-0100{i:02d}-ab{i:02d}",
            path=Path(f"/nonexistent/{i}"),
            name="",
            kind="train",
            state="completed",
            preset="tutorial",
            summary="tutorial · sgd lr 0.001",
            epochs_done=5,
            epochs_total=5,
            test_accuracy=0.6,
            started=f"2026-12-02T01:00:{i:02d}+00:00",
            duration_s=30.0,
            host="h",
            pid=None,
        )
        for i in range(n)
    ]


async def test_every_page_fills_the_switcher_and_the_runs_charts_stay_on_screen_with_many_runs():
    """A page of `height: auto` grew past the screen: with 15 runs the Runs page was 39 rows in a
    20-row switcher, its charts below the last line, and each switch to it laid out twice."""
    from nnlab.ui.train.runs_page import RunsPage

    app = _app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.2)
        screen = app.screen
        screen.runs_page.table.set_history(_summaries(15))
        pages = screen.query_one("#pages", PageSwitcher)
        for page in PAGES:
            screen.show_page(page)
            await pilot.pause(0.1)
            shown = pages.get_child_by_id(page)
            assert shown.size == pages.size, page
        runs = screen.query_one(RunsPage)
        chart = runs.loss_chart
        assert chart.region.height >= 8 and chart.region.bottom <= pages.region.bottom


async def test_the_runs_table_is_focused_in_the_switch_and_not_redrawn_when_shown_again():
    """The table is focused as its page shows (space marks at once) in the same refresh, and
    showing the page again at the same size re-renders none of its rows (DataTable empties its
    caches on every resize and style update: it was half of a switch to Runs)."""
    from textual.widgets import DataTable

    app = _app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.2)
        screen = app.screen
        table = screen.runs_page.table
        table.set_history(_summaries(6))
        for _ in range(2):  # each state (focused, blurred) drawn once
            screen.show_page("runs")
            assert screen.focused is table  # at once, not after the next refresh
            await pilot.pause(0.2)
            screen.show_page("live")
            await pilot.pause(0.2)
            assert screen.focused is None
        cells = []
        render = DataTable._render_cell

        def counting(self, *args, **kwargs):
            cells.append(args[:2])
            return render(self, *args, **kwargs)

        DataTable._render_cell = counting
        try:
            screen.show_page("runs")
            await pilot.pause(0.2)
        finally:
            DataTable._render_cell = render
        assert screen.focused is table
        rows = {row for row, _ in cells}
        assert len(rows) <= 2, rows  # at most the cursor's row (and the header) drawn anew


async def test_a_widget_changed_on_a_hidden_page_does_not_hold_up_the_switch():
    """RedrawWhenShown: the confusion matrix gets a new epoch while Insight is hidden; the frame
    that shows Insight is drawn from its last rendering (no render during the switch), and the new
    matrix is drawn right after, in the next frame."""
    app = _app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.2)
        screen = app.screen
        matrix = screen.query_one("#confusion")
        renders: list[tuple[int, bool]] = []  # (diagonal count, drawn during the switch's first frame)
        original = type(matrix).render
        in_switch = {"on": False}

        def counting_render(self):
            renders.append((self.matrix[0][0] if self.matrix else -1, in_switch["on"]))
            return original(self)

        type(matrix).render = counting_render
        try:
            screen.show_page("insight")
            await pilot.pause(0.1)
            screen.show_page("live")
            await pilot.pause(0.1)
            assert matrix._off_screen
            renders.clear()
            matrix.set_matrix([[7 if i == j else 0 for j in range(10)] for i in range(10)], epoch=1)
            await pilot.pause(0.1)
            assert renders == [] and matrix._repaint_when_shown  # hidden: noted, not drawn

            in_switch["on"] = True
            first_frame = []
            screen.show_page("insight")
            screen.call_after_refresh(lambda: first_frame.append(list(renders)))
            await pilot.pause(0.1)
            in_switch["on"] = False
            await pilot.pause(0.1)
            assert first_frame and first_frame[0] == []  # the page appeared without re-rendering it
            assert renders and renders[-1][0] == 7  # and the new matrix was drawn just after
            assert not matrix._off_screen and not matrix._repaint_when_shown
            assert "7" in "".join(s.text for s in matrix.render_lines(matrix.region.reset_offset))
        finally:
            type(matrix).render = original


async def test_a_layout_refresh_is_never_held_back_while_hidden():
    from nnlab.ui.train.confusion_matrix import ConfusionMatrix

    app = _app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.2)
        matrix = app.screen.query_one("#confusion", ConfusionMatrix)
        app.screen.show_page("insight")
        await pilot.pause(0.1)
        app.screen.show_page("setup")
        await pilot.pause(0.1)
        assert matrix._off_screen
        matrix.refresh(layout=True)
        assert matrix._layout_required  # passed on to Textual as asked

"""LogPane writes streamed loss lines at most once per interval and never reorders lines."""

from __future__ import annotations

from textual.app import App, ComposeResult

from nnlab.ui.train.log_pane import LogPane


class LogApp(App):
    def compose(self) -> ComposeResult:
        yield LogPane(id="log")


async def test_loss_lines_are_held_then_written_in_order_before_the_next_other_line():
    app = LogApp()
    async with app.run_test() as pilot:
        log = app.query_one(LogPane)
        log.min_interval = 60.0
        log._throttle.last = 0.0
        log.loss_line(2.3, 64, 60000)  # the first one goes out at once
        assert log.lines[-1].startswith("loss: 2.300000")
        log.loss_line(2.2, 6464, 60000)
        log.loss_line(2.1, 12864, 60000)
        assert len([line for line in log.lines if line.startswith("loss")]) == 1  # held
        log.test_line(0.505, 1.5)  # any other line writes them first
        lines = [line for line in log.lines if line.strip()]
        assert [line[:14] for line in lines[:3]] == ["loss: 2.300000", "loss: 2.200000", "loss: 2.100000"]
        assert len(lines) == 5 and "50.5%" in lines[-1]
        await pilot.pause()


async def test_held_lines_are_written_by_the_timer_and_clear_drops_them():
    app = LogApp()
    async with app.run_test() as pilot:
        log = app.query_one(LogPane)
        log.min_interval = 0.05
        log.loss_line(1.0, 64, 100)
        log.loss_line(0.9, 128, 100)
        assert len(log.lines) == 1
        await pilot.pause(0.2)
        assert [line[:14] for line in log.lines] == ["loss: 1.000000", "loss: 0.900000"]
        log.min_interval = 60.0
        log.loss_line(0.8, 192, 100)
        log.clear()
        await pilot.pause(0.1)
        assert list(log.lines) == []


def test_long_lines_are_wrapped_by_cells_and_nothing_is_lost():
    from rich.cells import cell_len

    from nnlab.ui.train.log_pane import wrap_cells

    lines = [
        "669,706 parameters; 60,000 training and 10,000 test images from /usr/share/datasets/fashion-mnist",
        "参数 669,706 个；训练图片 60,000 张、测试图片 10,000 张，来自 /usr/share/datasets/fashion-mnist",
        "x" * 70,
        "short",
        "loss: 2.300000  [   64/60000]",
    ]
    for width in (20, 33, 80):
        for line in lines:
            pieces = wrap_cells(line, width)
            assert all(cell_len(p) <= width for p in pieces)
            assert all(p.startswith("  ") for p in pieces[1:])  # continuations are indented
            assert "".join(pieces).replace(" ", "") == line.replace(" ", "")  # every character kept, in order
    assert wrap_cells("loss: 2.300000  [   64/60000]", 80) == ["loss: 2.300000  [   64/60000]"]


async def test_the_pane_wraps_instead_of_scrolling_sideways():
    app = LogApp()
    async with app.run_test(size=(40, 12)) as pilot:
        log = app.query_one(LogPane)
        log.say("669,706 parameters; 60,000 training and 10,000 test images from /usr/share/datasets/fashion-mnist")
        await pilot.pause()
        assert len(log.lines) > 1 and max(len(line) for line in log.lines) <= 40
        assert not log.horizontal_scrollbar.display or log.virtual_size.width <= log.scrollable_content_region.width

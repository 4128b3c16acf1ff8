"""LogPane: the run's log in the PyTorch tutorial's words (loss lines, test error per epoch).

Loss lines arrive several times a second during a run. Each write to a ``Log`` grows its
virtual size, re-lays-out the screen and re-sends every visible line of the pane, so loss lines
are written in one go at most every ``min_interval`` seconds (2: the pane is the history; the
bars and the chart are the live view). Any other line (epoch headers, test results, messages)
is written at once, after the loss lines waiting before it, so the order never changes.

Lines wider than the pane are wrapped when written (continuations indented by two cells) rather
than scrolled sideways: a horizontal scrollbar is drawn one styled cell at a time and was redrawn
with every write, which at 200x60 made up a third of all the bytes sent to the terminal.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.cells import cell_len
from textual.widgets import Log

from nnlab.i18n import t
from nnlab.run.format import loss_line
from nnlab.ui.shared.linebreak import divide_line_cjk
from nnlab.ui.shared.throttled_plot import Throttle


class LogPane(Log):
    DEFAULT_CSS = "LogPane { height: 1fr; min-height: 3; border-top: solid $primary-darken-2; overflow-x: hidden; }"

    min_interval = 2.0  # seconds between writes of streamed loss lines (each write re-sends the whole pane)

    def __init__(self, **kwargs) -> None:
        super().__init__(max_lines=2000, auto_scroll=True, **kwargs)
        self._pending: list[str] = []
        self._throttle = Throttle(self, self._write_pending, lambda: self.min_interval)
        self._held = 0  # inside held(): lines wait for its end
        self._held_now = False  # a line written inside held() that is due at once

    @contextmanager
    def held(self, at_once: bool = True) -> Iterator[None]:
        """Lines written inside are written together at its end, in order (the viewer replays a
        history or a poll's events: one write, one layout, instead of one per epoch line).
        ``at_once=False``: they all wait for the streamed lines' interval, as loss lines do."""
        self._held += 1
        try:
            yield
        finally:
            self._held -= 1
            if not self._held:
                due, self._held_now = self._held_now and at_once, False
                if self._pending:
                    self._throttle(now=due or not self.is_mounted)

    def say(self, text: str) -> None:
        self._write([text])

    def epoch_header(self, epoch: int) -> None:
        self._write([t("dash.log.epoch", epoch=epoch), "-" * 31])

    def loss_line(self, loss: float, current: int, total: int) -> None:
        self._write([loss_line(loss, current, total)], stream=True)

    def test_line(self, accuracy: float, loss: float) -> None:
        self._write(
            [t("dash.log.test_error"), t("dash.log.test_line", acc=f"{accuracy * 100:>0.1f}", loss=f"{loss:>8f}"), ""]
        )

    def flush(self) -> None:
        """Write the waiting loss lines now."""
        self._throttle.fire()

    def _write_pending(self) -> None:
        if self._pending:
            lines, self._pending = self._pending, []
            width = self.scrollable_content_region.width if self.is_mounted else 0
            if width >= 20:
                lines = [part for line in lines for part in wrap_cells(line, width)]
            self.write_lines(lines)

    def _write(self, lines: list[str], stream: bool = False) -> None:
        self._pending.extend(lines)
        if self._held:
            self._held_now = self._held_now or not stream
            return
        self._throttle(now=not stream or not self.is_mounted)

    def clear(self):
        self._throttle.cancel()
        self._pending = []
        return super().clear()


def wrap_cells(line: str, width: int) -> list[str]:
    """``line`` cut into pieces at most ``width`` terminal cells wide (CJK characters are two),
    at spaces where possible and between CJK characters by the Chinese rule (no piece starts
    with "，" or "。": ``nnlab.ui.shared.linebreak``); continuation pieces start with two spaces."""
    if cell_len(line) <= width:
        return [line]
    pieces: list[str] = []
    rest, room = line, width
    while rest:
        cuts = divide_line_cjk(rest, room) if cell_len(rest) > room else []
        head, rest = (rest[: cuts[0]], rest[cuts[0] :]) if cuts else (rest, "")
        pieces.append(head.rstrip() if pieces == [] else "  " + head.rstrip())
        rest, room = rest.lstrip(" "), width - 2
    return [piece for piece in pieces if piece.strip()]

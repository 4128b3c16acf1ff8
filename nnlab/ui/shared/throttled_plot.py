"""ThrottledPlot: a PlotextPlot that redraws at most once per interval and only when visible.

Redrawing a chart costs CPU (plotext builds the canvas, Rich parses the ANSI) and terminal bytes
(every cell of the chart is re-sent), so data may change 10 times a second while the chart is
drawn at most every ``min_interval`` seconds, and not at all while it is on a hidden page.
"""

from __future__ import annotations

import time

from textual_plotext import PlotextPlot


def downsample(xs: list[float], ys: list[float], points: int) -> tuple[list[float], list[float]]:
    """At most ``points`` points: the mean of each of ``points`` equal runs (keeps the shape)."""
    n = len(xs)
    if n <= points or points <= 0:
        return list(xs), list(ys)
    out_x, out_y = [], []
    for i in range(points):
        a, b = i * n // points, (i + 1) * n // points
        if b > a:
            out_x.append(sum(xs[a:b]) / (b - a))
            out_y.append(sum(ys[a:b]) / (b - a))
    return out_x, out_y


class ThrottledPlot(PlotextPlot):
    """Subclasses implement ``draw(plt)``; call ``changed()`` when their data changes."""

    min_interval = 1.0  # seconds between redraws while data streams in

    # plotext counts characters, not terminal cells, so CJK text inside the canvas would push
    # its frame out of line: titles and explanations go in the widget's border title (Textual
    # measures cells), and only ASCII labels (run names such as "#1") go into the plot.
    DEFAULT_CSS = """
    ThrottledPlot { border-top: solid $primary-darken-2; border-title-align: center; }
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._last_draw = 0.0
        self._pending = None
        self._title: str | None = None
        self.draws = 0  # how many times the chart was actually rebuilt (tests, bench)

    def changed(self, now: bool = False) -> None:
        """Data changed: redraw now if allowed, else once when the interval has passed."""
        wait = self.min_interval - (time.monotonic() - self._last_draw)
        if now or wait <= 0:
            self._cancel_pending()
            self._last_draw = time.monotonic()
            self.refresh()
        elif self._pending is None:
            self._pending = self.set_timer(wait, self._fire)

    def _fire(self) -> None:
        self._pending = None
        self._last_draw = time.monotonic()
        self.refresh()

    def _cancel_pending(self) -> None:
        if self._pending is not None:
            self._pending.stop()
            self._pending = None

    def render(self):
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        self.draw(plt)
        title = self.title()
        if title != self._title:  # setting border_title always refreshes: the chart would be sent twice
            self._title = title
            self.border_title = title
        self.draws += 1
        return super().render()

    def draw(self, plt) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def title(self) -> str:  # pragma: no cover - overridden
        raise NotImplementedError
